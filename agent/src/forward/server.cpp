#include "server.hpp"
#include "xauthority.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "log.hpp"

namespace csh::agent::forward {

namespace {

constexpr std::uint64_t kStdinToken = ~std::uint64_t{0};
constexpr std::uint64_t kStdoutToken = ~std::uint64_t{0} - 1;
constexpr std::uint64_t kListenerToken = ~std::uint64_t{0} - 2;
constexpr std::uint64_t kSignalToken = ~std::uint64_t{0} - 3;

// Signals that stop the agent: its unix socket file must not outlive it.
constexpr int kStopSignals[] = {SIGTERM, SIGINT, SIGHUP};

bool set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

}  // namespace

std::int64_t monotonic_ms() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

ForwardServer::~ForwardServer() { close_all(); }

int ForwardServer::run() {
    if (!start()) return 1;
    loop();
    if (stop_signal_ != 0) flush_at_exit_ = false;
    if (flush_at_exit_) {
        finish_flush();
    } else {
        // The gateway is gone or stopped reading: one attempt that cannot
        // block, no waiting.
        (void)stdout_.write_to(STDOUT_FILENO);
    }
    close_all();
    if (stop_signal_ != 0) {
        // Cleaned up; now end the way the signal would have ended us, so the
        // parent sees what happened.
        ::signal(stop_signal_, SIG_DFL);
        sigset_t set;
        ::sigemptyset(&set);
        ::sigaddset(&set, stop_signal_);
        ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
        ::raise(stop_signal_);
    }
    return exit_code_;
}

bool ForwardServer::start() {
    // A vanished reader must show as EPIPE, not kill the agent mid-cleanup.
    ::signal(SIGPIPE, SIG_IGN);
    if (!set_nonblocking(STDIN_FILENO) || !set_nonblocking(STDOUT_FILENO)) {
        log_error({"cannot make stdin and stdout non-blocking: ", std::strerror(errno)});
        return false;
    }
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) {
        log_error({"cannot create an epoll instance: ", std::strerror(errno)});
        return false;
    }
    sigset_t stop;
    ::sigemptyset(&stop);
    for (int signal : kStopSignals) ::sigaddset(&stop, signal);
    ::sigprocmask(SIG_BLOCK, &stop, nullptr);
    signal_fd_ = ::signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
    watch(signal_fd_, kSignalToken, EPOLLIN, signal_in_epoll_, signal_events_);
    watch(STDIN_FILENO, kStdinToken, EPOLLIN, stdin_in_epoll_, stdin_events_);
    if (!stdin_in_epoll_) {
        log_error({"stdin cannot be watched (it must be a pipe or a socket): ", std::strerror(errno)});
        return false;
    }
    return true;
}

void ForwardServer::loop() {
    epoll_event events[64];
    while (!done_) {
        update_interest();
        if (done_) break;
        const int ready = ::epoll_wait(epoll_, events, 64, static_cast<int>(next_timeout_ms()));
        if (ready < 0) {
            if (errno == EINTR) continue;
            log_error({"epoll_wait failed: ", std::strerror(errno)});
            fail(1);
            break;
        }
        for (int i = 0; i < ready && !done_; ++i) {
            const std::uint64_t token = events[i].data.u64;
            if (token == kStdinToken) {
                read_stdin();
            } else if (token == kStdoutToken) {
                if ((events[i].events & (EPOLLERR | EPOLLHUP)) != 0) {
                    // stdout's reader is gone: nobody hears us any more.
                    flush_at_exit_ = false;
                    done_ = true;
                } else {
                    flush_stdout();
                }
            } else if (token == kListenerToken) {
                accept_connections();
            } else if (token == kSignalToken) {
                signalfd_siginfo info{};
                if (::read(signal_fd_, &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
                    stop_signal_ = static_cast<int>(info.ssi_signo);
                    done_ = true;
                }
            } else {
                on_socket_event(token, events[i].events);
            }
        }
        if (!done_) expire_dials();
        if (!done_) flush_stdout();
        if (!done_ && no_more_ && connections_.empty() && stdout_.empty()) done_ = true;
    }
}

void ForwardServer::read_stdin() {
    char buffer[65536];
    const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof(buffer));
    if (got < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        log_error({"cannot read stdin: ", std::strerror(errno)});
        flush_at_exit_ = false;
        fail(1);
        return;
    }
    if (got == 0) {
        // The gateway is gone (defect 1 of the design: the original kept
        // running here). Nobody reads stdout any more: exit at once.
        flush_at_exit_ = false;
        done_ = true;
        return;
    }
    decoder_.feed(buffer, static_cast<std::size_t>(got));
    Packet packet;
    for (;;) {
        const auto status = decoder_.next(packet);
        if (status == PacketDecoder::Status::kNeedMore) return;
        if (status == PacketDecoder::Status::kError) {
            // A CBOR sequence has no framing to resynchronise on.
            log_error({"cannot decode the gateway's packets: ", describe(decoder_.error())});
            fail(1);
            return;
        }
        handle_packet(packet);
        if (done_) return;
    }
}

