#include "config/secrets.hpp"

#include <containerssh/sdk/pem_source.hpp>

#include "config/scalar.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace csh::config::detail {
namespace {

bool has_secret_name(std::string_view key) {
    std::string name(key);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    // A registry credential's `auth` (Docker's AuthConfig, in
    // docker.execution.auth) is base64 of user:password.
    if (name == "auth") return true;
    for (std::string_view word : {"password", "passwd", "secret", "token", "credential", "privatekey", "apikey",
                                  "accesskey"}) {
        if (name.find(word) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

bool must_redact(const schema::Node* node, std::string_view key, const Value& scalar) {
    if (!scalar.is_scalar() || scalar.text.empty()) return false;
    // A private key is a secret wherever it is written.
    if (scalar.text.find("PRIVATE KEY-----") != std::string::npos) return true;
    if (node == nullptr || node->type == schema::Type::free_form) {
        // A plain true/false is a switch, not a secret, whatever its name
        // says (Kubernetes' automountServiceAccountToken).
        if (!scalar.quoted && parse_bool(scalar).has_value()) return false;
        return has_secret_name(key);
    }
    switch (node->secret) {
        case schema::Secret::yes:
            return true;
        case schema::Secret::if_pem:
            return sdk::is_inline_pem(scalar.text);
        case schema::Secret::no:
            return false;
    }
    return false;
}

}  // namespace csh::config::detail
