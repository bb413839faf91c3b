#include "format/binary_encoder.hpp"

#include "format/binary_format.hpp"

#include <limits>
#include <stdexcept>
#include <string>

namespace audit_s3 {
namespace {

// ISA-L's igzip at its level 1, measured on these machines (32 KiB messages,
// a sync flush after each): 0.14 s of CPU per GiB for zeros, text or random
// bytes alike, where zlib's level 1 took 1.46 s per GiB of zeros and 4.6 s
// per GiB of text. The encoder runs on the connection's strand, in the path
// of every byte the session moves, so that difference is the session's
// throughput (docs/performance.md, "Audit recording"). The output is an
// ordinary gzip stream that zlib and Go's gzip read.
constexpr uint32_t kLevel = 1;
// The small level-1 buffer: 4 KiB and the hash table plus 64 KiB of tokens,
// a fifth of ISA-L's default, for little speed.
constexpr std::size_t kLevelBufferSize = ISAL_DEF_LVL1_SMALL;

}  // namespace

BinaryEncoder::BinaryEncoder() : level_buffer_(kLevelBufferSize) {
    isal_deflate_init(&zs_);
    zs_.level = kLevel;
    zs_.level_buf = level_buffer_.data();
    zs_.level_buf_size = static_cast<uint32_t>(level_buffer_.size());
    zs_.gzip_flag = IGZIP_GZIP;
    zs_.flush = SYNC_FLUSH;
}

BinaryEncoder::~BinaryEncoder() = default;

void BinaryEncoder::start(std::string& out) {
    out += binary_format::header(binary_format::kCurrentVersion);
    started_ = true;
}

void BinaryEncoder::encode(const csh::sdk::AuditEvent& event, std::string& out) {
    if (finished_) throw std::logic_error("audit event after the end of the binary recording");
    if (!started_) start(out);
    build_message(event);
    deflate_into(message_.data(), message_.size(), false, out);
}

void BinaryEncoder::finish(std::string& out) {
    if (finished_) return;
    // An empty recording is still a valid one: header and an empty stream.
    if (!started_) start(out);
    deflate_into(nullptr, 0, true, out);
    finished_ = true;
}

void BinaryEncoder::build_message(const csh::sdk::AuditEvent& event) {
    // Keys and order of ContainerSSH's message struct.
    message_.clear();
    message_.put_map_start(5);
    message_.put_text("connectionId");
    message_.put_text(event.connection_id());
    message_.put_text("timestamp");
    message_.put_int(event.timestamp_ns());
    message_.put_text("type");
    message_.put_uint(event.type());
    message_.put_text("payload");
    if (event.field_count() == 0) {
        message_.put_null();
    } else {
        message_.put_map_start(event.field_count());
        for (std::size_t i = 0; i < event.field_count(); ++i) put_field(event.field(i));
    }
    message_.put_text("channelId");
    if (const auto channel = event.channel_id()) {
        message_.put_uint(static_cast<uint64_t>(*channel));
    } else {
        message_.put_null();
    }
}

void BinaryEncoder::put_field(const csh::sdk::AuditField& field) {
    message_.put_text(field.key());
    switch (field.type()) {
    case CSH_AUDIT_VALUE_STRING:
        message_.put_text(field.string());
        return;
    case CSH_AUDIT_VALUE_BYTES:
        message_.put_bytes(field.bytes());
        return;
    case CSH_AUDIT_VALUE_INT:
        message_.put_int(field.int_value());
        return;
    case CSH_AUDIT_VALUE_UINT:
        message_.put_uint(field.uint_value());
        return;
    case CSH_AUDIT_VALUE_BOOL:
        message_.put_bool(field.bool_value());
        return;
    case CSH_AUDIT_VALUE_JSON:
        // A host bug must not lose the message: text that is not JSON is
        // recorded as it came.
        if (!json_.convert(field.string(), message_)) message_.put_text(field.string());
        return;
    default:
        // A value type newer than this plugin: the key stays, marked unknown.
        message_.put_null();
        return;
    }
}

void BinaryEncoder::deflate_into(const unsigned char* data, std::size_t size, bool last, std::string& out) {
    if (size > std::numeric_limits<uint32_t>::max()) {
        throw std::length_error("audit message of " + std::to_string(size) + " bytes is too large to record");
    }
    zs_.next_in = const_cast<uint8_t*>(data);  // ISA-L's API is not const-correct
    zs_.avail_in = static_cast<uint32_t>(size);
    zs_.end_of_stream = last ? 1 : 0;
    std::size_t used = out.size();
    for (;;) {
        // Stored blocks bound the output: the input plus 5 bytes per 64 KiB,
        // the flush, the gzip header and trailer.
        const std::size_t room = size + size / 8192 + 256;
        out.resize(used + room);
        zs_.next_out = reinterpret_cast<uint8_t*>(&out[used]);
        zs_.avail_out = static_cast<uint32_t>(room);
        const int rc = isal_deflate(&zs_);
        used += room - zs_.avail_out;
        if (rc != COMP_OK) {
            out.resize(used);
            throw std::runtime_error("gzip compression of the recording failed (isal_deflate returned " +
                                     std::to_string(rc) + ")");
        }
        // Done when the input is taken and output room was left over (the
        // flush, or the end of the stream, is then written completely).
        const bool ended = !last || zs_.internal_state.state == ZSTATE_END;
        if (zs_.avail_in == 0 && zs_.avail_out != 0 && ended) break;
    }
    out.resize(used);
    zs_.next_out = nullptr;
    zs_.avail_out = 0;
}

}  // namespace audit_s3
