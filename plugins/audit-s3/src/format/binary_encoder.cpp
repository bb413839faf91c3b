#include "format/binary_encoder.hpp"

#include "format/binary_format.hpp"

#include <limits>
#include <stdexcept>
#include <string>

namespace audit_s3 {
namespace {

// Level 1, measured (64 KiB messages, Z_SYNC_FLUSH after each, one core of
// these machines, zlib 1.2.13): text 161 MB/s at ratio 0.235, against
// 51 MB/s at 0.196 for level 6 and 113 MB/s at 0.220 for level 3; random
// bytes 54 MB/s at every level from 1 to 6, 3.2 GB/s stored (level 0).
// Level 6 would cost three times the CPU for 17% smaller text recordings, on
// the connection's strand at up to ~250 MB/s of session output; so 1, and
// incompressible output (compressed archives, encrypted data, media) is
// detected and written stored, which is what keeps bulk transfers near
// memory speed.
constexpr int kLevel = 1;
constexpr int kStoredLevel = 0;
// zlib's default memLevel: 256 KiB of state per recording.
constexpr int kMemLevel = 8;

// A message is judged only when large enough for the ratio to mean
// something; one that shrinks by less than 1/32 is incompressible.
constexpr std::size_t kJudgedSize = 16 * 1024;
bool incompressible(std::size_t raw, std::size_t compressed) { return compressed > raw - raw / 32; }
// After an incompressible message, this many bytes go stored before level
// 1 is tried again on the next one (the output may have changed).
constexpr uint64_t kStoredRun = 8 * 1024 * 1024;

}  // namespace

BinaryEncoder::BinaryEncoder() : level_(kLevel) {
    if (deflateInit2(&zs_, level_, Z_DEFLATED, binary_format::kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("cannot start the recording's gzip stream (zlib deflateInit2 failed: out of memory)");
    }
}

BinaryEncoder::~BinaryEncoder() { deflateEnd(&zs_); }

void BinaryEncoder::start(std::string& out) {
    out += binary_format::header(binary_format::kCurrentVersion);
    started_ = true;
}

void BinaryEncoder::encode(const csh::sdk::AuditEvent& event, std::string& out) {
    if (finished_) throw std::logic_error("audit event after the end of the binary recording");
    if (!started_) start(out);
    build_message(event);
    const std::size_t before = out.size();
    deflate_into(message_.data(), message_.size(), Z_SYNC_FLUSH, out);
    adapt_level(message_.size(), out.size() - before, out);
}

void BinaryEncoder::finish(std::string& out) {
    if (finished_) return;
    // An empty recording is still a valid one: header and an empty stream.
    if (!started_) start(out);
    deflate_into(nullptr, 0, Z_FINISH, out);
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

void BinaryEncoder::deflate_into(const unsigned char* data, std::size_t size, int flush, std::string& out) {
    if (size > std::numeric_limits<uInt>::max()) {
        throw std::length_error("audit message of " + std::to_string(size) + " bytes is too large to record");
    }
    zs_.next_in = const_cast<Bytef*>(data);  // zlib's API is not const-correct
    zs_.avail_in = static_cast<uInt>(size);
    std::size_t used = out.size();
    for (;;) {
        const std::size_t room = deflateBound(&zs_, zs_.avail_in) + 64;
        out.resize(used + room);
        zs_.next_out = reinterpret_cast<Bytef*>(&out[used]);
        zs_.avail_out = static_cast<uInt>(room);
        const int rc = deflate(&zs_, flush);
        used += room - zs_.avail_out;
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            out.resize(used);
            throw std::runtime_error("gzip compression of the recording failed (zlib deflate returned " +
                                     std::to_string(rc) + ")");
        }
        // A flush is complete when deflate left output room unused.
        if (flush != Z_FINISH && zs_.avail_in == 0 && zs_.avail_out != 0) break;
    }
    out.resize(used);
    zs_.next_out = nullptr;
    zs_.avail_out = 0;
}

void BinaryEncoder::adapt_level(std::size_t raw, std::size_t compressed, std::string& out) {
    if (level_ == kStoredLevel) {
        stored_budget_ = raw >= stored_budget_ ? 0 : stored_budget_ - raw;
        if (stored_budget_ == 0) set_level(kLevel, out);
        return;
    }
    if (raw >= kJudgedSize && incompressible(raw, compressed)) {
        stored_budget_ = kStoredRun;
        set_level(kStoredLevel, out);
    }
}

void BinaryEncoder::set_level(int level, std::string& out) {
    // Called right after a Z_SYNC_FLUSH, so nothing is pending and zlib
    // writes nothing here; the scratch buffer is only its required output.
    unsigned char scratch[64];
    zs_.next_out = scratch;
    zs_.avail_out = sizeof scratch;
    const int rc = deflateParams(&zs_, level, Z_DEFAULT_STRATEGY);
    out.append(reinterpret_cast<const char*>(scratch), sizeof scratch - zs_.avail_out);
    zs_.next_out = nullptr;
    zs_.avail_out = 0;
    if (rc == Z_OK) level_ = level;  // else keep compressing as before: still correct
}

}  // namespace audit_s3
