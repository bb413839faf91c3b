// forward-server's messages: one "Error: forward-server: ..." line on stderr
// each, which the gateway re-logs (ContainerSSH: DOCKER_AGENT_LOG).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "../output.hpp"

namespace csh::agent::forward {

inline void log_error(std::initializer_list<std::string_view> parts) {
    std::string line = "forward-server: ";
    for (auto part : parts) line += part;
    report_error({line});
}

}  // namespace csh::agent::forward
