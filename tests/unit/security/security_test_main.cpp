#define BOOST_TEST_MODULE unit_security
#include <boost/test/unit_test.hpp>
