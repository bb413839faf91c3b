#include <csh/tls/tls_config.hpp>
#include <csh/tls/tls_names.hpp>

#include <containerssh/sdk/pem_source.hpp>

#include <algorithm>
#include <optional>
#include <utility>

namespace csh::tls {
namespace {

using csh::sdk::ConfigNode;

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

}  // namespace

void read_pem(const ConfigNode& block, std::string_view key, std::string& out) {
    auto node = block.get(key);
    if (!node) return;
    const std::string value = node->as_string();
    if (value.empty() || csh::sdk::is_inline_pem(value)) {
        out = value;
        return;
    }
    // A file is read now, so a missing one is reported at start-up and not
    // at the first request that needs it.
    std::string problem;
    auto contents = csh::sdk::read_pem_file(value, problem);
    if (!contents) node->fail("cannot read the file " + value + ": " + problem);
    if (!csh::sdk::is_inline_pem(*contents)) node->fail("the file " + value + " does not hold PEM data");
    out = std::move(*contents);
}

void read_cert_and_key(const ConfigNode& block, std::string& cert, std::string& key) {
    read_pem(block, "cert", cert);
    read_pem(block, "key", key);
    if (cert.empty() != key.empty()) {
        block.get(cert.empty() ? "key" : "cert")
            ->fail("cert and key go together: set both for a certificate, or neither");
    }
}

void read_tls_version(const ConfigNode& block, std::string& out) {
    std::string version = block.string("tlsVersion", out);
    if (version != "1.2" && version != "1.3") block.get("tlsVersion")->fail("expected \"1.2\" or \"1.3\"");
    out = std::move(version);
}

void read_curves(const ConfigNode& block, std::vector<std::string>& out) {
    auto curves = name_list(block, "curves");
    if (!curves) return;
    for (const auto& name : *curves) {
        if (!openssl_curve(name)) block.get("curves")->fail("unknown curve \"" + name + "\"; known: " + known_curves());
    }
    out = std::move(*curves);
}

void read_ciphers(const ConfigNode& block, std::vector<std::string>& out) {
    auto ciphers = name_list(block, "cipher");
    if (!ciphers) return;
    for (const auto& name : *ciphers) {
        if (!openssl_cipher(name)) {
            block.get("cipher")->fail("unknown cipher suite \"" + name + "\"; known: " + known_ciphers());
        }
    }
    out = std::move(*ciphers);
}

}  // namespace csh::tls
