#define BOOST_TEST_MODULE unit_audit_s3_client
#include <boost/test/unit_test.hpp>
