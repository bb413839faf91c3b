#include "format/binary_decoder.hpp"

#include "format/binary_format.hpp"

#include <containerssh/plugin/audit.h>

#include <cstring>
#include <limits>

namespace audit_s3 {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

// Drop the parsed prefix of the pending bytes once it is this large.
constexpr std::size_t kCompactAt = 256 * 1024;

bool text_is(const cbor_item_t* key, std::string_view name) {
    return cbor_isa_string(key) && cbor_string_content(key) == name;
}

// One message map's fields into `out`; the message number names the culprit.
std::string read_message(const cbor_item_t* item, uint64_t number, DecodedMessage& out) {
    const std::string where = "message " + std::to_string(number);
    if (!cbor_isa_map(item)) return where + " is not a CBOR map";
    bool has_type = false;
    const cbor_pair* pairs = cbor_map_handle(item);
    for (std::size_t i = 0; i < cbor_map_size(item); ++i) {
        const cbor_item_t* key = pairs[i].key;
        cbor_item_t* value = pairs[i].value;
        if (text_is(key, "connectionId")) {
            if (!cbor_isa_string(value)) return where + ": connectionId is not a text string";
            out.connection_id = cbor_string_content(value);
        } else if (text_is(key, "timestamp")) {
            if (cbor_isa_uint(value) && cbor_get_int(value) <= static_cast<uint64_t>(INT64_MAX)) {
                out.timestamp_ns = static_cast<int64_t>(cbor_get_int(value));
            } else if (cbor_isa_negint(value) && cbor_get_int(value) <= static_cast<uint64_t>(INT64_MAX)) {
                out.timestamp_ns = -1 - static_cast<int64_t>(cbor_get_int(value));
            } else {
                return where + ": timestamp is not a 64-bit integer";
            }
        } else if (text_is(key, "type")) {
            // Go's message type is an int32.
            if (!cbor_isa_uint(value) || cbor_get_int(value) > static_cast<uint64_t>(INT32_MAX)) {
                return where + ": type is not a message type number";
            }
            out.type = static_cast<uint32_t>(cbor_get_int(value));
            has_type = true;
        } else if (text_is(key, "payload")) {
            if (cbor_isa_map(value)) {
                out.payload = CborItem(cbor_incref(value));
            } else if (!cbor_is_null_or_undefined(value)) {
                return where + ": payload is neither a map nor null";
            }
        } else if (text_is(key, "channelId")) {
            if (cbor_isa_uint(value)) {
                out.channel_id = cbor_get_int(value);
            } else if (!cbor_is_null_or_undefined(value)) {
                return where + ": channelId is neither an unsigned integer nor null";
            }
        }
        // Other keys: a newer writer's additions, skipped.
    }
    if (!has_type) return where + " has no type";
    return {};
}

}  // namespace

std::string_view ending_name(Ending ending) {
    switch (ending) {
    case Ending::complete: return "complete";
    case Ending::unterminated: return "unterminated";
    case Ending::truncated: return "truncated";
    }
    return "truncated";
}

BinaryDecoder::BinaryDecoder(Sink sink)
    : sink_(std::move(sink)), scanner_(kMaxEntries, kMaxDepth), chunk_(kChunk) {}

BinaryDecoder::~BinaryDecoder() {
    if (inflating_) inflateEnd(&zs_);
}

void BinaryDecoder::fail(const std::string& what) const {
    throw DecodeError(what + " (after " + std::to_string(messages_) + " messages)");
}

void BinaryDecoder::feed(std::string_view bytes) {
    if (version_ == 0) {
        const std::size_t take = std::min(bytes.size(), binary_format::kHeaderLength - header_.size());
        header_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        if (header_.size() < binary_format::kHeaderLength) return;
        read_header();
    }
    if (!bytes.empty()) inflate_bytes(bytes);
}

void BinaryDecoder::read_header() {
    const std::string magic = binary_format::header(0).substr(0, binary_format::kMagicLength);
    if (header_.compare(0, binary_format::kMagicLength, magic) != 0) {
        throw DecodeError("not a ContainerSSH audit log: the file does not start with the magic \"" +
                          std::string(binary_format::kMagic) + "\"");
    }
    uint64_t version = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        version |= static_cast<uint64_t>(static_cast<unsigned char>(header_[binary_format::kMagicLength + i])) << (8 * i);
    }
    if (version != binary_format::kVersionArray && version != binary_format::kVersionSequence) {
        throw DecodeError("unsupported audit log format version " + std::to_string(version) +
                          " (this decoder reads versions 1 and 2)");
    }
    if (inflateInit2(&zs_, binary_format::kGzipWindowBits) != Z_OK) {
        throw DecodeError("cannot start gzip decompression (zlib inflateInit2 failed: out of memory)");
    }
    inflating_ = true;
    version_ = version;
}

