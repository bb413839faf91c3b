#define BOOST_TEST_MODULE unit_log
#include <boost/test/unit_test.hpp>
