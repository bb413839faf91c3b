#include "config/containerssh_schema.hpp"

#include "config/ssh_algorithms.hpp"

namespace csh::config::detail {
namespace {

using schema::boolean;
using schema::duration;
using schema::Field;
using schema::free_form;
using schema::integer;
using schema::join;
using schema::NodePtr;
using schema::number;
using schema::object;
using schema::restricted_text;
using schema::Secret;
using schema::secret_text;
using schema::text;
using schema::text_list;
using schema::text_map;

// A plugin's section (a backend's docker, kubernetes or sshproxy; an audit
// storage's file or s3) belongs to the plugin that provides it: the plugin
// owns its keys, their defaults and their checks (unknown keys are refused
// there, with the key path), so the core hands the section over as written
// and never repeats its defaults. Here it is only a mapping; secrets in it
// are redacted by name in dump-config (see secrets.cpp). A mapping of any
// keys: exact at its top level, free-form below.
NodePtr plugin_section() { return schema::map_of(free_form()); }

const std::vector<std::string> kSecurityModes = {"", "enable", "filter", "disable"};

// TLS settings shared by HTTP clients and servers; the lists also accept
// one colon-separated text, as ContainerSSH does.
std::vector<Field> tls_fields() {
    return {
        {"tlsVersion", text("1.3")},
        {"curves", text_list({"x25519", "secp256r1", "secp384r1", "secp521r1"}, ':')},
        {"cipher", text_list({"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                              "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
                             ':')},
    };
}

// Reference §2.3. cacert/cert/key hold inline PEM or a file name.
std::vector<Field> http_client_fields(std::string url = "") {
    return join(
        {
            {"url", text(std::move(url))},
            {"allowRedirects", boolean(false)},
            {"timeout", duration("2s")},
            {"cacert", text()},
            {"cert", text()},
            {"key", secret_text(Secret::if_pem)},
        },
        tls_fields());
}

// Reference §2.4.
std::vector<Field> http_server_fields(std::string listen) {
    return join(
        {
            {"listen", text(std::move(listen))},
            {"key", secret_text(Secret::if_pem)},
            {"cert", text()},
            {"clientcacert", text()},
        },
        tls_fields());
}

NodePtr auth_webhook() { return object(join(http_client_fields(), {{"authTimeout", duration("60s")}})); }

NodePtr kerberos() {
    return object({
        {"keytab", text("/etc/krb5.keytab")},
        {"acceptor", text("any")},
        {"enforceUsername", boolean(true)},
        {"credentialCachePath", text("/tmp/krb5cc")},
        {"configPath", text("/etc/containerssh/krb5.conf")},
        {"clockSkew", duration("5m")},
    });
}

NodePtr oauth2() {
    return object({
        {"clientId", text()},
        {"clientSecret", secret_text(Secret::yes)},
        {"provider", text()},
        {"redirect", object(join(http_server_fields("0.0.0.0:8080"), {{"webroot", text()}}))},
        {"qrCodeClients", text_list()},
        {"deviceFlowClients", text_list()},
        {"authTimeout", duration("120s")},
        {"github", object(join(join(
                                    {
                                        {"url", text("https://github.com")},
                                        {"apiurl", text("https://api.github.com")},
                                        {"cacert", text()},
                                        {"cert", text()},
                                        {"key", secret_text(Secret::if_pem)},
                                    },
                                    tls_fields()),
                               {
                                   {"enforceUsername", boolean(true)},
                                   {"requireOrgMembership", text()},
                                   {"require2FA", boolean(false)},
                                   {"extraScopes", text_list()},
                                   {"enforceScopes", boolean(false)},
                                   {"timeout", duration("10s")},
                               }))},
        {"oidc", object(join(http_client_fields(), {
                                                       {"deviceFlow", boolean(false)},
                                                       {"authorizationCodeFlow", boolean(false)},
                                                       {"usernameField", text("sub")},
                                                       {"redirectURI", text()},
                                                       {"extraScopes", text_list()},
                                                       {"enforceScopes", boolean(false)},
                                                   }))},
        {"generic", object({
                        {"authorizeEndpointURL", text()},
                        {"tokenEndpoint", object(http_client_fields())},
                        {"redirectURI", text()},
                    })},
    });
}

// Reference §2.5: each block's `method` selects the plugin ("" = off).
NodePtr auth() {
    return object({
        {"password", object({{"method", text()}, {"webhook", auth_webhook()}, {"kerberos", kerberos()}}, "method")},
        {"publicKey", object({{"method", text()}, {"webhook", auth_webhook()}}, "method")},
        {"keyboardInteractive", object({{"method", text()}, {"oauth2", oauth2()}}, "method")},
        {"gssapi", object({{"method", text()}, {"kerberos", kerberos()}}, "method")},
        {"authz", object({{"method", text()}, {"webhook", auth_webhook()}}, "method")},
    });
}

NodePtr ssh() {
    return object({
        {"listen", text("0.0.0.0:2222")},
        {"serverVersion", text("SSH-2.0-ContainerSSH")},
        {"ciphers", text_list(ciphers().defaults)},
        {"kex", text_list(key_exchanges().defaults)},
        {"macs", text_list(macs().defaults)},
        {"banner", text()},
        {"hostkeys", text_list({}, 0, Secret::if_pem)},
        {"clientAliveInterval", duration("0s")},
        {"clientAliveCountMax", integer(3, 1)},
        // Ours (OpenSSH's LoginGraceTime): unauthenticated connections are closed after this.
        {"loginGraceTime", duration("2m")},
        // Ours (docs/security.md, "Limits"): OpenSSH's MaxStartups and
        // PerSourceMaxStartups for connections not yet authenticated.
        {"maxStartups", text("100:30:1000")},
        {"perSourceMaxStartups", integer(20, 0)},
        // Ours: per connection, overridable per user; 0 = off.
        {"idleTimeout", duration("0s")},
        {"maxSessionDuration", duration("0s")},
        {"timeoutWarning", duration("1m")},
        // PROXY protocol (docs/ssh-server.md). The list's name is ContainerSSH's
        // (its PR #705): empty = off. The other two are ours.
        {"proxyProtocolAllowedCIDRs", text_list()},
        {"proxyProtocolHeaderTimeout", duration("5s")},
        {"proxyProtocolRequired", boolean(true)},
        // Ours (docs/ssh-server.md, "Shutting down"): how long SIGTERM waits
        // for open connections to end; 0 = close them at once.
        {"drainTimeout", duration("20s")},
        // Ours: the SHA256 fingerprints the loaded host keys must have; empty = no check.
        {"hostKeyFingerprints", text_list()},
    });
}

NodePtr log() {
    return object({
        {"level", text("notice")},
        {"format", text("ljson", {"ljson", "text"})},
        {"destination", text("stdout", {"stdout", "file", "syslog"})},
        {"file", text("/var/log/containerssh/containerssh.log")},
        {"syslog", object({
                       {"destination", text("/dev/log")},
                       {"facility", text("auth")},
                       {"tag", text("ContainerSSH")},
                       {"pid", boolean(false)},
                   })},
    });
}

NodePtr metrics() {
    return object(join(join({{"enable", boolean(false)}}, http_server_fields("0.0.0.0:9100")),
                       {{"path", text("/metrics")}}));
}

NodePtr geoip() {
    return object({
        {"provider", text("dummy", {"dummy", "maxmind"})},
        {"maxmind-geoip2-file", text("/var/lib/GeoIP/GeoIP2-Country.mmdb")},
    });
}

// Reference §2.10; `storage` may also name a third-party storage with a block of its own.
NodePtr audit() {
    return object(
        {
            {"enable", boolean(false)},
            {"format", text("none")},
            {"storage", text("none")},
            {"intercept", object({
                              {"stdin", boolean(false)},
                              {"stdout", boolean(false)},
                              {"stderr", boolean(false)},
                              {"passwords", boolean(false)},
                              {"forwarding", boolean(false)},
                          })},
            // The storages' own settings belong to the audit plugin that
            // provides them (audit/file, audit/s3), like a backend's section.
            {"file", plugin_section()},
            {"s3", plugin_section()},
        },
        "storage");
}

NodePtr health() {
    return object(join(join({{"enable", boolean(false)}}, http_server_fields("0.0.0.0:7000")),
                       {{"client", object(http_client_fields("http://127.0.0.1:7000/"))}}));
}

NodePtr security_mode(std::string default_mode = "") { return text(std::move(default_mode), kSecurityModes); }

// ContainerSSH's Unix-socket forwarding modes. Only the refusing values are
// accepted: libssh, which the gateway runs on as the distribution ships it
// (so its security fixes arrive with the system's updates), cannot receive
// direct-streamlocal or streamlocal-forward (docs/design/forwarding.md §8).
NodePtr unix_socket_forwarding_mode() {
    return restricted_text("disable", {"", "filter", "disable"},
                           "Unix-socket forwarding is not supported: the gateway's SSH library cannot receive "
                           "it; see docs/forwarding.md");
}

NodePtr security() {
    return object({
        {"defaultMode", security_mode()},
        {"forceCommand", text()},
        {"maxSessions", integer(-1, -1)},
        // Ours: hard ceilings a client cannot push the gateway past
        // (docs/security.md, "Limits").
        {"maxChannels", integer(64, 1)},
        {"maxPendingSignals", integer(16, 1)},
        {"maxForwardListeners", integer(16, 0)},
        {"env", object({{"mode", security_mode()},
                        {"allow", text_list()},
                        {"deny", text_list()},
                        {"maxVariables", integer(128, 0)},
                        {"maxBytes", integer(65536, 0)}})},
        {"command", object({{"mode", security_mode()}, {"allow", text_list()}})},
        {"shell", object({{"mode", security_mode()}})},
        {"subsystem", object({{"mode", security_mode()}, {"allow", text_list()}, {"deny", text_list()}})},
        {"tty", object({{"mode", security_mode()}})},
        {"signal", object({{"mode", security_mode()}, {"allow", text_list()}, {"deny", text_list()}})},
        {"forwarding", object({
                           {"reverseForwardingMode", security_mode("disable")},
                           {"forwardingMode", security_mode("disable")},
                           {"socketForwardingMode", unix_socket_forwarding_mode()},
                           {"socketListenMode", unix_socket_forwarding_mode()},
                           {"x11ForwardingMode", security_mode("disable")},
                           // Ours: auth-agent-req@openssh.com (ssh -A), named in their style.
                           {"agentForwardingMode", security_mode("disable")},
                       })},
    });
}

// Ours: where plugins are looked for besides the install location.
NodePtr plugins() { return object({{"path", text_list()}}); }

}  // namespace

const schema::Node& root_schema() {
    static const NodePtr root = object(
        {
            {"ssh", ssh()},
            {"configserver", object(join(http_client_fields(), {{"transmitSensitiveMetadata", boolean(false)}}))},
            {"auth", auth()},
            {"log", log()},
            {"metrics", metrics()},
            {"geoip", geoip()},
            {"audit", audit()},
            {"health", health()},
            {"security", security()},
            {"backend", text("docker")},
            {"docker", plugin_section()},
            {"kubernetes", plugin_section()},
            // ContainerSSH 0.3's kuberun backend: handed to the plugin that
            // provides backend/kubernetes, which maps it (backend: kuberun).
            {"kuberun", plugin_section()},
            {"sshproxy", plugin_section()},
            {"plugins", plugins()},
        },
        "backend");
    return *root;
}

const ValuePtr& root_defaults() {
    static const ValuePtr defaults = schema::defaults_of(root_schema());
    return defaults;
}

const schema::Node& auth_webhook_schema() {
    static const NodePtr webhook = auth_webhook();
    return *webhook;
}

bool is_builtin_backend(std::string_view name) {
    return name == "docker" || name == "kubernetes" || name == "sshproxy";
}

}  // namespace csh::config::detail
