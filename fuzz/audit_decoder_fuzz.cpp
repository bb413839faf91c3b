// ContainerSSH binary audit logs as containerssh-auditlog-decoder reads them
// (plugins/audit-s3/src/format/binary_decoder.cpp): any file, fed in pieces
// of any size. The first input byte is the control:
//   bit 7 = 0  the rest is the file as it is (header, gzip, CBOR);
//   bit 7 = 1  the rest is the decompressed body, wrapped here in a header
//              (bit 6: version 1, else 2) and a gzip stream (bit 5: the
//              stream is left without its end, as a killed gateway leaves
//              it), so mutations reach the CBOR framing directly;
//   bits 0-3   the size of the pieces the file is fed in (0: one piece).
// Properties: only DecodeError escapes; the messages, and whether the file
// decoded and how it ended, do not depend on the pieces. Every message is
// also printed as JSON and run through both encoders (as the tool's
// asciicast export does), which must not fail on anything decoded.
#include "format/asciicast_encoder.hpp"
#include "format/binary_decoder.hpp"
#include "format/binary_encoder.hpp"
#include "format/binary_format.hpp"
#include "format/message_event.hpp"
#include "format/message_json.hpp"

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Outcome {
    std::vector<std::string> messages;  // as JSON
    bool decoded = false;
    audit_s3::Ending ending = audit_s3::Ending::truncated;
};

Outcome decode(std::string_view recording, std::size_t piece, bool encode) {
    Outcome outcome;
    audit_s3::AsciicastEncoder asciicast;
    audit_s3::BinaryEncoder binary;
    std::string encoded;
    audit_s3::BinaryDecoder decoder([&](audit_s3::DecodedMessage&& message) {
        std::string json;
        audit_s3::append_message_json(json, message);
        outcome.messages.push_back(std::move(json));
        if (encode) {
            const audit_s3::MessageEvent event(message);
            asciicast.encode(event.event(), encoded);
            binary.encode(event.event(), encoded);
            encoded.clear();
        }
    });
    try {
        while (!recording.empty()) {
            const std::size_t take = piece == 0 ? recording.size() : std::min(piece, recording.size());
            decoder.feed(recording.substr(0, take));
            recording.remove_prefix(take);
        }
        outcome.ending = decoder.finish();
        outcome.decoded = true;
    } catch (const audit_s3::DecodeError&) {
    }
    if (encode) {
        asciicast.finish(encoded);
        binary.finish(encoded);
    }
    return outcome;
}

std::string gzip(std::string_view body, bool end) {
    z_stream zs{};
    if (deflateInit2(&zs, 1, Z_DEFLATED, audit_s3::binary_format::kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        std::abort();
    }
    std::string out(deflateBound(&zs, body.size()) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    zs.avail_in = static_cast<uInt>(body.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, end ? Z_FINISH : Z_SYNC_FLUSH);
    if (rc != (end ? Z_STREAM_END : Z_OK)) std::abort();
    out.resize(out.size() - zs.avail_out);
    deflateEnd(&zs);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t control = data[0];
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string recording;
    if ((control & 0x80) != 0) {
        const uint64_t version = (control & 0x40) != 0 ? audit_s3::binary_format::kVersionArray
                                                        : audit_s3::binary_format::kVersionSequence;
        recording = audit_s3::binary_format::header(version) + gzip(rest, (control & 0x20) == 0);
    } else {
        recording = std::string(rest);
    }
    const Outcome whole = decode(recording, 0, /*encode=*/true);
    const std::size_t piece = control & 0x0f;
    if (piece != 0) {
        const Outcome cut = decode(recording, piece, /*encode=*/false);
        if (cut.messages != whole.messages || cut.decoded != whole.decoded ||
            (whole.decoded && cut.ending != whole.ending)) {
            std::abort();
        }
    }
    return 0;
}