void ForwardServer::flush_stdout() {
    if (stdout_.empty()) return;
    if (stdout_.write_to(STDOUT_FILENO) < 0) {
        flush_at_exit_ = false;
        // EPIPE: the gateway stopped reading, as at the end of stdin.
        if (errno == EPIPE) {
            done_ = true;
            return;
        }
        log_error({"cannot write to stdout: ", std::strerror(errno)});
        fail(1);
    }
}

// At a regular end the last answers (an ERROR for SETUP, a CLOSE ack) must
// still reach the gateway: wait for stdout at most a second.
void ForwardServer::finish_flush() {
    const std::int64_t deadline = monotonic_ms() + 1000;
    while (!stdout_.empty()) {
        if (stdout_.write_to(STDOUT_FILENO) < 0) return;
        if (stdout_.empty()) return;
        const std::int64_t left = deadline - monotonic_ms();
        if (left <= 0) return;
        pollfd out{STDOUT_FILENO, POLLOUT, 0};
        (void)::poll(&out, 1, static_cast<int>(left));
    }
}

void ForwardServer::send(std::uint64_t type, std::uint64_t id, std::string_view payload) {
    append_packet(stdout_.tail(), type, id, payload, payload.empty() && type != kData);
}

void ForwardServer::fail(int exit_code) {
    exit_code_ = exit_code;
    done_ = true;
}

void ForwardServer::handle_packet(Packet& packet) {
    if (!setup_done_) {
        if (packet.type == kSetup) {
            handle_setup(packet);
            return;
        }
        log_error({"packet type ", std::to_string(packet.type), " before SETUP: answered with ERROR"});
        if (packet.type != kSuccess && packet.type != kError) send(kError, packet.connection_id);
        return;
    }
    switch (packet.type) {
        case kSetup:
            log_error({"a second SETUP: answered with ERROR (one setup per process)"});
            send(kError, packet.connection_id);
            return;
        case kNoMoreConnections:
            // Stop taking connections; exit once every open one is closed.
            no_more_ = true;
            stop_listening();
            return;
        case kNewConnection: handle_new_connection(packet); return;
        default: handle_connection_packet(packet); return;
    }
}

void ForwardServer::handle_setup(const Packet& packet) {
    setup_done_ = true;
    const DecodeError error = decode_setup(packet.payload, setup_);
    if (error != DecodeError::kNone) {
        log_error({"cannot decode SETUP: ", describe(error)});
        send(kError, 0);
        fail(1);
        return;
    }
    SetupReply reply;
    // Only what both sides know is switched on; the reply lists it.
    for (const auto& name : setup_.extensions) {
        if (name == kExtensionListenInfo) ext_listen_info_ = true;
        if (name == kExtensionEof) ext_eof_ = true;
        if (name == kExtensionWindow) ext_window_ = true;
    }
    if (ext_listen_info_) reply.extensions.push_back(kExtensionListenInfo);
    if (ext_eof_) reply.extensions.push_back(kExtensionEof);
    if (ext_window_) reply.extensions.push_back(kExtensionWindow);

    switch (setup_.connection_type) {
        case kPortDial:
        case kSocketDial: dialling_ = true; break;
        case kPortForward:
        case kSocketForward: {
            std::string why;
            bool ok = false;
            if (setup_.protocol == "unix") {
                ok = listen_unix(setup_.bind_host, listener_, why);
            } else if (setup_.bind_port > 65535) {
                why = "BindPort " + std::to_string(setup_.bind_port) + " is not a TCP port";
            } else {
                ok = listen_tcp(setup_.bind_host, static_cast<std::uint16_t>(setup_.bind_port), listener_, why);
            }
            if (!ok) {
                // Unlike the original (SUCCESS first, then exit 1), the
                // gateway learns that the forward does not exist.
                log_error({why});
                send(kError, 0);
                fail(1);
                return;
            }
            watch(listener_.fd, kListenerToken, EPOLLIN, listener_in_epoll_, listener_events_);
            break;
        }
        case kX11: {
            std::string why;
            if (!listen_x11(why)) {
                log_error({why});
                send(kError, 0);
                fail(1);
                return;
            }
            watch(listener_.fd, kListenerToken, EPOLLIN, listener_in_epoll_, listener_events_);
            reply.display = display_;
            break;
        }
        default:
            log_error({"unknown ConnectionType ", std::to_string(setup_.connection_type), " in SETUP"});
            send(kError, 0);
            fail(1);
            return;
    }
    if (!setup_.has_extensions) {
        send(kSuccess, 0);  // the original's answer: payload null
        return;
    }
    reply.bind_port = listener_.port;
    reply.pid = static_cast<std::uint64_t>(::getpid());
    send(kSuccess, 0, encode_setup_reply(reply));
}

