// Backend plugins (containerssh.backend/1): where programs run.
//
//   BackendPlugin::open_connection  -> BackendOpenCompletion::success(connection)
//   BackendConnection::open_session -> a BackendSession (or nullptr: refused)
//   BackendSession: requests (env, pty, exec, ...), stdin, flow control, close
//   BackendConnection::open_forward -> a BackendForward (forward.hpp), or a refusal
//   BackendConnection::listen       -> a BackendListener (listen.hpp), or a refusal
//   BackendConnection::close        -> StatusCompletion once torn down
//
// Connections and sessions are shared_ptr-managed HostReferenced objects (see
// host_reference.hpp): the SDK drops the host's reference on close, so an
// object stays alive exactly as long as the host or pending work needs it.
// Every host call for one connection and its sessions runs on the
// connection's strand; a session talks back through SessionHost on that same
// strand, and after its close it cannot talk back at all.
#pragma once

#include <containerssh/sdk/completion.hpp>
#include <containerssh/sdk/connection_info.hpp>
#include <containerssh/sdk/forward.hpp>
#include <containerssh/sdk/host_reference.hpp>
#include <containerssh/sdk/listen.hpp>
#include <containerssh/sdk/plugin.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

namespace csh::sdk {

class BackendConnection;
class BackendSession;

namespace detail {
struct BackendEntries;
}

// A view of csh_session_params, borrowed for the call.
class SessionParams {
public:
    explicit SessionParams(const csh_session_params& raw) : raw_(&raw) {}
    uint64_t channel_id() const { return raw_->channel_id; }
    csh_strand* strand() const { return raw_->strand; }
    const csh_session_params& raw() const { return *raw_; }

    // Says why the channel is refused (`reason` for the log, `user_message`
    // for the person at the client); then return nullptr from open_session.
    // A no-op on a host older than ABI 1.2, which only logs a refusal.
    void refuse(std::string_view reason, std::string_view user_message = {}) const {
        const csh_session_host_api* api = raw_->api;
        if (api == nullptr || !CSH_TABLE_HAS(api, csh_session_host_api, refuse_open)) return;
        api->refuse_open(raw_->host, to_str(reason), to_str(user_message));
    }

private:
    const csh_session_params* raw_;
};

// A pty-req, copied.
struct PtyRequest {
    uint32_t columns = 0;
    uint32_t rows = 0;
    uint32_t width_px = 0;
    uint32_t height_px = 0;
    std::string term;
    std::string modes;  // RFC 4254 section 8 encoding

    static PtyRequest copy_of(const csh_pty_request& raw) {
        return PtyRequest{raw.columns, raw.rows, raw.width_px, raw.height_px, std::string(view(raw.term)),
                          std::string(view(raw.modes))};
    }
};

struct WindowSize {
    uint32_t columns = 0;
    uint32_t rows = 0;
    uint32_t width_px = 0;
    uint32_t height_px = 0;
};

// The host's side of one session channel. [channel-strand] Once the host
// closed the session every call is a no-op (write_output takes nothing).
class SessionHost {
public:
    explicit SessionHost(const SessionParams& params)
        : host_(params.raw().host),
          api_(table_reaches_v1(params.raw().api, CSH_SESSION_HOST_API_V1_END) ? params.raw().api : nullptr),
          strand_(params.strand()),
          channel_id_(params.channel_id()) {}

    uint64_t channel_id() const { return channel_id_; }
    csh_strand* strand() const { return strand_; }
    bool attached() const { return api_ != nullptr; }

