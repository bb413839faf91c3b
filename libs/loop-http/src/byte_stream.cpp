#include <csh/loop_http/byte_stream.hpp>

#include <containerssh/plugin/host.h>

#include <openssl/err.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace csh::loop_http {

namespace {

class PlainStream final : public ByteStream {
public:
    explicit PlainStream(int fd) : ByteStream(fd) {
        read_waits_for_ = CSH_FD_READ;
        write_waits_for_ = CSH_FD_WRITE;
    }
    ~PlainStream() override { ::close(fd_); }

    IoResult read(char* buffer, size_t size) override {
        for (;;) {
            const ssize_t n = ::recv(fd_, buffer, size, 0);
            if (n > 0) return IoResult::done(static_cast<size_t>(n));
            if (n == 0) return IoResult::end();
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult::blocked();
            return IoResult::failed(std::strerror(errno));
        }
    }

    IoResult write(const char* data, size_t size) override {
        for (;;) {
            const ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
            if (n >= 0) return IoResult::done(static_cast<size_t>(n));
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult::blocked();
            return IoResult::failed(std::strerror(errno));
        }
    }

    IoResult shutdown_write() override {
        if (::shutdown(fd_, SHUT_WR) != 0 && errno != ENOTCONN) return IoResult::failed(std::strerror(errno));
        return IoResult::done(0);
    }
};

std::string ssl_error_text() {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return "TLS error";
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    return buffer;
}

class TlsStream final : public ByteStream {
public:
    TlsStream(int fd, SSL* ssl) : ByteStream(fd), ssl_(ssl) {
        read_waits_for_ = CSH_FD_READ;
        write_waits_for_ = CSH_FD_WRITE;
    }
    ~TlsStream() override {
        SSL_free(ssl_);
        ::close(fd_);
    }

    IoResult read(char* buffer, size_t size) override {
        ERR_clear_error();
        size_t n = 0;
        if (SSL_read_ex(ssl_, buffer, size, &n) == 1) return IoResult::done(n);
        return failure(SSL_get_error(ssl_, 0), read_waits_for_);
    }

    IoResult write(const char* data, size_t size) override {
        if (size == 0) return IoResult::done(0);
        ERR_clear_error();
        size_t n = 0;
        if (SSL_write_ex(ssl_, data, size, &n) == 1) return IoResult::done(n);
        return failure(SSL_get_error(ssl_, 0), write_waits_for_);
    }

    IoResult shutdown_write() override {
        // close_notify tells the server the stream ended; the TCP half-close
        // makes sure it sees EOF even if it ignores the alert.
        ERR_clear_error();
        const int rc = SSL_shutdown(ssl_);
        if (rc < 0) {
            const int error = SSL_get_error(ssl_, rc);
            if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
                write_waits_for_ = error == SSL_ERROR_WANT_READ ? CSH_FD_READ : CSH_FD_WRITE;
                return IoResult::blocked();
            }
        }
        ::shutdown(fd_, SHUT_WR);
        return IoResult::done(0);
    }

private:
    IoResult failure(int error, uint32_t& waits_for) {
        switch (error) {
            case SSL_ERROR_WANT_READ:
                waits_for = CSH_FD_READ;
                return IoResult::blocked();
            case SSL_ERROR_WANT_WRITE:
                waits_for = CSH_FD_WRITE;
                return IoResult::blocked();
            case SSL_ERROR_ZERO_RETURN:
                return IoResult::end();
            case SSL_ERROR_SYSCALL:
                if (ERR_peek_error() == 0) {
                    // The server closed the TCP connection without
                    // close_notify; for a finished stream that is its EOF.
                    return errno == 0 || errno == ECONNRESET ? IoResult::end()
                                                             : IoResult::failed(std::strerror(errno));
                }
                return IoResult::failed(ssl_error_text());
            default:
                return IoResult::failed(ssl_error_text());
        }
    }

    SSL* ssl_;
};

}  // namespace

std::unique_ptr<ByteStream> make_plain_stream(int fd) { return std::make_unique<PlainStream>(fd); }

std::unique_ptr<ByteStream> make_tls_stream(int fd, SSL* ssl) { return std::make_unique<TlsStream>(fd, ssl); }

}  // namespace csh::loop_http
