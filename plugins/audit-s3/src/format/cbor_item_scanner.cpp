#include "format/cbor_item_scanner.hpp"

#include <cbor.h>

namespace audit_s3 {
namespace {

CborItemScanner& self(void* context) { return *static_cast<CborItemScanner*>(context); }

void item(void* c) { self(c).on_item(); }
void item_u8(void* c, uint8_t) { self(c).on_item(); }
void item_u16(void* c, uint16_t) { self(c).on_item(); }
void item_u32(void* c, uint32_t) { self(c).on_item(); }
void item_u64(void* c, uint64_t) { self(c).on_item(); }
void item_string(void* c, cbor_data, size_t) { self(c).on_item(); }
void item_float(void* c, float) { self(c).on_item(); }
void item_double(void* c, double) { self(c).on_item(); }
void item_bool(void* c, bool) { self(c).on_item(); }
void array(void* c, size_t count) { self(c).on_container(count); }
void map(void* c, size_t pairs) {
    // Twice the pairs; a count that overflows is refused by the limit.
    self(c).on_container(pairs > SIZE_MAX / 2 ? UINT64_MAX - 1 : static_cast<uint64_t>(pairs) * 2);
}
void indefinite(void* c) { self(c).on_indefinite(); }
void indef_break(void* c) { self(c).on_break(); }
void tag(void* c, uint64_t) { self(c).on_tag(); }

const cbor_callbacks kCallbacks = [] {
    cbor_callbacks callbacks = cbor_empty_callbacks;
    callbacks.uint8 = item_u8;
    callbacks.uint16 = item_u16;
    callbacks.uint32 = item_u32;
    callbacks.uint64 = item_u64;
    callbacks.negint8 = item_u8;
    callbacks.negint16 = item_u16;
    callbacks.negint32 = item_u32;
    callbacks.negint64 = item_u64;
    callbacks.byte_string = item_string;
    callbacks.string = item_string;
    callbacks.byte_string_start = indefinite;  // chunks follow, then a break
    callbacks.string_start = indefinite;
    callbacks.indef_array_start = indefinite;
    callbacks.array_start = array;
    callbacks.indef_map_start = indefinite;
    callbacks.map_start = map;
    callbacks.tag = tag;  // the next item completes it
    callbacks.float2 = item_float;
    callbacks.float4 = item_float;
    callbacks.float8 = item_double;
    callbacks.undefined = item;
    callbacks.null = item;
    callbacks.boolean = item_bool;
    callbacks.indef_break = indef_break;
    return callbacks;
}();

}  // namespace

void CborItemScanner::reset() {
    open_.clear();
    offset_ = 0;
    finished_ = false;
    why_.clear();
}

void CborItemScanner::on_item() {
    ++events_;
    // A finished item may finish its container, and that one its parent.
    while (!open_.empty()) {
        uint64_t& left = open_.back();
        if (left == kIndefinite) return;
        if (--left > 0) return;
        open_.pop_back();
    }
    finished_ = true;
}

void CborItemScanner::on_container(uint64_t count) {
    ++events_;
    if (count == 0) {
        on_item();
        return;
    }
    if (count > max_count_) {
        why_ = "a CBOR array or map declares " + std::to_string(count) + " entries, more than the limit of " +
               std::to_string(max_count_);
        return;
    }
    open_.push_back(count);
}

void CborItemScanner::on_indefinite() {
    ++events_;
    open_.push_back(kIndefinite);
}

void CborItemScanner::on_break() {
    ++events_;
    if (open_.empty() || open_.back() != kIndefinite) {
        why_ = "a CBOR break code outside an indefinite-length item";
        return;
    }
    open_.pop_back();
    on_item();  // the closed item is one item of its parent
}

CborItemScanner::Result CborItemScanner::scan(const unsigned char* data, std::size_t size) {
    while (!finished_) {
        if (offset_ >= size) return Result::need_more;
        events_ = 0;
        const cbor_decoder_result result = cbor_stream_decode(data + offset_, size - offset_, &kCallbacks, this);
        if (result.status == CBOR_DECODER_NEDATA) return Result::need_more;
        if (result.status != CBOR_DECODER_FINISHED || events_ == 0) {
            // Reserved head bytes, or a simple value libcbor does not model.
            why_ = "malformed CBOR item head at byte " + std::to_string(offset_) + " of the message";
            return Result::malformed;
        }
        if (!why_.empty()) return Result::malformed;
        if (open_.size() > max_depth_) {
            why_ = "CBOR items nested deeper than " + std::to_string(max_depth_);
            return Result::malformed;
        }
        offset_ += result.read;
    }
    return Result::complete;
}

}  // namespace audit_s3
