#define BOOST_TEST_MODULE unit_loader
#include <boost/test/unit_test.hpp>
