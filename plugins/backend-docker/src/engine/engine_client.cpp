#include "engine/engine_client.hpp"

#include "messages.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>

namespace backend_docker {

namespace {

EngineResult outcome(const std::string& what, const EngineResponse& response, const std::string& transport_error,
                     std::initializer_list<int> accepted) {
    EngineResult result;
    if (!transport_error.empty()) {
        result.error = what + ": " + transport_error;
        result.unreachable = true;
        return result;
    }
    result.status = response.status;
    if (std::find(accepted.begin(), accepted.end(), response.status) == accepted.end()) {
        result.error = what + ": " + engine_error_message(response.body) + " (HTTP " +
                       std::to_string(response.status) + ")";
    }
    return result;
}

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

}  // namespace

std::string query_escape(std::string_view value) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : value) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

EngineClient::EngineClient(csh::sdk::Host host, std::shared_ptr<const EngineConnector> connector,
                           std::chrono::milliseconds http_timeout)
    : host_(std::move(host)), connector_(std::move(connector)), http_timeout_(http_timeout) {}

void EngineClient::negotiate(const CallSite& at, std::function<void(std::string, std::string)> then) {
    std::string known;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        known = version_prefix_;
    }
    if (!known.empty()) return then(known, {});
    EngineRequest request;
    request.target = "/version";
    request.timeout = http_timeout_;
    request.pending = at.pending;
    auto self = shared_from_this();
    HttpCall::start(host_, at.strand, connector_, std::move(request),
                    [self, then = std::move(then)](EngineResponse response, std::string error) {
                        EngineResult r = outcome("asking the engine for its version", response, error, {200});
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

void EngineClient::send(const CallSite& at, EngineRequest request, HttpCall::Done done) {
    auto self = shared_from_this();
    negotiate(at, [self, at, request = std::move(request), done = std::move(done)](
                          std::string prefix, std::string error) mutable {
        if (!error.empty()) return done({}, error);
        request.target = prefix + request.target;
        request.pending = at.pending;
        HttpCall::start(self->host_, at.strand, self->connector_, std::move(request),
                        [self, done = std::move(done)](EngineResponse response, std::string error) {
                            if (!error.empty()) {
                                // The engine may come back as another version.
                                std::lock_guard<std::mutex> lock(self->mutex_);
                                self->version_prefix_.clear();
                            }
                            done(std::move(response), std::move(error));
                        });
    });
}

void EngineClient::image_present(const CallSite& at, const std::string& image, Done<bool> done) {
    EngineRequest request;
    request.target = "/images/" + image + "/json";
    request.timeout = http_timeout_;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        EngineResult r = outcome("inspecting the image", response, error, {200, 404});
        done(r, r.ok() && response.status == 200);
    });
}

void EngineClient::pull_image(const CallSite& at, const std::string& image, const std::string& auth,
                              std::chrono::milliseconds timeout, std::function<void(const std::string&)> progress,
                              Finished done) {
    const auto [name, tag] = split_reference(image);
    EngineRequest request;
    request.method = "POST";
    request.target = "/images/create?fromImage=" + query_escape(name) + (tag.empty() ? "" : "&tag=" + query_escape(tag));
    if (!auth.empty()) request.headers.emplace_back("X-Registry-Auth", auth);
    request.timeout = timeout;
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
    send(at, std::move(request),
         [done = std::move(done), stream_error](EngineResponse response, std::string error) {
             EngineResult r = outcome("pulling the image", response, error, {200});
             if (r.ok() && !stream_error->empty()) r.error = "pulling the image: " + *stream_error;
             done(r);
         });
}

