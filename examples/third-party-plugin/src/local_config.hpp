// The `local` configuration section of backend-local:
//
//   local:
//     shell: [/bin/sh]              # the program `shell` requests run (absolute path first)
//     workdir: /some/dir            # where programs start; default: the gateway's cwd
//     childExitNotification: auto   # auto | pidfd | sigchld (how child exits are noticed)
//     inheritEnvironment: true      # programs start with the gateway's environment
//     refuseUsers: [name, ...]      # connections of these users are refused (tests of rejection)
//
// The file's section is read at init; a connection's effective configuration
// (file merged with the config server's answer) may override every key.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace backend_local {

enum class ExitNotification { automatic, pidfd, sigchld };

struct LocalConfig {
    std::vector<std::string> shell{"/bin/sh"};
    std::string workdir;
    ExitNotification exit_notification = ExitNotification::automatic;
    bool inherit_environment = true;
    std::vector<std::string> refuse_users;

    // The defaults above with workdir = the current directory.
    static LocalConfig defaults();
    // `section_json` is the `local` section ("null" when absent).
    // Throws csh::sdk::Error(BACKEND_LOCAL_CONFIG_INVALID) naming the key.
    static LocalConfig from_section(std::string_view section_json, const LocalConfig& base);
    // `config_json` is a whole effective configuration; its `local` member,
    // when present, overrides `base`.
    static LocalConfig from_effective_config(std::string_view config_json, const LocalConfig& base);
};

}  // namespace backend_local
