// FakeForwardHost: the host's side of one forwarding channel (ABI 1.2), for
// unit tests of backend plugins. It records what the plugin sends towards
// the client (bytes, data_ready, eof, closed) in order, takes bytes within a
// budget the test sets, to exercise flow control, and lists the calls the
// ABI forbids. Hand it to forward_open with params(), or to a plugin's
// open_to_client through FakeListenerHost::accept.
#pragma once

#include <containerssh/plugin.h>
#include <containerssh/sdk/testing/write_budget.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace csh::sdk::testing {

class FakeForwardHost {
public:
    explicit FakeForwardHost(csh_strand* strand, uint64_t channel_id = 0) : strand_(strand), channel_id_(channel_id) {}
    FakeForwardHost(const FakeForwardHost&) = delete;
    FakeForwardHost& operator=(const FakeForwardHost&) = delete;

    // What params() names. The views it hands out point into this object,
    // so they stay valid as long as it lives (the ABI lends them for the call).
    void set_kind(csh_forward_kind kind) { kind_ = kind; }
    void set_target(std::string target, uint32_t port) {
        target_ = std::move(target);
        target_port_ = port;
    }
    void set_originator(std::string address, uint32_t port) {
        originator_address_ = std::move(address);
        originator_port_ = port;
    }

    // Parameters for csh_backend_interface::forward_open (a channel the
    // client opened), with this object as the channel's host side.
    csh_forward_channel_params params() {
        csh_forward_channel_params p{};
        p.struct_size = sizeof(p);
        p.kind = kind_;
        p.channel_id = channel_id_;
        p.target = csh_str{target_.data(), target_.size()};
        p.target_port = target_port_;
        p.originator_port = originator_port_;
        p.originator_address = csh_str{originator_address_.data(), originator_address_.size()};
        p.strand = strand_;
        p.host = host();
        p.api = api();
        return p;
    }

    // The handle and table a host hands over (in params(), or in the answer
    // to open_to_client).
    csh_forward_host* host() { return reinterpret_cast<csh_forward_host*>(this); }
    const csh_forward_host_api* api() const { return &api_; }

    // The test delivered forward_close: from then on every call is a
    // violation, as after session_close.
    void mark_forward_closed() { forward_closed_ = true; }

    // How many more bytes the host takes; nullopt = unlimited.
    void set_write_budget(std::optional<size_t> bytes) { budget_.set(bytes); }

    // Bytes taken towards the client.
    const std::string& written() const { return written_; }
    size_t write_calls() const { return write_calls_; }
    // write calls that took fewer bytes than offered.
    size_t short_writes() const { return budget_.short_writes(); }
    size_t data_ready_calls() const { return data_ready_calls_; }
    size_t eof_calls() const { return eof_calls_; }
    size_t closed_calls() const { return closed_calls_; }
    // What happened, in order: "write", "data-ready", "eof", "closed"
    // (consecutive writes appear once; a write that took nothing not at all).
    const std::vector<std::string>& events() const { return events_; }
    // Calls the ABI forbids (a write after eof or closed, eof or closed
    // twice, any call after forward_close).
    const std::vector<std::string>& violations() const { return violations_; }

private:
    static FakeForwardHost& self(csh_forward_host* host) { return *reinterpret_cast<FakeForwardHost*>(host); }

    void record(const std::string& event) {
        if (events_.empty() || events_.back() != event || event != "write") events_.push_back(event);
    }
    void check_open(const char* call) {
        if (forward_closed_) violations_.push_back(std::string(call) + " after forward_close");
    }

    static size_t write(csh_forward_host* host, csh_bytes data) {
        FakeForwardHost& h = self(host);
        ++h.write_calls_;
        h.check_open("write");
        if (h.eof_calls_ > 0) h.violations_.push_back("write after eof");
        if (h.closed_calls_ > 0) h.violations_.push_back("write after closed");
        const size_t taken = h.budget_.take(data.size);
        if (taken == 0) return 0;
        h.written_.append(reinterpret_cast<const char*>(data.data), taken);
        h.record("write");
        return taken;
    }
    static void data_ready(csh_forward_host* host) {
        FakeForwardHost& h = self(host);
        h.check_open("data_ready");
        ++h.data_ready_calls_;
        h.record("data-ready");
    }
    static void eof(csh_forward_host* host) {
        FakeForwardHost& h = self(host);
        h.check_open("eof");
        if (h.eof_calls_ > 0) h.violations_.push_back("eof called twice");
        // closed means the host closes the channel: there is nothing left to end.
        if (h.closed_calls_ > 0) h.violations_.push_back("eof after closed");
        ++h.eof_calls_;
        h.record("eof");
    }
    static void closed(csh_forward_host* host) {
        FakeForwardHost& h = self(host);
        h.check_open("closed");
        if (h.closed_calls_ > 0) h.violations_.push_back("closed called twice");
        ++h.closed_calls_;
        h.record("closed");
    }

    static constexpr csh_forward_host_api kApi{sizeof(csh_forward_host_api), 0, &write, &data_ready, &eof, &closed};
    csh_forward_host_api api_ = kApi;

    csh_strand* strand_;
    uint64_t channel_id_;
    csh_forward_kind kind_ = CSH_FORWARD_TCPIP;
    std::string target_;
    uint32_t target_port_ = 0;
    std::string originator_address_;
    uint32_t originator_port_ = 0;
    bool forward_closed_ = false;
    WriteBudget budget_;
    std::string written_;
    size_t write_calls_ = 0;
    size_t data_ready_calls_ = 0;
    size_t eof_calls_ = 0;
    size_t closed_calls_ = 0;
    std::vector<std::string> events_;
    std::vector<std::string> violations_;
};

}  // namespace csh::sdk::testing
