#define BOOST_TEST_MODULE unit_webhook_client
#include <boost/test/unit_test.hpp>
