// The fields of a ContainerSSH 0.5 webhook request this server reads. Every
// endpoint receives the connection metadata; password and pubkey add their
// credential. Fields the server does not use are ignored, so newer
// ContainerSSH versions that send more keep working.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace example_server {

struct WebhookRequest {
    std::string connection_id;
    std::string remote_address;
    std::string username;
    std::string authenticated_username;
    std::string password_base64;  // a secret: never logged
    std::string public_key;

    // Who the authz and config endpoints are about: the authenticated
    // identity, or the SSH username when authentication did not set one.
    const std::string& identity() const {
        return authenticated_username.empty() ? username : authenticated_username;
    }
};

// Not a request this server can answer; the message says why (never quoting
// the body, which may hold a password).
class RequestDecodeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses a JSON object; a field present with a type other than string is an
// error. Which fields are required is up to the endpoint.
WebhookRequest parse_webhook_request(std::string_view body);

}  // namespace example_server
