// The module of unit_backend_kubernetes_stream: the WebSocket exec stream and
// its Status parser.
#define BOOST_TEST_MODULE unit_backend_kubernetes_stream
#include <boost/test/unit_test.hpp>
