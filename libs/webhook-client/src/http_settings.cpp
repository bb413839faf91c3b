#include <csh/webhook/http_settings.hpp>

#include <csh/tls/tls_config.hpp>

namespace csh::webhook {
namespace {

using csh::sdk::ConfigNode;

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

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

    // The TLS keys, read exactly as the HTTP server block reads them.
    tls::read_pem(block, "cacert", settings.cacert);
    tls::read_cert_and_key(block, settings.cert, settings.key);
    tls::read_tls_version(block, settings.tls_version);
    tls::read_curves(block, settings.curves);
    tls::read_ciphers(block, settings.ciphers);
    return settings;
}

}  // namespace csh::webhook
