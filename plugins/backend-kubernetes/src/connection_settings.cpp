#include "connection_settings.hpp"

#include <csh/net/listen_address.hpp>

#include "kubeconfig.hpp"
#include "messages.hpp"

#include <containerssh/sdk/pem_source.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace backend_kubernetes {
namespace {

constexpr uint16_t kHttpsPort = 443;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool file_exists(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

// The whole file, or nullopt with the system's reason in `problem`.
std::optional<std::string> read_file(const std::string& path, std::string& problem) {
    return csh::sdk::read_pem_file(path, problem);
}

std::string trim(std::string text) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const size_t last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

// "/api" after the server URL's own path, without doubled or trailing slashes.
std::string join_paths(std::string base, const std::string& path) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    std::string out = base + path;
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
}

// The text of the string setting `key` of `block`, "" when absent.
std::string text_of(const std::optional<Setting>& block, std::string_view key, std::optional<Setting>& found) {
    found = block ? block->get(key) : std::nullopt;
    return found ? found->node().as_string() : std::string();
}

// cacert, cert, key: the PEM text itself, as ContainerSSH took them.
std::string inline_pem(const std::optional<Setting>& setting, const std::string& value, std::string_view file_key) {
    if (value.empty()) return value;
    if (!csh::sdk::is_inline_pem(value)) {
        setting->fail("expected PEM text starting with -----BEGIN; to name a file that holds it, use " +
                      std::string(file_key));
    }
    return value;
}

// certFile, keyFile, cacertFile: read now, so that a missing file shows at
// start-up. The file name stays out of the message: a key pasted here by
// mistake would otherwise reach the log.
std::string pem_from_file(const std::optional<Setting>& setting, const std::string& file) {
    if (file.empty()) return file;
    std::string problem;
    std::optional<std::string> contents = read_file(file, problem);
    if (!contents) setting->fail("cannot read the file it names (" + problem + ")");
    if (!csh::sdk::is_inline_pem(*contents)) setting->fail("the file it names does not hold PEM text");
    return std::move(*contents);
}

struct PemPair {
    std::string pem;
    const std::optional<Setting>* source = nullptr;  // the key it came from, for later messages
};

// One of cacert/cert/key with its *File twin: inline wins, as in ContainerSSH
// (client-go prefers the data), with a notice when both are set.
PemPair pick_pem(const std::optional<Setting>& inline_setting, const std::string& inline_value,
                 const std::optional<Setting>& file_setting, const std::string& file_value, std::string_view inline_key,
                 std::string_view file_key, const std::string& path, std::vector<ConfigNotice>& notices) {
    PemPair out;
    if (!inline_value.empty()) {
        out.pem = inline_pem(inline_setting, inline_value, file_key);
        out.source = &inline_setting;
        if (!file_value.empty()) {
            notices.push_back({codes::KUBERNETES_CONFIG_NOTICE, path + "." + std::string(file_key),
                               "both " + std::string(inline_key) + " and " + std::string(file_key) + " are set; " +
                                   std::string(inline_key) + " is used (as ContainerSSH did). Remove one of them."});
        }
    } else if (!file_value.empty()) {
        out.pem = pem_from_file(file_setting, file_value);
        out.source = &file_setting;
    }
    return out;
}

void apply_in_cluster(ConnectionResult& result, bool host_written, bool ca_written) {
    const std::string dir = service_account_dir();
    ApiConnection& connection = result.connection;
    connection.source = CredentialSource::in_cluster;
    connection.bearer_token_file = dir + "/token";
    if (!ca_written) {
        std::string problem;
        if (auto ca = read_file(dir + "/ca.crt", problem); ca && csh::sdk::is_inline_pem(*ca)) {
            connection.endpoint.cacert_pem = std::move(*ca);
        }
    }
    if (!host_written) {
        const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
        const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
        if (host != nullptr && *host != '\0') {
            // Kubernetes writes an IPv6 service address without brackets.
            std::string name = host;
            if (name.find(':') != std::string::npos && name.front() != '[') name = "[" + name + "]";
            std::string problem;
            const auto parsed = csh::net::parse_server_address(
                name + (port != nullptr && *port != '\0' ? ":" + std::string(port) : std::string()), problem);
            if (parsed) {
                connection.endpoint.tcp_host = parsed->host;
                connection.endpoint.tcp_port = parsed->port == 0 ? kHttpsPort : parsed->port;
            }
        }
    }
    std::string problem;
    if (auto ns = read_file(dir + "/namespace", problem)) result.namespace_hint = trim(std::move(*ns));
}

void apply_kubeconfig(ConnectionResult& result, const Setting& at, const std::string& file,
                      const std::string& context, std::string& base_path) {
    const KubeconfigSelection selection = read_kubeconfig(at, file, context);
    ApiConnection& connection = result.connection;
    connection.source = CredentialSource::kubeconfig;
    connection.kubeconfig = file;
    connection.kubeconfig_context = selection.context;
    base_path = read_server_address(at, selection.server, connection);
    connection.endpoint.server_name = selection.tls_server_name;
    connection.endpoint.cacert_pem = selection.cacert_pem;
    connection.endpoint.cert_pem = selection.cert_pem;
    connection.endpoint.key_pem = selection.key_pem;
    connection.bearer_token = selection.token;
    connection.bearer_token_file = selection.token_file;
    connection.username = selection.username;
    connection.password = selection.password;
    result.namespace_hint = selection.namespace_name;
}

}  // namespace

