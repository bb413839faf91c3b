// Payload fields of type JSON (nested values: keyboard-interactive questions
// and answers, metadata and environment maps) become the equivalent CBOR
// structure, as ContainerSSH's Go structs are encoded: objects as maps with
// text keys, arrays as arrays, numbers as ints (or doubles), strings as text.
#pragma once

#include "format/cbor_buffer.hpp"

#include <simdjson.h>

#include <string_view>

namespace audit_s3 {

class JsonToCbor {
public:
    // Appends the CBOR form of `json` to `out`; false (and nothing written)
    // when the text is not JSON, so the caller can still record it as text.
    bool convert(std::string_view json, CborBuffer& out);

private:
    simdjson::dom::parser parser_;  // kept: its buffers are reused
};

}  // namespace audit_s3
