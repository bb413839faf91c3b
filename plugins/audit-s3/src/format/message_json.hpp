// A decoded message as one line of JSON, in the shape of ContainerSSH's
// decoder: connectionId, timestamp, type, typeId, typeName, payload,
// channelId, in that order. Payload fields keep the order of the recording;
// byte strings are base64 (standard alphabet, padded), as Go's encoding/json
// writes []byte; strings are escaped the way Go escapes them.
#pragma once

#include "format/binary_decoder.hpp"

#include <string>

namespace audit_s3 {

// Appends the message as JSON, without a newline.
void append_message_json(std::string& out, const DecodedMessage& message);

// Appends any CBOR item as JSON: maps as objects (keys that are not text
// become their JSON text), byte strings as base64, tags as their content,
// undefined, simple values and non-finite floats as null.
void append_cbor_json(std::string& out, const cbor_item_t* item);

}  // namespace audit_s3
