// One name's DNS lookup for a dial, as a non-blocking state machine inside
// the forward-server's epoll loop (docs/design/forwarding.md §6 "Agent").
//
// Like glibc's stub resolver: the names of query_names() in turn, each with
// an A and an AAAA query (random ids, recursion desired) sent together over
// UDP to the first name server; after `timeout` seconds without both answers
// the unanswered ones go to the next server, `attempts` rounds over all
// servers (glibc also lengthens later rounds' timeouts; we do not). A
// truncated answer repeats the unanswered queries over TCP to that server.
// NXDOMAIN, or no A and no AAAA record, moves on to the next name; a
// SERVFAIL or refusal to the next server. Answers that are malformed or do
// not match a query (id, question, server) are ignored.
//
// Result order: the A answer's addresses as the server listed them, then
// the AAAA answer's (IPv4 first: container networks often have no IPv6
// route; glibc would sort by RFC 6724 instead).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "resolv_conf.hpp"
#include "resolver.hpp"

namespace csh::agent::forward {

class DnsLookup {
public:
    enum class Status { kPending, kDone, kFailed };

    // Registers its one socket at a time with `epoll` under `token` (events
    // go to on_event); the socket closes when the lookup ends or is
    // destroyed. The result's addresses carry `port`.
    DnsLookup(int epoll, std::uint64_t token, std::string_view host, std::uint16_t port, ResolvConf conf);
    ~DnsLookup();
    DnsLookup(const DnsLookup&) = delete;
    DnsLookup& operator=(const DnsLookup&) = delete;

    void start();
    void on_event(std::uint32_t events);
    // When on_timer is due (monotonic ms); only while pending.
    std::int64_t timer_ms() const { return try_deadline_ms_; }
    void on_timer();

    Status status() const { return status_; }
    const std::vector<Address>& addresses() const { return addresses_; }
    const std::string& why() const { return why_; }

private:
    struct Query {
        std::uint16_t type = 0;
        std::uint16_t id = 0;
        bool answered = false;
        std::string wire;
        std::vector<Address> addresses;
    };

    void next_name();
    void start_try();
    void next_try();
    void start_tcp();
    void read_udp();
    void on_tcp_event(std::uint32_t events);
    void handle_reply(std::string_view message);
    bool open_socket(int fd, std::uint32_t events);
    void watch(std::uint32_t events);
    void close_socket();
    void finish(Status status, std::string why);

    int epoll_;
    std::uint64_t token_;
    std::string host_;
    std::uint16_t port_;
    ResolvConf conf_;
    std::vector<std::string> names_;
    std::size_t next_name_ = 0;
    Query queries_[2];
    std::size_t server_ = 0;
    unsigned attempt_ = 0;
    std::int64_t try_deadline_ms_ = -1;

    int fd_ = -1;
    std::uint32_t events_ = 0;
    bool tcp_ = false;
    bool tcp_connecting_ = false;
    std::string tcp_out_;
    std::string tcp_in_;

    // For the failure message: what the names got.
    bool saw_nxdomain_ = false;
    bool saw_no_records_ = false;
    bool saw_server_failure_ = false;

    Status status_ = Status::kPending;
    std::vector<Address> addresses_;
    std::string why_;
};

}  // namespace csh::agent::forward
