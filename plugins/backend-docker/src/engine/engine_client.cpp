#include "engine/engine_client.hpp"

#include "messages.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <vector>

namespace backend_docker {

namespace {

// Compares dotted API versions ("1.41" < "1.100").
bool version_less(std::string_view a, std::string_view b) {
    unsigned a_major = 0, a_minor = 0, b_major = 0, b_minor = 0;
    std::sscanf(std::string(a).c_str(), "%u.%u", &a_major, &a_minor);
    std::sscanf(std::string(b).c_str(), "%u.%u", &b_major, &b_minor);
    return a_major != b_major ? a_major < b_major : a_minor < b_minor;
}

bool parse_json(simdjson::dom::parser& parser, const std::string& body, simdjson::dom::element& root) {
    return parser.parse(body.data(), body.size()).get(root) == simdjson::SUCCESS;
}

csh::loop_http::HttpRequest request_for(const char* method, std::string target, std::chrono::milliseconds timeout,
                          std::string body = {}) {
    csh::loop_http::HttpRequest request;
    request.method = method;
    request.target = std::move(target);
    request.timeout = timeout;
    request.body = std::move(body);
    return request;
}

// The "Id" of a create answer (containers and execs), or "" when missing.
std::string id_in(const std::string& body) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string_view id;
    if (!parse_json(parser, body, root) || root["Id"].get_string().get(id) != simdjson::SUCCESS) return {};
    return std::string(id);
}

// "repo:tag" / "repo@digest" split for /images/create, with "latest" for a
// reference without either (otherwise the engine pulls every tag).
std::pair<std::string, std::string> split_reference(const std::string& image) {
    if (image.find('@') != std::string::npos) return {image, ""};
    const size_t slash = image.rfind('/');
    const size_t colon = image.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
        return {image.substr(0, colon), image.substr(colon + 1)};
    }
    return {image, "latest"};
}

// The requests this client sends; the labels are the operation label of the
// duration histogram, the descriptions start error texts.
constexpr EngineOperation kVersion{"version", "asking the engine for its version"};
constexpr EngineOperation kImageInspect{"image_inspect", "inspecting the image"};
constexpr EngineOperation kImagePull{"image_pull", "pulling the image"};
constexpr EngineOperation kContainerCreate{"container_create", "creating the container"};
constexpr EngineOperation kContainerStart{"container_start", "starting the container"};
constexpr EngineOperation kContainerAttach{"container_attach", "attaching to the container"};
constexpr EngineOperation kContainerInspect{"container_inspect", "inspecting the container"};
constexpr EngineOperation kContainerResize{"container_resize", "resizing the container's terminal"};
constexpr EngineOperation kContainerKill{"container_kill", "signalling the container"};
constexpr EngineOperation kContainerStop{"container_stop", "stopping the container"};
constexpr EngineOperation kContainerRemove{"container_remove", "removing the container"};
constexpr EngineOperation kContainerList{"container_list", "listing containers"};
constexpr EngineOperation kExecCreate{"exec_create", "creating the exec"};
constexpr EngineOperation kExecStart{"exec_start", "starting the exec"};
constexpr EngineOperation kExecInspect{"exec_inspect", "inspecting the exec"};
constexpr EngineOperation kExecResize{"exec_resize", "resizing the terminal"};

// "<operation description>: <detail>", for errors found in an answer.
std::string failing(const EngineOperation& operation, const std::string& detail) {
    return std::string(operation.description) + ": " + detail;
}

}  // namespace

EngineClient::EngineClient(csh::sdk::Host host, std::shared_ptr<const csh::loop_http::Connector> connector,
                           std::chrono::milliseconds http_timeout, std::shared_ptr<const EngineMetrics> metrics)
    : host_(std::move(host)),
      connector_(std::move(connector)),
      http_timeout_(http_timeout),
      metrics_(std::move(metrics)) {}

