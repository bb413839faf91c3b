// The module of unit_backend_kubernetes: one executable for the plugin's unit suites.
#define BOOST_TEST_MODULE unit_backend_kubernetes
#include <boost/test/unit_test.hpp>
