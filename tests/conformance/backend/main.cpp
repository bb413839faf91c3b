// conformance_backend, the build tree's runner of the suite: Boost.Test's
// command line as it is, the backend after `--` (backend_under_test.hpp).
// The installed runner is containerssh_conformance.cpp.
#include <boost/test/unit_test.hpp>

bool init_unit_test();  // conformance_test.cpp, from BOOST_TEST_MODULE

int main(int argc, char* argv[]) { return boost::unit_test::unit_test_main(&init_unit_test, argc, argv); }