    // Returns how many bytes the host took; when fewer than offered, wait for
    // BackendSession::output_ready before writing again.
    size_t write_output(csh_stream stream, std::string_view data) {
        return attached() ? api_->write_output(host_, stream, to_bytes(data)) : 0;
    }
    void stdin_ready() {
        if (attached()) api_->stdin_ready(host_);
    }
    void exit_status(uint32_t status) {
        if (attached()) api_->exit_status(host_, status);
    }
    // `signal` without "SIG", e.g. "TERM".
    void exit_signal(std::string_view signal, bool core_dumped, std::string_view message = {}) {
        if (attached()) api_->exit_signal(host_, to_str(signal), core_dumped ? 1 : 0, to_str(message));
    }
    void finished() {
        if (attached()) api_->finished(host_);
    }

private:
    friend struct detail::BackendEntries;
    void detach() { api_ = nullptr; }

    csh_session_host* host_;
    const csh_session_host_api* api_;
    csh_strand* strand_;
    uint64_t channel_id_;
};

class BackendSession : public HostReferenced<BackendSession> {
public:
    BackendSession(Host host, const SessionParams& params) : host_(std::move(host)), session_host_(params) {}
    BackendSession(const BackendSession&) = delete;
    BackendSession& operator=(const BackendSession&) = delete;
    virtual ~BackendSession() = default;

    const Host& host() const { return host_; }
    SessionHost& session_host() { return session_host_; }

    // [channel-strand] Requests. The defaults refuse env, pty, window-change
    // and signal; a backend overrides what it supports.
    virtual void env(std::string_view name, std::string_view value, StatusCompletion done) {
        (void)name;
        (void)value;
        done.fail("environment variables are not supported by this backend");
    }
    virtual void pty(const PtyRequest& request, StatusCompletion done) {
        (void)request;
        done.fail("terminals are not supported by this backend");
    }
    virtual void exec(std::string_view command, StatusCompletion done) = 0;
    virtual void shell(StatusCompletion done) = 0;
    virtual void subsystem(std::string_view name, StatusCompletion done) = 0;
    virtual void window_change(const WindowSize& size, StatusCompletion done) {
        (void)size;
        done.fail("window changes are not supported by this backend");
    }
    virtual void signal(std::string_view name, StatusCompletion done) {
        (void)name;
        done.fail("signals are not supported by this backend");
    }
    // Returns how many bytes were taken; when fewer than offered, call
    // session_host().stdin_ready() once more can be taken.
    virtual size_t stdin_data(std::string_view data) = 0;
    virtual void stdin_eof() = 0;
    // Output may be written again after a partial write_output.
    virtual void output_ready() = 0;
    // The channel is gone: stop the program. The host's reference is dropped
    // when this returns; keep shared_from_this() in pending callbacks to
    // finish asynchronously.
    virtual void close() = 0;

private:
    friend struct detail::BackendEntries;
    Host host_;
    SessionHost session_host_;
};

class BackendConnection : public HostReferenced<BackendConnection> {
public:
    explicit BackendConnection(Host host) : host_(std::move(host)) {}
    BackendConnection(const BackendConnection&) = delete;
    BackendConnection& operator=(const BackendConnection&) = delete;
    virtual ~BackendConnection() = default;

    const Host& host() const { return host_; }

    // [connection-strand] A new session channel, or nullptr to refuse it
    // (after params.refuse(...) says why).
    virtual std::shared_ptr<BackendSession> open_session(const SessionParams& params) = 0;
    // [connection-strand] The client opened a forwarding channel to
    // params.target (direct-tcpip: host and port): connect inside the
    // backend's network, then done.success(forward), or done.fail(why).
    // The default refuses, so a backend offers forwarding only by choice.
    virtual void open_forward(const ForwardParams& params, ForwardOpenCompletion done) {
        (void)params;
        done.fail("port forwarding is not supported by this backend");
    }
    // [connection-strand] The client asked the backend to listen
    // (tcpip-forward: params.address and params.port, 0 meaning "pick one")
    // and to bring each accepted connection back through
    // listener->listener_host().open_to_client. done.success(listener,
    // bound_port), or done.fail(why). The default refuses, as open_forward.
    virtual void listen(const ListenParams& params, ListenCompletion done) {
        (void)params;
        done.fail("remote port forwarding is not supported by this backend");
    }
    // [connection-strand] Tears the connection down (every session was closed
    // before); complete `done` when finished.
    virtual void close(StatusCompletion done) = 0;

private:
    Host host_;
};

// Wraps csh_backend_open_completion. A forgotten one answers CSH_FAILED.
class BackendOpenCompletion {
public:
    BackendOpenCompletion(Host host, csh_backend_open_completion raw, csh_connection* connection)
        : guard_(std::move(host), "backend.connection_open", connection), raw_(raw) {}
    BackendOpenCompletion(BackendOpenCompletion&&) noexcept = default;
    BackendOpenCompletion& operator=(BackendOpenCompletion&&) = delete;
    ~BackendOpenCompletion() {
        if (guard_.claim_orphaned()) send(CSH_FAILED, nullptr, guard_.orphan_reason());
    }

