// ContainerSSH's binary recording, version 2 (reference §4.2): the 40-byte
// header, then one gzip stream holding one CBOR map per message, flushed
// (a sync flush) after each so a reader sees every message written so far.
// The stream is written by Intel's ISA-L (igzip), the fastest deflate that
// can flush mid-stream.
#pragma once

#include "format/cbor_buffer.hpp"
#include "format/encoder.hpp"
#include "format/json_to_cbor.hpp"

#include <isa-l/igzip_lib.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace audit_s3 {

class BinaryEncoder final : public Encoder {
public:
    BinaryEncoder();
    ~BinaryEncoder() override;
    BinaryEncoder(const BinaryEncoder&) = delete;
    BinaryEncoder& operator=(const BinaryEncoder&) = delete;

    void encode(const csh::sdk::AuditEvent& event, std::string& out) override;
    void finish(std::string& out) override;

private:
    void start(std::string& out);
    void build_message(const csh::sdk::AuditEvent& event);
    void put_field(const csh::sdk::AuditField& field);
    // Compresses `data` into `out` and flushes; `last` ends the gzip stream.
    void deflate_into(const unsigned char* data, std::size_t size, bool last, std::string& out);

    std::vector<uint8_t> level_buffer_;
    isal_zstream zs_{};
    bool started_ = false;
    bool finished_ = false;
    CborBuffer message_;  // reused: one message at a time
    JsonToCbor json_;
};

}  // namespace audit_s3
