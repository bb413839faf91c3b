#define BOOST_TEST_MODULE unit_audit_format
#include <boost/test/unit_test.hpp>
