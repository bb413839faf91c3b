// A small authoritative-looking DNS server for forward-server's resolver
// tests: UDP and TCP on 127.0.0.1, one kernel-chosen port for both, on a
// thread. Each name's behaviour is scripted: addresses, a CNAME, NXDOMAIN,
// silence, truncation over UDP, a spoofed answer first (wrong id, or the
// right id from another port), or garbage only.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace csh::agent::test {

class TestDnsServer {
public:
    struct Record {
        std::vector<std::string> a;     // IPv4 addresses as text
        std::vector<std::string> aaaa;  // IPv6 addresses as text
        std::string cname;              // answered as a CNAME to this name, plus its records
        bool silent = false;            // never answers
        bool truncate_udp = false;      // UDP answers carry TC and nothing else
        bool spoof_id = false;          // first an answer with another id and address 127.0.0.2
        bool spoof_source = false;      // first that answer with the right id, from another port
        bool garbage = false;           // random and corrupted answers only
    };

    TestDnsServer();
    ~TestDnsServer();
    TestDnsServer(const TestDnsServer&) = delete;
    TestDnsServer& operator=(const TestDnsServer&) = delete;

    // Names not added are NXDOMAIN.
    void add(const std::string& name, Record record);
    std::uint16_t port() const { return port_; }
    // "udp A name", "tcp AAAA name", ... in the order asked.
    std::vector<std::string> asked();

private:
    void serve();
    void serve_tcp(int fd);
    struct Reply {
        std::string bytes;
        bool from_other_port = false;  // UDP only: sent from spoof_fd_
    };
    // The datagrams (or TCP messages) that answer `query`.
    std::vector<Reply> answer(const std::string& query, bool tcp);
    void add_records(std::string& message, unsigned& count, const std::string& name, std::uint16_t type, int depth);

    int udp_fd_ = -1;
    int spoof_fd_ = -1;  // UDP on another port of 127.0.0.1
    int tcp_fd_ = -1;
    int stop_pipe_[2] = {-1, -1};
    std::uint16_t port_ = 0;
    std::mutex mutex_;
    std::map<std::string, Record> records_;
    std::vector<std::string> asked_;
    unsigned garbage_seed_ = 1;
    std::thread thread_;
};

}  // namespace csh::agent::test
