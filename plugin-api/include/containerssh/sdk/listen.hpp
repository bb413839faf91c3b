// Listeners: connections the backend accepts and brings back to the client
// (ABI 1.2 slots listen_start/listen_stop, called by hosts of ABI 1.4 and
// later for tcpip-forward: ssh -R).
//
//   BackendConnection::listen(params, done) -> done.success(listener, bound_port) or done.fail(...)
//   BackendListener: stop (cancel-tcpip-forward, the connection's end)
//   ListenerHost:    open_to_client(params, forward, callback) per accepted connection
//
// A BackendListener is HostReferenced like a session: the SDK drops the
// host's reference once stop() was called. A forward handed to
// open_to_client is host-held from the call on; when the client refuses
// the channel the SDK drops that reference again and the host never calls
// the forward.
#pragma once

#include <containerssh/sdk/completion.hpp>
#include <containerssh/sdk/forward.hpp>
#include <containerssh/sdk/host_reference.hpp>
#include <containerssh/sdk/types.hpp>

#include <containerssh/plugin/backend.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace csh::sdk {

class BackendListener;

namespace detail {
struct BackendEntries;
}

// A copy of csh_listen_params: listen answers later, so nothing borrowed is kept.
struct ListenParams {
    csh_forward_kind kind = CSH_FORWARD_TCPIP;
    std::string address;  // bind address (TCPIP, as the client sent it), socket path (STREAMLOCAL)
    uint32_t port = 0;    // TCPIP; 0: pick one and report it with success()
    // X11 and AGENT: the session the request came on (session_of() in
    // backend.hpp gives its BackendSession); the listener serves that
    // session's program, which starts only after listen completed.
    csh_backend_session* session = nullptr;
    // X11: what x11-req carried.
    bool single_connection = false;
    std::string x11_auth_protocol;
    std::string x11_auth_cookie;
    uint32_t x11_screen = 0;
    csh_strand* strand = nullptr;
    csh_listener_host* host = nullptr;
    const csh_listener_host_api* api = nullptr;

    static ListenParams copy_of(const csh_listen_params& raw) {
        ListenParams p;
        p.kind = raw.kind;
        p.address = std::string(view(raw.address));
        p.port = raw.port;
        p.session = raw.session;
        p.single_connection = raw.single_connection != 0;
        p.x11_auth_protocol = std::string(view(raw.x11_auth_protocol));
        p.x11_auth_cookie = std::string(view(raw.x11_auth_cookie));
        p.x11_screen = raw.x11_screen;
        p.strand = raw.strand;
        p.host = raw.host;
        p.api = raw.api;
        return p;
    }
};

// What open_to_client's callback hears: CSH_OK once the client accepted the
// channel (the forward's ForwardHost is attached by then), else why not.
using OpenToClientCallback = std::function<void(csh_status status, std::string_view reason)>;

// The host's side of one listener. [connection-strand] The host answers
// open_to_client later, never inside the call; after stop() the listener
// is detached and open_to_client fails at once (its callback runs inside).
class ListenerHost {
public:
    explicit ListenerHost(const ListenParams& params)
        : host_(params.host),
          api_(params.api != nullptr &&
                       params.api->struct_size >= CSH_END_OF(csh_listener_host_api, open_to_client)
                   ? params.api
                   : nullptr),
          strand_(params.strand) {}

    csh_strand* strand() const { return strand_; }
    bool attached() const { return api_ != nullptr; }

    // Opens a channel to the client for a connection the listener accepted.
    // `params` names the originator (originator_address, originator_port);
    // the host fills the rest. `forward` was built with those params and
    // moves bytes once `done` heard CSH_OK.
    void open_to_client(const ForwardParams& params, std::shared_ptr<BackendForward> forward,
                        OpenToClientCallback done);

private:
    friend struct detail::BackendEntries;
    void detach() { api_ = nullptr; }

    csh_listener_host* host_;
    const csh_listener_host_api* api_;
    csh_strand* strand_;
};

class BackendListener : public HostReferenced<BackendListener> {
public:
    BackendListener(Host host, const ListenParams& params) : host_(std::move(host)), listener_host_(params) {}
    BackendListener(const BackendListener&) = delete;
    BackendListener& operator=(const BackendListener&) = delete;
    virtual ~BackendListener() = default;

    const Host& host() const { return host_; }
    ListenerHost& listener_host() { return listener_host_; }

