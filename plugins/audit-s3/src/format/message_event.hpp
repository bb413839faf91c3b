// A decoded message seen as the audit event it was made from, so the
// encoders (the asciicast export of the decoder tool) can run on recordings.
// Payload values map back to field types: text -> STRING, bytes -> BYTES,
// unsigned -> UINT, negative -> INT, bool -> BOOL, anything else (arrays,
// maps) -> JSON text.
#pragma once

#include "format/binary_decoder.hpp"

#include <containerssh/sdk/audit.hpp>

#include <deque>
#include <string>
#include <vector>

namespace audit_s3 {

class MessageEvent {
public:
    // `message` must outlive this object (its strings are borrowed).
    explicit MessageEvent(const DecodedMessage& message);
    MessageEvent(const MessageEvent&) = delete;
    MessageEvent& operator=(const MessageEvent&) = delete;

    csh::sdk::AuditEvent event() const { return csh::sdk::AuditEvent(raw_); }

private:
    csh_str keep(std::string text);

    std::deque<std::string> texts_;  // stable addresses for the views below
    std::vector<csh_audit_field> fields_;
    csh_audit_event raw_{};
};

}  // namespace audit_s3
