// The `log` section of the configuration, with ContainerSSH's defaults.
// The config module fills it; the Logger only reads it.
#pragma once

#include <string>

#include <containerssh/plugin/common.h>

namespace csh::log {

struct SyslogSettings {
    // A unix datagram socket path, or "host:port" ("[v6addr]:port") for UDP.
    std::string destination = "/dev/log";
    // A syslog facility name: kern, user, ..., auth, ..., local0..local7.
    std::string facility = "auth";
    std::string tag = "ContainerSSH";
    // Adds "[PID]" after the tag.
    bool pid = false;
};

struct LogSettings {
    csh_log_level level = CSH_LOG_NOTICE;
    // The line format of stdout and file; syslog always carries JSON.
    enum class Format { ljson, text } format = Format::ljson;
    enum class Destination { stdout_, file, syslog } destination = Destination::stdout_;
    std::string file = "/var/log/containerssh/containerssh.log";
    SyslogSettings syslog;
};

}  // namespace csh::log
