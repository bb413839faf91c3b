// The static users of auth-static, read from the `auth` configuration section:
//
//   auth:
//     password:  {method: static, static: {users: {alice: {password: "..."}}}}
//     publicKey: {method: static, static: {users: {alice: {authorizedKeys: ["ssh-ed25519 AAAA... alice@x"]}}}}
//     keyboardInteractive: {method: static, static: {users: {alice: {password: "...", code: "..."}}}}
//     authz:     {method: static, static: {deny: [mallory]}}
//
// A user entry may carry `password`, `code` and `authorizedKeys`, so one users
// map can be shared by all blocks (e.g. with a YAML anchor); each block only
// uses the fields of its own method (keyboard-interactive: password and code).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace auth_static {

struct StaticUser {
    bool has_password = false;
    std::string password;
    // The second keyboard-interactive answer.
    bool has_code = false;
    std::string code;
    // Normalised keys: "type base64", without options or comment.
    std::vector<std::string> authorized_keys;
};

struct StaticAuthConfig {
    bool password_enabled = false;
    std::map<std::string, StaticUser, std::less<>> password_users;
    bool public_key_enabled = false;
    std::map<std::string, StaticUser, std::less<>> public_key_users;
    bool keyboard_interactive_enabled = false;
    std::map<std::string, StaticUser, std::less<>> keyboard_interactive_users;
    bool authz_enabled = false;
    std::set<std::string, std::less<>> denied_users;

    // Throws csh::sdk::Error(AUTH_STATIC_CONFIG_INVALID) naming the key.
    static StaticAuthConfig parse(std::string_view auth_section_json);
};

// "type base64 [comment]" -> "type base64"; empty when the line has fewer
// than two fields.
std::string normalise_authorized_key(std::string_view line);

}  // namespace auth_static
