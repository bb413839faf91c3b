#define BOOST_TEST_MODULE unit_ssh
#include <boost/test/unit_test.hpp>