void EngineClient::negotiate(const CallSite& at, std::function<void(std::string, std::string)> then) {
    std::string known;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        known = version_prefix_;
    }
    if (!known.empty()) return then(known, {});
    auto self = shared_from_this();
    exchange(at, request_for("GET", "/version", http_timeout_), kVersion, {200},
             [self, then = std::move(then)](EngineResult r, csh::loop_http::HttpResponse response) {
                 if (!r.ok()) return then({}, r.error);
                 simdjson::dom::parser parser;
                 simdjson::dom::element root;
                 std::string_view engine_version;
                 if (!parse_json(parser, response.body, root) ||
                     root["ApiVersion"].get_string().get(engine_version) != simdjson::SUCCESS) {
                     return then({}, "the engine's /version answer has no ApiVersion");
                 }
                 if (version_less(engine_version, kOldestApiVersion)) {
                     return then({}, "the engine speaks API " + std::string(engine_version) +
                                         ", older than the oldest supported " + kOldestApiVersion);
                 }
                 const std::string chosen =
                     version_less(engine_version, kNewestApiVersion) ? std::string(engine_version)
                                                                     : std::string(kNewestApiVersion);
                 self->host_.log(codes::DOCKER_ENGINE_API_VERSION, "using Engine API " + chosen,
                                 {{"engine", self->engine()}, {"apiVersion", chosen},
                                  {"engineApiVersion", engine_version}});
                 std::string prefix = "/v" + chosen;
                 {
                     std::lock_guard<std::mutex> lock(self->mutex_);
                     self->version_prefix_ = prefix;
                 }
                 then(prefix, {});
             });
}

void EngineClient::call(const CallSite& at, csh::loop_http::HttpRequest request, const EngineOperation& operation,
                        std::initializer_list<int> accepted, Answered done) {
    auto self = shared_from_this();
    negotiate(at, [self, at, operation, accepted = std::vector<int>(accepted), request = std::move(request),
                   done = std::move(done)](std::string prefix, std::string error) mutable {
        if (!error.empty()) {
            // Not sent: the version question failed (and was counted).
            EngineResult unsent;
            unsent.error = failing(operation, error);
            unsent.unreachable = true;
            return done(std::move(unsent), csh::loop_http::HttpResponse());
        }
        request.target = prefix + request.target;
        self->exchange(at, std::move(request), operation, std::move(accepted), std::move(done));
    });
}

void EngineClient::exchange(const CallSite& at, csh::loop_http::HttpRequest request, const EngineOperation& operation,
                            std::vector<int> accepted, Answered done) {
    request.pending = at.pending;
    const auto started = std::chrono::steady_clock::now();
    auto self = shared_from_this();
    csh::loop_http::HttpCall::start(host_, at.strand, connector_, std::move(request),
                    [self, operation, started, accepted = std::move(accepted), done = std::move(done)](
                        csh::loop_http::HttpResponse response, std::string error) {
                        EngineResult r = csh::loop_http::judge_answer(operation.description, response, error, accepted);
                        if (self->metrics_) {
                            self->metrics_->request_done(operation, !r.ok(),
                                                         std::chrono::steady_clock::now() - started);
                        }
                        if (r.unreachable) {
                            // The engine may come back as another version.
                            std::lock_guard<std::mutex> lock(self->mutex_);
                            self->version_prefix_.clear();
                        }
                        done(std::move(r), std::move(response));
                    });
}

void EngineClient::image_present(const CallSite& at, const std::string& image, Done<bool> done) {
    call(at, request_for("GET", "/images/" + image + "/json", http_timeout_), kImageInspect, {200, 404},
         [done = std::move(done)](EngineResult r, csh::loop_http::HttpResponse response) {
             done(r, r.ok() && response.status == 200);
         });
}

void EngineClient::pull_image(const CallSite& at, const std::string& image, const std::string& auth,
                              std::chrono::milliseconds timeout, std::function<void(const std::string&)> progress,
                              Finished done) {
    const auto [name, tag] = split_reference(image);
    csh::loop_http::HttpRequest request = request_for(
        "POST", "/images/create?fromImage=" + query_escape(name) + (tag.empty() ? "" : "&tag=" + query_escape(tag)),
        timeout);
    if (!auth.empty()) request.headers.emplace_back("X-Registry-Auth", auth);
    request.body_limit = 64u << 20;
    // The engine answers 200 at once and reports the pull as JSON lines; a
    // failure arrives as a line with "error".
    auto line_buffer = std::make_shared<std::string>();
    auto stream_error = std::make_shared<std::string>();
    request.on_body = [line_buffer, stream_error, progress](std::string_view piece) {
        line_buffer->append(piece);
        size_t newline;
        while ((newline = line_buffer->find('\n')) != std::string::npos) {
            const std::string line = line_buffer->substr(0, newline);
            line_buffer->erase(0, newline + 1);
            simdjson::dom::parser parser;
            simdjson::dom::element root;
            if (!parse_json(parser, line, root)) continue;
            std::string_view text;
            if (root["error"].get_string().get(text) == simdjson::SUCCESS) {
                *stream_error = std::string(text);
                continue;
            }
            std::string report;
            if (root["id"].get_string().get(text) == simdjson::SUCCESS) report = std::string(text) + ": ";
            if (root["status"].get_string().get(text) == simdjson::SUCCESS) report += std::string(text);
            if (progress && !report.empty()) progress(report);
        }
    };
    call(at, std::move(request), kImagePull, {200},
         [done = std::move(done), stream_error](EngineResult r, csh::loop_http::HttpResponse) {
             if (r.ok() && !stream_error->empty()) r.error = failing(kImagePull, *stream_error);
             done(r);
         });
}