    // [connection-strand] Stop accepting (the client cancelled, or the
    // connection ends); channels already opened stay open. Complete `done`
    // once stopped. The host's reference is dropped when this returns.
    virtual void stop(StatusCompletion done) = 0;

private:
    friend struct detail::BackendEntries;
    Host host_;
    ListenerHost listener_host_;
};

// Wraps csh_listen_completion. A forgotten one answers CSH_FAILED.
class ListenCompletion {
public:
    ListenCompletion(Host host, csh_listen_completion raw)
        : guard_(std::move(host), "backend.listen_start", nullptr), raw_(raw) {}
    ListenCompletion(ListenCompletion&&) noexcept = default;
    ListenCompletion& operator=(ListenCompletion&&) = delete;
    ~ListenCompletion() {
        if (guard_.claim_orphaned()) send(CSH_FAILED, nullptr, 0, guard_.orphan_reason());
    }

    bool pending() const { return guard_.pending(); }

    // Listening: hands the listener to the host with the port bound (the
    // one asked for, or the one picked for a port-0 request).
    void success(std::shared_ptr<BackendListener> listener, uint32_t bound_port) {
        if (!listener) {
            fail("the backend produced no listener");
            return;
        }
        if (!guard_.claim()) return;
        send(CSH_OK, detail::HandleGlue<BackendListener, csh_backend_listener>::hand_over(std::move(listener)),
             bound_port, {});
    }
    // `reason` goes to the log (the client only hears that it failed).
    void fail(std::string_view reason, csh_status status = CSH_FAILED) {
        if (guard_.claim()) send(status == CSH_OK ? CSH_FAILED : status, nullptr, 0, reason);
    }

private:
    void send(csh_status status, csh_backend_listener* listener, uint32_t bound_port, std::string_view reason) {
        csh_listen_result result{};
        result.struct_size = sizeof(result);
        result.status = status;
        result.listener = listener;
        result.bound_port = bound_port;
        result.reason = to_str(reason);
        raw_.complete(raw_.context, &result);
    }

    detail::CompletionGuard guard_;
    csh_listen_completion raw_;
};

namespace detail {

// One open_to_client in flight: the host-held forward and the plugin's
// callback, until the host answers.
struct OpenToClient {
    using Forwards = HandleGlue<BackendForward, csh_backend_forward>;

    csh_backend_forward* handle;
    OpenToClientCallback done;

    static void complete(void* context, const csh_forward_open_result* result) {
        std::unique_ptr<OpenToClient> self(static_cast<OpenToClient*>(context));
        BackendForward& forward = Forwards::from(self->handle);
        // The host's frames are below: nothing the plugin throws may reach them.
        try {
            answer(*self, forward, result);
        } catch (...) {
            forward.host().log_current_exception("backend.open_to_client");
        }
    }

private:
    static void answer(OpenToClient& self, BackendForward& forward, const csh_forward_open_result* result) {
        const bool attached = result != nullptr && result->status == CSH_OK &&
                              result->struct_size >= CSH_END_OF(csh_forward_open_result, api) &&
                              result->host != nullptr && result->api != nullptr;
        if (attached) {
            forward.forward_host_.attach(result->host, result->api);
            if (self.done) self.done(CSH_OK, {});
            return;
        }
        // Refused: the host never calls the forward, so its hold ends here.
        const std::shared_ptr<BackendForward> keep = Forwards::take_back(self.handle);
        std::string why = result == nullptr ? "the host gave no answer" : std::string(view(result->reason));
        if (why.empty()) why = "the client refused the channel";
        if (self.done) self.done(result != nullptr && result->status != CSH_OK ? result->status : CSH_FAILED, why);
    }
};

}  // namespace detail

inline void ListenerHost::open_to_client(const ForwardParams& params, std::shared_ptr<BackendForward> forward,
                                         OpenToClientCallback done) {
    if (!attached() || !forward) {
        if (done) done(CSH_FAILED, attached() ? "no forwarding channel" : "the listener was stopped");
        return;
    }
    csh_forward_channel_params raw{};
    raw.struct_size = sizeof raw;
    raw.kind = params.kind;
    raw.target = to_str(params.target);
    raw.target_port = params.target_port;
    raw.originator_address = to_str(params.originator_address);
    raw.originator_port = params.originator_port;
    raw.strand = strand_;
    auto* pending = new detail::OpenToClient{
        detail::HandleGlue<BackendForward, csh_backend_forward>::hand_over(std::move(forward)), std::move(done)};
    api_->open_to_client(host_, &raw, pending->handle, {&detail::OpenToClient::complete, pending});
}

}  // namespace csh::sdk
