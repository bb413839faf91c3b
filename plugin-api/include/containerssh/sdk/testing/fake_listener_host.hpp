// FakeListenerHost: the host's side of one backend listener (ABI 1.4), for
// unit tests of backend plugins. Hand params() to listen_start; every
// open_to_client the plugin makes is recorded, and stays pending until the
// test answers it as the client would: accept(i, forward_host) or refuse(i).
// The ABI answers later, never inside open_to_client, and so does this fake.
#pragma once

#include <containerssh/plugin.h>
#include <containerssh/sdk/testing/fake_forward_host.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace csh::sdk::testing {

// One open_to_client call: what the host reads of the params, the plugin's
// channel and the completion to answer.
struct OpenToClientCall {
    csh_forward_kind kind = 0;
    std::string originator_address;
    uint32_t originator_port = 0;
    csh_backend_forward* channel = nullptr;
    csh_forward_open_completion done{};
    bool answered = false;
};

class FakeListenerHost {
public:
    explicit FakeListenerHost(csh_strand* strand, csh_forward_kind kind = CSH_FORWARD_TCPIP)
        : strand_(strand), kind_(kind) {}
    FakeListenerHost(const FakeListenerHost&) = delete;
    FakeListenerHost& operator=(const FakeListenerHost&) = delete;

    // What params() names; its views point into this object.
    void set_address(std::string address, uint32_t port) {
        address_ = std::move(address);
        port_ = port;
    }
    // X11 and AGENT listeners belong to a session.
    void set_session(csh_backend_session* session) { session_ = session; }

    // Parameters for csh_backend_interface::listen_start, with this object as
    // the listener's host side.
    csh_listen_params params() {
        csh_listen_params p{};
        p.struct_size = sizeof(p);
        p.kind = kind_;
        p.address = csh_str{address_.data(), address_.size()};
        p.port = port_;
        p.session = session_;
        p.strand = strand_;
        p.host = host();
        p.api = api();
        return p;
    }

    csh_listener_host* host() { return reinterpret_cast<csh_listener_host*>(this); }
    const csh_listener_host_api* api() const { return &api_; }

    // The test delivered listen_stop: the plugin calls the listener host no
    // more, so a later open_to_client is a violation.
    void mark_stopped() { stopped_ = true; }

    // Every open_to_client, in order, answered or not.
    const std::vector<OpenToClientCall>& opens() const { return opens_; }
    size_t pending() const {
        size_t n = 0;
        for (const auto& call : opens_) n += call.answered ? 0 : 1;
        return n;
    }

    // The client confirmed open i: completes with CSH_OK and `channel` as the
    // channel's host side (the ABI 1.4 fields). The result's `channel` stays
    // NULL, as from the host: the plugin named its channel in the call.
    void accept(size_t i, FakeForwardHost& channel) {
        csh_forward_open_result r{};
        r.struct_size = sizeof(r);
        r.status = CSH_OK;
        r.host = channel.host();
        r.api = channel.api();
        answer(i, r);
    }
    // The client refused open i, or the connection ended: the host never
    // calls the plugin's channel.
    void refuse(size_t i, const std::string& reason = "refused by the client", csh_status status = CSH_FAILED) {
        if (status == CSH_OK) throw std::logic_error("FakeListenerHost::refuse needs a failure status");
        csh_forward_open_result r{};
        r.struct_size = sizeof(r);
        r.status = status;
        r.reason = csh_str{reason.data(), reason.size()};
        answer(i, r);
    }

    // Calls the ABI forbids (open_to_client after listen_stop, ...).
    const std::vector<std::string>& violations() const { return violations_; }

private:
    static FakeListenerHost& self(csh_listener_host* host) { return *reinterpret_cast<FakeListenerHost*>(host); }

    // Answering twice is the test's mistake, not the plugin's: it throws.
    void answer(size_t i, const csh_forward_open_result& r) {
        OpenToClientCall& call = opens_.at(i);
        if (call.answered) throw std::logic_error("open_to_client " + std::to_string(i) + " was answered already");
        call.answered = true;
        // The completion may call open_to_client again, which can move opens_.
        const csh_forward_open_completion done = call.done;
        if (done.complete != nullptr) done.complete(done.context, &r);
    }

    static void open_to_client(csh_listener_host* host, const csh_forward_channel_params* params,
                               csh_backend_forward* channel, csh_forward_open_completion done) {
        FakeListenerHost& h = self(host);
        if (h.stopped_) h.violations_.push_back("open_to_client after listen_stop");
        if (done.complete == nullptr) h.violations_.push_back("open_to_client without a completion");
        OpenToClientCall call;
        if (params != nullptr) {
            call.kind = params->kind;
            call.originator_address.assign(params->originator_address.data, params->originator_address.size);
            call.originator_port = params->originator_port;
        } else {
            h.violations_.push_back("open_to_client without params");
        }
        call.channel = channel;
        call.done = done;
        h.opens_.push_back(std::move(call));
    }

    static constexpr csh_listener_host_api kApi{sizeof(csh_listener_host_api), 0, &open_to_client};
    csh_listener_host_api api_ = kApi;

    csh_strand* strand_;
    csh_forward_kind kind_;
    std::string address_;
    uint32_t port_ = 0;
    csh_backend_session* session_ = nullptr;
    bool stopped_ = false;
    std::vector<OpenToClientCall> opens_;
    std::vector<std::string> violations_;
};

}  // namespace csh::sdk::testing
