#define BOOST_TEST_MODULE unit_agent
#include <boost/test/unit_test.hpp>

#include <csignal>

namespace {

// Feeding stdin to an agent that already exited must fail the write with
// EPIPE, not kill the test runner. Children get the default back before exec.
struct IgnoreSigpipe {
    IgnoreSigpipe() { std::signal(SIGPIPE, SIG_IGN); }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(IgnoreSigpipe);
