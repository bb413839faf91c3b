#define BOOST_TEST_MODULE unit_geoip
#include <boost/test/unit_test.hpp>
