#include "api/api_client.hpp"

#include <simdjson.h>

#include <algorithm>

namespace backend_kubernetes {

namespace {

using csh::backend_support::BackendOperation;
using csh::loop_http::HttpRequest;
using csh::loop_http::HttpResponse;
using csh::loop_http::query_escape;

// The requests this client sends; the labels are the operation label of the
// duration histogram, the descriptions start error texts.
constexpr BackendOperation kPodCreate{"pod_create", "creating the pod"};
constexpr BackendOperation kPodGet{"pod_get", "reading the pod"};
constexpr BackendOperation kPodList{"pod_list", "listing pods"};
constexpr BackendOperation kPodWatch{"pod_watch", "watching the pod"};
constexpr BackendOperation kPodDelete{"pod_delete", "deleting the pod"};
constexpr BackendOperation kLeaseGet{"lease_get", "reading the lease"};
constexpr BackendOperation kLeaseList{"lease_list", "listing leases"};
constexpr BackendOperation kLeaseCreate{"lease_create", "creating the lease"};
constexpr BackendOperation kLeaseReplace{"lease_replace", "renewing the lease"};
constexpr BackendOperation kLeaseDelete{"lease_delete", "deleting the lease"};

HttpRequest request_for(const char* method, std::string target, std::chrono::milliseconds timeout,
                        std::string body = {}) {
    HttpRequest request;
    request.method = method;
    request.target = std::move(target);
    request.timeout = timeout;
    request.body = std::move(body);
    request.headers.emplace_back("Accept", "application/json");
    return request;
}

std::string text(simdjson::dom::element parent, const char* key) {
    std::string_view value;
    return parent[key].get_string().get(value) == simdjson::SUCCESS ? std::string(value) : std::string();
}

std::optional<LeaseView> lease_view(simdjson::dom::element root) {
    simdjson::dom::element metadata;
    if (root["metadata"].get(metadata) != simdjson::SUCCESS) return std::nullopt;
    LeaseView lease;
    lease.name = text(metadata, "name");
    lease.resource_version = text(metadata, "resourceVersion");
    simdjson::dom::element spec;
    if (root["spec"].get(spec) == simdjson::SUCCESS) {
        lease.holder = text(spec, "holderIdentity");
        lease.renew_time = text(spec, "renewTime");
        int64_t seconds = 0;
        if (spec["leaseDurationSeconds"].get_int64().get(seconds) == simdjson::SUCCESS) {
            lease.duration_seconds = seconds;
        }
    }
    return lease;
}

// A pod answer turned into a PodView; a body that is not one fails the call.
void with_pod(ApiResult r, const HttpResponse& response, const std::function<void(ApiResult, PodView)>& done,
              const char* what) {
    if (!r.ok()) return done(std::move(r), PodView{});
    std::string error;
    auto pod = parse_pod(response.body, error);
    if (!pod) {
        r.error = std::string(what) + ": " + error;
        return done(std::move(r), PodView{});
    }
    done(std::move(r), std::move(*pod));
}

void with_lease(ApiResult r, const HttpResponse& response, const std::function<void(ApiResult, LeaseView)>& done,
                const char* what) {
    if (!r.ok()) return done(std::move(r), LeaseView{});
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::optional<LeaseView> lease;
    if (parser.parse(response.body.data(), response.body.size()).get(root) == simdjson::SUCCESS) {
        lease = lease_view(root);
    }
    if (!lease) {
        r.error = std::string(what) + ": the answer is not a Lease object";
        return done(std::move(r), LeaseView{});
    }
    done(std::move(r), std::move(*lease));
}

// The pod watch: feeds the event lines of the chunked answer to `changed`.
class PodWatch final : public ApiClient::Watch, public std::enable_shared_from_this<PodWatch> {
public:
    PodWatch(std::function<bool(const PodView&)> changed, ApiClient::Finished done)
        : changed_(std::move(changed)), done_(std::move(done)) {}