void EngineClient::create_container(const CallSite& at, const std::string& name, const std::string& platform,
                                    std::string body, std::chrono::milliseconds timeout, Done<std::string> done) {
    std::string query;
    if (!name.empty()) query += "&name=" + query_escape(name);
    if (!platform.empty()) query += "&platform=" + query_escape(platform);
    if (!query.empty()) query[0] = '?';
    call(at, request_for("POST", "/containers/create" + query, timeout, std::move(body)), kContainerCreate, {201}, [done = std::move(done)](EngineResult r, csh::loop_http::HttpResponse response) {
             std::string id = r.ok() ? id_in(response.body) : std::string();
             if (r.ok() && id.empty()) r.error = failing(kContainerCreate, "the engine's answer has no Id");
             done(r, id);
         });
}

void EngineClient::start_container(const CallSite& at, const std::string& id, std::chrono::milliseconds timeout,
                                   Finished done) {
    call(at, request_for("POST", "/containers/" + id + "/start", timeout), kContainerStart, {204, 304},
         [done = std::move(done)](EngineResult r, csh::loop_http::HttpResponse) { done(r); });
}

void EngineClient::attach_container(const CallSite& at, const std::string& id, std::chrono::milliseconds timeout,
                                    Done<csh::loop_http::HttpResponse> done) {
    csh::loop_http::HttpRequest request =
        request_for("POST", "/containers/" + id + "/attach?stream=1&stdin=1&stdout=1&stderr=1", timeout);
    request.upgrade = "tcp";
    call(at, std::move(request), kContainerAttach, {101}, std::move(done));
}

void EngineClient::inspect_container(const CallSite& at, const std::string& id, Done<ProgramState> done) {
    call(at, request_for("GET", "/containers/" + id + "/json", http_timeout_), kContainerInspect, {200},
         [done = std::move(done)](EngineResult r, csh::loop_http::HttpResponse response) {
             ProgramState state;
             simdjson::dom::parser parser;
             simdjson::dom::element root;
             simdjson::dom::element s;
             if (r.ok() && !(parse_json(parser, response.body, root) && root["State"].get(s) == simdjson::SUCCESS &&
                             s["Running"].get_bool().get(state.running) == simdjson::SUCCESS &&
                             s["ExitCode"].get_int64().get(state.exit_code) == simdjson::SUCCESS)) {
                 r.error = failing(kContainerInspect, "the answer has no State");
             }
             bool restarting = false;
             if (r.ok() && s["Restarting"].get_bool().get(restarting) == simdjson::SUCCESS) state.restarting = restarting;
             done(r, state);
         });
}

void EngineClient::resize_container(const CallSite& at, const std::string& id, uint32_t rows, uint32_t columns,
                                    std::chrono::milliseconds timeout, Finished done) {
    call(at,
         request_for("POST",
                     "/containers/" + id + "/resize?h=" + std::to_string(rows) + "&w=" + std::to_string(columns),
                     timeout),
         kContainerResize, {200, 201, 204},
         [done = std::move(done)](EngineResult r, csh::loop_http::HttpResponse) { done(r); });
}

void EngineClient::kill_container(const CallSite& at, const std::string& id, const std::string& signal,
                                  std::chrono::milliseconds timeout, Finished done) {
    call(at, request_for("POST", "/containers/" + id + "/kill?signal=" + query_escape(signal), timeout),
         kContainerKill, {204}, [done = std::move(done)](EngineResult r, csh::loop_http::HttpResponse) { done(r); });
}

void EngineClient::stop_container(const CallSite& at, const std::string& id, std::chrono::seconds grace,
                                  std::chrono::milliseconds timeout, Finished done) {
    call(at, request_for("POST", "/containers/" + id + "/stop?t=" + std::to_string(grace.count()), timeout),
         kContainerStop, {204, 304, 404},
         [done = std::move(done)](EngineResult r, csh::loop_http::HttpResponse) { done(r); });
}

