// A growable output buffer for libcbor's low-level cbor_encode_* functions,
// which write into caller memory and return 0 when it is too small. The
// encoder keeps one for its lifetime, so after the first large message no
// message allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace audit_s3 {

class CborBuffer {
public:
    void clear() { size_ = 0; }
    const unsigned char* data() const { return bytes_.data(); }
    std::size_t size() const { return size_; }

    void put_uint(uint64_t value);
    // Any int64: CBOR's major type 0 for >= 0, 1 (negative) below.
    void put_int(int64_t value);
    void put_bool(bool value);
    void put_null();
    void put_double(double value);
    void put_text(std::string_view text);
    void put_bytes(std::string_view bytes);
    void put_map_start(std::size_t pairs);
    void put_array_start(std::size_t items);

private:
    // Calls `encode(out, room)` until it fits (a 0 result means no room).
    template <typename Encode>
    void put(Encode encode);
    // libcbor writes only a string's head; the content follows it verbatim.
    void append_raw(std::string_view bytes);
    void reserve_more(std::size_t extra);

    std::vector<unsigned char> bytes_;
    std::size_t size_ = 0;
};

}  // namespace audit_s3
