// Reading the TLS keys that ContainerSSH's HTTP client block (§2.3) and HTTP
// server block (§2.4) share: certificate files or inline PEM, tlsVersion,
// curves and cipher. One reader for both, so the client and the server accept
// exactly the same spellings and report problems the same way.
//
// Every function leaves `out` unchanged when the key is absent, and throws
// csh::sdk::Error with the block's configuration code, naming the key path,
// when the value is invalid. No message ever shows a certificate's or key's
// contents. Files are read here, at start-up: [control].
#pragma once

#include <containerssh/sdk/json_config.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace csh::tls {

// `key` (cacert, clientcacert, cert, key): inline PEM is kept as it is; a file
// name is replaced by the file's contents, which must be PEM.
void read_pem(const csh::sdk::ConfigNode& block, std::string_view key, std::string& out);

// `cert` and `key` (read_pem each); set both or neither.
void read_cert_and_key(const csh::sdk::ConfigNode& block, std::string& cert, std::string& key);

// `tlsVersion`: the minimum version, "1.2" or "1.3".
void read_tls_version(const csh::sdk::ConfigNode& block, std::string& out);

// `curves` and `cipher`: a JSON list, or one text with ':' or ',' between the
// names (ContainerSSH accepts both); every name must be known (tls_names.hpp).
void read_curves(const csh::sdk::ConfigNode& block, std::vector<std::string>& out);
void read_ciphers(const csh::sdk::ConfigNode& block, std::vector<std::string>& out);

}  // namespace csh::tls
