#include "users.hpp"

#include "password_check.hpp"
#include "yaml_to_json.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

namespace example_server {
namespace {

const std::set<std::string> kUserKeys = {"password", "authorizedKeys", "environment", "image", "config"};

// Reads one user entry; `key` is its key path ("users.alice").
class UserReader {
public:
    UserReader(std::string file, std::string key) : file_(std::move(file)), key_(std::move(key)) {}

    User read(const YAML::Node& node) const {
        if (!node.IsMap()) fail(key_, "must be a mapping with password, authorizedKeys, environment, image or config");
        for (const auto& entry : node) {
            const std::string name = entry.first.as<std::string>();
            if (kUserKeys.count(name) == 0) {
                fail(key_ + "." + name,
                     "is not a known key (password, authorizedKeys, environment, image, config)");
            }
        }
        User user;
        user.password_hash = password(node["password"]);
        user.authorized_keys = keys(node["authorizedKeys"]);
        user.environment = environment(node["environment"]);
        user.config_json = config(node["config"], node["image"]);
        return user;
    }

private:
    [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
        throw UsersFileError(file_, key, problem);
    }

    std::string scalar(const YAML::Node& node, const std::string& key) const {
        if (!node.IsScalar()) fail(key, "must be a string");
        return node.Scalar();
    }

    std::string password(const YAML::Node& node) const {
        if (!node || node.IsNull()) return {};
        const std::string key = key_ + ".password";
        const std::string hash = scalar(node, key);
        // Never print the hash (it allows offline guessing); the key names it.
        if (!is_usable_hash(hash)) {
            fail(key, "is not a crypt(3) hash this system supports; make one with: openssl passwd -6");
        }
        return hash;
    }

    std::vector<AuthorizedKey> keys(const YAML::Node& node) const {
        std::vector<AuthorizedKey> result;
        if (!node || node.IsNull()) return result;
        const std::string key = key_ + ".authorizedKeys";
        if (!node.IsSequence()) fail(key, "must be a list of authorized_keys lines");
        for (std::size_t i = 0; i < node.size(); ++i) {
            const std::string item_key = key + "[" + std::to_string(i) + "]";
            const auto parsed = parse_authorized_key(scalar(node[i], item_key));
            if (!parsed) fail(item_key, "is not an authorized_keys line (TYPE BASE64 [COMMENT])");
            result.push_back(*parsed);
        }
        return result;
    }

    std::map<std::string, std::string> environment(const YAML::Node& node) const {
        std::map<std::string, std::string> result;
        if (!node || node.IsNull()) return result;
        const std::string key = key_ + ".environment";
        if (!node.IsMap()) fail(key, "must be a mapping of variable names to values");
        for (const auto& entry : node) {
            const std::string name = entry.first.as<std::string>();
            if (name.empty()) fail(key, "has an empty variable name");
            result[name] = scalar(entry.second, key + "." + name);
        }
        return result;
    }

    // The user's config with image merged in at docker.execution.container.image.
    std::string config(const YAML::Node& node, const YAML::Node& image) const {
        const std::string key = key_ + ".config";
        if (node && !node.IsNull() && !node.IsMap()) fail(key, "must be a mapping (a partial ContainerSSH configuration)");
        YAML::Node merged = node && node.IsMap() ? YAML::Clone(node) : YAML::Node(YAML::NodeType::Map);
        if (image && !image.IsNull()) {
            const std::string value = scalar(image, key_ + ".image");
            YAML::Node cursor = merged;
            std::string cursor_key = key;
            for (const char* step : {"docker", "execution", "container"}) {
                cursor_key += std::string(".") + step;
                YAML::Node next = cursor[step];
                if (next.IsDefined() && !next.IsNull() && !next.IsMap()) {
                    fail(cursor_key, "must be a mapping, because image is set for this user");
                }
                if (!next.IsMap()) cursor[step] = YAML::Node(YAML::NodeType::Map);
                cursor.reset(cursor[step]);
            }
            // The shortcut wins over a config.docker.execution.container.image
            // of the same user: it is the more specific of the two.
            cursor["image"] = value;
        }
        try {
            return yaml_to_json(merged, key);
        } catch (const YamlToJsonError& e) {
            fail(e.key_path(), e.problem());
        }
    }

    std::string file_;
    std::string key_;
};

}  // namespace

UserDirectory UserDirectory::load(const std::string& file) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(file);
    } catch (const YAML::BadFile&) {
        throw UsersFileError(file, "", "cannot be opened for reading");
    } catch (const YAML::Exception& e) {
        throw UsersFileError(file, "", "is not valid YAML: " + e.msg + " (line " + std::to_string(e.mark.line + 1) + ")");
    }
    if (!root.IsMap() || !root["users"]) throw UsersFileError(file, "users", "is missing");
    const YAML::Node users = root["users"];
    if (!users.IsMap()) throw UsersFileError(file, "users", "must be a mapping of user names to their settings");

    UserDirectory directory;
    try {
        for (const auto& entry : users) {
            const std::string name = entry.first.as<std::string>();
            if (name.empty()) throw UsersFileError(file, "users", "has an empty user name");
            directory.users_[name] = UserReader(file, "users." + name).read(entry.second);
        }
    } catch (const YAML::Exception& e) {
        // Non-scalar keys and similar shapes yaml-cpp refuses to convert.
        throw UsersFileError(file, "users", "has an entry of an unexpected shape: " + e.msg +
                                                " (line " + std::to_string(e.mark.line + 1) + ")");
    }
    return directory;
}

const User* UserDirectory::find(const std::string& name) const {
    const auto found = users_.find(name);
    return found == users_.end() ? nullptr : &found->second;
}

}  // namespace example_server
