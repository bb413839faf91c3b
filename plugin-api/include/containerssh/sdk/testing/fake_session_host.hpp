// FakeSessionHost: the host's side of one backend session channel, for unit
// tests of backend plugins. It records what the plugin sends (output per
// stream, exit status or signal, finished, stdin_ready) in order, and takes
// output within a byte budget the test sets, to exercise flow control.
#pragma once

#include <containerssh/plugin.h>
#include <containerssh/sdk/testing/write_budget.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace csh::sdk::testing {

struct ExitSignal {
    std::string signal;
    bool core_dumped = false;
    std::string message;
};

class FakeSessionHost {
public:
    explicit FakeSessionHost(csh_strand* strand, uint64_t channel_id = 0) : strand_(strand), channel_id_(channel_id) {}
    FakeSessionHost(const FakeSessionHost&) = delete;
    FakeSessionHost& operator=(const FakeSessionHost&) = delete;

    // Parameters for csh_backend_interface::session_open.
    csh_session_params params() {
        csh_session_params p{};
        p.struct_size = sizeof(p);
        p.channel_id = channel_id_;
        p.strand = strand_;
        p.host = reinterpret_cast<csh_session_host*>(this);
        p.api = &api_;
        return p;
    }

    // Offers the session API cut to its ABI 1.0 end (an older host).
    void emulate_abi_1_0() { api_.struct_size = CSH_SESSION_HOST_API_V1_END; }

    // How many more output bytes the host takes; nullopt = unlimited.
    void set_write_budget(std::optional<size_t> bytes) { budget_.set(bytes); }

    const std::string& stdout_data() const { return stdout_; }
    const std::string& stderr_data() const { return stderr_; }
    size_t write_calls() const { return write_calls_; }
    // write_output calls that took fewer bytes than offered.
    size_t short_writes() const { return budget_.short_writes(); }
    size_t stdin_ready_calls() const { return stdin_ready_calls_; }
    const std::optional<uint32_t>& exit_status() const { return exit_status_; }
    const std::optional<ExitSignal>& exit_signal() const { return exit_signal_; }
    bool finished() const { return finished_; }
    // What refuse_open said (reason, user message), when it was called.
    const std::optional<std::pair<std::string, std::string>>& refusal() const { return refusal_; }
    // What happened, in order: "stdout", "stderr", "exit-status", "exit-signal",
    // "finished" (consecutive writes of one stream appear once).
    const std::vector<std::string>& events() const { return events_; }
    // Calls the ABI forbids (output after finished, two exit reports, ...).
    const std::vector<std::string>& violations() const { return violations_; }

private:
    static FakeSessionHost& self(csh_session_host* host) { return *reinterpret_cast<FakeSessionHost*>(host); }

    void record(const std::string& event) {
        if (events_.empty() || events_.back() != event || (event != "stdout" && event != "stderr")) events_.push_back(event);
    }

    static size_t write_output(csh_session_host* host, csh_stream stream, csh_bytes data) {
        FakeSessionHost& h = self(host);
        ++h.write_calls_;
        if (h.finished_) h.violations_.push_back("write_output after finished");
        if (h.exit_status_ || h.exit_signal_) h.violations_.push_back("write_output after the exit report");
        const size_t taken = h.budget_.take(data.size);
        if (taken == 0) return 0;
        std::string& out = stream == CSH_STREAM_STDERR ? h.stderr_ : h.stdout_;
        out.append(reinterpret_cast<const char*>(data.data), taken);
        h.record(stream == CSH_STREAM_STDERR ? "stderr" : "stdout");
        return taken;
    }
    static void stdin_ready(csh_session_host* host) { ++self(host).stdin_ready_calls_; }
    static void exit_status(csh_session_host* host, uint32_t status) {
        FakeSessionHost& h = self(host);
        if (h.exit_status_ || h.exit_signal_ || h.finished_) h.violations_.push_back("a second exit report or one after finished");
        h.exit_status_ = status;
        h.record("exit-status");
    }
    static void exit_signal(csh_session_host* host, csh_str signal, int core_dumped, csh_str message) {
        FakeSessionHost& h = self(host);
        if (h.exit_status_ || h.exit_signal_ || h.finished_) h.violations_.push_back("a second exit report or one after finished");
        h.exit_signal_ = ExitSignal{std::string(signal.data, signal.size), core_dumped != 0,
                                    std::string(message.data, message.size)};
        h.record("exit-signal");
    }
    static void finished(csh_session_host* host) {
        FakeSessionHost& h = self(host);
        if (h.finished_) h.violations_.push_back("finished called twice");
        h.finished_ = true;
        h.record("finished");
    }

    static void refuse_open(csh_session_host* host, csh_str reason, csh_str user_message) {
        FakeSessionHost& h = self(host);
        if (h.refusal_) h.violations_.push_back("refuse_open called twice");
        h.refusal_.emplace(std::string(reason.data, reason.size), std::string(user_message.data, user_message.size));
    }

    static constexpr csh_session_host_api kApi{sizeof(csh_session_host_api), 0, &write_output, &stdin_ready,
                                               &exit_status, &exit_signal, &finished, &refuse_open};
    csh_session_host_api api_ = kApi;
    std::optional<std::pair<std::string, std::string>> refusal_;

    csh_strand* strand_;
    uint64_t channel_id_;
    WriteBudget budget_;
    std::string stdout_;
    std::string stderr_;
    size_t write_calls_ = 0;
    size_t stdin_ready_calls_ = 0;
    std::optional<uint32_t> exit_status_;
    std::optional<ExitSignal> exit_signal_;
    bool finished_ = false;
    std::vector<std::string> events_;
    std::vector<std::string> violations_;
};

}  // namespace csh::sdk::testing
