// Bytes waiting for a non-blocking descriptor (the agent's stdout, or a
// forwarded socket): appended whole, written as far as the descriptor takes.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string>
#include <string_view>

namespace csh::agent::forward {

class ByteQueue {
public:
    bool empty() const { return start_ == data_.size(); }
    std::size_t size() const { return data_.size() - start_; }
    std::string& tail() { return data_; }  // append packets in place
    void append(std::string_view bytes) { data_.append(bytes); }
    void clear() {
        data_.clear();
        start_ = 0;
    }

    // Writes what `fd` takes now. Returns the bytes written, or -1 on an
    // error other than "would block" (errno tells which).
    long write_to(int fd) {
        long total = 0;
        while (!empty()) {
            const ssize_t written = ::write(fd, data_.data() + start_, size());
            if (written < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                return -1;
            }
            start_ += static_cast<std::size_t>(written);
            total += written;
        }
        if (empty()) {
            clear();
        } else if (start_ >= 65536 && start_ * 2 >= data_.size()) {
            // Keep the buffer from growing while a slow reader takes pieces.
            data_.erase(0, start_);
            start_ = 0;
        }
        return total;
    }

private:
    std::string data_;
    std::size_t start_ = 0;
};

}  // namespace csh::agent::forward
