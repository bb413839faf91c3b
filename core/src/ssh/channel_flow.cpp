#include "ssh/channel_flow.hpp"

#include "ssh/connection.hpp"

#include <algorithm>

namespace csh::ssh {

uint32_t ChannelInput::on_data(const char* data, uint32_t size) {
    if (paused_ || draining_ || held()) return 0;
    return static_cast<uint32_t>(offer(data, size));
}

size_t ChannelInput::offer(const char* data, size_t size) {
    const size_t taken = std::min(offer_(data, size), size);
    if (taken < size) paused_ = true;
    return taken;
}

// libssh 0.10 reopens the client's window on every ssh_channel_read that
// finds it below half, without counting what it still buffers. Reading a
// chunk per backend wake-up therefore let a client that sends faster than
// the backend takes grow libssh's buffer by a window per wake-up, until
// libssh dropped data at its 256 MiB buffer cap. So everything libssh holds
// is read in one call, and read again only once the backend took all of
// it: libssh then holds at most the one window it granted, and this class
// at most what it read before, about two windows per channel.
void ChannelInput::drain(ssh_channel channel, const Connection& connection) {
    // ssh_channel_poll reads the socket too: not while the connection pauses reading.
    if (paused_ || channel == nullptr || connection.reading_paused()) return;
    draining_ = true;
    while (!paused_) {
        if (held()) {
            offset_ += offer(pending_.data() + offset_, pending_.size() - offset_);
            if (held()) break;
            continue;
        }
        const int available = ssh_channel_poll(channel, 0);
        if (available <= 0) break;
        pending_.resize(static_cast<size_t>(available));  // keeps its capacity between reads
        offset_ = 0;
        const int n = ssh_channel_read_nonblocking(channel, pending_.data(), static_cast<uint32_t>(available), 0);
        pending_.resize(n > 0 ? static_cast<size_t>(n) : 0);
        if (n <= 0) break;
    }
    draining_ = false;
}

bool ChannelInput::eof_due(ssh_channel channel, const Connection& connection) {
    if (!remote_eof_ || eof_delivered_ || !drained(channel, connection)) return false;
    eof_delivered_ = true;
    return true;
}

bool ChannelInput::drained(ssh_channel channel, const Connection& connection) const {
    if (paused_ || held()) return false;
    if (connection.reading_paused()) return false;  // ssh_channel_poll would read
    return channel == nullptr || ssh_channel_poll(channel, 0) <= 0;
}

int ChannelOutput::write(Connection& connection, ssh_channel channel, const void* data, size_t size, bool to_stderr) {
    // Take nothing while libssh still holds unsent bytes or the client's
    // window is shut: the backend then stops reading from its source.
    const uint32_t window = ssh_channel_window_size(channel);
    if ((ssh_get_poll_flags(connection.session()) & SSH_WRITE_PENDING) != 0 || window == 0) {
        blocked_ = true;
        connection.wake();
        return 0;
    }
    const auto n = static_cast<uint32_t>(std::min<size_t>(size, window));
    const int written = to_stderr ? ssh_channel_write_stderr(channel, data, n) : ssh_channel_write(channel, data, n);
    if (written < 0) return -1;
    if (static_cast<size_t>(written) < size) blocked_ = true;
    if (written > 0) connection.note_traffic();
    connection.wake();  // flush, and arm the write wait if the socket is full
    return written;
}

bool ChannelOutput::room_unannounced(Connection& connection, ssh_channel channel) const {
    return blocked_ && channel != nullptr && (ssh_get_poll_flags(connection.session()) & SSH_WRITE_PENDING) == 0 &&
           ssh_channel_window_size(channel) > 0;
}

}  // namespace csh::ssh
