// Forwarding channels (ABI 1.2 slots): opened by the client (hosts of ABI
// 1.3 and later), direct-tcpip (`ssh -L`, `-D`, `-W`) and, once the host's
// SSH library allows it, direct-streamlocal; or opened towards the client
// for a listener's connection (hosts of ABI 1.4 and later, listen.hpp):
// forwarded-tcpip (`ssh -R`).
//
//   BackendConnection::open_forward(params, done) -> done.success(forward) or done.fail(...)
//   BackendForward: data (flow control as stdin), eof, output_ready, close
//   ForwardHost:    write (flow control as write_output), data_ready, eof, closed
//
// A BackendForward is a HostReferenced object like a session: the SDK drops
// the host's reference on close, and after close its ForwardHost is detached
// (every call a no-op). No C++ type crosses the ABI.
#pragma once

#include <containerssh/sdk/completion.hpp>
#include <containerssh/sdk/host_reference.hpp>
#include <containerssh/sdk/types.hpp>

#include <containerssh/plugin/backend.h>

#include <memory>
#include <string>
#include <string_view>

namespace csh::sdk {

class BackendForward;

namespace detail {
struct BackendEntries;
struct OpenToClient;
}

// A copy of csh_forward_channel_params: forward_open answers later, so
// nothing borrowed is kept.
struct ForwardParams {
    csh_forward_kind kind = CSH_FORWARD_TCPIP;
    uint64_t channel_id = 0;
    std::string target;  // host name or address (TCPIP), socket path (STREAMLOCAL)
    uint32_t target_port = 0;
    std::string originator_address;
    uint32_t originator_port = 0;
    csh_strand* strand = nullptr;
    csh_forward_host* host = nullptr;
    const csh_forward_host_api* api = nullptr;

    static ForwardParams copy_of(const csh_forward_channel_params& raw) {
        ForwardParams p;
        p.kind = raw.kind;
        p.channel_id = raw.channel_id;
        p.target = std::string(view(raw.target));
        p.target_port = raw.target_port;
        p.originator_address = std::string(view(raw.originator_address));
        p.originator_port = raw.originator_port;
        p.strand = raw.strand;
        p.host = raw.host;
        p.api = raw.api;
        return p;
    }
};

// The host's side of one forwarding channel. [channel-strand] Valid once
// open_forward succeeded; after the host closed the channel every call is a
// no-op (write takes nothing).
class ForwardHost {
public:
    explicit ForwardHost(const ForwardParams& params)
        : host_(params.host),
          api_(params.api != nullptr && params.api->struct_size >= CSH_END_OF(csh_forward_host_api, closed)
                   ? params.api
                   : nullptr),
          strand_(params.strand),
          channel_id_(params.channel_id) {}

    uint64_t channel_id() const { return channel_id_; }
    csh_strand* strand() const { return strand_; }
    bool attached() const { return api_ != nullptr; }

    // Bytes to the client. Returns how many the host took; when fewer than
    // offered, wait for BackendForward::output_ready before writing again.
    size_t write(std::string_view data) { return attached() ? api_->write(host_, to_bytes(data)) : 0; }
    // More data can be taken after a partial BackendForward::data.
    void data_ready() {
        if (attached()) api_->data_ready(host_);
    }
    // No more bytes to the client.
    void eof() {
        if (attached()) api_->eof(host_);
    }
    // The backend's side is gone: the host closes the channel, then calls
    // BackendForward::close.
    void closed() {
        if (attached()) api_->closed(host_);
    }

private:
    friend struct detail::BackendEntries;
    friend struct detail::OpenToClient;
    void detach() { api_ = nullptr; }
    // A channel opened towards the client learns its host side from the
    // host's answer (listen.hpp).
    void attach(csh_forward_host* host, const csh_forward_host_api* api) {
        host_ = host;
        api_ = api->struct_size >= CSH_END_OF(csh_forward_host_api, closed) ? api : nullptr;
    }

    csh_forward_host* host_;
    const csh_forward_host_api* api_;
    csh_strand* strand_;
    uint64_t channel_id_;
};

class BackendForward : public HostReferenced<BackendForward> {
public:
    BackendForward(Host host, const ForwardParams& params) : host_(std::move(host)), forward_host_(params) {}
    BackendForward(const BackendForward&) = delete;
    BackendForward& operator=(const BackendForward&) = delete;
    virtual ~BackendForward() = default;

    const Host& host() const { return host_; }
    ForwardHost& forward_host() { return forward_host_; }

    // [channel-strand] Bytes from the client; returns how many were taken.
    // When fewer than offered, call forward_host().data_ready() once more
    // can be taken.
    virtual size_t data(std::string_view bytes) = 0;
    // [channel-strand] The client sends no more bytes.
    virtual void eof() = 0;
    // [channel-strand] write may be called again after a partial one.
    virtual void output_ready() = 0;
    // [channel-strand] The channel is gone. The host's reference is dropped
    // when this returns.
    virtual void close() = 0;

private:
    friend struct detail::BackendEntries;
    friend struct detail::OpenToClient;
    Host host_;
    ForwardHost forward_host_;
};

// Wraps csh_forward_open_completion. A forgotten one answers CSH_FAILED.
class ForwardOpenCompletion {
public:
    ForwardOpenCompletion(Host host, csh_forward_open_completion raw)
        : guard_(std::move(host), "backend.forward_open", nullptr), raw_(raw) {}
    ForwardOpenCompletion(ForwardOpenCompletion&&) noexcept = default;
    ForwardOpenCompletion& operator=(ForwardOpenCompletion&&) = delete;
    ~ForwardOpenCompletion() {
        if (guard_.claim_orphaned()) send(CSH_FAILED, nullptr, guard_.orphan_reason());
    }

    bool pending() const { return guard_.pending(); }

    // The channel is connected: hands it to the host.
    void success(std::shared_ptr<BackendForward> forward);
    // `reason` goes to the log and the audit stream; `user_message` is one
    // line for the person at the client (may be empty).
    void fail(std::string_view reason, csh_status status = CSH_FAILED, std::string_view user_message = {}) {
        if (guard_.claim()) send(status == CSH_OK ? CSH_FAILED : status, nullptr, reason, user_message);
    }

private:
    void send(csh_status status, csh_backend_forward* forward, std::string_view reason,
              std::string_view user_message = {}) {
        csh_forward_open_result result{};
        result.struct_size = sizeof(result);
        result.status = status;
        result.channel = forward;
        result.reason = to_str(reason);
        result.user_message = to_str(user_message);
        raw_.complete(raw_.context, &result);
    }

    detail::CompletionGuard guard_;
    csh_forward_open_completion raw_;
};

inline void ForwardOpenCompletion::success(std::shared_ptr<BackendForward> forward) {
    if (!forward) {
        fail("the backend produced no forwarding channel");
        return;
    }
    if (!guard_.claim()) return;
    send(CSH_OK, detail::HandleGlue<BackendForward, csh_backend_forward>::hand_over(std::move(forward)), {});
}

}  // namespace csh::sdk
