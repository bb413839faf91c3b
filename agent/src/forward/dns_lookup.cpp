#include "dns_lookup.hpp"

#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "dns_message.hpp"
#include "server.hpp"
#include "sockets.hpp"

namespace csh::agent::forward {

namespace {

// Datagrams read per wake-up: a flood of spoofed answers cannot hold the loop.
constexpr int kMaxUdpReads = 16;

// Unpredictable ids make off-path spoofing harder (with the kernel's random
// source port). getrandom cannot block with GRND_NONBLOCK; before the pool
// is ready the clock is still better than a counter.
std::uint16_t random_id() {
    std::uint16_t id = 0;
    if (::getrandom(&id, sizeof(id), GRND_NONBLOCK) == static_cast<ssize_t>(sizeof(id))) return id;
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint16_t>(now.tv_nsec ^ (now.tv_nsec >> 16));
}

void append_framed(std::string& out, const std::string& message) {
    out.push_back(static_cast<char>(message.size() >> 8));
    out.push_back(static_cast<char>(message.size() & 0xff));
    out += message;
}

}  // namespace

DnsLookup::DnsLookup(int epoll, std::uint64_t token, std::string_view host, std::uint16_t port, ResolvConf conf)
    : epoll_(epoll), token_(token), host_(host), port_(port), conf_(std::move(conf)) {
    queries_[0].type = kTypeA;
    queries_[1].type = kTypeAaaa;
}

DnsLookup::~DnsLookup() { close_socket(); }

void DnsLookup::start() {
    names_ = query_names(host_, conf_);
    next_name();
}

// The next name of the search list, or the end of the lookup.
void DnsLookup::next_name() {
    while (next_name_ < names_.size()) {
        const std::string& name = names_[next_name_++];
        bool valid = true;
        for (Query& query : queries_) {
            query.answered = false;
            query.addresses.clear();
            valid = valid && build_query(name, 0, query.type, query.wire);
        }
        if (!valid) continue;  // e.g. too long with this search domain
        server_ = 0;
        attempt_ = 0;
        start_try();
        return;
    }
    std::string reason = saw_nxdomain_ ? "no such name (NXDOMAIN)" : "not a valid DNS name";
    if (saw_no_records_) reason = saw_nxdomain_ ? "no such name or no A/AAAA record" : "no A or AAAA record";
    std::string tried;
    for (const auto& name : names_) tried += (tried.empty() ? " (asked for " : ", ") + name;
    finish(Status::kFailed, "cannot resolve \"" + host_ + "\": " + reason + tried + (tried.empty() ? "" : ")"));
}

// The unanswered queries over UDP to the current server, with new ids.
void DnsLookup::start_try() {
    const Address& server = conf_.servers[server_];
    tcp_ = false;
    try_deadline_ms_ = monotonic_ms() + static_cast<std::int64_t>(conf_.timeout_seconds) * 1000;
    // connect(): the kernel then drops datagrams from any other address,
    // which is the check of the answer's source.
    const int fd = ::socket(server.storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (!open_socket(fd, EPOLLIN) ||
        ::connect(fd_, reinterpret_cast<const sockaddr*>(&server.storage), server.length) != 0) {
        next_try();
        return;
    }
    for (Query& query : queries_) {
        if (query.answered) continue;
        do {
            query.id = random_id();
        } while (&query != &queries_[0] && query.id == queries_[0].id);
        set_query_id(query.wire, query.id);
        // A datagram that cannot be sent is like a lost one (the timeout
        // moves on), except a refusal (the first one's ICMP came back):
        // nothing listens there, so on at once.
        if (::send(fd_, query.wire.data(), query.wire.size(), MSG_NOSIGNAL) < 0 && errno == ECONNREFUSED) {
            next_try();
            return;
        }
    }
}

// After a timeout or a failed server: the next server, the next round, or
// the end (glibc's res_search does not go on to the next name either when
// no server answers).
void DnsLookup::next_try() {
    if (++server_ >= conf_.servers.size()) {
        server_ = 0;
        ++attempt_;
    }
    if (attempt_ < conf_.attempts) {
        start_try();
        return;
    }
    std::string servers;
    for (const auto& server : conf_.servers) {
        servers += (servers.empty() ? "" : ", ") + describe(address_text(server.storage), address_port(server.storage));
    }
    finish(Status::kFailed, "cannot resolve \"" + host_ + "\": " +
                                (saw_server_failure_ ? "the name servers failed or did not answer"
                                                     : "no answer from the name servers") +
                                " for \"" + names_[next_name_ - 1] + "\" (" + servers + ")");
}

// A truncated answer: the unanswered queries again, over TCP to the same
// server.
void DnsLookup::start_tcp() {
    std::string why;
    if (!open_socket(start_tcp_connect(conf_.servers[server_], why), EPOLLOUT)) {
        next_try();
        return;
    }
    tcp_ = true;
    tcp_connecting_ = true;
    for (const Query& query : queries_) {
        if (!query.answered) append_framed(tcp_out_, query.wire);
    }
    try_deadline_ms_ = monotonic_ms() + static_cast<std::int64_t>(conf_.timeout_seconds) * 1000;
}

void DnsLookup::on_event(std::uint32_t events) {
    if (status_ != Status::kPending) return;
    if (tcp_) {
        on_tcp_event(events);
    } else {
        read_udp();
    }
}

void DnsLookup::on_timer() {
    if (status_ == Status::kPending) next_try();
}

void DnsLookup::read_udp() {
    char buffer[kMaxUdpMessage];
    for (int i = 0; i < kMaxUdpReads && status_ == Status::kPending && !tcp_; ++i) {
        const ssize_t got = ::recv(fd_, buffer, sizeof(buffer), 0);
        if (got < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            // ECONNREFUSED (nothing listens there) and the like: as a
            // timeout, without the wait.
            next_try();
            return;
        }
        handle_reply(std::string_view(buffer, static_cast<std::size_t>(got)));
    }
}

void DnsLookup::on_tcp_event(std::uint32_t events) {
    if (tcp_connecting_) {
        // An event of the UDP socket this one replaced may still arrive.
        if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
        if (connect_result(fd_) != 0) {
            next_try();
            return;
        }
        tcp_connecting_ = false;
    }
    if (!tcp_out_.empty()) {
        const ssize_t sent = ::send(fd_, tcp_out_.data(), tcp_out_.size(), MSG_NOSIGNAL);
        if (sent < 0 && errno != EAGAIN && errno != EINTR) {
            next_try();
            return;
        }
        if (sent > 0) tcp_out_.erase(0, static_cast<std::size_t>(sent));
        watch(tcp_out_.empty() ? EPOLLIN : EPOLLOUT);
        return;
    }
    char buffer[8192];
    const ssize_t got = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (got <= 0) {
        next_try();  // closed or failed before answering everything
        return;
    }
    // Whole messages are handled as soon as they are in, so this holds at
    // most one message (16-bit length) and one read.
    tcp_in_.append(buffer, static_cast<std::size_t>(got));
    while (tcp_in_.size() >= 2) {
        const std::size_t length = (static_cast<unsigned char>(tcp_in_[0]) << 8) | static_cast<unsigned char>(tcp_in_[1]);
        if (tcp_in_.size() < 2 + length) return;
        const std::string message = tcp_in_.substr(2, length);
        tcp_in_.erase(0, 2 + length);
        handle_reply(message);
        if (status_ != Status::kPending || !tcp_) return;
    }
}

void DnsLookup::handle_reply(std::string_view message) {
    std::uint16_t id = 0;
    if (!reply_id(message, id)) return;
    for (Query& query : queries_) {
        if (query.answered || query.id != id) continue;
        switch (parse_reply(message, id, names_[next_name_ - 1], query.type, port_, query.addresses)) {
            case Reply::kNotOurs: return;  // spoofed, stale or broken: wait for the real one
            case Reply::kTruncated:
                if (tcp_) {
                    saw_server_failure_ = true;  // TC over TCP: this server cannot answer
                    next_try();
                } else {
                    start_tcp();
                }
                return;
            case Reply::kServerFailure:
                saw_server_failure_ = true;
                next_try();
                return;
            case Reply::kNxDomain:
                saw_nxdomain_ = true;
                next_name();
                return;
            case Reply::kAnswer: query.answered = true; break;
        }
        if (!queries_[0].answered || !queries_[1].answered) return;
        addresses_ = queries_[0].addresses;
        addresses_.insert(addresses_.end(), queries_[1].addresses.begin(), queries_[1].addresses.end());
        if (addresses_.empty()) {
            saw_no_records_ = true;
            next_name();
            return;
        }
        finish(Status::kDone, {});
        return;
    }
}

// Replaces the current socket with `fd` (false and nothing registered when
// it is -1 or cannot be watched).
bool DnsLookup::open_socket(int fd, std::uint32_t events) {
    close_socket();
    if (fd < 0) return false;
    epoll_event event{};
    event.events = events;
    event.data.u64 = token_;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) != 0) {
        ::close(fd);
        return false;
    }
    fd_ = fd;
    events_ = events;
    return true;
}

void DnsLookup::watch(std::uint32_t events) {
    if (fd_ < 0 || events == events_) return;
    epoll_event event{};
    event.events = events;
    event.data.u64 = token_;
    if (::epoll_ctl(epoll_, EPOLL_CTL_MOD, fd_, &event) == 0) events_ = events;
}

void DnsLookup::close_socket() {
    if (fd_ >= 0) {
        (void)::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd_, nullptr);
        ::close(fd_);
    }
    fd_ = -1;
    events_ = 0;
    tcp_connecting_ = false;
    tcp_out_.clear();
    tcp_in_.clear();
}

void DnsLookup::finish(Status status, std::string why) {
    close_socket();
    status_ = status;
    why_ = std::move(why);
    try_deadline_ms_ = -1;
}

}  // namespace csh::agent::forward
