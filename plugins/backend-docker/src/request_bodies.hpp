// JSON bodies of the Engine API calls that carry the operator's settings:
// ContainerCreate (execution.container with host, network, our command,
// environment and labels) and ExecCreate.
#pragma once

#include "docker_config.hpp"

#include <map>
#include <string>
#include <vector>

namespace backend_docker {

struct ContainerSpec {
    std::vector<std::string> command;        // replaces Cmd
    std::vector<std::string> environment;    // NAME=VALUE, after the image config's Env
    std::map<std::string, std::string> labels;  // added to the configured Labels
    bool tty = false;
    bool attach_stdin = false;  // session mode: the program reads the client's input
    // Session mode: the program would be PID 1, which the kernel shields
    // from signals it has no handler for (a `sleep` ignores TERM). Unless the
    // operator decided (HostConfig.Init), the engine's init runs as PID 1
    // and forwards signals to the program.
    bool default_init = false;
};

// Throws csh::sdk::Error(DOCKER_CONFIG_ERROR) if execution.container is not
// a JSON object (the config parser already checked it).
std::string container_create_body(const DockerConfig& config, const ContainerSpec& spec);

std::string exec_create_body(const std::vector<std::string>& command, const std::vector<std::string>& environment,
                             bool tty, bool attach_stdin);

}  // namespace backend_docker
