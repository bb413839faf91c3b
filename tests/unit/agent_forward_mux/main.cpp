#define BOOST_TEST_MODULE unit_agent_forward_mux
#include <boost/test/unit_test.hpp>

#include <csignal>

namespace {

// Writing to an agent that already exited must fail with EPIPE, not kill the
// test runner (agent_process.cpp gives children the default back).
struct IgnoreSigpipe {
    IgnoreSigpipe() { std::signal(SIGPIPE, SIG_IGN); }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(IgnoreSigpipe);
