// The PROXY protocol on the SSH listener (ssh.proxyProtocol*, docs/ssh-server.md):
// which peers are trusted proxies, reading their header before libssh gets
// the socket, and the refusals, each with its code.
#include "ssh/server.hpp"

#include "config/config.hpp"
#include "log/codes.hpp"
#include "log/logger.hpp"
#include "ssh/deadlines.hpp"
#include "ssh/socket_address.hpp"

#include "host/event_loop.hpp"

#include <netinet/in.h>

#include <algorithm>

namespace csh::ssh {

bool Server::trusted_proxy(const sockaddr_storage& peer) const {
    const auto& allowed = context_.config.ssh().proxy_protocol_allowed;
    if (allowed.empty()) return false;
    const unsigned char* address = nullptr;
    std::size_t size = 0;
    if (peer.ss_family == AF_INET6) {
        address = reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_addr.s6_addr;
        size = 16;
    } else if (peer.ss_family == AF_INET) {
        address = reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in*>(&peer)->sin_addr);
        size = 4;
    } else {
        return false;
    }
    return std::any_of(allowed.begin(), allowed.end(),
                       [&](const config::AddressRange& range) { return range.contains(address, size); });
}

void Server::read_proxy_header(int fd, const sockaddr_storage& peer) {
    const auto& ssh = context_.config.ssh();
    auto reader = std::make_shared<ProxyHeaderReader>(
        context_.loop.context(), fd, ssh.proxy_protocol_header_timeout, ssh.proxy_protocol_required,
        [this, peer](ProxyHeaderReader& r, ProxyHeaderReader::Outcome outcome) { proxy_header_read(r, outcome, peer); });
    {
        std::lock_guard lock(mutex_);
        readers_.insert(reader);
    }
    reader->start();
}

void Server::proxy_header_read(ProxyHeaderReader& reader, ProxyHeaderReader::Outcome outcome,
                               const sockaddr_storage& peer) {
    bool stopping = false;
    {
        std::lock_guard lock(mutex_);
        stopping = stopping_;
    }
    if (!stopping) proxied_connection(reader, outcome, peer);  // else the reader closes the socket
    // Only now: until its connection is served, a drain counts the reader as
    // an open connection and does not end early.
    std::unique_lock lock(mutex_);
    // The reader's own handler holds it until this returns.
    auto it = std::find_if(readers_.begin(), readers_.end(), [&](const auto& r) { return r.get() == &reader; });
    if (it != readers_.end()) readers_.erase(it);
    auto drained = take_drained_locked();
    lock.unlock();
    if (drained) drained();
}

void Server::proxied_connection(ProxyHeaderReader& reader, ProxyHeaderReader::Outcome outcome,
                                const sockaddr_storage& peer) {
    using Outcome = ProxyHeaderReader::Outcome;
    const std::string peer_address = format_address(peer);
    const std::string peer_ip = ip_only(peer);
    auto& logger = context_.logger;
    switch (outcome) {
        case Outcome::header:
        case Outcome::no_header:
            break;
        case Outcome::missing:
            logger.log(codes::SSH_PROXY_PROTOCOL_MISSING,
                       "the trusted peer " + peer_address +
                           " began without a PROXY protocol header (ssh.proxyProtocolRequired is true)",
                       {{"remoteAddr", peer_ip}, {"remoteAddress", peer_address}});
            return;
        case Outcome::invalid:
            logger.log(codes::SSH_PROXY_PROTOCOL_INVALID, reader.problem(),
                       {{"remoteAddr", peer_ip}, {"remoteAddress", peer_address}, {"reason", reader.problem()}});
            return;
        case Outcome::timeout: {
            const std::string received = std::to_string(reader.received());
            logger.log(codes::SSH_PROXY_PROTOCOL_TIMEOUT,
                       "no complete PROXY protocol header within ssh.proxyProtocolHeaderTimeout (" +
                           format_duration(context_.config.ssh().proxy_protocol_header_timeout) + "); " + received +
                           " bytes received",
                       {{"remoteAddr", peer_ip}, {"remoteAddress", peer_address}, {"received", received}});
            return;
        }
        case Outcome::closed:
            logger.log(codes::SSH_PROXY_PROTOCOL_CLOSED,
                       "the trusted peer " + peer_address + " closed the connection before sending anything (" +
                           reader.problem() + ")",
                       {{"remoteAddr", peer_ip}, {"remoteAddress", peer_address}});
            return;
        case Outcome::failed:
            logger.log(codes::SSH_HANDSHAKE_FAILED, reader.problem(), {{"remoteAddress", peer_address}});
            return;
        case Outcome::cancelled:
            return;
    }
    const int fd = reader.take_fd();
    ConnectionOrigin origin;
    origin.remote_address = peer_address;
    origin.local_address = local_address_of(fd);
    std::string source = peer_ip;
    if (outcome == Outcome::header) {
        const auto& header = reader.header();
        origin.proxy_address = peer_address;
        origin.proxy_header = header.description;
        // v2 LOCAL and v1 UNKNOWN (the proxy's health checks) keep the proxy's addresses.
        if (header.has_addresses) {
            origin.remote_address = format_address(header.source_ip, header.source_port, header.ipv6);
            origin.local_address = format_address(header.destination_ip, header.destination_port, header.ipv6);
            source = header.source_ip;
        }
    }
    StartupSlot slot;
    if (!admit(fd, source, slot)) return;
    serve(fd, std::move(origin), std::move(slot));
}

}  // namespace csh::ssh
