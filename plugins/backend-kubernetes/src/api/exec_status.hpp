// How a remote command ended, read from the error channel (3) of the
// Kubernetes remote-command protocol: from v4 on, the server writes one
// metav1.Status there before it closes the stream. A pure function, tested
// and fuzzed on its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace backend_kubernetes::api {

struct ExecEnd {
    // {"status":"Success"} gives 0; a Failure with reason NonZeroExitCode
    // gives the number of its cause of reason ExitCode.
    std::optional<uint32_t> exit_code;
    // The stream failed, or the Status was a Failure other than an exit code
    // (its message); empty otherwise.
    std::string error;
};

// Reads the channel-3 payload. Text that is no Status (or a Status without a
// usable exit code) yields an error naming what was wrong, never a throw.
ExecEnd parse_exec_status(std::string_view json);

}  // namespace backend_kubernetes::api