void EngineClient::create_container(const CallSite& at, const std::string& name, const std::string& platform,
                                    std::string body, std::chrono::milliseconds timeout, Done<std::string> done) {
    EngineRequest request;
    request.method = "POST";
    request.target = "/containers/create";
    std::string query;
    if (!name.empty()) query += "name=" + query_escape(name);
    if (!platform.empty()) query += (query.empty() ? "" : "&") + std::string("platform=") + query_escape(platform);
    if (!query.empty()) request.target += "?" + query;
    request.body = std::move(body);
    request.timeout = timeout;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        EngineResult r = outcome("creating the container", response, error, {201});
        std::string id;
        if (r.ok()) {
            simdjson::dom::parser parser;
            simdjson::dom::element root;
            std::string_view text;
            if (parse_json(parser, response.body, root) && root["Id"].get_string().get(text) == simdjson::SUCCESS) {
                id = std::string(text);
            } else {
                r.error = "creating the container: the engine's answer has no Id";
            }
        }
        done(r, id);
    });
}

void EngineClient::start_container(const CallSite& at, const std::string& id, std::chrono::milliseconds timeout,
                                   Finished done) {
    EngineRequest request;
    request.method = "POST";
    request.target = "/containers/" + id + "/start";
    request.timeout = timeout;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        done(outcome("starting the container", response, error, {204, 304}));
    });
}

void EngineClient::attach_container(const CallSite& at, const std::string& id, std::chrono::milliseconds timeout,
                                    Done<EngineResponse> done) {
    EngineRequest request;
    request.method = "POST";
    request.target = "/containers/" + id + "/attach?stream=1&stdin=1&stdout=1&stderr=1";
    request.upgrade = true;
    request.timeout = timeout;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        EngineResult r = outcome("attaching to the container", response, error, {101});
        done(r, std::move(response));
    });
}

void EngineClient::inspect_container(const CallSite& at, const std::string& id, Done<ContainerState> done) {
    EngineRequest request;
    request.target = "/containers/" + id + "/json";
    request.timeout = http_timeout_;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        EngineResult r = outcome("inspecting the container", response, error, {200});
        ContainerState state;
        if (r.ok()) {
            simdjson::dom::parser parser;
            simdjson::dom::element root;
            simdjson::dom::element s;
            if (parse_json(parser, response.body, root) && root["State"].get(s) == simdjson::SUCCESS &&
                s["Running"].get_bool().get(state.running) == simdjson::SUCCESS &&
                s["ExitCode"].get_int64().get(state.exit_code) == simdjson::SUCCESS) {
                bool restarting = false;
                if (s["Restarting"].get_bool().get(restarting) == simdjson::SUCCESS) state.restarting = restarting;
            } else {
                r.error = "inspecting the container: the answer has no State";
            }
        }
        done(r, state);
    });
}

void EngineClient::resize_container(const CallSite& at, const std::string& id, uint32_t rows, uint32_t columns,
                                    std::chrono::milliseconds timeout, Finished done) {
    EngineRequest request;
    request.method = "POST";
    request.target = "/containers/" + id + "/resize?h=" + std::to_string(rows) + "&w=" + std::to_string(columns);
    request.timeout = timeout;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        done(outcome("resizing the container's terminal", response, error, {200, 201, 204}));
    });
}

void EngineClient::kill_container(const CallSite& at, const std::string& id, const std::string& signal,
                                  std::chrono::milliseconds timeout, Finished done) {
    EngineRequest request;
    request.method = "POST";
    request.target = "/containers/" + id + "/kill?signal=" + query_escape(signal);
    request.timeout = timeout;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        done(outcome("signalling the container", response, error, {204}));
    });
}

void EngineClient::stop_container(const CallSite& at, const std::string& id, std::chrono::seconds grace,
                                  std::chrono::milliseconds timeout, Finished done) {
    EngineRequest request;
    request.method = "POST";
    request.target = "/containers/" + id + "/stop?t=" + std::to_string(grace.count());
    request.timeout = timeout;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        done(outcome("stopping the container", response, error, {204, 304, 404}));
    });
}

