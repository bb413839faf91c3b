// One audit event as one line of JSON:
//   {"connectionId":"…","type":403,"timestamp":…,"channelId":0,"payload":{"program":"ls"}}
// channelId is null for connection-level events; bytes values are base64;
// JSON values are embedded as they are when valid, else as a string.
#pragma once

#include <containerssh/sdk/audit.hpp>

#include <string>
#include <string_view>

namespace audit_recorder {

// `fallback_connection_id` is used when the event carries none.
std::string event_to_json_line(const csh::sdk::AuditEvent& event, std::string_view fallback_connection_id);

}  // namespace audit_recorder
