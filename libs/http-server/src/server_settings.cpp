// ServerSettings::from_json: ContainerSSH's HTTP server block (reference
// §2.4) read with the SDK's JSON reader and the TLS key reader the webhook
// client uses too, so both blocks accept the same spellings.
#include <csh/http/http_server.hpp>

#include <containerssh/sdk/json_config.hpp>
#include <csh/net/listen_address.hpp>
#include <csh/tls/tls_config.hpp>

namespace csh::http {
namespace {

// The readers throw csh::sdk::Error with a message code; from_json turns
// every such error into a SettingsError, so this code is never logged.
constexpr char kSettingsCode[] = "HTTP_SERVER_SETTINGS_INVALID";

ServerSettings read_block(const csh::sdk::ConfigNode& block, const std::string& default_listen) {
    ServerSettings settings;
    settings.listen = default_listen;
    if (block.is_null()) return settings;

    if (auto listen = block.optional_string("listen")) {
        std::string problem;
        if (!csh::net::parse_listen_address(*listen, problem)) block.get("listen")->fail(problem);
        settings.listen = std::move(*listen);
    }
    ServerTlsSettings& tls = settings.tls;
    tls::read_cert_and_key(block, tls.cert, tls.key);
    tls::read_pem(block, "clientcacert", tls.client_ca_cert);
    if (!tls.client_ca_cert.empty() && tls.cert.empty()) {
        block.get("clientcacert")->fail("client certificates are asked for over HTTPS only: set cert and key too");
    }
    tls::read_tls_version(block, tls.tls_version);
    tls::read_curves(block, tls.curves);
    tls::read_ciphers(block, tls.ciphers);
    return settings;
}

}  // namespace

ServerSettings ServerSettings::from_json(std::string_view section_json, std::string_view section) {
    return from_json(section_json, section, "");
}

ServerSettings ServerSettings::from_json(std::string_view section_json, std::string_view section,
                                         const std::string& default_listen) {
    try {
        csh::sdk::JsonConfig config(section_json, kSettingsCode, std::string(section));
        return read_block(config.root(), default_listen);
    } catch (const csh::sdk::Error& error) {
        std::string key_path(section);
        for (const auto& [name, value] : error.fields()) {
            if (name == "key") key_path = value;
        }
        throw SettingsError(key_path, error.what());
    }
}

}  // namespace csh::http
