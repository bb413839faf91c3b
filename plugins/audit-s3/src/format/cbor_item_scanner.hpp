// Finds where the next CBOR data item ends in a buffer that may not hold all
// of it yet, reading only item heads (libcbor's streaming decoder), and
// refuses what would make cbor_load expensive or deep before it runs:
// libcbor allocates a definite array or map for its declared size up front,
// so a 9-byte head could ask for gigabytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace audit_s3 {

class CborItemScanner {
public:
    enum class Result { complete, need_more, malformed };

    // Limits: a declared count above `max_count` or nesting deeper than
    // `max_depth` is malformed (why() says which).
    CborItemScanner(uint64_t max_count, std::size_t max_depth) : max_count_(max_count), max_depth_(max_depth) {}

    // Scans data[0, size), resuming where the previous call stopped (the
    // buffer may have grown; its start must not move). On complete,
    // item_size() is the item's length; call reset() before the next item.
    Result scan(const unsigned char* data, std::size_t size);
    std::size_t item_size() const { return offset_; }
    const std::string& why() const { return why_; }
    void reset();

    // Callback entry points (public for the C callback table).
    void on_item();
    void on_container(uint64_t count);
    void on_indefinite();
    void on_break();
    void on_tag() { ++events_; }

private:
    static constexpr uint64_t kIndefinite = UINT64_MAX;

    uint64_t max_count_;
    std::size_t max_depth_;
    std::vector<uint64_t> open_;  // items left in each open container
    std::size_t offset_ = 0;
    bool finished_ = false;
    int events_ = 0;  // callbacks run by the last head: 0 means libcbor skipped it
    std::string why_;
};

}  // namespace audit_s3
