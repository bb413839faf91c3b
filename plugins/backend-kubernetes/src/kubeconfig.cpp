#include "kubeconfig.hpp"

#include <containerssh/sdk/base64.hpp>
#include <containerssh/sdk/pem_source.hpp>

#include <yaml-cpp/yaml.h>

#include <optional>

namespace backend_kubernetes {
namespace {

// Problems inside the file are reported at connection.kubeconfig with the
// file's own key path; values never appear (the file holds keys and tokens).
class Reader {
public:
    Reader(const Setting& at, std::string directory) : at_(at), directory_(std::move(directory)) {}

    [[noreturn]] void fail(const std::string& where, const std::string& problem) const {
        at_.fail("in the kubeconfig file, " + where + ": " + problem);
    }

    std::string text(const YAML::Node& node, const std::string& where) const {
        if (!node || node.IsNull()) return {};
        if (!node.IsScalar()) fail(where, "expected a text");
        return node.as<std::string>();
    }

    // The entry of `list` (clusters, users, contexts) called `name`.
    YAML::Node named(const YAML::Node& root, const std::string& list, const std::string& name,
                     const std::string& inner, const std::string& referrer) const {
        const YAML::Node entries = root[list];
        if (entries && !entries.IsSequence() && !entries.IsNull()) fail(list, "expected a list");
        if (entries && entries.IsSequence()) {
            for (size_t i = 0; i < entries.size(); ++i) {
                const YAML::Node entry = entries[i];
                if (!entry.IsMap()) fail(list + "[" + std::to_string(i) + "]", "expected a mapping");
                if (text(entry["name"], list + "[" + std::to_string(i) + "].name") != name) continue;
                const YAML::Node body = entry[inner];
                if (!body || !body.IsMap()) {
                    fail(list + "[" + std::to_string(i) + "]." + inner, "expected a mapping");
                }
                return body;
            }
        }
        fail(referrer, "names \"" + name + "\", which is not in " + list);
    }

    std::string resolve(const std::string& file) const {
        if (file.empty() || file.front() == '/' || directory_.empty()) return file;
        return directory_ + "/" + file;
    }

    // `<key>-data` (base64 of PEM) or `<key>` (a file holding PEM).
    std::string pem(const YAML::Node& body, const std::string& key, const std::string& where) const {
        const std::string data = text(body[key + "-data"], where + "." + key + "-data");
        if (!data.empty()) {
            std::string compact;
            for (char c : data) {
                if (c != '\n' && c != '\r' && c != ' ') compact += c;
            }
            std::optional<std::string> decoded = csh::sdk::base64_decode(compact);
            if (!decoded) fail(where + "." + key + "-data", "expected base64 text");
            if (!csh::sdk::is_inline_pem(*decoded)) fail(where + "." + key + "-data", "does not decode to PEM text");
            return std::move(*decoded);
        }
        const std::string file = text(body[key], where + "." + key);
        if (file.empty()) return {};
        std::string problem;
        std::optional<std::string> contents = csh::sdk::read_pem_file(resolve(file), problem);
        if (!contents) fail(where + "." + key, "cannot read the file it names (" + problem + ")");
        if (!csh::sdk::is_inline_pem(*contents)) fail(where + "." + key, "the file it names does not hold PEM text");
        return std::move(*contents);
    }

