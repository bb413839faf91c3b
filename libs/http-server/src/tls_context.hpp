// The server's TLS context: Poco's Context for the HTTPServer, configured on
// its SSL_CTX from ContainerSSH's settings.
#pragma once

#include <csh/http/http_server.hpp>

#include <Poco/Net/Context.h>

namespace csh::http::detail {

// Certificate chain and key from PEM text (or files, when the settings were
// built by hand), the client CA when set (a client certificate is then
// required and verified), the minimum version, curves and cipher suites.
// Throws std::runtime_error naming the setting and OpenSSL's reason; never
// the contents of a key.
Poco::Net::Context::Ptr make_server_context(const ServerTlsSettings& settings);

}  // namespace csh::http::detail
