#include "ssh/ssh_metrics.hpp"

#include "host/metric_registry.hpp"

namespace csh::ssh {
namespace {

// From a local webhook answering in milliseconds to a container image
// pulled over a slow link; beyond a minute something is wrong anyway.
const std::vector<double> kLoginBounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

const char* phase_name(LoginPhase phase) {
    switch (phase) {
        case LoginPhase::key_exchange: return "key_exchange";
        case LoginPhase::authentication: return "authentication";
        case LoginPhase::configuration: return "configuration";
        case LoginPhase::backend: return "backend";
        case LoginPhase::program_start: return "program_start";
    }
    return "unknown";
}

double seconds(SshMetrics::Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

SshMetrics::SshMetrics(host::MetricRegistry& registry)
    : registry_(registry),
      connections_(registry.define(CSH_METRIC_COUNTER, "containerssh_ssh_connections_total",
                                   "TCP connections accepted by the SSH server.", "connections", {"country"})),
      current_connections_(registry.define(CSH_METRIC_GAUGE, "containerssh_ssh_current_connections",
                                           "TCP connections open right now.", "connections", {"country"})),
      successful_handshakes_(registry.define(CSH_METRIC_COUNTER, "containerssh_ssh_successful_handshakes_total",
                                             "Connections that authenticated and that the backend accepted.",
                                             "handshakes", {"country"})),
      failed_handshakes_(registry.define(CSH_METRIC_COUNTER, "containerssh_ssh_failed_handshakes_total",
                                         "Connections that ended before a successful handshake: failed key "
                                         "exchange or authentication, or refused by the configuration server "
                                         "or the backend.",
                                         "handshakes", {"country"})),
      handshake_seconds_(registry.define_histogram(
          "containerssh_ssh_handshake_duration_seconds",
          "From TCP accept to successful authentication, for connections whose handshake succeeded.", "seconds", {},
          kLoginBounds)),
      phase_seconds_(registry.define_histogram(
          "containerssh_login_phase_duration_seconds",
          "Time spent in each phase of a login: key_exchange, authentication (auth plugins answering), "
          "configuration (config plugin), backend (preparing the connection), program_start (request to "
          "first output).",
          "seconds", {"phase"}, kLoginBounds)),
      first_output_seconds_(registry.define_histogram(
          "containerssh_login_first_output_duration_seconds",
          "From TCP accept to the first byte of output of the connection's first program.", "seconds", {},
          kLoginBounds)),
      security_refusals_(registry.define(CSH_METRIC_COUNTER, "containerssh_security_refusals_total",
                                         "Requests and session channels the security policy refused, by the "
                                         "message code logged for them (SECURITY_ENV_REJECTED, ...).",
                                         "refusals", {"code"})),
      forward_channels_total_(registry.define(CSH_METRIC_COUNTER, "containerssh_ssh_forward_channels_total",
                                              "Forwarding channels opened (direct-tcpip: the backend connected; "
                                              "forwarded-tcpip: the client accepted), by SSH channel type.",
                                              "channels", {"type"})),
      forward_channels_open_(registry.define(CSH_METRIC_GAUGE, "containerssh_ssh_forward_channels",
                                             "Forwarding channels open right now, by SSH channel type.", "channels",
                                             {"type"})),
      forward_failures_(registry.define(CSH_METRIC_COUNTER, "containerssh_ssh_forward_failures_total",
                                        "Forwarding channels that did not open (direct-tcpip: the target refused or "
                                        "was unreachable, or the backend cannot forward; forwarded-tcpip: the "
                                        "client refused), by SSH channel type.",
                                        "channels", {"type"})),
      forward_bytes_(registry.define(CSH_METRIC_COUNTER, "containerssh_ssh_forward_bytes_total",
                                     "Bytes moved through forwarding channels, by SSH channel type and direction "
                                     "(in: from the client, out: to the client).",
                                     "bytes", {"type", "direction"})),
      forward_listeners_(registry.define(CSH_METRIC_GAUGE, "containerssh_ssh_forward_listeners",
                                         "Listeners of remote forwards the backends hold right now, by request type "
                                         "(tcpip-forward: ssh -R).",
                                         "listeners", {"type"})) {}

void SshMetrics::connection_opened(std::string_view country) {
    registry_.add(connections_, {country}, 1);
    registry_.add(current_connections_, {country}, 1);
}

void SshMetrics::connection_closed(std::string_view country) { registry_.add(current_connections_, {country}, -1); }

void SshMetrics::handshake_succeeded(std::string_view country, Duration took) {
    registry_.add(successful_handshakes_, {country}, 1);
    registry_.observe(handshake_seconds_, {}, seconds(took));
}

void SshMetrics::handshake_failed(std::string_view country) { registry_.add(failed_handshakes_, {country}, 1); }

void SshMetrics::phase(LoginPhase phase, Duration took) {
    registry_.observe(phase_seconds_, {phase_name(phase)}, seconds(took));
}

void SshMetrics::first_output(Duration since_accept) {
    registry_.observe(first_output_seconds_, {}, seconds(since_accept));
}

void SshMetrics::security_refused(std::string_view code) { registry_.add(security_refusals_, {code}, 1); }

void SshMetrics::forward_opened(std::string_view type) {
    registry_.add(forward_channels_total_, {type}, 1);
    registry_.add(forward_channels_open_, {type}, 1);
}

void SshMetrics::forward_failed(std::string_view type) { registry_.add(forward_failures_, {type}, 1); }

void SshMetrics::forward_closed(std::string_view type) { registry_.add(forward_channels_open_, {type}, -1); }

void SshMetrics::listener_started(std::string_view type) { registry_.add(forward_listeners_, {type}, 1); }

void SshMetrics::listener_stopped(std::string_view type) { registry_.add(forward_listeners_, {type}, -1); }

void SshMetrics::forward_bytes(std::string_view type, std::string_view direction, size_t bytes) {
    registry_.add(forward_bytes_, {type, direction}, static_cast<double>(bytes));
}

}  // namespace csh::ssh
