// Reads ContainerSSH binary recordings, format 1 (one indefinite-length CBOR
// array of messages) and 2 (a sequence of CBOR messages), fed in pieces of
// any size. Every complete message goes to the sink as soon as it is
// decoded, so a recording that breaks off still yields all it holds.
//
// How a recording may end (finish()):
//   complete      the gzip stream has its trailer (our encoder's finish()).
//   unterminated  no trailer, but the last message is the disconnect (v2) or
//                 the message array is closed (v1). ContainerSSH's own
//                 writer never ends its gzip stream, so this is how its
//                 recordings look; nothing is missing.
//   truncated     the recording stops before the disconnect, or inside a
//                 message: the gateway was killed, or the file was cut.
// Anything else is an error (DecodeError): not a ContainerSSH audit log, a
// version other than 1 and 2, a corrupt gzip stream, a message that is not a
// CBOR map of the expected fields.
#pragma once

#include "format/cbor_item.hpp"
#include "format/cbor_item_scanner.hpp"

#include <zlib.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace audit_s3 {

struct DecodedMessage {
    std::string connection_id;
    int64_t timestamp_ns = 0;  // Unix time
    uint32_t type = 0;         // csh_audit_type numbers
    CborItem payload;          // a CBOR map, or null when the message has none
    std::optional<uint64_t> channel_id;  // none for connection-level messages
};

class DecodeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class Ending { complete, unterminated, truncated };
std::string_view ending_name(Ending ending);

class BinaryDecoder {
public:
    using Sink = std::function<void(DecodedMessage&&)>;

    explicit BinaryDecoder(Sink sink);
    ~BinaryDecoder();
    BinaryDecoder(const BinaryDecoder&) = delete;
    BinaryDecoder& operator=(const BinaryDecoder&) = delete;

    // The next bytes of the recording. Throws DecodeError; the messages
    // before the error have reached the sink. No call after an error.
    void feed(std::string_view bytes);
    // The input ended. Throws DecodeError (e.g. a file shorter than the
    // header).
    Ending finish();

    // 0 until the header is read.
    uint64_t version() const { return version_; }
    uint64_t message_count() const { return messages_; }

    // The largest message accepted (decompressed; ContainerSSH's io
    // messages are at most 32 KiB), the largest array or map and the deepest
    // nesting: libcbor spends about 50 bytes per item, so these bound what a
    // hostile file can make it allocate.
    static constexpr std::size_t kMaxMessageSize = 4 * 1024 * 1024;
    static constexpr uint64_t kMaxEntries = 1024 * 1024;
    static constexpr std::size_t kMaxDepth = 64;

private:
    void read_header();
    void inflate_bytes(std::string_view bytes);
    void parse_pending();
    bool parse_v1_framing();
    void deliver(CborItem item);
    [[noreturn]] void fail(const std::string& what) const;

    Sink sink_;
    std::string header_;
    uint64_t version_ = 0;
    z_stream zs_{};
    bool inflating_ = false;
    bool gzip_ended_ = false;    // the last gzip member had its trailer
    std::string pending_;        // decompressed bytes not yet parsed
    std::size_t pos_ = 0;        // parsed up to here
    CborItemScanner scanner_;
    bool array_open_ = false;    // v1: the message array has begun
    bool array_closed_ = false;  // v1: its break code was read
    uint64_t messages_ = 0;
    uint32_t last_type_ = UINT32_MAX;
    std::vector<unsigned char> chunk_;  // inflate output
};

// A whole recording in memory: the messages, how it ended, or the error
// that stopped it (messages then holds what came before). Never throws for
// bad input.
struct DecodeResult {
    std::vector<DecodedMessage> messages;
    uint64_t version = 0;
    Ending ending = Ending::truncated;
    std::string error;  // empty when the recording decoded
};
DecodeResult decode_recording(std::string_view bytes);

}  // namespace audit_s3