void EngineClient::remove_container(const CallSite& at, const std::string& id, std::chrono::milliseconds timeout,
                                    Finished done) {
    EngineRequest request;
    request.method = "DELETE";
    request.target = "/containers/" + id + "?force=1&v=1";
    request.timeout = timeout;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        EngineResult r = outcome("removing the container", response, error, {204, 404});
        // 409 "removal already in progress" means it is going away anyway.
        if (!r.ok() && response.status == 409 && response.body.find("already in progress") != std::string::npos) {
            r.error.clear();
        }
        done(r);
    });
}

void EngineClient::list_containers(const CallSite& at, const std::string& label,
                                   Done<std::vector<ContainerSummary>> done) {
    EngineRequest request;
    request.target = "/containers/json?all=1&filters=" + query_escape("{\"label\":[\"" + label + "\"]}");
    request.timeout = http_timeout_;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        EngineResult r = outcome("listing containers", response, error, {200});
        std::vector<ContainerSummary> found;
        if (r.ok()) {
            simdjson::dom::parser parser;
            simdjson::dom::element root;
            simdjson::dom::array items;
            if (!parse_json(parser, response.body, root) || root.get_array().get(items) != simdjson::SUCCESS) {
                r.error = "listing containers: the answer is not a list";
            } else {
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
            }
        }
        done(r, std::move(found));
    });
}

void EngineClient::create_exec(const CallSite& at, const std::string& container, std::string body,
                               std::chrono::milliseconds timeout, Done<std::string> done) {
    EngineRequest request;
    request.method = "POST";
    request.target = "/containers/" + container + "/exec";
    request.body = std::move(body);
    request.timeout = timeout;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        EngineResult r = outcome("creating the exec", response, error, {201});
        std::string id;
        if (r.ok()) {
            simdjson::dom::parser parser;
            simdjson::dom::element root;
            std::string_view text;
            if (parse_json(parser, response.body, root) && root["Id"].get_string().get(text) == simdjson::SUCCESS) {
                id = std::string(text);
            } else {
                r.error = "creating the exec: the engine's answer has no Id";
            }
        }
        done(r, id);
    });
}

void EngineClient::start_exec(const CallSite& at, const std::string& exec, bool tty,
                              std::chrono::milliseconds timeout, Done<EngineResponse> done) {
    EngineRequest request;
    request.method = "POST";
    request.target = "/exec/" + exec + "/start";
    request.body = std::string("{\"Detach\":false,\"Tty\":") + (tty ? "true" : "false") + "}";
    request.upgrade = true;
    request.timeout = timeout;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        EngineResult r = outcome("starting the exec", response, error, {101});
        done(r, std::move(response));
    });
}

void EngineClient::inspect_exec(const CallSite& at, const std::string& exec, Done<ExecState> done) {
    EngineRequest request;
    request.target = "/exec/" + exec + "/json";
    request.timeout = http_timeout_;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        EngineResult r = outcome("inspecting the exec", response, error, {200});
        ExecState state;
        if (r.ok()) {
            simdjson::dom::parser parser;
            simdjson::dom::element root;
            if (!parse_json(parser, response.body, root) ||
                root["Running"].get_bool().get(state.running) != simdjson::SUCCESS) {
                r.error = "inspecting the exec: the answer has no Running";
            } else if (root["ExitCode"].get_int64().get(state.exit_code) != simdjson::SUCCESS) {
                state.exit_code = 0;  // null while running
            }
        }
        done(r, state);
    });
}

void EngineClient::resize_exec(const CallSite& at, const std::string& exec, uint32_t rows, uint32_t columns,
                               std::chrono::milliseconds timeout, Finished done) {
    EngineRequest request;
    request.method = "POST";
    request.target = "/exec/" + exec + "/resize?h=" + std::to_string(rows) + "&w=" + std::to_string(columns);
    request.timeout = timeout;
    send(at, std::move(request), [done = std::move(done)](EngineResponse response, std::string error) {
        done(outcome("resizing the terminal", response, error, {200, 201}));
    });
}

}  // namespace backend_docker
