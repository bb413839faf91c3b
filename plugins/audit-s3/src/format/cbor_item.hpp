// Ownership of libcbor items (reference counted, released with cbor_decref).
#pragma once

#include <cbor.h>

#include <memory>
#include <string>

namespace audit_s3 {

struct CborItemRelease {
    void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using CborItem = std::unique_ptr<cbor_item_t, CborItemRelease>;

// The content of a text or byte string item, definite or in chunks.
std::string cbor_string_content(const cbor_item_t* item);

// libcbor's cbor_is_null, cbor_is_undef and cbor_is_bool assert (abort) when
// given a float; these check that the item is a simple value first. Found by
// fuzz/corpus/audit_decoder/regression-float-payload-value.
bool cbor_is_null_or_undefined(const cbor_item_t* item);
bool cbor_is_boolean(const cbor_item_t* item);

}  // namespace audit_s3