    void start(const std::shared_ptr<ApiClient>& client, const CallSite& at, HttpRequest request) {
        if (stopped_) return;
        auto weak = weak_from_this();
        request.on_body = [weak](std::string_view piece) {
            if (auto self = weak.lock()) self->feed(piece);
        };
        call_ = client->exchange(at, std::move(request), kPodWatch, {200},
                                 [weak](ApiResult r, HttpResponse) {
                                     auto self = weak.lock();
                                     if (!self) return;
                                     if (r.ok()) r.error = "the watch ended before the pod was ready";
                                     self->finish(std::move(r));
                                 });
    }

    // May run inside `changed` (the caller's wait is over): the callbacks
    // are dropped only once no callback runs.
    void stop() override {
        stopped_ = true;
        done_ = nullptr;
        if (!in_changed_) changed_ = nullptr;
        if (auto call = std::exchange(call_, nullptr)) call->cancel();
    }

private:
    void feed(std::string_view piece) {
        // The caller may drop its last reference to this watch from inside a callback.
        auto self = shared_from_this();
        lines_.append(piece);
        size_t newline;
        while (!stopped_ && (newline = lines_.find('\n')) != std::string::npos) {
            const std::string line = lines_.substr(0, newline);
            lines_.erase(0, newline + 1);
            event(line);
        }
    }

    void event(const std::string& line) {
        simdjson::dom::parser parser;
        simdjson::dom::element root;
        if (parser.parse(line.data(), line.size()).get(root) != simdjson::SUCCESS) return;
        const std::string type = text(root, "type");
        simdjson::dom::element object;
        if (root["object"].get(object) != simdjson::SUCCESS) return;
        if (type == "ERROR") {
            ApiResult r;
            r.status = 200;
            r.error = "watching the pod: the API server ended the watch: " + text(object, "message");
            return finish(std::move(r));
        }
        std::string error;
        auto pod = parse_pod(simdjson::minify(object), error);
        if (!pod) return;
        if (type == "DELETED") {
            ApiResult r;
            r.status = 410;
            return finish(std::move(r));
        }
        if (!changed_) return;
        in_changed_ = true;
        const bool over = changed_(*pod);
        in_changed_ = false;
        if (stopped_) changed_ = nullptr;
        if (over) {
            ApiResult r;
            r.status = 200;
            finish(std::move(r));
        }
    }

    void finish(ApiResult r) {
        auto done = std::move(done_);
        auto self = shared_from_this();
        stop();
        if (done) done(std::move(r));
    }

