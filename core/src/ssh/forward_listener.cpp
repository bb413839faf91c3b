#include "ssh/forward_listener.hpp"

#include "host/host_entry.hpp"
#include "ssh/connection.hpp"

namespace csh::ssh {

const csh_listener_host_api& ForwardListener::host_api() {
    // Behind the host barrier (host/host_entry.hpp), as every entry a plugin calls.
    static const csh_listener_host_api api = {
        sizeof(csh_listener_host_api),
        0,
        [](csh_listener_host* h, const csh_forward_channel_params* params, csh_backend_forward* channel,
           csh_forward_open_completion done) {
            auto* self = static_cast<ForwardListener*>(h);
            host::guarded(&self->connection_.context().logger, "listener.open_to_client",
                          [&] { self->connection_.open_to_client(*self, *params, channel, done); });
        },
    };
    return api;
}

ForwardListener::ForwardListener(Connection& connection, std::string address, uint32_t requested_port)
    : connection_(connection), address_(std::move(address)), requested_port_(requested_port),
      bound_port_(requested_port) {
    params_.struct_size = sizeof params_;
    params_.kind = CSH_FORWARD_TCPIP;
    params_.address = {address_.data(), address_.size()};
    params_.port = requested_port;
    params_.strand = connection.strand();
    params_.host = this;
    params_.api = &host_api();
}

ForwardListener::ForwardListener(Connection& connection, uint64_t channel_id, csh_backend_session* session,
                                 csh_forward_kind kind, X11Request x11)
    : connection_(connection), requested_port_(0), bound_port_(0), session_channel_(channel_id), x11_(std::move(x11)) {
    params_.struct_size = sizeof params_;
    params_.kind = kind;
    params_.session = session;
    params_.single_connection = x11_.single_connection ? 1 : 0;
    params_.x11_auth_protocol = {x11_.auth_protocol.data(), x11_.auth_protocol.size()};
    params_.x11_auth_cookie = {x11_.auth_cookie.data(), x11_.auth_cookie.size()};
    params_.x11_screen = x11_.screen;
    params_.strand = connection.strand();
    params_.host = this;
    params_.api = &host_api();
}

void ForwardListener::started(csh_backend_listener* backend, uint32_t bound_port) {
    backend_ = backend;
    // A backend that reports no port bound the one asked for.
    if (bound_port != 0) bound_port_ = bound_port;
}

}  // namespace csh::ssh
