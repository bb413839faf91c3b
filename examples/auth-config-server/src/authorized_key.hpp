// An SSH public key as it appears in an authorized_keys line, reduced to what
// identifies it: the algorithm name and the base64 key blob.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace example_server {

struct AuthorizedKey {
    std::string type;  // "ssh-ed25519", "ecdsa-sha2-nistp256", …
    std::string blob;  // the base64 field, exactly as written

    bool operator==(const AuthorizedKey& other) const { return type == other.type && blob == other.blob; }
};

// "TYPE BASE64 [COMMENT…]": the comment (anything after the second field) is
// ignored, so "ssh-ed25519 AAAA… alice@laptop" matches ContainerSSH's
// "ssh-ed25519 AAAA…". nullopt when there are fewer than two fields or the
// second is not base64. authorized_keys options ("from=…") are not supported.
std::optional<AuthorizedKey> parse_authorized_key(std::string_view line);

}  // namespace example_server
