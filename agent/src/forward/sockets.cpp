#include "sockets.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace csh::agent::forward {

namespace {

std::string failure(const char* what, const std::string& target, int error) {
    return std::string(what) + " " + target + ": " + std::strerror(error);
}

bool unix_address(const std::string& path, sockaddr_un& address, socklen_t& length, std::string& why) {
    address = sockaddr_un{};
    address.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(address.sun_path)) {
        why = "unix socket path \"" + path + "\" is empty or longer than " +
              std::to_string(sizeof(address.sun_path) - 1) + " bytes";
        return false;
    }
    std::memcpy(address.sun_path, path.data(), path.size());
    length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    return true;
}

}  // namespace

std::string describe(const std::string& host, std::uint64_t port) {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

int start_tcp_connect(const Address& address, std::string& why) {
    const int fd = ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        why = failure("cannot create a socket for", describe(address_text(address.storage), address_port(address.storage)), errno);
        return -1;
    }
    // Forwarded sessions are interactive as often as not: no Nagle delay.
    const int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0 &&
        errno != EINPROGRESS) {
        why = failure("cannot connect to", describe(address_text(address.storage), address_port(address.storage)), errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

int start_unix_connect(const std::string& path, std::string& why) {
    sockaddr_un address;
    socklen_t length = 0;
    if (!unix_address(path, address, length, why)) return -1;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        why = failure("cannot create a socket for", path, errno);
        return -1;
    }
    // A unix connect never reports EINPROGRESS; EAGAIN means a full backlog.
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0 && errno != EINPROGRESS) {
        why = failure("cannot connect to unix socket", path, errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

int connect_result(int fd) {
    int error = 0;
    socklen_t length = sizeof(error);
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
    return error;
}

bool listen_tcp(const std::string& host, std::uint16_t port, Listener& out, std::string& why) {
    Address address;
    if (host.empty() || host == "*") {
        auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
        v4->sin_family = AF_INET;
        v4->sin_addr.s_addr = htonl(INADDR_ANY);
        v4->sin_port = htons(port);
        address.length = sizeof(sockaddr_in);
    } else {
        auto addresses = resolve(host, port, why);
        if (addresses.empty()) return false;
        address = addresses.front();
    }
    const std::string target = describe(host.empty() ? "*" : host, port);
    const int fd = ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        why = failure("cannot create a socket to listen on", target, errno);
        return false;
    }
    // Like sshd: a port in TIME_WAIT from an earlier forward may be reused.
    const int one = 1;
    (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0) {
        why = failure("cannot bind", target, errno);
        ::close(fd);
        return false;
    }
    if (::listen(fd, 128) != 0) {
        why = failure("cannot listen on", target, errno);
        ::close(fd);
        return false;
    }
    sockaddr_storage bound{};
    socklen_t length = sizeof(bound);
    (void)::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
    out.fd = fd;
    out.port = address_port(bound);
    out.unix_path.clear();
    return true;
}

bool listen_unix(const std::string& path, Listener& out, std::string& why) {
    sockaddr_un address;
    socklen_t length = 0;
    if (!unix_address(path, address, length, why)) return false;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        why = failure("cannot create a unix socket at", path, errno);
        return false;
    }
    const mode_t previous = ::umask(0177);
    const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), length);
    const int bind_error = errno;
    ::umask(previous);
    if (bound != 0) {
        why = failure("cannot bind unix socket", path, bind_error);
        ::close(fd);
        return false;
    }
    if (::listen(fd, 128) != 0) {
        why = failure("cannot listen on unix socket", path, errno);
        ::close(fd);
        ::unlink(path.c_str());
        return false;
    }
    out.fd = fd;
    out.port = 0;
    out.unix_path = path;
    return true;
}

void close_listener(Listener& listener) {
    if (listener.fd >= 0) ::close(listener.fd);
    listener.fd = -1;
    if (!listener.unix_path.empty()) ::unlink(listener.unix_path.c_str());
    listener.unix_path.clear();
}

}  // namespace csh::agent::forward