void BinaryDecoder::inflate_bytes(std::string_view bytes) {
    while (!bytes.empty()) {
        const std::size_t step = std::min<std::size_t>(bytes.size(), std::numeric_limits<uInt>::max());
        zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));  // zlib is not const-correct
        zs_.avail_in = static_cast<uInt>(step);
        while (zs_.avail_in > 0) {
            if (gzip_ended_) {
                // More after a complete member: a concatenated gzip member,
                // which gzip readers (Go's among them) read as one stream.
                inflateReset(&zs_);
                gzip_ended_ = false;
            }
            zs_.next_out = chunk_.data();
            zs_.avail_out = static_cast<uInt>(chunk_.size());
            const uInt in_before = zs_.avail_in;
            const int rc = inflate(&zs_, Z_NO_FLUSH);
            const std::size_t produced = chunk_.size() - zs_.avail_out;
            pending_.append(reinterpret_cast<const char*>(chunk_.data()), produced);
            // What inflated before any damage is messages to deliver first.
            parse_pending();
            if (rc == Z_STREAM_END) {
                gzip_ended_ = true;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                fail(std::string("corrupt gzip stream: ") +
                     (zs_.msg != nullptr ? zs_.msg : "zlib error " + std::to_string(rc)));
            }
            if (produced == 0 && zs_.avail_in == in_before && rc != Z_STREAM_END) break;  // no progress
        }
        bytes.remove_prefix(step);
    }
}

bool BinaryDecoder::parse_v1_framing() {
    // Version 1 wraps the messages in one indefinite-length array: its head
    // before the first message, its break code after the last.
    struct Seen {
        bool array_start = false;
        bool brk = false;
    } seen;
    cbor_callbacks callbacks = cbor_empty_callbacks;
    callbacks.indef_array_start = [](void* c) { static_cast<Seen*>(c)->array_start = true; };
    callbacks.indef_break = [](void* c) { static_cast<Seen*>(c)->brk = true; };
    const auto* data = reinterpret_cast<const unsigned char*>(pending_.data()) + pos_;
    if (array_closed_) fail("data after the end of the version 1 message array");
    // One head byte decides; peek at it alone so a message head is not consumed.
    const cbor_decoder_result head = cbor_stream_decode(data, 1, &callbacks, &seen);
    if (!array_open_) {
        if (head.status != CBOR_DECODER_FINISHED || !seen.array_start) {
            fail("a version 1 audit log must hold one indefinite-length CBOR array of messages");
        }
        array_open_ = true;
        pos_ += head.read;
        return true;
    }
    if (head.status == CBOR_DECODER_FINISHED && seen.brk) {
        array_closed_ = true;
        pos_ += head.read;
        return true;
    }
    return false;
}

void BinaryDecoder::parse_pending() {
    while (pos_ < pending_.size()) {
        if (version_ == binary_format::kVersionArray && scanner_.item_size() == 0 && parse_v1_framing()) continue;
        const auto* data = reinterpret_cast<const unsigned char*>(pending_.data()) + pos_;
        const std::size_t size = pending_.size() - pos_;
        const auto result = scanner_.scan(data, size);
        if (result == CborItemScanner::Result::malformed) fail("malformed message: " + scanner_.why());
        if (result == CborItemScanner::Result::need_more) {
            if (size > kMaxMessageSize) {
                fail("a message is larger than " + std::to_string(kMaxMessageSize / (1024 * 1024)) + " MiB");
            }
            break;
        }
        const std::size_t item_size = scanner_.item_size();
        scanner_.reset();
        cbor_load_result loaded{};
        CborItem item(cbor_load(data, item_size, &loaded));
        if (!item || loaded.read != item_size) {
            fail("malformed CBOR message (libcbor error " + std::to_string(static_cast<int>(loaded.error.code)) +
                 " at byte " + std::to_string(loaded.error.position) + ")");
        }
        pos_ += item_size;
        deliver(std::move(item));
    }
    // The scanner's offsets count from pos_, so they survive this.
    if (pos_ >= kCompactAt || pos_ == pending_.size()) {
        pending_.erase(0, pos_);
        pos_ = 0;
    }
}

void BinaryDecoder::deliver(CborItem item) {
    DecodedMessage message;
    const std::string problem = read_message(item.get(), messages_ + 1, message);
    if (!problem.empty()) fail(problem);
    ++messages_;
    last_type_ = message.type;
    sink_(std::move(message));
}

Ending BinaryDecoder::finish() {
    if (version_ == 0) {
        throw DecodeError(header_.empty() ? std::string("the audit log is empty")
                                          : "the audit log is " + std::to_string(header_.size()) +
                                                " bytes, shorter than its " +
                                                std::to_string(binary_format::kHeaderLength) + "-byte header");
    }
    const bool partial_message = pos_ < pending_.size();
    if (gzip_ended_) {
        if (partial_message) fail("the gzip stream ends inside a message");
        // A v1 array whose break code is missing lost its end.
        if (version_ == binary_format::kVersionArray && !array_closed_) return Ending::truncated;
        return Ending::complete;
    }
    if (partial_message) return Ending::truncated;
    if (version_ == binary_format::kVersionArray) return array_closed_ ? Ending::unterminated : Ending::truncated;
    return last_type_ == CSH_AUDIT_DISCONNECT ? Ending::unterminated : Ending::truncated;
}

DecodeResult decode_recording(std::string_view bytes) {
    DecodeResult result;
    BinaryDecoder decoder([&](DecodedMessage&& message) { result.messages.push_back(std::move(message)); });
    try {
        decoder.feed(bytes);
        result.ending = decoder.finish();
    } catch (const DecodeError& error) {
        result.error = error.what();
    }
    result.version = decoder.version();
    return result;
}

}  // namespace audit_s3
