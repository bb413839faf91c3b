// PEM and OpenSSH key text from the configuration: ssh.hostkeys entries
// written inline (libssh reads them, core/src/ssh/host_keys.cpp), the
// engine client's cacert / cert / key (OpenSSL reads them when the TLS
// context is made, libs/loop-http/src/connector.cpp), and the test every TLS
// block applies to tell inline PEM from a file name (the SDK's
// is_inline_pem, as csh::tls::read_pem and the core's --dump-config
// redaction use it).
//
// The input is up to three parts separated by NUL bytes: cacert, cert, key.
// The whole input is also tried as one host key. A key must never appear in
// an error message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <containerssh/sdk/host.hpp>
#include <containerssh/sdk/pem_source.hpp>
#include <csh/loop_http/connector.hpp>

#include "ssh/host_keys.hpp"

namespace {

std::vector<std::string> split_parts(std::string_view text) {
    std::vector<std::string> parts;
    while (parts.size() < 2) {
        const size_t nul = text.find('\0');
        if (nul == std::string_view::npos) break;
        parts.emplace_back(text.substr(0, nul));
        text.remove_prefix(nul + 1);
    }
    parts.emplace_back(text);
    parts.resize(3);
    return parts;
}

// Key text (it has a PEM line of dashes, which no message of ours has) in
// `message`. Shorter or dash-less parts may be words of the message itself.
bool mentions(const std::string& message, const std::string& secret) {
    return secret.size() >= 16 && secret.find("-----") != std::string::npos &&
           message.find(secret) != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);

    // An inline host key: whatever the SDK calls PEM is read as a key, never
    // looked up as a file name (which would put the key into the message).
    if (csh::sdk::is_inline_pem(text) && text.find('\0') == std::string::npos) {
        try {
            (void)csh::ssh::load_host_keys({text});
        } catch (const csh::ssh::HostKeyError& error) {
            if (mentions(error.what(), text)) std::abort();
        }
    }

    const std::vector<std::string> parts = split_parts(text);
    csh::loop_http::Endpoint endpoint;
    endpoint.kind = csh::loop_http::Endpoint::Kind::tcp;
    endpoint.tcp_host = "127.0.0.1";
    endpoint.tcp_port = 2376;
    endpoint.tls = true;
    endpoint.cacert_pem = parts[0];
    endpoint.cert_pem = parts[1];
    endpoint.key_pem = parts[2];
    // No cacert would load the system's trust store on every input.
    if (endpoint.cacert_pem.empty()) return 0;
    try {
        (void)csh::loop_http::Connector::create(csh::sdk::Host(), endpoint);
    } catch (const csh::loop_http::TlsSetupError& error) {
        for (const std::string& part : parts) {
            if (mentions(error.what(), part)) std::abort();
        }
    }
    return 0;
}
