// `containerssh --healthcheck`: asks the health endpoint named by
// health.client (ContainerSSH's HTTP client block: url, timeout, cacert,
// cert, key, tlsVersion, curves, cipher) whether the server is ready, for
// container HEALTHCHECKs and exec probes.
#pragma once

#include <string>
#include <string_view>

namespace csh::health {

struct CheckResult {
    bool ok = false;     // 200 with the JSON body "ok"
    std::string detail;  // for the log line: the status and body, or the connection error
};

// [control] Blocks for at most health.client.timeout. Throws
// csh::sdk::Error (code CORE_CONFIG_ERROR, naming the key) when the client
// block is invalid.
CheckResult check_health(std::string_view health_section_json);

}  // namespace csh::health
