// Splits the Engine API's multiplexed stream (non-TTY attach and exec) into
// stdout and stderr. Each frame is an 8-byte header, [stream, 0, 0, 0,
// big-endian uint32 length], then that many bytes of payload; frames may
// arrive cut at any byte.
#pragma once

#include <containerssh/plugin/backend.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace backend_docker {

class StreamDemuxer {
public:
    using Sink = std::function<void(csh_stream stream, std::string_view payload)>;

    // Feeds raw bytes; `sink` receives each piece of payload in order.
    // Returns false (and stays failed) on a header that is not a frame.
    bool feed(std::string_view data, const Sink& sink);

    // True between frames: the stream may end here without losing a byte.
    bool at_frame_boundary() const { return header_fill_ == 0 && remaining_ == 0; }

private:
    unsigned char header_[8] = {};
    size_t header_fill_ = 0;
    uint32_t remaining_ = 0;
    csh_stream current_ = CSH_STREAM_STDOUT;
    bool failed_ = false;
};

}  // namespace backend_docker
