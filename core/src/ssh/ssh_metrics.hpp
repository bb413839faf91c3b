// The core's own metrics. The four connection and handshake counters carry
// ContainerSSH's names and `country` label (reference §5), so dashboards
// built for it keep working. The histograms are ours: they split the time
// from TCP connect to the first byte a program sends into its phases, so an
// operator sees where a slow login spends its time.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

struct csh_metric;

namespace csh::host { class MetricRegistry; }

namespace csh::ssh {

// Where a login's time goes, in order. The label values are stable names.
enum class LoginPhase {
    key_exchange,    // TCP accept -> SSH key exchange done
    authentication,  // time the auth plugins took to answer (all attempts, authorization included)
    configuration,   // the config plugin's answer (only with a configuration server)
    backend,         // the backend preparing the connection (connection mode: the container starts here)
    program_start,   // exec/shell/subsystem request -> the program's first byte of output
};

class SshMetrics {
public:
    using Duration = std::chrono::steady_clock::duration;

    // [control] Defines the families in `registry`, which must outlive this.
    explicit SshMetrics(host::MetricRegistry& registry);

    // [any-thread] A TCP connection was accepted / has ended.
    void connection_opened(std::string_view country);
    void connection_closed(std::string_view country);
    // [any-thread] Exactly one of these per connection: authentication and
    // the backend accepted it (`took` is accept -> authenticated), or it
    // ended before that (bad credentials, a client that left, a backend or
    // configuration server that refused).
    void handshake_succeeded(std::string_view country, Duration took);
    void handshake_failed(std::string_view country);

    void phase(LoginPhase phase, Duration took);
    // TCP accept -> the first byte of output of the connection's first program.
    void first_output(Duration since_accept);
    // [any-thread] The security policy refused something; `code` is its SECURITY_* code.
    void security_refused(std::string_view code);

    // [any-thread] Forwarding channels by SSH channel type ("direct-tcpip", ...):
    // one the backend connected, one it could not, one that ended after it
    // was opened, and bytes moved ("in": from the client, "out": to it).
    void forward_opened(std::string_view type);
    void forward_failed(std::string_view type);
    void forward_closed(std::string_view type);
    void forward_bytes(std::string_view type, std::string_view direction, size_t bytes);
    // [any-thread] A listener (remote forward) started or stopped, by type ("tcpip-forward").
    void listener_started(std::string_view type);
    void listener_stopped(std::string_view type);

private:
    host::MetricRegistry& registry_;
    csh_metric* connections_;
    csh_metric* current_connections_;
    csh_metric* successful_handshakes_;
    csh_metric* failed_handshakes_;
    csh_metric* handshake_seconds_;
    csh_metric* phase_seconds_;
    csh_metric* first_output_seconds_;
    csh_metric* security_refusals_;
    csh_metric* forward_channels_total_;
    csh_metric* forward_channels_open_;
    csh_metric* forward_failures_;
    csh_metric* forward_bytes_;
    csh_metric* forward_listeners_;
};

}  // namespace csh::ssh
