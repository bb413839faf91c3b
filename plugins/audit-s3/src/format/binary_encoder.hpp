// ContainerSSH's binary recording, version 2 (reference §4.2): the 40-byte
// header, then one gzip stream holding one CBOR map per message, flushed
// (Z_SYNC_FLUSH) after each so a reader sees every message written so far.
#pragma once

#include "format/cbor_buffer.hpp"
#include "format/encoder.hpp"
#include "format/json_to_cbor.hpp"

#include <zlib.h>

#include <cstddef>
#include <cstdint>

namespace audit_s3 {

class BinaryEncoder final : public Encoder {
public:
    BinaryEncoder();
    ~BinaryEncoder() override;
    BinaryEncoder(const BinaryEncoder&) = delete;
    BinaryEncoder& operator=(const BinaryEncoder&) = delete;

    void encode(const csh::sdk::AuditEvent& event, std::string& out) override;
    void finish(std::string& out) override;

    // The zlib level in use now (tests watch the adaptation).
    int level() const { return level_; }

private:
    void start(std::string& out);
    void build_message(const csh::sdk::AuditEvent& event);
    void put_field(const csh::sdk::AuditField& field);
    void deflate_into(const unsigned char* data, std::size_t size, int flush, std::string& out);
    void adapt_level(std::size_t raw, std::size_t compressed, std::string& out);
    void set_level(int level, std::string& out);

    z_stream zs_{};
    bool started_ = false;
    bool finished_ = false;
    int level_;
    // Bytes still to write stored (level 0) before probing level 1 again.
    uint64_t stored_budget_ = 0;
    CborBuffer message_;  // reused: one message at a time
    JsonToCbor json_;
};

}  // namespace audit_s3
