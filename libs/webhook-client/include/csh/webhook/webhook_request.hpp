// The JSON bodies of ContainerSSH 0.5's webhook requests (reference §3):
// the common connection object, then what each endpoint adds. Field names
// and omission rules are the wire contract with existing auth and config
// servers; change nothing here without checking them.
#pragma once

#include <containerssh/sdk/connection_info.hpp>

#include <string>
#include <string_view>

namespace csh::webhook {

// Whether items marked `sensitive` go out with a request. They are withheld
// unless the operator sets configserver.transmitSensitiveMetadata.
enum class SensitiveItems { withhold, transmit };

// Thrown when a value cannot travel as a JSON string (it is not UTF-8).
// The message names the field, never the value.
class EncodeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// POST {url}/password: the connection fields and `passwordBase64`.
std::string password_request(const sdk::ConnectionInfo& connection, std::string_view password,
                             SensitiveItems sensitive);

// POST {url}/pubkey: the connection fields and `publicKey` (an authorized_keys
// line without comment).
std::string public_key_request(const sdk::ConnectionInfo& connection, std::string_view authorized_key,
                               SensitiveItems sensitive);

// POST {url}/authz and the configuration server: the connection fields with
// `authenticatedUsername`.
std::string authenticated_request(const sdk::ConnectionInfo& connection, SensitiveItems sensitive);

}  // namespace csh::webhook