    bool pending() const { return guard_.pending(); }

    // Hands the connection to the host.
    void success(std::shared_ptr<BackendConnection> connection) {
        if (!connection) {
            fail("the backend produced no connection object");
            return;
        }
        if (!guard_.claim()) return;
        send(CSH_OK, detail::HandleGlue<BackendConnection, csh_backend_connection>::hand_over(std::move(connection)),
             {});
    }
    // `user_message`, when given, is the line the user sees as the
    // disconnect message; `reason` goes to the log only.
    void fail(std::string_view reason, csh_status status = CSH_FAILED, std::string_view user_message = {}) {
        if (guard_.claim()) send(status == CSH_OK ? CSH_FAILED : status, nullptr, reason, user_message);
    }

private:
    void send(csh_status status, csh_backend_connection* connection, std::string_view reason,
              std::string_view user_message = {}) {
        csh_backend_open_result result{};
        result.struct_size = sizeof(result);
        result.status = status;
        result.connection = connection;
        result.reason = to_str(reason);
        result.user_message = to_str(user_message);
        raw_.complete(raw_.context, &result);
    }

    detail::CompletionGuard guard_;
    csh_backend_open_completion raw_;
};

class BackendPlugin : public virtual Plugin {
public:
    const void* get_interface(std::string_view interface_id) override;

protected:
    BackendPlugin() = default;

    // [connection-strand] Prepares a connection; `config_json` is the
    // connection's effective configuration as a JSON object.
    virtual void open_connection(const ConnectionInfo& connection, std::string_view config_json,
                                 BackendOpenCompletion done) = 0;

private:
    friend struct detail::BackendEntries;
};

// The plugin's session an X11 or agent listener serves (ListenParams::session),
// or nullptr for the other kinds.
inline BackendSession* session_of(const ListenParams& params) {
    if (params.session == nullptr) return nullptr;
    return &detail::HandleGlue<BackendSession, csh_backend_session>::from(params.session);
}

namespace detail {

// The C entry points of the backend interface: each finds its C++ object and
// calls it behind an exception barrier.
struct BackendEntries {
    using Connections = HandleGlue<BackendConnection, csh_backend_connection>;
    using Sessions = HandleGlue<BackendSession, csh_backend_session>;

    static void connection_open(csh_plugin_instance* instance, const csh_connection_info* connection,
                                csh_str config_json, csh_backend_open_completion done) {
        BackendPlugin& self = Plugin::kind_of<BackendPlugin>(instance);
        BackendOpenCompletion completion(self.host(), done, connection->connection);
        try {
            self.open_connection(ConnectionInfo(*connection), view(config_json), std::move(completion));
        } catch (...) {
            self.host().log_current_exception("backend.connection_open", connection->connection);
        }
    }

    static void connection_close(csh_backend_connection* handle, csh_status_completion done) {
        BackendConnection& self = Connections::from(handle);
        const std::shared_ptr<BackendConnection> keep = Connections::take_back(handle);
        StatusCompletion completion(self.host(), done, "backend.connection_close");
        try {
            self.close(std::move(completion));
        } catch (...) {
            self.host().log_current_exception("backend.connection_close");
        }
    }

