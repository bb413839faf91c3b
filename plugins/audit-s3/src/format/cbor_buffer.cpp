#include "format/cbor_buffer.hpp"

#include <cbor.h>

#include <cstring>

namespace audit_s3 {
namespace {
// Room for any CBOR head (1 + 8 bytes) with some to spare.
constexpr std::size_t kHeadRoom = 16;
}  // namespace

void CborBuffer::reserve_more(std::size_t extra) {
    if (bytes_.size() - size_ >= extra) return;
    std::size_t grown = bytes_.empty() ? 4096 : bytes_.size() * 2;
    while (grown - size_ < extra) grown *= 2;
    bytes_.resize(grown);
}

template <typename Encode>
void CborBuffer::put(Encode encode) {
    reserve_more(kHeadRoom);
    std::size_t written = encode(bytes_.data() + size_, bytes_.size() - size_);
    if (written == 0) {  // cannot happen with kHeadRoom free; stay correct anyway
        reserve_more(bytes_.size() + kHeadRoom);
        written = encode(bytes_.data() + size_, bytes_.size() - size_);
    }
    size_ += written;
}

void CborBuffer::append_raw(std::string_view bytes) {
    if (bytes.empty()) return;
    reserve_more(bytes.size());
    std::memcpy(bytes_.data() + size_, bytes.data(), bytes.size());
    size_ += bytes.size();
}

void CborBuffer::put_uint(uint64_t value) {
    put([&](unsigned char* out, std::size_t room) { return cbor_encode_uint(value, out, room); });
}

void CborBuffer::put_int(int64_t value) {
    if (value >= 0) {
        put_uint(static_cast<uint64_t>(value));
        return;
    }
    // CBOR stores -1 - n; for value < 0 that n is ~value, without overflow.
    const uint64_t n = ~static_cast<uint64_t>(value);
    put([&](unsigned char* out, std::size_t room) { return cbor_encode_negint(n, out, room); });
}

void CborBuffer::put_bool(bool value) {
    put([&](unsigned char* out, std::size_t room) { return cbor_encode_bool(value, out, room); });
}

void CborBuffer::put_null() {
    put([](unsigned char* out, std::size_t room) { return cbor_encode_null(out, room); });
}

void CborBuffer::put_double(double value) {
    put([&](unsigned char* out, std::size_t room) { return cbor_encode_double(value, out, room); });
}

void CborBuffer::put_text(std::string_view text) {
    put([&](unsigned char* out, std::size_t room) { return cbor_encode_string_start(text.size(), out, room); });
    append_raw(text);
}

void CborBuffer::put_bytes(std::string_view bytes) {
    put([&](unsigned char* out, std::size_t room) { return cbor_encode_bytestring_start(bytes.size(), out, room); });
    append_raw(bytes);
}

void CborBuffer::put_map_start(std::size_t pairs) {
    put([&](unsigned char* out, std::size_t room) { return cbor_encode_map_start(pairs, out, room); });
}

void CborBuffer::put_array_start(std::size_t items) {
    put([&](unsigned char* out, std::size_t room) { return cbor_encode_array_start(items, out, room); });
}

}  // namespace audit_s3
