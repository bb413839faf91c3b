// Small helpers the suites share: what they measure about a process, how they
// wait for a condition, the data they send, and how a failed run is shown.
#pragma once

#include "process.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace csh::test {

// `length` random lower-case hex digits: unique user names and markers, so a
// suite's containers and log lines are told apart from a concurrent suite's.
std::string random_hex(std::size_t length);

// `size` pseudo-random bytes from a fixed seed, every byte value included:
// binary data whose corruption a test can detect by comparing.
std::string random_bytes(std::size_t size);

// Polls `check` every 100 ms until it holds or `patience` has passed; returns
// its last answer.
bool eventually(const std::function<bool()>& check, std::chrono::seconds patience);

// The resident set size of `pid` in KiB from /proc, or -1 when unknown.
long rss_kib(pid_t pid);

// Checks that the gateway grew by less than `bound_kib` (`grown_kib`, as the
// caller measured it around what it sent). Under AddressSanitizer the figure
// is reported, not checked: its quarantine keeps up to 256 MB of freed
// memory resident, so RSS says nothing about the gateway's buffers there;
// the default build's run of the same test checks the bound.
void check_rss_growth(long grown_kib, long bound_kib, const std::string& context);

// The number of descriptors `pid` has open.
std::size_t open_fds(pid_t pid);

// The "type" numbers (CSH_AUDIT_*) of the audit recorder's JSON lines, in order.
std::vector<int> audit_event_types(const std::string& recorder_lines);

// A run's exit code and the first 2,000 bytes of each stream, for a failure message.
std::string describe(const RunResult& run);
// The value of one sample in Prometheus text, e.g.
// sample(text, "containerssh_ssh_connections_total{country=\"XX\"}");
// NaN when the series is absent (and so never equal to an expected value).
double sample(const std::string& text, const std::string& series);

// Whether the running Boost.Test case has failed so far: fixtures print the
// gateway's log only then.
bool current_test_failed();

// A global fixture (BOOST_TEST_GLOBAL_FIXTURE) for suites that write to a
// client's stdin: a client that ends before it read everything (a failure
// under test) then gives EPIPE, which the assertions report, instead of
// killing the suite with SIGPIPE. A handler, unlike SIG_IGN, is reset by exec,
// so the programs a test starts keep the default.
struct BrokenPipesDoNotKill {
    BrokenPipesDoNotKill();
};

}  // namespace csh::test
