// The Engine API operations the backend uses, asynchronous on a strand. The
// API version is negotiated once (GET /version: the lower of the engine's and
// kNewestApiVersion) and asked again after the engine was unreachable, in
// case it was replaced by another version.
//
// Every operation completes on the caller's strand with an EngineResult: ok,
// or an error text that names the operation and the engine's reason. HTTP
// statuses that mean "already so" (a container already gone or stopped) are
// success where the caller cannot tell the difference.
//
// Every HTTP request sent to the engine (the version question included) is
// counted in EngineMetrics, with its duration, as one request and, when it
// failed, one error.
#pragma once

#include "engine/engine_metrics.hpp"

#include <csh/backend_support/call_site.hpp>

#include <containerssh/sdk/host.hpp>
#include <csh/loop_http/connector.hpp>
#include <csh/loop_http/http_call.hpp>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace backend_docker {

using csh::backend_support::CallSite;

using EngineResult = csh::loop_http::CallResult;

struct ContainerSummary {
    std::string id;
    std::map<std::string, std::string> labels;
};

// How a program (an exec, or a container's main process) stands.
struct ProgramState {
    bool running = false;
    bool restarting = false;  // containers only
    int64_t exit_code = 0;
};

class EngineClient : public std::enable_shared_from_this<EngineClient> {
public:
    static constexpr const char* kNewestApiVersion = "1.41";
    static constexpr const char* kOldestApiVersion = "1.25";

    // `metrics` is the plugin's (defined at init); nullptr counts nothing.
    EngineClient(csh::sdk::Host host, std::shared_ptr<const csh::loop_http::Connector> connector,
                 std::chrono::milliseconds http_timeout, std::shared_ptr<const EngineMetrics> metrics);

    std::string engine() const { return connector_->endpoint().display(); }

    template <class T>
    using Done = std::function<void(EngineResult, T)>;
    using Finished = std::function<void(EngineResult)>;

    // True when the image is present locally (GET /images/{name}/json).
    void image_present(const CallSite& at, const std::string& image, Done<bool> done);
    // Pulls `image` (a tag "latest" is added when it names none). `auth` is
    // the X-Registry-Auth value or empty; `progress` receives each status
    // line. An error the engine reports inside the stream fails the pull.
    void pull_image(const CallSite& at, const std::string& image, const std::string& auth,
                    std::chrono::milliseconds timeout, std::function<void(const std::string&)> progress,
                    Finished done);
    // POST /containers/create; yields the container id.
    void create_container(const CallSite& at, const std::string& name, const std::string& platform,
                          std::string body, std::chrono::milliseconds timeout, Done<std::string> done);
    void start_container(const CallSite& at, const std::string& id, std::chrono::milliseconds timeout,
                         Finished done);
    // Attaches to stdin/stdout/stderr (before start, so no output is lost).
    void attach_container(const CallSite& at, const std::string& id, std::chrono::milliseconds timeout,
                          Done<csh::loop_http::HttpResponse> done);
    void inspect_container(const CallSite& at, const std::string& id, Done<ProgramState> done);
    void resize_container(const CallSite& at, const std::string& id, uint32_t rows, uint32_t columns,
                          std::chrono::milliseconds timeout, Finished done);
    void kill_container(const CallSite& at, const std::string& id, const std::string& signal,
                        std::chrono::milliseconds timeout, Finished done);
    void stop_container(const CallSite& at, const std::string& id, std::chrono::seconds grace,
                        std::chrono::milliseconds timeout, Finished done);
    // DELETE with force (and anonymous volumes); a container already gone is success.
    void remove_container(const CallSite& at, const std::string& id, std::chrono::milliseconds timeout,
                          Finished done);
    // Containers (running or not) matching a label filter "key=value".
    void list_containers(const CallSite& at, const std::string& label, Done<std::vector<ContainerSummary>> done);

    // POST /containers/{id}/exec; yields the exec id.
    void create_exec(const CallSite& at, const std::string& container, std::string body,
                     std::chrono::milliseconds timeout, Done<std::string> done);
    // Starts the exec attached; yields the upgraded stream.
    void start_exec(const CallSite& at, const std::string& exec, bool tty, std::chrono::milliseconds timeout,
                    Done<csh::loop_http::HttpResponse> done);
    void inspect_exec(const CallSite& at, const std::string& exec, Done<ProgramState> done);
    void resize_exec(const CallSite& at, const std::string& exec, uint32_t rows, uint32_t columns,
                     std::chrono::milliseconds timeout, Finished done);

private:
    using Answered = std::function<void(EngineResult, csh::loop_http::HttpResponse)>;
    // Sends `request` with "/v<version>" in front of its target once the
    // version is known; `accepted` lists the statuses that count as success.
    void call(const CallSite& at, csh::loop_http::HttpRequest request, const EngineOperation& operation,
              std::initializer_list<int> accepted, Answered done);
    // One HTTP request as it is (no version prefix added), judged, counted
    // and timed; the one place every request to the engine goes through.
    void exchange(const CallSite& at, csh::loop_http::HttpRequest request, const EngineOperation& operation,
                  std::vector<int> accepted, Answered done);
    void negotiate(const CallSite& at, std::function<void(std::string prefix, std::string error)> then);

    csh::sdk::Host host_;
    std::shared_ptr<const csh::loop_http::Connector> connector_;
    std::chrono::milliseconds http_timeout_;
    std::shared_ptr<const EngineMetrics> metrics_;
    std::mutex mutex_;
    std::string version_prefix_;  // "/v1.41" once negotiated
};

using csh::loop_http::query_escape;

}  // namespace backend_docker