    static csh_status session_open(csh_backend_connection* handle, const csh_session_params* params,
                                   csh_backend_session** out_session) {
        BackendConnection& self = Connections::from(handle);
        try {
            std::shared_ptr<BackendSession> session = self.open_session(SessionParams(*params));
            if (!session) return CSH_FAILED;
            *out_session = Sessions::hand_over(std::move(session));
            return CSH_OK;
        } catch (...) {
            self.host().log_current_exception("backend.session_open");
            return CSH_FAILED;
        }
    }

    // Runs one request that answers through a StatusCompletion.
    template <class Call>
    static void request(csh_backend_session* handle, csh_status_completion done, const char* what, Call&& call) {
        BackendSession& self = Sessions::from(handle);
        StatusCompletion completion(self.host(), done, what);
        try {
            call(self, std::move(completion));
        } catch (...) {
            self.host().log_current_exception(what);
        }
    }

    static void session_env(csh_backend_session* s, csh_str name, csh_str value, csh_status_completion done) {
        request(s, done, "backend.session_env",
                [&](BackendSession& self, StatusCompletion c) { self.env(view(name), view(value), std::move(c)); });
    }
    static void session_pty(csh_backend_session* s, const csh_pty_request* pty, csh_status_completion done) {
        request(s, done, "backend.session_pty", [&](BackendSession& self, StatusCompletion c) {
            self.pty(PtyRequest::copy_of(*pty), std::move(c));
        });
    }
    static void session_exec(csh_backend_session* s, csh_str command, csh_status_completion done) {
        request(s, done, "backend.session_exec",
                [&](BackendSession& self, StatusCompletion c) { self.exec(view(command), std::move(c)); });
    }
    static void session_shell(csh_backend_session* s, csh_status_completion done) {
        request(s, done, "backend.session_shell",
                [&](BackendSession& self, StatusCompletion c) { self.shell(std::move(c)); });
    }
    static void session_subsystem(csh_backend_session* s, csh_str name, csh_status_completion done) {
        request(s, done, "backend.session_subsystem",
                [&](BackendSession& self, StatusCompletion c) { self.subsystem(view(name), std::move(c)); });
    }
    static void session_window_change(csh_backend_session* s, const csh_window_size* size,
                                      csh_status_completion done) {
        request(s, done, "backend.session_window_change", [&](BackendSession& self, StatusCompletion c) {
            self.window_change(WindowSize{size->columns, size->rows, size->width_px, size->height_px}, std::move(c));
        });
    }
    static void session_signal(csh_backend_session* s, csh_str signal, csh_status_completion done) {
        request(s, done, "backend.session_signal",
                [&](BackendSession& self, StatusCompletion c) { self.signal(view(signal), std::move(c)); });
    }

    static size_t session_stdin(csh_backend_session* s, csh_bytes data) {
        BackendSession& self = Sessions::from(s);
        try {
            return std::min(self.stdin_data(view(data)), data.size);
        } catch (...) {
            // Taking the data keeps the channel from waiting for a
            // stdin_ready that a broken session would never send.
            self.host().log_current_exception("backend.session_stdin");
            return data.size;
        }
    }
    static void session_stdin_eof(csh_backend_session* s) {
        BackendSession& self = Sessions::from(s);
        try {
            self.stdin_eof();
        } catch (...) {
            self.host().log_current_exception("backend.session_stdin_eof");
        }
    }
    static void session_output_ready(csh_backend_session* s) {
        BackendSession& self = Sessions::from(s);
        try {
            self.output_ready();
        } catch (...) {
            self.host().log_current_exception("backend.session_output_ready");
        }
    }
    static void session_close(csh_backend_session* s) {
        BackendSession& self = Sessions::from(s);
        self.session_host_.detach();
        const std::shared_ptr<BackendSession> keep = Sessions::take_back(s);
        try {
            self.close();
        } catch (...) {
            self.host().log_current_exception("backend.session_close");
        }
    }

