// The framing of ContainerSSH's binary recording (reference §4.2): a 40-byte
// header, then one gzip stream of CBOR. Shared by the encoder and the decoder
// so both agree on every constant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace audit_s3::binary_format {

// The magic text, NUL-padded to kMagicLength bytes.
inline constexpr std::string_view kMagic = "ContainerSSH-Auditlog";
inline constexpr std::size_t kMagicLength = 32;
// Magic plus the uint64 little-endian version.
inline constexpr std::size_t kHeaderLength = kMagicLength + 8;

// Version 1: the gzip stream holds one indefinite-length CBOR array of
// messages. Version 2: a sequence of CBOR maps, one per message, with a
// gzip flush after each. We write 2 and read both.
inline constexpr uint64_t kVersionArray = 1;
inline constexpr uint64_t kVersionSequence = 2;
inline constexpr uint64_t kCurrentVersion = kVersionSequence;

// zlib's windowBits for a gzip wrapper (15-bit window + 16).
inline constexpr int kGzipWindowBits = 15 + 16;

// The 40 header bytes of `version`.
std::string header(uint64_t version);

}  // namespace audit_s3::binary_format
