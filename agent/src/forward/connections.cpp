// One forwarded connection: the gateway's packets for it and its socket's
// events, by the sequences of docs/design/forwarding.md §1.3 with the
// defects of §1.4 fixed (a CLOSE for an unknown id is answered with ERROR,
// a reused id is refused, closed connections are forgotten).
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "log.hpp"
#include "resolv_conf.hpp"
#include "server.hpp"

namespace csh::agent::forward {

bool ForwardServer::may_read_socket(const Connection& connection) const {
    if (connection.state != Connection::State::kOpen || connection.socket_eof || connection.fd < 0) return false;
    // With csh.window the credit bounds each connection; the stdout bound
    // still holds when the gateway stops reading altogether.
    if (ext_window_ && connection.send_credit == 0) return false;
    return stdout_.size() < kStdoutBound;
}

void ForwardServer::handle_new_connection(const Packet& packet) {
    const std::uint64_t id = packet.connection_id;
    if (!dialling_ || no_more_) {
        log_error({"NEW_CONNECTION ", std::to_string(id), dialling_ ? " after NO_MORE_CONNECTIONS" : " to a listener",
                   ": refused"});
        send(kError, id);
        return;
    }
    if (id == 0 || id >= kFirstReservedId || connections_.count(id) != 0) {
        log_error({"NEW_CONNECTION with id ", std::to_string(id), " that is reserved or in use: refused"});
        send(kError, id);
        return;
    }
    NewConnectionPayload target;
    const DecodeError error = decode_new_connection(packet.payload, target);
    if (error != DecodeError::kNone) {
        log_error({"cannot decode NEW_CONNECTION ", std::to_string(id), ": ", describe(error)});
        send(kError, id);
        return;
    }
    std::string why;
    Connection connection;
    connection.state = Connection::State::kDialing;
    connection.deadline_ms = monotonic_ms() + kDialTimeoutMs;
    if (target.protocol == "unix") {
        connection.target = target.connected_address;
        connection.fd = start_unix_connect(target.connected_address, why);
    } else if (target.connected_port > 65535) {
        why = "ConnectedPort " + std::to_string(target.connected_port) + " is not a TCP port";
    } else {
        const auto port = static_cast<std::uint16_t>(target.connected_port);
        connection.target = describe(target.connected_address, target.connected_port);
        connection.candidates = resolve(target.connected_address, port, why);
        if (connection.candidates.empty()) {
            // Not local: ask DNS, without blocking the loop.
            connection.state = Connection::State::kResolving;
            connection.lookup =
                std::make_unique<DnsLookup>(epoll_, id, target.connected_address, port, read_resolv_conf());
        }
    }
    if (connection.fd < 0 && connection.candidates.empty() && !connection.lookup) {
        log_error({"connection ", std::to_string(id), ": ", why});
        send(kError, id);
        return;
    }
    Connection& stored = connections_[id] = std::move(connection);
    if (stored.lookup) {
        stored.lookup->start();
        resolution_progress(id);
    } else if (stored.fd < 0) {
        try_next_candidate(id);
    }
}

// After the DNS lookup did something: on to connecting once it has the
// addresses, ERROR when it failed.
void ForwardServer::resolution_progress(std::uint64_t id) {
    Connection& connection = connections_[id];
    switch (connection.lookup->status()) {
        case DnsLookup::Status::kPending: return;
        case DnsLookup::Status::kFailed:
            log_error({"connection ", std::to_string(id), ": ", connection.lookup->why()});
            send(kError, id);
            drop(id);
            return;
        case DnsLookup::Status::kDone:
            connection.candidates = connection.lookup->addresses();
            connection.lookup.reset();
            connection.state = Connection::State::kDialing;
            try_next_candidate(id);
            return;
    }
}

// Connects to the next address of the name; ERROR when none is left.
void ForwardServer::try_next_candidate(std::uint64_t id) {
    Connection& connection = connections_[id];
    std::string why;
    while (connection.next_candidate < connection.candidates.size()) {
        connection.fd = start_tcp_connect(connection.candidates[connection.next_candidate++], why);
        if (connection.fd >= 0) return;
        log_error({"connection ", std::to_string(id), ": ", why});
    }
    send(kError, id);
    drop(id);
}

void ForwardServer::dial_finished(std::uint64_t id, int error) {
    Connection& connection = connections_[id];
    if (error != 0) {
        log_error({"connection ", std::to_string(id), ": cannot connect to ", connection.target, ": ",
                   std::strerror(error)});
        close_socket(connection);
        try_next_candidate(id);
        return;
    }
    connection.state = Connection::State::kOpen;
    connection.send_credit = kInitialWindow;
    send(kSuccess, id);
}

// The dial deadline (resolving included) and the DNS lookups' retry timers.
void ForwardServer::expire_dials() {
    const std::int64_t now = monotonic_ms();
    std::vector<std::uint64_t> expired;
    std::vector<std::uint64_t> retry;
    for (const auto& [id, connection] : connections_) {
        const bool resolving = connection.state == Connection::State::kResolving;
        if ((resolving || connection.state == Connection::State::kDialing) && connection.deadline_ms <= now) {
            expired.push_back(id);
        } else if (resolving && connection.lookup->timer_ms() <= now) {
            retry.push_back(id);
        }
    }
    for (const std::uint64_t id : expired) {
        const Connection& connection = connections_[id];
        const bool resolving = connection.state == Connection::State::kResolving;
        log_error({"connection ", std::to_string(id), resolving ? ": resolving " : ": connecting to ", connection.target,
                   " timed out"});
        send(kError, id);
        drop(id);
    }
    for (const std::uint64_t id : retry) {
        connections_[id].lookup->on_timer();
        resolution_progress(id);
    }
}

void ForwardServer::handle_connection_packet(Packet& packet) {
    const std::uint64_t id = packet.connection_id;
    const auto found = connections_.find(id);
    Connection* connection = found == connections_.end() ? nullptr : &found->second;
    switch (packet.type) {
        case kSuccess:
            if (connection == nullptr) return;  // e.g. the ack of a CLOSE that crossed the peer's
            if (connection->state == Connection::State::kClosing) {
                drop(id);
            } else if (connection->state == Connection::State::kOpening) {
                connection->state = Connection::State::kOpen;
                connection->send_credit = kInitialWindow;
            }
            return;
        case kError:
            // The gateway refused an accepted connection, or answered a
            // CLOSE for an id it no longer knew: either way it is over.
            if (connection != nullptr) drop(id);
            return;
        case kCloseConnection:
            if (connection == nullptr) {
                // The original deadlocked here (defect 2); an answer is owed.
                send(kError, id);
                return;
            }
            // A close that crossed ours is acknowledged too; the gateway's
            // ack of ours then finds no connection and is ignored.
            send(kSuccess, id);
            drop(id);
            return;
        case kData:
            if (connection == nullptr || connection->state == Connection::State::kClosing || connection->peer_eof) {
                return;  // late data for a connection being closed
            }
            connection->to_socket.append(packet.payload);
            return;
        case kEof:
            if (!ext_eof_ || connection == nullptr || connection->state == Connection::State::kClosing) return;
            connection->peer_eof = true;
            maybe_shut_write(*connection, id);
            return;
        case kWindowAdjust: {
            if (!ext_window_ || connection == nullptr) return;
            std::uint64_t credit = 0;
            if (decode_window(packet.payload, credit) != DecodeError::kNone) {
                log_error({"connection ", std::to_string(id), ": malformed WINDOW_ADJUST ignored"});
                return;
            }
            connection->send_credit += credit;
            return;
        }
        default:
            log_error({"packet type ", std::to_string(packet.type), " for connection ", std::to_string(id), " ignored"});
            return;
    }
}

void ForwardServer::on_socket_event(std::uint64_t id, std::uint32_t events) {
    const auto found = connections_.find(id);
    if (found == connections_.end()) return;
    Connection& connection = found->second;
    if (connection.state == Connection::State::kResolving) {
        connection.lookup->on_event(events);
        resolution_progress(id);
        return;
    }
    if (connection.fd < 0) return;
    if (connection.state == Connection::State::kDialing) {
        dial_finished(id, connect_result(connection.fd));
        return;
    }
    if ((events & EPOLLOUT) != 0) {
        write_socket(connection, id);
        if (connections_.count(id) == 0 || connection.fd < 0) return;
    }
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0 && may_read_socket(connection)) read_socket(connection, id);
}

