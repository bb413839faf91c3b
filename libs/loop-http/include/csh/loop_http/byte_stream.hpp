// A non-blocking byte stream to an HTTP server: a unix socket, a TCP socket,
// or TLS over TCP. Reads and writes never block; when one would, the
// caller asks `events_to_wait_for()` which fd events to watch before trying
// again (TLS may need the socket writable to make a read progress, and the
// other way round). Single-threaded: used on one strand.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace csh::loop_http {

struct IoResult {
    enum class Status { ok, would_block, eof, error };
    Status status = Status::ok;
    size_t bytes = 0;
    std::string error;  // set with Status::error

    static IoResult done(size_t n) { return IoResult{Status::ok, n, {}}; }
    static IoResult blocked() { return IoResult{Status::would_block, 0, {}}; }
    static IoResult end() { return IoResult{Status::eof, 0, {}}; }
    static IoResult failed(std::string why) { return IoResult{Status::error, 0, std::move(why)}; }
};

class ByteStream {
public:
    virtual ~ByteStream() = default;
    int fd() const { return fd_; }

    virtual IoResult read(char* buffer, size_t size) = 0;
    virtual IoResult write(const char* data, size_t size) = 0;
    // Ends the sending direction (the server sees EOF; behind an upgraded
    // exec stream, the program's stdin ends); reading goes on. May report would_block over TLS.
    virtual IoResult shutdown_write() = 0;

    // The CSH_FD_* events to wait for before retrying the last read or write
    // that reported would_block.
    uint32_t read_waits_for() const { return read_waits_for_; }
    uint32_t write_waits_for() const { return write_waits_for_; }

protected:
    explicit ByteStream(int fd) : fd_(fd) {}
    int fd_;
    uint32_t read_waits_for_;
    uint32_t write_waits_for_;
};

// Takes ownership of a connected socket.
std::unique_ptr<ByteStream> make_plain_stream(int fd);

// Takes ownership of a connected TCP socket and of `ssl` (already bound to
// the socket, client mode); the handshake runs inside the first reads and
// writes.
std::unique_ptr<ByteStream> make_tls_stream(int fd, SSL* ssl);

}  // namespace csh::loop_http
