#include "config/legacy_format.hpp"

#include "config/config_error.hpp"
#include "config/containerssh_schema.hpp"
#include "config/fail.hpp"
#include "config/scalar.hpp"
#include "config/schema_check.hpp"

namespace csh::config::detail {
namespace {

void refuse_removed_keys(const Value& root) {
    if (const Entry* listen = root.find("listen")) {
        fail_at(listen->key_position, "listen",
                "the root key \"listen\" moved to ssh.listen in ContainerSSH 0.4; write it as "
                "\"ssh: {listen: <address>}\"");
    }
    // dockerrun is refused. kuberun still runs: ContainerSSH 0.4 mapped it
    // onto the kubernetes backend, and the plugin providing
    // backend/kubernetes does the same with the kuberun section
    // (required_providers.cpp).
    const std::string problem =
        "the dockerrun backend was removed in ContainerSSH 0.5; use \"backend: docker\" with a \"docker\" "
        "section (https://containerssh.io/deprecations/dockerrun/)";
    if (const Entry* section = root.find("dockerrun")) fail_at(section->key_position, "dockerrun", problem);
    const Value* backend = root.get("backend");
    if (backend != nullptr && backend->is_scalar() && backend->text == "dockerrun") {
        fail_at(backend->position, "backend", problem);
    }
}

bool is_legacy_http_key(std::string_view key) { return auth_webhook_schema().field(key) != nullptr; }

// `auth.password` or `auth.pubkey` as 0.4 wrote them: a boolean, "not set" = true.
bool legacy_switch(const Entry* entry, std::string_view path) {
    if (entry == nullptr || entry->value->is_null()) return true;
    auto on = parse_bool(*entry->value);
    if (!on) {
        // The value is not repeated: someone may have written a password here.
        fail_at(entry->value->position, std::string(path),
                "expected true or false (ContainerSSH 0.4 format) or, for auth.password, a mapping");
    }
    return *on;
}

ValuePtr webhook_block(const ValuePtr& legacy_client) {
    return make_mapping({
        Entry{"method", {}, make_scalar("webhook", true)},
        Entry{"webhook", {}, legacy_client},
    });
}

ValuePtr upgrade_auth(const Value& auth, std::vector<std::string>& notes) {
    const Entry* password = auth.find("password");
    const bool password_is_legacy = password != nullptr && password->value->is_scalar();
    const Entry* pubkey = auth.find("pubkey");

    std::vector<Entry> client_entries;
    std::vector<Entry> current_entries;
    const Entry* first_legacy = password_is_legacy ? password : pubkey;
    for (const Entry& entry : auth.entries) {
        if (is_legacy_http_key(entry.key)) {
            client_entries.push_back(entry);
            if (first_legacy == nullptr) first_legacy = &entry;
        } else if (&entry != pubkey && !(password_is_legacy && &entry == password)) {
            current_entries.push_back(entry);
        }
    }
    if (first_legacy == nullptr) return nullptr;

    ValuePtr legacy_client = make_mapping(client_entries, auth.position);
    check_against_schema(auth_webhook_schema(), *legacy_client, "auth");
    const bool password_on = legacy_switch(password_is_legacy ? password : nullptr, "auth.password");
    const bool pubkey_on = legacy_switch(pubkey, "auth.pubkey");
    const Value* url = legacy_client->get("url");
    const bool has_url = url != nullptr && url->is_scalar() && !url->text.empty();

    ValuePtr upgraded = make_mapping(std::move(current_entries), auth.position);
    std::string applied;
    for (auto [block, on] : {std::pair<const char*, bool>{"password", password_on}, {"publicKey", pubkey_on}}) {
        if (!has_url || !on) continue;
        const Value* current = upgraded->get(block);
        if (current != nullptr && current->is_mapping() && !current->entries.empty()) continue;  // current format wins
        upgraded = with_entry(upgraded, block, webhook_block(legacy_client));
        applied += applied.empty() ? "" : " and ";
        applied += "auth." + std::string(block) + ".webhook";
    }

    const Position& where = first_legacy->key_position;
    notes.push_back(format_located(
        where.source ? *where.source : std::string("configuration"), where.line, "auth",
        "the ContainerSSH 0.4 authentication keys (auth.url, auth.password: true/false, auth.pubkey, "
        "auth.timeout, ...) are deprecated; " +
            (applied.empty() ? std::string("they enable nothing here and were ignored")
                             : "they were applied as " + applied) +
            ". Move them under auth.password.webhook and auth.publicKey.webhook "
            "(https://containerssh.io/deprecations/authurl/)."));
    return upgraded;
}

}  // namespace

ValuePtr upgrade_legacy_format(const ValuePtr& document, std::vector<std::string>& notes) {
    if (!document || !document->is_mapping()) return document;
    refuse_removed_keys(*document);
    const Value* auth = document->get("auth");
    if (auth == nullptr || !auth->is_mapping()) return document;
    ValuePtr upgraded_auth = upgrade_auth(*auth, notes);
    return upgraded_auth ? with_entry(document, "auth", upgraded_auth) : document;
}

}  // namespace csh::config::detail
