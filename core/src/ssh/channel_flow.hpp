// Flow control shared by every channel that moves bytes between the client
// and a backend (session and forwarding channels): what the client sends
// is offered to the backend and what it does not take stays in libssh,
// which keeps the client's window shut; what the backend writes is taken
// only within the client's window and while libssh has nothing unsent.
#pragma once

#include <libssh/libssh.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace csh::ssh {

class Connection;

// Client -> backend. `Offer` hands bytes to the backend and returns how many
// it took (it also audits them); taking fewer than offered pauses the input
// until resume() (the backend's data_ready/stdin_ready).
class ChannelInput {
public:
    using Offer = std::function<size_t(const char* data, size_t size)>;

    explicit ChannelInput(Offer offer) : offer_(std::move(offer)) {}

    // libssh's data callback: how many of its bytes are consumed (0 leaves
    // them in libssh's buffer and so closes the window).
    uint32_t on_data(const char* data, uint32_t size);
    // Reads everything libssh holds and offers it (see the .cpp for why all of it).
    void drain(ssh_channel channel, const Connection& connection);
    // The client sent EOF (libssh's callback; it may run inside drain()).
    void remote_eof() { remote_eof_ = true; }
    // True once, when the client's EOF may go to the backend: it came and
    // nothing waits any more (here or in libssh).
    bool eof_due(ssh_channel channel, const Connection& connection);

    bool paused() const { return paused_; }
    void resume() { paused_ = false; }

private:
    size_t offer(const char* data, size_t size);
    bool held() const { return offset_ < pending_.size(); }

    Offer offer_;
    // What was read from libssh and the backend has not taken yet: pending_[offset_..].
    std::string pending_;
    size_t offset_ = 0;
    bool drained(ssh_channel channel, const Connection& connection) const;

    bool paused_ = false;
    bool draining_ = false;
    bool remote_eof_ = false;
    bool eof_delivered_ = false;
};

// Backend -> client.
class ChannelOutput {
public:
    // Writes as much of `data` as the client's window allows, to stderr when
    // asked. Returns the bytes written: 0 when blocked (room_unannounced()
    // turns true once the client can take more), -1 when libssh failed (the
    // connection is going; the pump notices).
    int write(Connection& connection, ssh_channel channel, const void* data, size_t size, bool to_stderr = false);
    // The writer could not be served right now (e.g. the channel is not open yet).
    void block() { blocked_ = true; }
    // True when a blocked writer can write again and has not been told.
    bool room_unannounced(Connection& connection, ssh_channel channel) const;
    void announced() { blocked_ = false; }

private:
    bool blocked_ = false;
};

}  // namespace csh::ssh
