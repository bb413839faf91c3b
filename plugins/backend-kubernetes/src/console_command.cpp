#include "console_command.hpp"

#include "messages.hpp"

#include <csh/program/program_line.hpp>

namespace backend_kubernetes {

std::optional<std::vector<std::string>> program_for(ProgramRequest request, std::string_view text,
                                                    const PodSettings& pod) {
    switch (request) {
        case ProgramRequest::exec: return csh::program::program_for_exec(text);
        case ProgramRequest::shell: return pod.shell_command;
        case ProgramRequest::subsystem: break;
    }
    const auto found = pod.subsystems.find(std::string(text));
    if (found == pod.subsystems.end()) return std::nullopt;
    return std::vector<std::string>{found->second};
}

ConsoleCommand exec_console_command(const PodSettings& pod, const std::vector<std::string>& program,
                                    const std::vector<std::pair<std::string, std::string>>& env) {
    ConsoleCommand out;
    if (pod.disable_agent) {
        out.argv = program;
        for (const auto& [name, value] : env) out.dropped_env.push_back(name);
    } else {
        out.argv = {pod.agent_path, "console", "--pid"};
        for (const auto& [name, value] : env) {
            // The agent refuses an empty name, and a value beginning with
            // "--" would be read as its next flag.
            if (name.empty() || name.find('=') != std::string::npos || name.rfind("--", 0) == 0) {
                out.dropped_env.push_back(name);
                continue;
            }
            out.argv.push_back("--env");
            out.argv.push_back(name + "=" + value);
        }
        out.argv.push_back("--");
        out.argv.insert(out.argv.end(), program.begin(), program.end());
        out.reports_pid = true;
    }
    // Without the agent every variable is lost (a warning); with it only
    // names no program could read anyway are left out (a debug line).
    if (!out.dropped_env.empty()) {
        out.log_code = pod.disable_agent ? codes::KUBERNETES_GUEST_AGENT_DISABLED : codes::KUBERNETES_EXEC;
    }
    return out;
}

ConsoleCommand session_console_command(const PodSettings& pod, const std::vector<std::string>& program) {
    ConsoleCommand out;
    if (pod.disable_agent) {
        out.argv = program;
        return out;
    }
    out.argv = {pod.agent_path, "console", "--wait", "--pid", "--"};
    out.argv.insert(out.argv.end(), program.begin(), program.end());
    out.reports_pid = true;
    out.waits_for_start_byte = true;
    return out;
}

}  // namespace backend_kubernetes
