#include "dns_test_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <random>
#include <stdexcept>
#include <system_error>

#include "forward_peer.hpp"

namespace csh::agent::test {

namespace {

constexpr std::uint16_t kA = 1;
constexpr std::uint16_t kCname = 5;
constexpr std::uint16_t kAaaa = 28;

void put16(std::string& out, unsigned value) {
    out.push_back(static_cast<char>((value >> 8) & 0xff));
    out.push_back(static_cast<char>(value & 0xff));
}

unsigned get16(const std::string& data, std::size_t at) {
    return (static_cast<unsigned char>(data[at]) << 8) | static_cast<unsigned char>(data[at + 1]);
}

std::string encode_name(const std::string& name) {
    std::string out;
    std::size_t start = 0;
    while (start < name.size()) {
        const std::size_t dot = std::min(name.find('.', start), name.size());
        out.push_back(static_cast<char>(dot - start));
        out += name.substr(start, dot - start);
        start = dot + 1;
    }
    out.push_back('\0');
    return out;
}

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// The question of a query we sent: name, type, and where the question ends.
bool parse_question(const std::string& query, std::string& name, std::uint16_t& type, std::size_t& end) {
    std::size_t at = 12;
    name.clear();
    while (at < query.size() && query[at] != 0) {
        const std::size_t length = static_cast<unsigned char>(query[at]);
        if (at + 1 + length > query.size()) return false;
        if (!name.empty()) name += '.';
        name += query.substr(at + 1, length);
        at += 1 + length;
    }
    if (at + 5 > query.size()) return false;
    type = static_cast<std::uint16_t>(get16(query, at + 1));
    end = at + 5;
    return true;
}

void write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t written = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (written <= 0) return;
        done += static_cast<std::size_t>(written);
    }
}

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

}  // namespace

TestDnsServer::TestDnsServer() {
    if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) fail("pipe2");
    // The same port for UDP and TCP: another process may hold the TCP one.
    for (int tries = 0; tries < 50 && tcp_fd_ < 0; ++tries) {
        udp_fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        port_ = bind_loopback(udp_fd_);
        if (port_ == 0) fail("bind udp");
        tcp_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (bind_loopback(tcp_fd_, port_) == 0 || ::listen(tcp_fd_, 8) != 0) {
            ::close(tcp_fd_);
            ::close(udp_fd_);
            tcp_fd_ = udp_fd_ = -1;
        }
    }
    if (tcp_fd_ < 0) throw std::runtime_error("no port free for both UDP and TCP");
    spoof_fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (bind_loopback(spoof_fd_) == 0) fail("bind spoof");
    thread_ = std::thread([this] { serve(); });
}

TestDnsServer::~TestDnsServer() {
    (void)::write(stop_pipe_[1], "x", 1);
    thread_.join();
    for (int fd : {udp_fd_, spoof_fd_, tcp_fd_, stop_pipe_[0], stop_pipe_[1]}) ::close(fd);
}

void TestDnsServer::add(const std::string& name, Record record) {
    const std::lock_guard<std::mutex> lock(mutex_);
    records_[lower(name)] = std::move(record);
}

std::vector<std::string> TestDnsServer::asked() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return asked_;
}