    std::string file_path(const YAML::Node& node, const std::string& where) const {
        return resolve(text(node, where));
    }

private:
    const Setting& at_;
    std::string directory_;
};

}  // namespace

KubeconfigSelection read_kubeconfig(const Setting& at, const std::string& file, const std::string& context) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(file);
    } catch (const YAML::BadFile&) {
        at.fail("cannot read the kubeconfig file it names");
    } catch (const YAML::Exception& e) {
        // The parser's position only, not its message: it may quote a line.
        at.fail("the kubeconfig file it names is not valid YAML (line " + std::to_string(e.mark.line + 1) + ")");
    }
    const size_t slash = file.rfind('/');
    const Reader reader(at, slash == std::string::npos ? std::string() : file.substr(0, slash));
    try {
        if (!root.IsMap()) reader.fail("the top level", "expected a mapping");

        KubeconfigSelection out;
        out.context = context.empty() ? reader.text(root["current-context"], "current-context") : context;
        if (out.context.empty()) {
            reader.fail("current-context", "is not set; set connection.kubeconfigContext to the context to use");
        }
        const YAML::Node ctx = reader.named(root, "contexts", out.context, "context",
                                            context.empty() ? "current-context" : "the context");
        const std::string cluster_name = reader.text(ctx["cluster"], "contexts[" + out.context + "].context.cluster");
        const std::string user_name = reader.text(ctx["user"], "contexts[" + out.context + "].context.user");
        out.namespace_name = reader.text(ctx["namespace"], "contexts[" + out.context + "].context.namespace");

        const std::string cluster_where = "clusters[" + cluster_name + "].cluster";
        const YAML::Node cluster =
            reader.named(root, "clusters", cluster_name, "cluster", "contexts[" + out.context + "].context.cluster");
        out.server = reader.text(cluster["server"], cluster_where + ".server");
        if (out.server.empty()) reader.fail(cluster_where + ".server", "is not set");
        out.tls_server_name = reader.text(cluster["tls-server-name"], cluster_where + ".tls-server-name");
        const YAML::Node insecure = cluster["insecure-skip-tls-verify"];
        if (insecure && insecure.IsScalar() && insecure.as<std::string>() == "true") {
            reader.fail(cluster_where + ".insecure-skip-tls-verify",
                        "the server's certificate is always verified here; set certificate-authority(-data) instead");
        }
        if (cluster["proxy-url"]) reader.fail(cluster_where + ".proxy-url", "proxies are not supported");
        out.cacert_pem = reader.pem(cluster, "certificate-authority", cluster_where);

        if (!user_name.empty()) {
            const std::string user_where = "users[" + user_name + "].user";
            const YAML::Node user =
                reader.named(root, "users", user_name, "user", "contexts[" + out.context + "].context.user");
            if (user["exec"]) {
                reader.fail(user_where + ".exec",
                            "credential plugins are not run by this gateway; give the user a token, tokenFile or a "
                            "client certificate, or run the gateway in the cluster with a service account");
            }
            if (user["auth-provider"]) {
                reader.fail(user_where + ".auth-provider",
                            "authentication provider plugins are not supported; give the user a token, tokenFile or a "
                            "client certificate");
            }
            for (const char* unsupported : {"as", "as-uid", "as-groups", "as-user-extra"}) {
                if (user[unsupported]) reader.fail(user_where + "." + unsupported, "impersonation is not supported");
            }
            out.cert_pem = reader.pem(user, "client-certificate", user_where);
            out.key_pem = reader.pem(user, "client-key", user_where);
            if (out.cert_pem.empty() != out.key_pem.empty()) {
                reader.fail(user_where, "a client certificate and its key must be given together");
            }
            out.token = reader.text(user["token"], user_where + ".token");
            out.token_file = reader.file_path(user["tokenFile"], user_where + ".tokenFile");
            out.username = reader.text(user["username"], user_where + ".username");
            out.password = reader.text(user["password"], user_where + ".password");
            if (!out.token_file.empty()) {
                std::string problem;
                if (!csh::sdk::read_pem_file(out.token_file, problem)) {
                    reader.fail(user_where + ".tokenFile", "cannot read the file it names (" + problem + ")");
                }
                out.token.clear();  // the file wins, as in client-go
            }
            if ((!out.username.empty() || !out.password.empty()) && (!out.token.empty() || !out.token_file.empty())) {
                reader.fail(user_where, "basic authentication and a token cannot both be set");
            }
        }
        return out;
    } catch (const YAML::Exception&) {
        at.fail("the kubeconfig file it names does not have the shape of a kubeconfig");
    }
}

}  // namespace backend_kubernetes
