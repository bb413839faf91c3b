#define BOOST_TEST_MODULE unit_sdk
#include <boost/test/unit_test.hpp>