std::string service_account_dir() {
    const char* overridden = std::getenv("CONTAINERSSH_KUBERNETES_SERVICE_ACCOUNT_DIR");
    if (overridden != nullptr && *overridden != '\0') return overridden;
    return "/var/run/secrets/kubernetes.io/serviceaccount";
}

std::string read_server_address(const Setting& at, std::string_view address, ApiConnection& connection) {
    std::string base;
    const size_t separator = address.find("://");
    if (separator != std::string_view::npos) {
        std::string scheme;
        for (char c : address.substr(0, separator)) scheme += lower(c);
        if (scheme == "http") {
            at.fail("plain http:// is not supported: the credentials would travel in clear and the server would "
                    "not be verified; use https://");
        }
        if (scheme != "https") at.fail("unsupported scheme; expected host, host:port or https://host[:port]");
        address.remove_prefix(separator + 3);
    }
    const size_t slash = address.find('/');
    if (slash != std::string_view::npos) {
        base = std::string(address.substr(slash));
        address = address.substr(0, slash);
    }
    if (address.find_first_of("@?# \t\r\n") != std::string_view::npos) {
        at.fail("expected host, host:port or https://host[:port][/path] (no credentials, query or white space)");
    }
    std::string problem;
    const auto parsed = csh::net::parse_server_address(address, problem);
    if (!parsed) at.fail(problem + " (e.g. https://[fd00::1]:6443)");
    connection.endpoint.kind = csh::loop_http::Endpoint::Kind::tcp;
    connection.endpoint.tls = true;
    connection.endpoint.tcp_host = parsed->host;
    connection.endpoint.tcp_port = parsed->port == 0 ? kHttpsPort : parsed->port;
    return base;
}

