// Reading ContainerSSH 0.5's webhook responses (reference §3.6, §3.7).
// Unlike ContainerSSH, a field we do not know is accepted (and reported, so
// the caller can log it at debug level): auth servers written for newer or
// patched versions keep working.
#pragma once

#include <containerssh/sdk/metadata.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace csh::webhook {

// The body is not JSON, or a known field has the wrong type. The message
// names the field and what was expected, never a value.
class DecodeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What `metadata`, `environment`, `files` and `authenticatedUsername` of any
// response carry. File values arrive base64-encoded and are decoded here.
struct MetadataUpdate {
    std::string authenticated_username;  // empty: keep the current one
    sdk::Metadata items;
    std::vector<std::string> unknown_fields;  // top-level names we do not know

    // "a, b, c": the unknown field names for a log line.
    std::string unknown_field_list() const;
};

// POST /password, /pubkey, /authz. A missing `success` means false, as in
// ContainerSSH's decoder.
struct AuthResponse {
    bool success = false;
    MetadataUpdate update;
};
AuthResponse parse_auth_response(std::string_view body);

// The configuration server. `config_json` is the `config` object as compact
// JSON ("{}" when absent or null).
struct ConfigResponse {
    std::string config_json = "{}";
    MetadataUpdate update;
};
ConfigResponse parse_config_response(std::string_view body);

}  // namespace csh::webhook