// X11: the first free display of 10..99 on 127.0.0.1 (sshd's
// X11DisplayOffset and X11UseLocalhost), or 10 alone for a gateway that
// cannot learn another (ContainerSSH's sets DISPLAY=localhost:10); then the
// client's cookie goes into the authority file for that display.
bool ForwardServer::listen_x11(std::string& why) {
    const unsigned last = ext_listen_info_ ? kLastX11Display : kFirstX11Display;
    for (unsigned display = kFirstX11Display; display <= last; ++display) {
        if (!listen_tcp("127.0.0.1", static_cast<std::uint16_t>(kX11BasePort + display), listener_, why)) continue;
        display_ = display;
        if (add_xauthority_entry(display, setup_.auth_protocol, setup_.auth_cookie, why)) return true;
        close_listener(listener_);
        return false;
    }
    why = "no free X11 display (" + why + ")";
    return false;
}

void ForwardServer::stop_listening() {
    if (listener_in_epoll_) {
        (void)::epoll_ctl(epoll_, EPOLL_CTL_DEL, listener_.fd, nullptr);
        listener_in_epoll_ = false;
    }
    close_listener(listener_);
}

void ForwardServer::accept_connections() {
    // A bounded batch per wake-up keeps one busy listener from starving stdin.
    for (int i = 0; i < 64 && listener_.fd >= 0; ++i) {
        sockaddr_storage peer{};
        socklen_t length = sizeof(peer);
        const int fd = ::accept4(listener_.fd, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED) {
                log_error({"accept failed: ", std::strerror(errno)});
            }
            return;
        }
        const std::uint64_t id = next_id_++;
        Connection& connection = connections_[id];
        connection.state = Connection::State::kOpening;
        connection.fd = fd;
        connection.target = "connection " + std::to_string(id);
        NewConnectionPayload payload;
        payload.protocol = setup_.protocol == "unix" ? "unix" : "tcp";
        payload.connected_address = setup_.bind_host;
        // The original names the SETUP's port (0 for port 0); listen-info
        // makes it the real one.
        payload.connected_port = ext_listen_info_ ? listener_.port : setup_.bind_port;
        if (payload.protocol == "tcp") {
            payload.originator_address = address_text(peer);
            payload.originator_port = address_port(peer);
        }
        send(kNewConnection, id, encode_new_connection(payload));
        if (setup_.connection_type == kX11 && setup_.single_connection) {
            stop_listening();  // x11-req's single-connection: one client, then no more
            return;
        }
    }
}

std::int64_t ForwardServer::next_timeout_ms() const {
    std::int64_t timeout = -1;
    const std::int64_t now = monotonic_ms();
    for (const auto& [id, connection] : connections_) {
        std::int64_t due = connection.deadline_ms;
        if (connection.state == Connection::State::kResolving) {
            due = std::min(due, connection.lookup->timer_ms());
        } else if (connection.state != Connection::State::kDialing) {
            continue;
        }
        const std::int64_t left = due > now ? due - now : 0;
        if (timeout < 0 || left < timeout) timeout = left;
    }
    return timeout;
}

void ForwardServer::watch(int fd, std::uint64_t token, std::uint32_t events, bool& in_epoll, std::uint32_t& registered) {
    if (fd < 0) return;
    if (in_epoll && events == registered) return;
    epoll_event event{};
    event.events = events;
    event.data.u64 = token;
    if (!in_epoll) {
        if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) != 0) return;
        in_epoll = true;
    } else if (::epoll_ctl(epoll_, EPOLL_CTL_MOD, fd, &event) != 0) {
        return;
    }
    registered = events;
}

void ForwardServer::update_interest() {
    // stdin: not read while a socket is backed up (without csh.window this
    // is the original's head-of-line blocking, but bounded). Registered with
    // no events, its hang-up still wakes us: stdin EOF always ends the agent.
    bool socket_backed_up = false;
    for (auto& [id, connection] : connections_) {
        if (connection.to_socket.size() > kSocketQueueBound) socket_backed_up = true;
        std::uint32_t wanted = 0;
        if (connection.fd >= 0) {
            if (connection.state == Connection::State::kDialing) wanted |= EPOLLOUT;
            if (connection.state == Connection::State::kOpen && !connection.to_socket.empty()) wanted |= EPOLLOUT;
            if (may_read_socket(connection)) wanted |= EPOLLIN;
        }
        if (wanted == 0) {
            // Not even hang-ups: a peer that closes while we may not read
            // would otherwise wake us in a loop.
            if (connection.in_epoll) (void)::epoll_ctl(epoll_, EPOLL_CTL_DEL, connection.fd, nullptr);
            connection.in_epoll = false;
            continue;
        }
        watch(connection.fd, id, wanted, connection.in_epoll, connection.events);
    }
    watch(STDIN_FILENO, kStdinToken, socket_backed_up ? 0u : std::uint32_t{EPOLLIN}, stdin_in_epoll_, stdin_events_);
    watch(STDOUT_FILENO, kStdoutToken, stdout_.empty() ? 0u : std::uint32_t{EPOLLOUT}, stdout_in_epoll_, stdout_events_);
}

void ForwardServer::close_all() {
    for (auto& [id, connection] : connections_) close_socket(connection);
    connections_.clear();
    close_listener(listener_);
    if (epoll_ >= 0) ::close(epoll_);
    epoll_ = -1;
    if (signal_fd_ >= 0) ::close(signal_fd_);
    signal_fd_ = -1;
}

}  // namespace csh::agent::forward
