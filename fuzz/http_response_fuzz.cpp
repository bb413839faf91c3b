// HTTP/1.1 responses as the engine client reads them (Docker Engine API,
// libs/loop-http): the ResponseReader that HttpCall feeds with every read,
// here fed the same way from the input. The first byte says whether the
// request asked for an upgrade (bit 0) and where the rest is cut into reads
// (bits 1-7; 0 = one read). The answer must not depend on the cuts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <csh/loop_http/response_reader.hpp>

namespace {

using csh::loop_http::ResponseReader;

struct Answer {
    ResponseReader::Outcome outcome = ResponseReader::Outcome::need_more;
    int status = 0;
    std::string body;      // complete
    std::string leftover;  // upgraded
};

Answer read(std::string_view bytes, bool upgrade, size_t piece) {
    ResponseReader reader(4096, upgrade);
    Answer answer;
    while (!bytes.empty() && answer.outcome == ResponseReader::Outcome::need_more) {
        const size_t take = piece == 0 ? bytes.size() : std::min(piece, bytes.size());
        answer.outcome = reader.feed(bytes.substr(0, take));
        bytes.remove_prefix(take);
        if (reader.header_done() && reader.body().size() > 4096) std::abort();  // over the body limit
    }
    if (answer.outcome == ResponseReader::Outcome::need_more) answer.outcome = reader.end_of_stream();
    // Finished readers keep their outcome.
    if (reader.feed("HTTP/1.1 200 OK\r\n\r\n") != answer.outcome) std::abort();
    if (reader.end_of_stream() != answer.outcome) std::abort();
    if (answer.outcome == ResponseReader::Outcome::need_more) std::abort();
    if (answer.outcome == ResponseReader::Outcome::failed && reader.error().empty()) std::abort();
    if (answer.outcome == ResponseReader::Outcome::complete) {
        answer.status = reader.status();
        answer.body = reader.body();
    }
    if (answer.outcome == ResponseReader::Outcome::upgraded) {
        answer.status = reader.status();
        if (answer.status != 101) std::abort();
        answer.leftover = reader.leftover();
    }
    return answer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const bool upgrade = (data[0] & 1) != 0;
    const size_t piece = data[0] >> 1;
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    const Answer whole = read(bytes, upgrade, 0);
    const Answer cut = read(bytes, upgrade, piece);
    if (whole.outcome != cut.outcome || whole.status != cut.status || whole.body != cut.body) std::abort();
    if (whole.outcome == ResponseReader::Outcome::upgraded) {
        // Bytes after the 101 header stay for the stream; with more reads
        // they arrive later, but what came with the header is a prefix.
        if (cut.leftover.size() > whole.leftover.size() ||
            whole.leftover.compare(0, cut.leftover.size(), cut.leftover) != 0) {
            std::abort();
        }
    }
    return 0;
}
