// One guest-agent process as a backend runs it, reduced to its byte streams:
// what the shared forwarding code (ForwardServer) needs from a backend's
// exec. The Docker backend creates and starts an engine exec and reads its
// framed stream; the Kubernetes backend opens a pods/exec WebSocket. Both
// keep the consumed-bytes flow control of plugin-api's backend.h.
#pragma once

#include <containerssh/plugin/backend.h>
#include <containerssh/sdk/host.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace csh::backend_support {

class AgentProcess {
public:
    // [strand] Each runs on the connection's strand, never from inside a
    // call of this interface.
    struct Events {
        // stdout (the protocol) or stderr (the agent's log); returns how much
        // was taken. After a short take the process waits for resume_output().
        std::function<size_t(csh_stream, std::string_view)> output;
        // The streams are in place: input can be written.
        std::function<void()> started;
        // Input was refused earlier and there is room again.
        std::function<void()> input_ready;
        // It could not be run at all; `error` says at which step and why.
        std::function<void(const std::string& error)> not_started;
        // Its streams ended (`error` empty) or failed.
        std::function<void(const std::string& error)> ended;
        std::function<void(const std::string& error)> input_failed;
    };

    virtual ~AgentProcess() = default;

    // [strand] Runs `command` without a terminal.
    virtual void start(std::vector<std::string> command, Events events) = 0;
    // [strand] Input for the process; how many bytes were taken (0 before started).
    virtual size_t write_input(std::string_view data) = 0;
    // [strand] The output callback can take bytes again.
    virtual void resume_output() = 0;
    // [strand] No more input: the agent exits at the end of its stdin. close()
    // follows at once; nothing waits for the process.
    virtual void end_input() = 0;
    // [strand] Drops the streams; no event runs after.
    virtual void close() = 0;
    // [strand] After `ended`: the exit code, when the backend can tell
    // (nullopt: unknown, or still running). May answer later.
    virtual void exit_code(std::function<void(std::optional<int64_t>)> done) = 0;
    // What names the process in log lines (containerId and execId; pod and namespace).
    virtual void describe(std::vector<csh::sdk::LogField>& fields) const = 0;
};

}  // namespace csh::backend_support
