// Docker's multiplexed stream (non-TTY attach and exec), as the engine sends
// it: any bytes, cut anywhere. The first input byte chooses where the rest is
// cut; the payload per stream, the verdict and the frame-boundary state must
// not depend on the cuts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/stream_demuxer.hpp"

namespace {

struct Result {
    std::string out, err;
    bool ok = true;
    bool at_boundary = true;
};

Result demux(std::string_view data, size_t piece) {
    backend_docker::StreamDemuxer demuxer;
    Result result;
    const backend_docker::StreamDemuxer::Sink sink = [&](csh_stream stream, std::string_view payload) {
        if (stream == CSH_STREAM_STDOUT) {
            result.out.append(payload);
        } else if (stream == CSH_STREAM_STDERR) {
            result.err.append(payload);
        } else {
            std::abort();  // only stdout and stderr come out
        }
    };
    while (!data.empty() && result.ok) {
        const size_t take = piece == 0 ? data.size() : std::min(piece, data.size());
        result.ok = demuxer.feed(data.substr(0, take), sink);
        data.remove_prefix(take);
    }
    result.at_boundary = demuxer.at_frame_boundary();
    return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const size_t piece = data[0] % 16;  // 0: all at once
    const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
    const Result whole = demux(stream, 0);
    const Result cut = demux(stream, piece);
    if (whole.out.size() + whole.err.size() > stream.size()) std::abort();
    if (whole.ok != cut.ok || whole.out != cut.out || whole.err != cut.err) std::abort();
    if (whole.ok && whole.at_boundary != cut.at_boundary) std::abort();
    return 0;
}
