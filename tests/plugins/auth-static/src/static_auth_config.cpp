#include "static_auth_config.hpp"

#include "messages.hpp"

#include <containerssh/sdk/json_config.hpp>

#include <algorithm>
#include <optional>

namespace auth_static {

using csh::sdk::ConfigNode;

std::string normalise_authorized_key(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t pos = 0;
    while (fields.size() < 2) {
        pos = line.find_first_not_of(" \t", pos);
        if (pos == std::string_view::npos) break;
        const size_t end = std::min(line.find_first_of(" \t", pos), line.size());
        fields.push_back(line.substr(pos, end - pos));
        pos = end;
    }
    if (fields.size() < 2) return {};
    return std::string(fields[0]) + " " + std::string(fields[1]);
}

namespace {

StaticUser parse_user(const ConfigNode& node) {
    node.allow_only({"password", "code", "authorizedKeys"});
    StaticUser user;
    if (auto password = node.get("password")) {
        user.has_password = true;
        user.password = password->as_string();
    }
    if (auto code = node.get("code")) {
        user.has_code = true;
        user.code = code->as_string();
    }
    if (auto keys = node.get("authorizedKeys")) {
        const std::vector<std::string> lines = keys->as_string_list();
        for (size_t i = 0; i < lines.size(); ++i) {
            std::string key = normalise_authorized_key(lines[i]);
            if (key.empty()) {
                keys->fail("entry " + std::to_string(i) + " is not an authorized_keys line (\"type base64 [comment]\")");
            }
            user.authorized_keys.push_back(std::move(key));
        }
    }
    return user;
}

// The block's `static` settings when its `method` is "static".
std::optional<ConfigNode> static_block(const ConfigNode& auth, std::string_view method_key) {
    auto block = auth.get(method_key);
    if (!block || block->string("method", "") != "static") return std::nullopt;
    auto settings = block->get("static");
    if (!settings) block->fail("method is static but the static block is missing");
    return settings;
}

std::map<std::string, StaticUser, std::less<>> parse_users(const ConfigNode& settings) {
    settings.allow_only({"users"});
    std::map<std::string, StaticUser, std::less<>> users;
    auto list = settings.get("users");
    if (!list) settings.fail("users is missing");
    for (const auto& [name, node] : list->members()) users[name] = parse_user(node);
    return users;
}

}  // namespace

StaticAuthConfig StaticAuthConfig::parse(std::string_view auth_section_json) {
    csh::sdk::JsonConfig document(auth_section_json, codes::AUTH_STATIC_CONFIG_INVALID, "auth");
    const ConfigNode auth = document.root();
    if (!auth.is_object()) auth.fail("the auth section is missing");

    StaticAuthConfig config;
    if (auto settings = static_block(auth, "password")) {
        config.password_enabled = true;
        config.password_users = parse_users(*settings);
    }
    if (auto settings = static_block(auth, "publicKey")) {
        config.public_key_enabled = true;
        config.public_key_users = parse_users(*settings);
    }
    if (auto settings = static_block(auth, "keyboardInteractive")) {
        config.keyboard_interactive_enabled = true;
        config.keyboard_interactive_users = parse_users(*settings);
    }
    if (auto settings = static_block(auth, "authz")) {
        settings->allow_only({"deny"});
        config.authz_enabled = true;
        for (auto& name : settings->string_list("deny", {})) config.denied_users.insert(std::move(name));
    }
    if (!config.password_enabled && !config.public_key_enabled && !config.keyboard_interactive_enabled &&
        !config.authz_enabled) {
        auth.fail("none of password.method, publicKey.method, keyboardInteractive.method and authz.method "
                  "is \"static\"");
    }
    return config;
}

}  // namespace auth_static
