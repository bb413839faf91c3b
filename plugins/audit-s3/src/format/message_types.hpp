// The machine-readable id and the human-readable name of each audit message
// type, as ContainerSSH's decoder prints them (typeId, typeName).
#pragma once

#include <cstdint>
#include <string_view>

namespace audit_s3 {

struct MessageTypeNames {
    std::string_view id;
    std::string_view name;
};

// "invalid"/"invalid" for a number that is no message type (as ContainerSSH).
// ContainerSSH also prints "invalid" for 198 and 199, which its table
// forgets; we name them handshake_failed and handshake_successful.
MessageTypeNames message_type_names(uint32_t type);

}  // namespace audit_s3