void TestDnsServer::serve() {
    for (;;) {
        pollfd fds[3] = {{udp_fd_, POLLIN, 0}, {tcp_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
        if (::poll(fds, 3, -1) < 0) continue;
        if (fds[2].revents != 0) return;
        if (fds[0].revents != 0) {
            char buffer[4096];
            sockaddr_storage peer{};
            socklen_t length = sizeof(peer);
            const ssize_t got = ::recvfrom(udp_fd_, buffer, sizeof(buffer), 0, reinterpret_cast<sockaddr*>(&peer), &length);
            if (got > 0) {
                for (const auto& reply : answer(std::string(buffer, static_cast<std::size_t>(got)), false)) {
                    (void)::sendto(reply.from_other_port ? spoof_fd_ : udp_fd_, reply.bytes.data(), reply.bytes.size(),
                                   0, reinterpret_cast<sockaddr*>(&peer), length);
                }
            }
        }
        if (fds[1].revents != 0) {
            const int fd = ::accept4(tcp_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd >= 0) {
                serve_tcp(fd);
                ::close(fd);
            }
        }
    }
}

// Length-prefixed queries until the client closes (or 5 s of silence).
void TestDnsServer::serve_tcp(int fd) {
    std::string in;
    for (;;) {
        pollfd client{fd, POLLIN, 0};
        if (::poll(&client, 1, 5000) <= 0) return;
        char buffer[4096];
        const ssize_t got = ::read(fd, buffer, sizeof(buffer));
        if (got <= 0) return;
        in.append(buffer, static_cast<std::size_t>(got));
        while (in.size() >= 2 && in.size() >= 2 + get16(in, 0)) {
            const std::size_t length = get16(in, 0);
            for (const auto& reply : answer(in.substr(2, length), true)) {
                std::string framed;
                put16(framed, static_cast<unsigned>(reply.bytes.size()));
                write_all(fd, framed + reply.bytes);
            }
            in.erase(0, 2 + length);
        }
    }
}

void TestDnsServer::add_records(std::string& message, unsigned& count, const std::string& name, std::uint16_t type,
                                int depth) {
    const auto found = records_.find(lower(name));
    if (found == records_.end() || depth > 8) return;
    const Record& record = found->second;
    // The question's name by a compression pointer, later ones in full.
    const std::string owner = depth == 0 ? std::string("\xc0\x0c", 2) : encode_name(name);
    auto add = [&](std::uint16_t record_type, const std::string& data) {
        message += owner;
        put16(message, record_type);
        put16(message, 1);
        put16(message, 0);
        put16(message, 60);
        put16(message, static_cast<unsigned>(data.size()));
        message += data;
        ++count;
    };
    if (!record.cname.empty()) {
        add(kCname, encode_name(record.cname));
        add_records(message, count, record.cname, type, depth + 1);
        return;
    }
    for (const auto& text : type == kA ? record.a : type == kAaaa ? record.aaaa : std::vector<std::string>{}) {
        char bytes[16];
        ::inet_pton(type == kA ? AF_INET : AF_INET6, text.c_str(), bytes);
        add(type, std::string(bytes, type == kA ? 4 : 16));
    }
}

std::vector<TestDnsServer::Reply> TestDnsServer::answer(const std::string& query, bool tcp) {
    std::string name;
    std::uint16_t type = 0;
    std::size_t end = 0;
    if (query.size() < 12 || !parse_question(query, name, type, end)) return {};
    const std::lock_guard<std::mutex> lock(mutex_);
    asked_.push_back(std::string(tcp ? "tcp " : "udp ") + (type == kA ? "A " : type == kAaaa ? "AAAA " : "? ") + lower(name));
    const auto found = records_.find(lower(name));
    const Record* record = found == records_.end() ? nullptr : &found->second;
    if (record != nullptr && record->silent) return {};

    const bool truncated = record != nullptr && record->truncate_udp && !tcp;
    std::string message = query.substr(0, 2);
    unsigned flags = 0x8180;  // response, recursion desired and available
    if (record == nullptr) flags |= 3;  // NXDOMAIN
    if (truncated) flags |= 0x0200;
    put16(message, flags);
    put16(message, 1);
    std::string body;
    unsigned count = 0;
    if (!truncated) add_records(body, count, name, type, 0);
    put16(message, count);
    put16(message, 0);
    put16(message, 0);
    message += query.substr(12, end - 12) + body;

    std::vector<Reply> replies;
    if (record != nullptr && (record->spoof_id || record->spoof_source) && type == kA && !tcp) {
        std::string fake = message.substr(0, end);
        if (record->spoof_id) fake[0] = static_cast<char>(fake[0] ^ 0x55);
        fake[7] = 1;  // one answer: 127.0.0.2
        fake += std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x7f\x00\x00\x02", 16);
        replies.push_back({fake, record->spoof_source});
    }
    if (record != nullptr && record->garbage) {
        std::mt19937 random(garbage_seed_++);
        for (int i = 0; i < 24; ++i) {
            std::string bad;
            if (i % 3 == 0) {
                bad.resize(random() % 600);
                for (auto& c : bad) c = static_cast<char>(random());
            } else {
                bad = message;
                for (unsigned flips = 1 + random() % 8; flips > 0; --flips) {
                    bad[2 + random() % (bad.size() - 2)] = static_cast<char>(random());
                }
                if (i % 3 == 2) bad.resize(random() % bad.size());
            }
            if (bad.size() >= 2) bad.replace(0, 2, message.substr(0, 2));  // the right id, to reach the parser
            replies.push_back({bad});
        }
        return replies;
    }
    replies.push_back({message});
    return replies;
}

}  // namespace csh::agent::test
