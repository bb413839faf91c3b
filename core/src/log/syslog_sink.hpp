// Lines to a syslog daemon, without libc's syslog() (process-global state,
// one facility and tag per process). Internal to the log module.
#pragma once

#include <string>
#include <sys/socket.h>

#include "log/log_settings.hpp"
#include "log/log_sink.hpp"

namespace csh::log {

class SyslogSink final : public LogSink {
public:
    // Resolves the destination once. Throws LogError("CORE_CONFIG_ERROR") for
    // an unknown facility or a destination that is neither a usable socket
    // path nor a resolvable host:port, naming the key.
    explicit SyslogSink(const SyslogSettings& settings);
    ~SyslogSink() override;
    SyslogSink(const SyslogSink&) = delete;
    SyslogSink& operator=(const SyslogSink&) = delete;

    // One datagram per line: "<PRI>Mmm dd hh:mm:ss [HOST ]TAG[[PID]]: {json}".
    // The hostname is only sent over UDP; a local daemon adds its own.
    int write(const LogRecord& record) noexcept override;
    const std::string& name() const noexcept override { return name_; }

private:
    std::string name_;
    int facility_;
    // "TAG: " or "TAG[PID]: ", preceded by "HOST " for UDP; fixed at start.
    std::string header_suffix_;
    // Unconnected: every datagram is addressed, so a restarted syslog daemon
    // (a new socket at the same path) is reached without reconnecting.
    int fd_ = -1;
    sockaddr_storage address_{};
    socklen_t address_size_ = 0;
};

}  // namespace csh::log
