#include "local_config.hpp"

#include "messages.hpp"

#include <containerssh/sdk/json_config.hpp>

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace backend_local {

using csh::sdk::ConfigNode;

namespace {

LocalConfig apply(const ConfigNode& local, LocalConfig config) {
    local.allow_only({"shell", "workdir", "childExitNotification", "inheritEnvironment", "refuseUsers"});
    config.inherit_environment = local.boolean("inheritEnvironment", config.inherit_environment);
    config.refuse_users = local.string_list("refuseUsers", config.refuse_users);
    if (auto shell = local.get("shell")) {
        config.shell = shell->as_string_list();
        if (config.shell.empty() || config.shell.front().empty() || config.shell.front()[0] != '/') {
            shell->fail("expected a list whose first entry is an absolute program path");
        }
    }
    if (auto workdir = local.get("workdir")) {
        config.workdir = workdir->as_string();
        if (config.workdir.empty() || config.workdir[0] != '/') workdir->fail("expected an absolute directory path");
    }
    if (auto mode = local.get("childExitNotification")) {
        const std::string value = mode->as_string();
        if (value == "auto") {
            config.exit_notification = ExitNotification::automatic;
        } else if (value == "pidfd") {
            config.exit_notification = ExitNotification::pidfd;
        } else if (value == "sigchld") {
            config.exit_notification = ExitNotification::sigchld;
        } else {
            mode->fail("expected auto, pidfd or sigchld");
        }
    }
    return config;
}

}  // namespace

LocalConfig LocalConfig::defaults() {
    LocalConfig config;
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd) == nullptr) {
        throw csh::sdk::Error(codes::BACKEND_LOCAL_CONFIG_INVALID,
                              std::string("local.workdir is not set and the current directory is unknown: ") +
                                  std::strerror(errno));
    }
    config.workdir = cwd;
    return config;
}

LocalConfig LocalConfig::from_section(std::string_view section_json, const LocalConfig& base) {
    csh::sdk::JsonConfig document(section_json, codes::BACKEND_LOCAL_CONFIG_INVALID, "local");
    const ConfigNode local = document.root();
    return local.is_null() ? base : apply(local, base);
}

LocalConfig LocalConfig::from_effective_config(std::string_view config_json, const LocalConfig& base) {
    if (config_json.empty()) return base;
    csh::sdk::JsonConfig document(config_json, codes::BACKEND_LOCAL_CONFIG_INVALID, "");
    const ConfigNode root = document.root();
    if (!root.is_object()) return base;
    auto local = root.get("local");
    return local ? apply(*local, base) : base;
}

}  // namespace backend_local