ConnectionResult read_connection(const std::optional<Setting>& block, const std::string& path,
                                 std::vector<ConfigNotice>& notices, bool legacy_kuberun) {
    if (block && legacy_kuberun) {
        block->node().allow_only({"host", "path", "username", "password", "serverName", "certFile", "keyFile",
                                  "cacertFile", "cert", "key", "cacert", "bearerToken", "bearerTokenFile", "qps",
                                  "burst", "insecure", "timeout"});
    } else if (block) {
        block->node().allow_only({"host", "path", "username", "password", "serverName", "certFile", "keyFile",
                                  "cacertFile", "cert", "key", "cacert", "bearerToken", "bearerTokenFile", "qps",
                                  "burst", "kubeconfig", "kubeconfigContext"});
    }
    ConnectionResult result;
    ApiConnection& connection = result.connection;
    const std::string default_api_path = connection.api_path;
    std::string base_path;  // the server URL's own path, if it has one

    std::optional<Setting> host, api_path, username, password, server_name, cert_file, key_file, cacert_file, cert,
        key, cacert, token, token_file, kubeconfig, kubeconfig_context;
    const std::string host_text = text_of(block, "host", host);
    const std::string path_text = text_of(block, "path", api_path);
    connection.username = text_of(block, "username", username);
    connection.password = text_of(block, "password", password);
    connection.endpoint.server_name = text_of(block, "serverName", server_name);
    const std::string cert_file_text = text_of(block, "certFile", cert_file);
    const std::string key_file_text = text_of(block, "keyFile", key_file);
    const std::string cacert_file_text = text_of(block, "cacertFile", cacert_file);
    const std::string cert_text = text_of(block, "cert", cert);
    const std::string key_text = text_of(block, "key", key);
    const std::string cacert_text = text_of(block, "cacert", cacert);
    connection.bearer_token = text_of(block, "bearerToken", token);
    connection.bearer_token_file = text_of(block, "bearerTokenFile", token_file);
    const std::string kubeconfig_text = text_of(block, "kubeconfig", kubeconfig);
    const std::string context_text = text_of(block, "kubeconfigContext", kubeconfig_context);

    if (auto qps = block ? block->get("qps") : std::nullopt) {
        double value = 0;
        if (qps->value().get_double().get(value) != simdjson::SUCCESS || !(value > 0) || value > 1e6) {
            qps->fail("expected a number of requests per second above 0");
        }
        connection.qps = value;
    }
    if (auto burst = block ? block->get("burst") : std::nullopt) {
        connection.burst = burst->node().as_uint();
        if (connection.burst == 0) burst->fail("expected at least 1 request");
    }
    if (api_path) {
        if (path_text.empty() || path_text.front() != '/') api_path->fail("expected the API root, such as /api");
    }

    // An address written in the file is never replaced by in-cluster settings.
    const bool host_written = host && host_text != connection.endpoint.tcp_host;
    if (host) {
        if (host_text.empty()) host->fail("expected the API server's address, such as kubernetes.default.svc");
        base_path = read_server_address(*host, host_text, connection);
    }

    if (!context_text.empty() && kubeconfig_text.empty()) {
        kubeconfig_context->fail("names a context of a kubeconfig file, but connection.kubeconfig is not set");
    }
    const bool has_credentials = !connection.username.empty() || !connection.password.empty() ||
                                 !connection.bearer_token.empty() || !connection.bearer_token_file.empty() ||
                                 !cert_text.empty() || !key_text.empty() || !cert_file_text.empty() ||
                                 !key_file_text.empty();

    if (!kubeconfig_text.empty()) {
        // One source for the server and its credentials: mixing them would
        // leave it unclear which certificate or token is sent.
        for (const std::optional<Setting>* other : {&host, &username, &password, &server_name, &cert_file, &key_file,
                                                    &cacert_file, &cert, &key, &cacert, &token, &token_file}) {
            if (*other && !(*other)->node().as_string().empty() && !(other == &host && !host_written)) {
                (*other)->fail("cannot be combined with connection.kubeconfig, which sets the server and the "
                               "credentials; remove one of them");
            }
        }
        apply_kubeconfig(result, *kubeconfig, kubeconfig_text, context_text, base_path);
    } else {
        const PemPair ca = pick_pem(cacert, cacert_text, cacert_file, cacert_file_text, "cacert", "cacertFile", path,
                                    notices);
        PemPair client_cert =
            pick_pem(cert, cert_text, cert_file, cert_file_text, "cert", "certFile", path, notices);
        PemPair client_key = pick_pem(key, key_text, key_file, key_file_text, "key", "keyFile", path, notices);
        // client-go sends a client certificate only when both halves are
        // there and quietly drops a lone half; ContainerSSH users have files
        // relying on that (issue 209 set certFile to the CA). Keep working,
        // and say what to change.
        if (!client_cert.pem.empty() && client_key.pem.empty()) {
            const std::string key_name = (*client_cert.source)->path();
            notices.push_back({codes::KUBERNETES_CONFIG_NOTICE, key_name,
                               "a client certificate without keyFile or key is not used, so none is sent (as in "
                               "ContainerSSH). If it names the cluster's CA certificate, move it to cacertFile; if it "
                               "is a client certificate, add its key."});
            client_cert.pem.clear();
        } else if (client_cert.pem.empty() && !client_key.pem.empty()) {
            notices.push_back({codes::KUBERNETES_CONFIG_NOTICE, (*client_key.source)->path(),
                               "a private key without certFile or cert is not used, so no client certificate is sent "
                               "(as in ContainerSSH). Add the certificate or remove the key."});
            client_key.pem.clear();
        }
        connection.endpoint.cacert_pem = ca.pem;
        connection.endpoint.cert_pem = client_cert.pem;
        connection.endpoint.key_pem = client_key.pem;

        if (!connection.bearer_token_file.empty()) {
            std::string problem;
            if (!read_file(connection.bearer_token_file, problem)) {
                token_file->fail("cannot read the file it names (" + problem + ")");
            }
            if (!connection.bearer_token.empty()) {
                notices.push_back({codes::KUBERNETES_CONFIG_NOTICE, path + ".bearerToken",
                                   "both bearerToken and bearerTokenFile are set; the file is used (as in "
                                   "ContainerSSH). Remove one of them."});
                connection.bearer_token.clear();
            }
        }
        if ((!connection.username.empty() || !connection.password.empty()) &&
            (!connection.bearer_token.empty() || !connection.bearer_token_file.empty())) {
            (username ? *username : *password)
                .fail("basic authentication (username, password) and a bearer token cannot both be set");
        }
        if (!has_credentials && file_exists(service_account_dir() + "/token")) {
            apply_in_cluster(result, host_written, !ca.pem.empty());
        }
    }
    connection.api_path = join_paths(base_path, api_path ? path_text : default_api_path);
    return result;
}

}  // namespace backend_kubernetes