void ForwardServer::read_socket(Connection& connection, std::uint64_t id) {
    std::size_t limit = kMaxDataChunk;
    if (ext_window_ && connection.send_credit < limit) limit = static_cast<std::size_t>(connection.send_credit);
    char buffer[kMaxDataChunk];
    const ssize_t got = ::read(connection.fd, buffer, limit);
    if (got < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        log_error({"connection ", std::to_string(id), ": read failed: ", std::strerror(errno)});
        close_from_here(connection, id);
        return;
    }
    if (got == 0) {
        if (!ext_eof_) {
            // The original protocol has no half-close: EOF ends the connection.
            close_from_here(connection, id);
            return;
        }
        connection.socket_eof = true;
        send(kEof, id);
        if (connection.write_shut) close_from_here(connection, id);
        return;
    }
    connection.send_credit -= ext_window_ ? static_cast<std::uint64_t>(got) : 0;
    send(kData, id, std::string_view(buffer, static_cast<std::size_t>(got)));
}

void ForwardServer::write_socket(Connection& connection, std::uint64_t id) {
    const long written = connection.to_socket.write_to(connection.fd);
    if (written < 0) {
        log_error({"connection ", std::to_string(id), ": write failed: ", std::strerror(errno)});
        close_from_here(connection, id);
        return;
    }
    if (ext_window_) {
        connection.passed_on += static_cast<std::uint64_t>(written);
        if (connection.passed_on >= kWindowGrantThreshold) {
            send(kWindowAdjust, id, encode_window(connection.passed_on));
            connection.passed_on = 0;
        }
    }
    maybe_shut_write(connection, id);
}

// csh.eof: the gateway's EOF becomes the socket's once its data is out;
// with both directions ended the connection is closed.
void ForwardServer::maybe_shut_write(Connection& connection, std::uint64_t id) {
    if (!connection.peer_eof || connection.write_shut || !connection.to_socket.empty() || connection.fd < 0) return;
    if (connection.state != Connection::State::kOpen) return;
    (void)::shutdown(connection.fd, SHUT_WR);
    connection.write_shut = true;
    if (connection.socket_eof) close_from_here(connection, id);
}

void ForwardServer::close_from_here(Connection& connection, std::uint64_t id) {
    close_socket(connection);
    connection.to_socket.clear();
    connection.state = Connection::State::kClosing;
    send(kCloseConnection, id);
}

void ForwardServer::close_socket(Connection& connection) {
    if (connection.fd >= 0) {
        if (connection.in_epoll) (void)::epoll_ctl(epoll_, EPOLL_CTL_DEL, connection.fd, nullptr);
        ::close(connection.fd);
    }
    connection.fd = -1;
    connection.in_epoll = false;
}

void ForwardServer::drop(std::uint64_t id) {
    const auto found = connections_.find(id);
    if (found == connections_.end()) return;
    close_socket(found->second);
    connections_.erase(found);
}

}  // namespace csh::agent::forward
