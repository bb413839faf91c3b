#include "log/syslog_sink.hpp"

#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <sys/un.h>
#include <system_error>
#include <unistd.h>

#include "log/codes.hpp"
#include "log/line_format.hpp"
#include "log/log_error.hpp"
#include "log/syslog_facility.hpp"

namespace csh::log {
namespace {

constexpr const char* kDestinationKey = "log.syslog.destination";

LogError config_error(const std::string& destination, const std::string& why) {
    return LogError(codes::CORE_CONFIG_ERROR,
                    std::string(kDestinationKey) + " \"" + destination + "\": " + why);
}

// "host:port" or "[v6addr]:port" into its parts.
bool split_host_port(const std::string& text, std::string& host, std::string& port) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.front() == '[') {
        if (host.back() != ']' || host.size() < 3) return false;
        host = host.substr(1, host.size() - 2);
    }
    return true;
}

std::string local_hostname() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "-";
    return buf;
}

}  // namespace

SyslogSink::SyslogSink(const SyslogSettings& settings) : name_(settings.destination) {
    const auto facility = syslog_facility(settings.facility);
    if (!facility) {
        throw LogError(codes::CORE_CONFIG_ERROR, "log.syslog.facility \"" + settings.facility +
                                                     "\" is not a syslog facility; use one of " +
                                                     std::string(syslog_facility_names()));
    }
    facility_ = *facility;

    const std::string& destination = settings.destination;
    const bool is_unix = !destination.empty() && destination.front() == '/';
    if (is_unix) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (destination.size() >= sizeof address.sun_path) {
            throw config_error(destination, "socket path longer than " +
                                                std::to_string(sizeof address.sun_path - 1) + " bytes");
        }
        std::memcpy(address.sun_path, destination.data(), destination.size());
        std::memcpy(&address_, &address, sizeof address);
        address_size_ = sizeof address;
    } else {
        std::string host, port;
        if (!split_host_port(destination, host, port)) {
            throw config_error(destination, "expected a socket path (/dev/log) or host:port (UDP)");
        }
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_DGRAM;
        addrinfo* found = nullptr;
        const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
        if (rc != 0 || found == nullptr) {
            throw config_error(destination, std::string("cannot resolve: ") + ::gai_strerror(rc));
        }
        std::memcpy(&address_, found->ai_addr, found->ai_addrlen);
        address_size_ = found->ai_addrlen;
        ::freeaddrinfo(found);
    }

    fd_ = ::socket(address_.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        throw LogError(codes::LOG_FILE_OPEN_FAILED,
                       "cannot create a socket for " + std::string(kDestinationKey) + " \"" +
                           destination + "\": " + std::generic_category().message(errno));
    }

    if (!is_unix) header_suffix_ = local_hostname() + " ";
    header_suffix_ += settings.tag;
    if (settings.pid) header_suffix_ += "[" + std::to_string(::getpid()) + "]";
    header_suffix_ += ": ";
}

SyslogSink::~SyslogSink() { ::close(fd_); }

int SyslogSink::write(const LogRecord& record) noexcept {
    try {
        std::string datagram = "<" + std::to_string(facility_ * 8 + record.level) + ">";
        datagram += format_rfc3164(record.time);
        datagram += ' ';
        datagram += header_suffix_;
        datagram += format_syslog_json(record);
        for (;;) {
            const ssize_t n = ::sendto(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL,
                                       reinterpret_cast<const sockaddr*>(&address_), address_size_);
            if (n >= 0) return 0;
            if (errno != EINTR) return errno;
        }
    } catch (...) {
        return ENOMEM;  // formatting could not allocate
    }
}

}  // namespace csh::log
