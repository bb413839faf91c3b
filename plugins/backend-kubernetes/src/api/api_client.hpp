// The Kubernetes API operations the backend uses, asynchronous on a strand,
// over the shared loop HTTP transport (libs/loop-http): pods (create, get,
// list, watch, delete), leases (this gateway's heartbeat) and the target of
// an exec or attach, which ExecStream opens over WebSocket.
//
// Every request carries the configured credentials (a bearer token re-read
// from its file as it rotates, or basic auth; client certificates live in the
// connector's TLS context), waits for its token from the qps/burst limiter,
// and is counted and timed in the backend metrics (backend="kubernetes").
// Every operation completes on the caller's strand with an ApiResult: ok, or
// an error text that names the operation, the object and the API server's
// own message.
#pragma once

#include "api/pod_view.hpp"
#include "api/rate_limiter.hpp"

#include <containerssh/sdk/host.hpp>
#include <csh/backend_support/backend_metrics.hpp>
#include <csh/backend_support/call_site.hpp>
#include <csh/loop_http/connector.hpp>
#include <csh/loop_http/http_call.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace backend_kubernetes {

using csh::backend_support::CallSite;

using ApiResult = csh::loop_http::CallResult;

// Where the API server is and how to authenticate to it, as the
// configuration resolved it.
struct ApiAccess {
    std::shared_ptr<const csh::loop_http::Connector> connector;
    // The path in front of every API path: "" normally, "/k8s/clusters/c-1"
    // behind a proxy that serves the API under a prefix.
    std::string prefix;
    // The core group's path (kubernetes.connection.path, "/api").
    std::string core_path = "/api";
    // The Authorization header's value, fresh for each request ("" for none);
    // called on the request's strand. May hold a secret: never logged.
    std::function<std::string()> authorization;
    std::chrono::milliseconds http_timeout{15000};
    std::shared_ptr<RateLimiter> limiter;
};

struct LeaseView {
    std::string name;
    std::string resource_version;
    std::string holder;
    std::string renew_time;  // RFC 3339 with microseconds, as written
    int64_t duration_seconds = 0;
};

class ApiClient : public std::enable_shared_from_this<ApiClient> {
public:
    ApiClient(csh::sdk::Host host, ApiAccess access, std::shared_ptr<const csh::backend_support::BackendMetrics> metrics);

    // "https://host:port", for log lines; holds nothing secret.
    std::string server() const { return access_.connector->endpoint().display(); }
    const ApiAccess& access() const { return access_; }

    template <class T>
    using Done = std::function<void(ApiResult, T)>;
    using Finished = std::function<void(ApiResult)>;

    void create_pod(const CallSite& at, const std::string& ns, std::string body, Done<PodView> done);
    // A missing pod is an error with status 404.
    void get_pod(const CallSite& at, const std::string& ns, const std::string& name, Done<PodView> done);
    // `ns` empty: every namespace the credentials may list.
    void list_pods(const CallSite& at, const std::string& ns, const std::string& label_selector,
                   Done<std::vector<PodView>> done);
    // Deletes with the grace period; a pod already gone is success.
    void delete_pod(const CallSite& at, const std::string& ns, const std::string& name, std::chrono::seconds grace,
                    Finished done);

    // Watches one pod from `resource_version` on: `changed` sees every
    // version of it and returns true to stop watching (then `done` runs with
    // ok). `done` runs with an error when the watch fails or `timeout`
    // passes first, and with ok and status 410 when the pod was deleted.
    // Returns a handle; dropping it does not stop the watch, stop() does.
    class Watch {
    public:
        virtual ~Watch() = default;
        virtual void stop() = 0;
    };
    std::shared_ptr<Watch> watch_pod(const CallSite& at, const std::string& ns, const std::string& name,
                                     const std::string& resource_version, std::chrono::milliseconds timeout,
                                     std::function<bool(const PodView&)> changed, Finished done);

    // The request line of an exec into `container` running `command` (each
    // word a query parameter), or of an attach when `command` is empty.
    std::string exec_target(const std::string& ns, const std::string& pod, const std::string& container,
                            const std::vector<std::string>& command, bool stdin, bool tty) const;
    // The headers an exec or attach handshake carries (credentials).
    std::vector<std::pair<std::string, std::string>> request_headers() const;
    // [strand] Runs `fn` once the limiter lets a request go (exec handshakes
    // count against qps/burst too).
    void when_allowed(csh_strand* strand, std::function<void()> fn) const;

    // Leases in coordination.k8s.io/v1. get: 404 when missing. replace:
    // 409 when `resource_version` is stale.
    void get_lease(const CallSite& at, const std::string& ns, const std::string& name, Done<LeaseView> done);
    void list_leases(const CallSite& at, const std::string& ns, const std::string& label_selector,
                     Done<std::vector<LeaseView>> done);
    void create_lease(const CallSite& at, const std::string& ns, std::string body, Done<LeaseView> done);
    void replace_lease(const CallSite& at, const std::string& ns, const std::string& name, std::string body,
                       Done<LeaseView> done);
    void delete_lease(const CallSite& at, const std::string& ns, const std::string& name, Finished done);

    using Answered = std::function<void(ApiResult, csh::loop_http::HttpResponse)>;
    // One request as it is, judged by `accepted`, counted and timed: the one
    // place every request to the API server goes through. Public for the
    // watch, which keeps its call to cancel it.
    std::shared_ptr<csh::loop_http::HttpCall> exchange(const CallSite& at, csh::loop_http::HttpRequest request,
                                                       const csh::backend_support::BackendOperation& operation,
                                                       std::vector<int> accepted, Answered done);

private:
    void call(const CallSite& at, csh::loop_http::HttpRequest request,
              const csh::backend_support::BackendOperation& operation, std::vector<int> accepted, Answered done);
    std::string core(const std::string& rest) const;
    std::string coordination(const std::string& rest) const;

    csh::sdk::Host host_;
    ApiAccess access_;
    std::shared_ptr<const csh::backend_support::BackendMetrics> metrics_;
};

}  // namespace backend_kubernetes
