#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <regex>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "json_line.hpp"
#include "log/codes.hpp"
#include "log/logger.hpp"
#include "temp_dir.hpp"

namespace codes = csh::codes;
using csh::log::LogError;
using csh::log::Logger;
using csh::log::LogSettings;
using csh::log::test::parse_json_line;

namespace {

// A bound datagram socket standing in for the syslog daemon.
class DatagramReceiver {
public:
    // Unix: bound at `path`.
    explicit DatagramReceiver(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_DGRAM, 0)) {
        BOOST_REQUIRE(fd_ >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        BOOST_REQUIRE(path.size() < sizeof address.sun_path);
        path.copy(address.sun_path, path.size());
        BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    }
    // UDP: bound on 127.0.0.1 at a free port.
    DatagramReceiver() : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
        BOOST_REQUIRE(fd_ >= 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        socklen_t size = sizeof address;
        BOOST_REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) == 0);
        port_ = ntohs(address.sin_port);
    }
    ~DatagramReceiver() { ::close(fd_); }

    int port() const { return port_; }

    // The next datagram; the wait only guards against hanging forever.
    std::string receive() {
        pollfd ready{fd_, POLLIN, 0};
        BOOST_REQUIRE_MESSAGE(::poll(&ready, 1, 30000) == 1, "no datagram arrived");
        char buf[65536];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        BOOST_REQUIRE(n > 0);
        return std::string(buf, static_cast<std::size_t>(n));
    }
    bool has_pending() {
        pollfd ready{fd_, POLLIN, 0};
        return ::poll(&ready, 1, 0) == 1;
    }

private:
    int fd_;
    int port_ = 0;
};

struct SyslogFixture {
    SyslogFixture() {
        BOOST_REQUIRE(!registry.add_core_codes().has_value());
        settings.destination = LogSettings::Destination::syslog;
        settings.syslog.destination = dir.file("log.sock");
    }
    csh::test::TempDir dir;
    csh::log::CodeRegistry registry;
    LogSettings settings;
};

// "<PRI>Mmm dd hh:mm:ss " then the rest.
const std::regex kHeader(R"(<(\d+)>[A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d (.*))");

}  // namespace

BOOST_FIXTURE_TEST_SUITE(logger_syslog, SyslogFixture)

BOOST_AUTO_TEST_CASE(unix_socket_receives_pri_tag_and_json_without_timestamp) {
    DatagramReceiver daemon(settings.syslog.destination);
    Logger logger(registry, settings);
    logger.log(codes::SSH_AVAILABLE, "listening", {{"address", "0.0.0.0:2222"}});

    const std::string datagram = daemon.receive();
    std::smatch parts;
    BOOST_REQUIRE_MESSAGE(std::regex_match(datagram, parts, kHeader), datagram);
    BOOST_TEST(parts[1].str() == "37");  // auth (4) * 8 + notice (5)
    const std::string rest = parts[2].str();
    const std::string tag = "ContainerSSH: ";
    BOOST_REQUIRE(rest.compare(0, tag.size(), tag) == 0);

    const auto line = parse_json_line(rest.substr(tag.size()));
    BOOST_TEST(line.keys == (std::vector<std::string>{"code", "message", "details"}),
               boost::test_tools::per_element());
    BOOST_TEST(line.values.at("code") == "SSH_AVAILABLE");
    BOOST_TEST(line.values.at("message") == "listening");
    BOOST_TEST(line.details.at("address") == "0.0.0.0:2222");
    BOOST_TEST(line.details.at("module") == "ssh");
}

BOOST_AUTO_TEST_CASE(facility_level_tag_and_pid_are_applied) {
    settings.syslog.facility = "local0";
    settings.syslog.tag = "csh-test";
    settings.syslog.pid = true;
    settings.level = CSH_LOG_DEBUG;
    DatagramReceiver daemon(settings.syslog.destination);
    Logger logger(registry, settings);
    logger.log(codes::LOG_ROTATE_FAILED, "x");  // error (3)
    logger.log(codes::SSH_CONNECTED, "y");      // debug (7)

    std::smatch parts;
    const std::string first = daemon.receive();
    BOOST_REQUIRE_MESSAGE(std::regex_match(first, parts, kHeader), first);
    BOOST_TEST(parts[1].str() == "131");  // local0 (16) * 8 + error (3)
    const std::string tag = "csh-test[" + std::to_string(::getpid()) + "]: {";
    BOOST_TEST(parts[2].str().compare(0, tag.size(), tag) == 0);
    const std::string second = daemon.receive();
    BOOST_REQUIRE_MESSAGE(std::regex_match(second, parts, kHeader), second);
    BOOST_TEST(parts[1].str() == "135");  // local0 * 8 + debug
}

BOOST_AUTO_TEST_CASE(level_filtering_applies_to_syslog) {
    DatagramReceiver daemon(settings.syslog.destination);
    Logger logger(registry, settings);
    logger.log(codes::SSH_CONNECTED, "debug, not sent");
    logger.log(codes::SSH_AVAILABLE, "sent");
    const std::string datagram = daemon.receive();
    BOOST_TEST(datagram.find("\"sent\"") != std::string::npos);
    BOOST_TEST(!daemon.has_pending());
}

BOOST_AUTO_TEST_CASE(udp_host_port_receives_a_line_with_hostname) {
    DatagramReceiver daemon;
    settings.syslog.destination = "127.0.0.1:" + std::to_string(daemon.port());
    Logger logger(registry, settings);
    logger.log(codes::SSH_AVAILABLE, "over udp");

    const std::string datagram = daemon.receive();
    std::smatch parts;
    BOOST_REQUIRE_MESSAGE(std::regex_match(datagram, parts, kHeader), datagram);
    BOOST_TEST(parts[1].str() == "37");
    char host[256] = {};
    BOOST_REQUIRE(::gethostname(host, sizeof host - 1) == 0);
    const std::string prefix = std::string(host) + " ContainerSSH: ";
    BOOST_REQUIRE(parts[2].str().compare(0, prefix.size(), prefix) == 0);
    BOOST_TEST(parse_json_line(parts[2].str().substr(prefix.size())).values.at("message") == "over udp");
}

BOOST_AUTO_TEST_CASE(an_unknown_facility_is_a_config_error) {
    settings.syslog.facility = "security";
    try {
        Logger logger(registry, settings);
        BOOST_FAIL("the logger accepted facility " << settings.syslog.facility);
    } catch (const LogError& e) {
        BOOST_TEST(e.code() == "CORE_CONFIG_ERROR");
        BOOST_TEST(std::string(e.what()).find("log.syslog.facility \"security\"") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(a_destination_that_is_neither_path_nor_host_port_is_a_config_error) {
    settings.syslog.destination = "syslog.example";
    try {
        Logger logger(registry, settings);
        BOOST_FAIL("the logger accepted destination " << settings.syslog.destination);
    } catch (const LogError& e) {
        BOOST_TEST(e.code() == "CORE_CONFIG_ERROR");
        BOOST_TEST(std::string(e.what()).find("log.syslog.destination") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
