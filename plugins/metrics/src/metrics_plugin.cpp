// metrics: the Prometheus exporter (provides "metrics/prometheus"). The
// host's registry is served over HTTP(S) with ContainerSSH's server block,
// in the Prometheus text format or, when the scraper asks, OpenMetrics.
#include "messages.hpp"
#include "metrics_endpoint.hpp"
#include "metrics_settings.hpp"

#include <containerssh/sdk/metrics.hpp>
#include <containerssh/sdk/metrics_snapshot.hpp>
#include <containerssh/sdk/plugin.hpp>
#include <csh/http/http_server.hpp>

#include <memory>
#include <string>

namespace metrics_plugin {

class MetricsPlugin final : public csh::sdk::MetricsPlugin {
public:
    explicit MetricsPlugin(csh::sdk::Host host)
        : Plugin(host), settings_(parse_metrics_settings(host.config_section("metrics"))) {}

protected:
    void start() override {
        if (server_) return;
        try {
            server_ = std::make_unique<csh::http::HttpServer>(
                settings_.server, [this](const csh::http::Request& request) { return answer(request); },
                [this](const csh::http::ServeProblem& problem) { report(problem); });
        } catch (const csh::http::StartError& e) {
            throw csh::sdk::Error(e.tls_rejected() ? codes::METRICS_TLS_FAILED : codes::METRICS_LISTEN_FAILED, e.what(),
                                  {{"address", settings_.server.listen}});
        }
        const std::string scheme = server_->tls() ? "https://" : "http://";
        host().log(codes::METRICS_AVAILABLE, "serving metrics on " + scheme + server_->address() + settings_.path,
                   {{"address", server_->address()},
                    {"path", settings_.path},
                    {"tls", server_->tls() ? "true" : "false"}});
    }

    void stop() override { server_.reset(); }

private:
    // [any-thread] On the server's threads; the registry is read through the
    // host, which allows it from any thread.
    csh::http::Response answer(const csh::http::Request& request) const {
        try {
            return answer_metrics_request(request, settings_.path,
                                          [this] { return csh::sdk::snapshot_metrics(host()); });
        } catch (const std::exception& e) {
            host().log(codes::METRICS_INTERNAL_ERROR, std::string("cannot answer a scrape: ") + e.what(),
                       {{"where", "metrics.request"}, {"client", request.client}});
            return {500, "text/plain; charset=utf-8", "500 internal server error\n", {}};
        }
    }

    // [any-thread] What the server could not tell the scraper: only the log
    // hears of it. (answer() catches its own failures, so a handler_failed
    // here means the server itself failed to build the answer.)
    void report(const csh::http::ServeProblem& problem) const {
        const bool write = problem.kind == csh::http::ServeProblem::Kind::write_failed;
        host().log(write ? codes::METRICS_SCRAPE_WRITE_FAILED : codes::METRICS_INTERNAL_ERROR,
                   (write ? "cannot send a scrape's answer: " : "cannot answer a scrape: ") + problem.message,
                   {{"where", "metrics.request"}, {"path", problem.path}, {"client", problem.client}});
    }

    const MetricsSettings settings_;
    // Last: destroyed (stopped, requests finished) before what they use.
    std::unique_ptr<csh::http::HttpServer> server_;
};

}  // namespace metrics_plugin

CSH_DECLARE_PLUGIN(metrics_plugin::MetricsPlugin, "io.containerssh.metrics.prometheus", "Prometheus metrics", "0.1.0",
                   "Serves the gateway's metrics to Prometheus, in the Prometheus text format or OpenMetrics.",
                   CSH_PROVIDES("metrics/prometheus"), metrics_plugin::kMessageTable)
