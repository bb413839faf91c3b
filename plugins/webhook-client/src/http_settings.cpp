#include <csh/webhook/http_settings.hpp>

#include "tls_names.hpp"

#include <containerssh/sdk/pem_source.hpp>

#include <optional>

namespace csh::webhook {
namespace {

using csh::sdk::ConfigNode;

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// A list key as a JSON list, or as one text with ':' or ',' between the
// names (ContainerSSH accepts both spellings).
std::optional<std::vector<std::string>> name_list(const ConfigNode& block, std::string_view key) {
    auto node = block.get(key);
    if (!node) return std::nullopt;
    std::vector<std::string> names;
    try {
        names = node->as_string_list();
    } catch (const csh::sdk::Error&) {
        const std::string text = node->as_string();  // fails naming the key when not a text either
        size_t start = 0;
        while (start <= text.size()) {
            const size_t end = std::min(text.find_first_of(":,", start), text.size());
            if (end > start) names.push_back(text.substr(start, end - start));
            start = end + 1;
        }
    }
    if (names.empty()) node->fail("the list is empty");
    return names;
}

// cacert/cert/key: inline PEM stays as it is; a file name is read now, so a
// missing file is reported at start-up and not at the first login.
void read_pem_setting(const ConfigNode& block, std::string_view key, std::string& out) {
    auto node = block.get(key);
    if (!node) return;
    const std::string value = node->as_string();
    if (value.empty() || csh::sdk::is_inline_pem(value)) {
        out = value;
        return;
    }
    std::string problem;
    auto contents = csh::sdk::read_pem_file(value, problem);
    if (!contents) node->fail("cannot read the file " + value + ": " + problem);
    if (!csh::sdk::is_inline_pem(*contents)) node->fail("the file " + value + " does not hold PEM data");
    out = std::move(*contents);
}

}  // namespace

HttpClientSettings HttpClientSettings::parse(const ConfigNode& block) {
    HttpClientSettings settings;
    if (block.is_null()) return settings;

    settings.url = block.string("url", "");
    if (!settings.url.empty() && !starts_with(settings.url, "http://") && !starts_with(settings.url, "https://")) {
        block.get("url")->fail("expected an http:// or https:// URL");
    }

    settings.allow_redirects = block.boolean("allowRedirects", settings.allow_redirects);

    const auto timeout = block.duration("timeout", settings.timeout);
    if (timeout < kMinimumTimeout) block.get("timeout")->fail("must be at least 100ms");
    settings.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);

    read_pem_setting(block, "cacert", settings.cacert);
    read_pem_setting(block, "cert", settings.cert);
    read_pem_setting(block, "key", settings.key);
    if (settings.cert.empty() != settings.key.empty()) {
        block.get(settings.cert.empty() ? "key" : "cert")
            ->fail("cert and key go together: set both for a client certificate, or neither");
    }

    settings.tls_version = block.string("tlsVersion", settings.tls_version);
    if (settings.tls_version != "1.2" && settings.tls_version != "1.3") {
        block.get("tlsVersion")->fail("expected \"1.2\" or \"1.3\"");
    }

    if (auto curves = name_list(block, "curves")) {
        for (const auto& name : *curves) {
            if (!tls::openssl_curve(name)) {
                block.get("curves")->fail("unknown curve \"" + name + "\"; known: " + tls::known_curves());
            }
        }
        settings.curves = std::move(*curves);
    }
    if (auto ciphers = name_list(block, "cipher")) {
        for (const auto& name : *ciphers) {
            if (!tls::openssl_cipher(name)) {
                block.get("cipher")->fail("unknown cipher suite \"" + name + "\"; known: " + tls::known_ciphers());
            }
        }
        settings.ciphers = std::move(*ciphers);
    }
    return settings;
}

}  // namespace csh::webhook
