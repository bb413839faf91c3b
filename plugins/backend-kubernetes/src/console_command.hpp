// What runs for a session: the program a request names (exec, shell,
// subsystem) and the guest-agent command line around it. Kubernetes' exec
// cannot set environment variables or report a process id, so in connection
// and persistent modes the agent does both (`console --pid --env K=V -- prog`);
// in session mode the program is the pod's main process and the agent waits
// until the client is attached (`console --wait --pid -- prog`).
#pragma once

#include "kubernetes_config.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace backend_kubernetes {

enum class ProgramRequest { exec, shell, subsystem };

// The argv for a request: exec by ContainerSSH's rule (libs/program-line),
// shell = pod.shellCommand, subsystem = pod.subsystems[name]. nullopt for a
// subsystem that is not configured (KUBERNETES_SUBSYSTEM_NOT_SUPPORTED).
std::optional<std::vector<std::string>> program_for(ProgramRequest request, std::string_view text,
                                                    const PodSettings& pod);

struct ConsoleCommand {
    std::vector<std::string> argv;
    // The agent writes the program's PID first (4 bytes, little endian),
    // which the caller strips from stdout; false with disableAgent.
    bool reports_pid = false;
    // Session mode with the agent: send one '\n' on stdin once attached.
    bool waits_for_start_byte = false;
    // Names of the environment variables that could not be passed (without
    // the agent, an exec has no way to set them; also names the agent would
    // misread). The caller logs them, never their values, with `log_code`.
    std::vector<std::string> dropped_env;
    const char* log_code = nullptr;  // set when dropped_env is not empty
};

// Connection and persistent modes: the exec of `program` in the console container.
ConsoleCommand exec_console_command(const PodSettings& pod, const std::vector<std::string>& program,
                                    const std::vector<std::pair<std::string, std::string>>& env);

// Session mode: the console container's command of the session's pod (its
// environment goes into the pod spec, see pod_manifest.hpp).
ConsoleCommand session_console_command(const PodSettings& pod, const std::vector<std::string>& program);

}  // namespace backend_kubernetes