void EngineClient::remove_container(const CallSite& at, const std::string& id, std::chrono::milliseconds timeout,
                                    Finished done) {
    call(at, request_for("DELETE", "/containers/" + id + "?force=1&v=1", timeout), kContainerRemove, {204, 404}, [done = std::move(done)](EngineResult r, csh::loop_http::HttpResponse response) {
             // 409 "removal already in progress" means it is going away anyway.
             if (!r.ok() && response.status == 409 &&
                 response.body.find("already in progress") != std::string::npos) {
                 r.error.clear();
             }
             done(r);
         });
}

void EngineClient::list_containers(const CallSite& at, const std::string& label,
                                   Done<std::vector<ContainerSummary>> done) {
    const std::string filter = "{\"label\":[\"" + label + "\"]}";
    call(at, request_for("GET", "/containers/json?all=1&filters=" + query_escape(filter), http_timeout_),
         kContainerList, {200}, [done = std::move(done)](EngineResult r, csh::loop_http::HttpResponse response) {
             std::vector<ContainerSummary> found;
             simdjson::dom::parser parser;
             simdjson::dom::element root;
             simdjson::dom::array items;
             if (r.ok() && (!parse_json(parser, response.body, root) ||
                            root.get_array().get(items) != simdjson::SUCCESS)) {
                 r.error = failing(kContainerList, "the answer is not a list");
             }
             if (!r.ok()) return done(r, std::move(found));
             for (simdjson::dom::element item : items) {
                 ContainerSummary summary;
                 std::string_view text;
                 if (item["Id"].get_string().get(text) != simdjson::SUCCESS) continue;
                 summary.id = std::string(text);
                 simdjson::dom::object labels;
                 if (item["Labels"].get_object().get(labels) == simdjson::SUCCESS) {
                     for (auto field : labels) {
                         if (field.value.get_string().get(text) == simdjson::SUCCESS) {
                             summary.labels.emplace(std::string(field.key), std::string(text));
                         }
                     }
                 }
                 found.push_back(std::move(summary));
             }
             done(r, std::move(found));
         });
}

void EngineClient::create_exec(const CallSite& at, const std::string& container, std::string body,
                               std::chrono::milliseconds timeout, Done<std::string> done) {
    call(at, request_for("POST", "/containers/" + container + "/exec", timeout, std::move(body)), kExecCreate, {201}, [done = std::move(done)](EngineResult r, csh::loop_http::HttpResponse response) {
             std::string id = r.ok() ? id_in(response.body) : std::string();
             if (r.ok() && id.empty()) r.error = failing(kExecCreate, "the engine's answer has no Id");
             done(r, id);
         });
}

void EngineClient::start_exec(const CallSite& at, const std::string& exec, bool tty,
                              std::chrono::milliseconds timeout, Done<csh::loop_http::HttpResponse> done) {
    csh::loop_http::HttpRequest request = request_for("POST", "/exec/" + exec + "/start", timeout,
                                        std::string("{\"Detach\":false,\"Tty\":") + (tty ? "true" : "false") + "}");
    request.upgrade = "tcp";
    call(at, std::move(request), kExecStart, {101}, std::move(done));
}

void EngineClient::inspect_exec(const CallSite& at, const std::string& exec, Done<ProgramState> done) {
    call(at, request_for("GET", "/exec/" + exec + "/json", http_timeout_), kExecInspect, {200},
         [done = std::move(done)](EngineResult r, csh::loop_http::HttpResponse response) {
             ProgramState state;
             simdjson::dom::parser parser;
             simdjson::dom::element root;
             if (r.ok() && (!parse_json(parser, response.body, root) ||
                            root["Running"].get_bool().get(state.running) != simdjson::SUCCESS)) {
                 r.error = failing(kExecInspect, "the answer has no Running");
             }
             // ExitCode is null while the exec runs.
             if (r.ok() && root["ExitCode"].get_int64().get(state.exit_code) != simdjson::SUCCESS) state.exit_code = 0;
             done(r, state);
         });
}

void EngineClient::resize_exec(const CallSite& at, const std::string& exec, uint32_t rows, uint32_t columns,
                               std::chrono::milliseconds timeout, Finished done) {
    call(at,
         request_for("POST", "/exec/" + exec + "/resize?h=" + std::to_string(rows) + "&w=" + std::to_string(columns),
                     timeout),
         kExecResize, {200, 201}, [done = std::move(done)](EngineResult r, csh::loop_http::HttpResponse) { done(r); });
}

}  // namespace backend_docker
