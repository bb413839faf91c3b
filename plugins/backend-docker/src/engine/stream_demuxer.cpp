#include "engine/stream_demuxer.hpp"

#include <algorithm>

namespace backend_docker {

bool StreamDemuxer::feed(std::string_view data, const Sink& sink) {
    if (failed_) return false;
    while (!data.empty()) {
        if (remaining_ == 0) {
            const size_t take = std::min(sizeof header_ - header_fill_, data.size());
            std::copy_n(data.data(), take, header_ + header_fill_);
            header_fill_ += take;
            data.remove_prefix(take);
            if (header_fill_ < sizeof header_) break;
            header_fill_ = 0;
            // Stream 0 is stdin, which the engine echoes only with a TTY
            // (never multiplexed); 1 and 2 are stdout and stderr.
            if (header_[1] != 0 || header_[2] != 0 || header_[3] != 0 || header_[0] > 2) {
                failed_ = true;
                return false;
            }
            current_ = header_[0] == 2 ? CSH_STREAM_STDERR : CSH_STREAM_STDOUT;
            remaining_ = (uint32_t{header_[4]} << 24) | (uint32_t{header_[5]} << 16) | (uint32_t{header_[6]} << 8) |
                         uint32_t{header_[7]};
            continue;
        }
        const size_t take = std::min<size_t>(remaining_, data.size());
        sink(current_, data.substr(0, take));
        remaining_ -= static_cast<uint32_t>(take);
        data.remove_prefix(take);
    }
    return true;
}

}  // namespace backend_docker
