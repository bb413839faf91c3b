// Reading recordings of the audit-s3 plugin the way an operator does: with
// containerssh-auditlog-decoder, the program we ship for it.
#pragma once

#include "process.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace csh::test {

// One message as the decoder prints it (one JSON object per line).
struct DecodedMessage {
    int type = -1;
    std::string type_id;
    std::optional<int64_t> channel;
    std::string connection_id;
    int64_t timestamp = 0;
    std::string payload_json;  // the payload object as JSON text ("null" when none)
    std::string line;          // the whole line
};

struct Decoded {
    RunResult run;
    std::vector<DecodedMessage> messages;
};

std::string decoder_binary();
// Runs the decoder on a binary recording.
Decoded decode_recording(const std::string& file);
// The concatenated `data` (base64 in the decoder's JSON) of io messages of `stream`.
std::string io_bytes(const Decoded& decoded, int stream);
// The message types in order.
std::vector<int> message_types(const Decoded& decoded);
// True when `expected` appears in `types` in this order (other types may sit between).
bool in_order(const std::vector<int>& types, const std::vector<int>& expected);
// The payload's string field `key` of the first message of `type`, or nullopt.
std::optional<std::string> payload_string(const Decoded& decoded, int type, const std::string& key);
// gunzip of a binary recording's body (after the 40-byte header).
std::string inflate_body(const std::string& recording);

}  // namespace csh::test