    std::function<bool(const PodView&)> changed_;
    ApiClient::Finished done_;
    std::shared_ptr<csh::loop_http::HttpCall> call_;
    std::string lines_;
    bool stopped_ = false;
    bool in_changed_ = false;
};

}  // namespace

ApiClient::ApiClient(csh::sdk::Host host, ApiAccess access,
                     std::shared_ptr<const csh::backend_support::BackendMetrics> metrics)
    : host_(std::move(host)), access_(std::move(access)), metrics_(std::move(metrics)) {}

std::string ApiClient::core(const std::string& rest) const { return access_.prefix + access_.core_path + "/v1" + rest; }

std::string ApiClient::coordination(const std::string& rest) const {
    return access_.prefix + "/apis/coordination.k8s.io/v1" + rest;
}

std::vector<std::pair<std::string, std::string>> ApiClient::request_headers() const {
    std::vector<std::pair<std::string, std::string>> headers;
    if (access_.authorization) {
        std::string value = access_.authorization();
        if (!value.empty()) headers.emplace_back("Authorization", std::move(value));
    }
    return headers;
}

void ApiClient::when_allowed(csh_strand* strand, std::function<void()> fn) const {
    if (!access_.limiter) return fn();
    access_.limiter->acquire(host_, strand, std::move(fn));
}

std::shared_ptr<csh::loop_http::HttpCall> ApiClient::exchange(const CallSite& at, HttpRequest request,
                                                              const BackendOperation& operation,
                                                              std::vector<int> accepted, Answered done) {
    for (auto& header : request_headers()) request.headers.push_back(std::move(header));
    if (!request.body.empty() && request.method == "PATCH") {
        request.headers.emplace_back("Content-Type", "application/merge-patch+json");
    }
    request.pending = at.pending;
    const auto started = std::chrono::steady_clock::now();
    auto self = shared_from_this();
    const std::string what = std::string(operation.description) + " (" + request.method + " " + request.target + ")";
    return csh::loop_http::HttpCall::start(
        host_, at.strand, access_.connector, std::move(request),
        [self, operation, what, started, accepted = std::move(accepted), done = std::move(done)](
            HttpResponse response, std::string error) {
            ApiResult r = csh::loop_http::judge_answer(what, response, error, accepted);
            if (self->metrics_) {
                self->metrics_->request_done(operation, !r.ok(), std::chrono::steady_clock::now() - started);
            }
            done(std::move(r), std::move(response));
        });
}

void ApiClient::call(const CallSite& at, HttpRequest request, const BackendOperation& operation,
                     std::vector<int> accepted, Answered done) {
    auto self = shared_from_this();
    auto boxed = std::make_shared<HttpRequest>(std::move(request));
    when_allowed(at.strand, [self, at, boxed, &operation, accepted = std::move(accepted), done = std::move(done)]() mutable {
        self->exchange(at, std::move(*boxed), operation, std::move(accepted), std::move(done));
    });
}

void ApiClient::create_pod(const CallSite& at, const std::string& ns, std::string body, Done<PodView> done) {
    call(at, request_for("POST", core("/namespaces/" + ns + "/pods"), access_.http_timeout, std::move(body)),
         kPodCreate, {200, 201, 202}, [done = std::move(done)](ApiResult r, HttpResponse response) {
             with_pod(std::move(r), response, done, kPodCreate.description);
         });
}

void ApiClient::get_pod(const CallSite& at, const std::string& ns, const std::string& name, Done<PodView> done) {
    call(at, request_for("GET", core("/namespaces/" + ns + "/pods/" + name), access_.http_timeout), kPodGet, {200},
         [done = std::move(done)](ApiResult r, HttpResponse response) {
             with_pod(std::move(r), response, done, kPodGet.description);
         });
}

void ApiClient::list_pods(const CallSite& at, const std::string& ns, const std::string& label_selector,
                          Done<std::vector<PodView>> done) {
    std::string target = ns.empty() ? core("/pods") : core("/namespaces/" + ns + "/pods");
    if (!label_selector.empty()) target += "?labelSelector=" + query_escape(label_selector);
    HttpRequest request = request_for("GET", std::move(target), access_.http_timeout);
    request.body_limit = 64u << 20;
    call(at, std::move(request), kPodList, {200}, [done = std::move(done)](ApiResult r, HttpResponse response) {
        if (!r.ok()) return done(std::move(r), {});
        std::string error;
        auto pods = parse_pod_list(response.body, error);
        if (!pods) {
            r.error = std::string(kPodList.description) + ": " + error;
            return done(std::move(r), {});
        }
        done(std::move(r), std::move(*pods));
    });
}

void ApiClient::delete_pod(const CallSite& at, const std::string& ns, const std::string& name,
                           std::chrono::seconds grace, Finished done) {
    const std::string body = R"({"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":)" +
                             std::to_string(grace.count()) + "}";
    call(at,
         request_for("DELETE",
                     core("/namespaces/" + ns + "/pods/" + name + "?gracePeriodSeconds=" + std::to_string(grace.count())),
                     access_.http_timeout, body),
         kPodDelete, {200, 202, 404}, [done = std::move(done)](ApiResult r, HttpResponse) { done(std::move(r)); });
}

std::shared_ptr<ApiClient::Watch> ApiClient::watch_pod(const CallSite& at, const std::string& ns,
                                                       const std::string& name, const std::string& resource_version,
                                                       std::chrono::milliseconds timeout,
                                                       std::function<bool(const PodView&)> changed, Finished done) {
    auto watch = std::make_shared<PodWatch>(std::move(changed), std::move(done));
    const auto seconds = std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
    std::string target = core("/namespaces/" + ns + "/pods?watch=true&fieldSelector=" +
                              query_escape("metadata.name=" + name) + "&timeoutSeconds=" + std::to_string(seconds));
    if (!resource_version.empty()) target += "&resourceVersion=" + query_escape(resource_version);
    HttpRequest request = request_for("GET", std::move(target), timeout);
    request.body_limit = 16u << 20;
    auto self = shared_from_this();
    when_allowed(at.strand, [self, watch, at, boxed = std::make_shared<HttpRequest>(std::move(request))] {
        watch->start(self, at, std::move(*boxed));
    });
    return watch;
}

std::string ApiClient::exec_target(const std::string& ns, const std::string& pod, const std::string& container,
                                   const std::vector<std::string>& command, bool stdin, bool tty) const {
    std::string target = core("/namespaces/" + ns + "/pods/" + pod + (command.empty() ? "/attach" : "/exec")) +
                         "?container=" + query_escape(container);
    for (const std::string& word : command) target += "&command=" + query_escape(word);
    target += stdin ? "&stdin=true" : "";
    target += "&stdout=true";
    // With a terminal the program's stderr is the terminal too.
    target += tty ? "&tty=true" : "&stderr=true";
    return target;
}

void ApiClient::get_lease(const CallSite& at, const std::string& ns, const std::string& name, Done<LeaseView> done) {
    call(at, request_for("GET", coordination("/namespaces/" + ns + "/leases/" + name), access_.http_timeout),
         kLeaseGet, {200}, [done = std::move(done)](ApiResult r, HttpResponse response) {
             with_lease(std::move(r), response, done, kLeaseGet.description);
         });
}

void ApiClient::list_leases(const CallSite& at, const std::string& ns, const std::string& label_selector,
                            Done<std::vector<LeaseView>> done) {
    std::string target = coordination("/namespaces/" + ns + "/leases");
    if (!label_selector.empty()) target += "?labelSelector=" + query_escape(label_selector);
    call(at, request_for("GET", std::move(target), access_.http_timeout), kLeaseList, {200},
         [done = std::move(done)](ApiResult r, HttpResponse response) {
             if (!r.ok()) return done(std::move(r), {});
             simdjson::dom::parser parser;
             simdjson::dom::element root;
             simdjson::dom::array items;
             if (parser.parse(response.body.data(), response.body.size()).get(root) != simdjson::SUCCESS ||
                 root["items"].get_array().get(items) != simdjson::SUCCESS) {
                 r.error = std::string(kLeaseList.description) + ": the answer is not a LeaseList";
                 return done(std::move(r), {});
             }
             std::vector<LeaseView> leases;
             for (simdjson::dom::element item : items) {
                 if (auto lease = lease_view(item)) leases.push_back(std::move(*lease));
             }
             done(std::move(r), std::move(leases));
         });
}

void ApiClient::create_lease(const CallSite& at, const std::string& ns, std::string body, Done<LeaseView> done) {
    call(at, request_for("POST", coordination("/namespaces/" + ns + "/leases"), access_.http_timeout, std::move(body)),
         kLeaseCreate, {200, 201}, [done = std::move(done)](ApiResult r, HttpResponse response) {
             with_lease(std::move(r), response, done, kLeaseCreate.description);
         });
}

void ApiClient::replace_lease(const CallSite& at, const std::string& ns, const std::string& name, std::string body,
                              Done<LeaseView> done) {
    call(at,
         request_for("PUT", coordination("/namespaces/" + ns + "/leases/" + name), access_.http_timeout,
                     std::move(body)),
         kLeaseReplace, {200}, [done = std::move(done)](ApiResult r, HttpResponse response) {
             with_lease(std::move(r), response, done, kLeaseReplace.description);
         });
}

void ApiClient::delete_lease(const CallSite& at, const std::string& ns, const std::string& name, Finished done) {
    call(at, request_for("DELETE", coordination("/namespaces/" + ns + "/leases/" + name), access_.http_timeout),
         kLeaseDelete, {200, 202, 404}, [done = std::move(done)](ApiResult r, HttpResponse) { done(std::move(r)); });
}

}  // namespace backend_kubernetes