    // ---- forwarding (client -> backend) ----
    using Forwards = HandleGlue<BackendForward, csh_backend_forward>;

    static void forward_open(csh_backend_connection* handle, const csh_forward_channel_params* params,
                             csh_forward_open_completion done) {
        BackendConnection& self = Connections::from(handle);
        ForwardOpenCompletion completion(self.host(), done);
        try {
            self.open_forward(ForwardParams::copy_of(*params), std::move(completion));
        } catch (...) {
            self.host().log_current_exception("backend.forward_open");
        }
    }
    static size_t forward_data(csh_backend_forward* f, csh_bytes data) {
        BackendForward& self = Forwards::from(f);
        try {
            return std::min(self.data(view(data)), data.size);
        } catch (...) {
            // As session_stdin: taking the bytes keeps the channel from
            // waiting for a data_ready a broken forward would never send.
            self.host().log_current_exception("backend.forward_data");
            return data.size;
        }
    }
    static void forward_eof(csh_backend_forward* f) {
        BackendForward& self = Forwards::from(f);
        try {
            self.eof();
        } catch (...) {
            self.host().log_current_exception("backend.forward_eof");
        }
    }
    static void forward_output_ready(csh_backend_forward* f) {
        BackendForward& self = Forwards::from(f);
        try {
            self.output_ready();
        } catch (...) {
            self.host().log_current_exception("backend.forward_output_ready");
        }
    }
    static void forward_close(csh_backend_forward* f) {
        BackendForward& self = Forwards::from(f);
        self.forward_host_.detach();
        const std::shared_ptr<BackendForward> keep = Forwards::take_back(f);
        try {
            self.close();
        } catch (...) {
            self.host().log_current_exception("backend.forward_close");
        }
    }

    // ---- listeners (backend -> client) ----
    using Listeners = HandleGlue<BackendListener, csh_backend_listener>;

    static void listen_start(csh_backend_connection* handle, const csh_listen_params* params,
                             csh_listen_completion done) {
        BackendConnection& self = Connections::from(handle);
        ListenCompletion completion(self.host(), done);
        try {
            self.listen(ListenParams::copy_of(*params), std::move(completion));
        } catch (...) {
            self.host().log_current_exception("backend.listen_start");
        }
    }
    static void listen_stop(csh_backend_listener* l, csh_status_completion done) {
        BackendListener& self = Listeners::from(l);
        self.listener_host_.detach();
        const std::shared_ptr<BackendListener> keep = Listeners::take_back(l);
        StatusCompletion completion(self.host(), done, "backend.listen_stop");
        try {
            self.stop(std::move(completion));
        } catch (...) {
            self.host().log_current_exception("backend.listen_stop");
        }
    }

    static constexpr csh_backend_interface table{
        sizeof(csh_backend_interface),
        0,
        &connection_open,
        &connection_close,
        &session_open,
        &session_env,
        &session_pty,
        &session_exec,
        &session_shell,
        &session_subsystem,
        &session_window_change,
        &session_signal,
        &session_stdin,
        &session_stdin_eof,
        &session_output_ready,
        &session_close,
        // Forwarding (ABI 1.2 slots): client-opened channels go through
        // BackendConnection::open_forward, listeners through
        // BackendConnection::listen; both refuse unless overridden.
        &forward_open,
        &forward_data,
        &forward_eof,
        &forward_output_ready,
        &forward_close,
        &listen_start,
        &listen_stop,
    };
};

}  // namespace detail

inline const void* BackendPlugin::get_interface(std::string_view interface_id) {
    return interface_id == CSH_BACKEND_INTERFACE_ID ? &detail::BackendEntries::table
                                                    : Plugin::get_interface(interface_id);
}

}  // namespace csh::sdk
