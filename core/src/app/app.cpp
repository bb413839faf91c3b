#include "app/app.hpp"

#include "app/audit_flush.hpp"
#include "app/audit_intercept.hpp"
#include "app/descriptor_limit.hpp"
#include "app/host_key_setup.hpp"
#include "app/options.hpp"
#include "app/plugin_selection.hpp"
#include "app/signal_wait.hpp"
#include "config/config.hpp"
#include "geoip/country_lookup.hpp"
#include "health/health_check.hpp"
#include "health/health_endpoint.hpp"
#include "host/event_loop.hpp"
#include "host/loop_service.hpp"
#include "host/metric_registry.hpp"
#include "host/plugin_host.hpp"
#include "log/codes.hpp"
#include "log/logger.hpp"
#include "plugins/registry.hpp"
#include "ssh/deadlines.hpp"
#include "ssh/server.hpp"
#include "ssh/ssh_metrics.hpp"

#include <csh/http/http_server.hpp>

#include <containerssh/sdk/types.hpp>
#include <libssh/libssh.h>

#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <system_error>

#ifndef CSH_VERSION
#define CSH_VERSION "dev"
#endif
#ifndef CSH_PLUGIN_INSTALL_DIR
#define CSH_PLUGIN_INSTALL_DIR "/usr/lib/containerssh/plugins"
#endif

namespace csh::app {
namespace {

constexpr auto kShutdownGrace = std::chrono::seconds(20);
// How long audit plugins may take to finish their last uploads at shut-down.
constexpr auto kAuditFlushDeadline = std::chrono::seconds(30);

// lib/containerssh/plugins beside the executable's bin directory: a tree
// copied elsewhere (or the build tree, which has the same layout) finds the
// plugins shipped with it without configuration.
std::filesystem::path plugins_beside_executable() {
    std::error_code ec;
    const auto executable = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    return executable.parent_path().parent_path() / "lib" / "containerssh" / "plugins";
}

// Plugin directories, in search order: the plugins shipped with this binary
// (beside it, or, for a binary moved away on its own, the install location
// it was built for), the file's plugins.path, then --plugin-dir. A build-tree
// binary thus never meets an installed copy of its own plugins (they would
// be refused as duplicate ids), and an installed tree can be moved. A
// directory named twice is searched once.
std::vector<std::filesystem::path> plugin_dirs(const Options& options, const config::Config* config) {
    std::filesystem::path shipped = plugins_beside_executable();
    std::error_code ec;
    if (shipped.empty() || !std::filesystem::is_directory(shipped, ec)) shipped = CSH_PLUGIN_INSTALL_DIR;
    std::vector<std::filesystem::path> named{shipped};
    if (config != nullptr) {
        for (const auto& d : config->plugins().path) named.emplace_back(d);
    }
    for (const auto& d : options.plugin_dirs) named.emplace_back(d);
    std::vector<std::filesystem::path> dirs;
    std::set<std::filesystem::path> seen;
    for (const auto& dir : named) {
        if (dir.empty()) continue;
        std::error_code ec;
        auto canonical = std::filesystem::weakly_canonical(dir, ec);
        if (ec) canonical = dir;
        if (seen.insert(canonical).second) dirs.push_back(dir);
    }
    return dirs;
}

void log_refusals(log::Logger& logger, const std::vector<plugins::Refusal>& refusals) {
    for (const auto& r : refusals) logger.log(r.code, r.message, {{"file", r.file.string()}});
}

// --list-codes and --list-plugins work without a configuration file; when
// one is readable its plugins.path is searched too.
int list(const Options& options, log::CodeRegistry& codes) {
    std::unique_ptr<config::Config> config;
    try {
        config = std::make_unique<config::Config>(config::Config::load(options.config_file));
    } catch (const config::ConfigError&) {
    }
    plugins::Registry registry(codes);
    const auto refusals = registry.discover(plugin_dirs(options, config.get()));
    if (options.list_codes) {
        std::cout << codes.markdown_table();
    } else {
        std::cout << "| Plugin | Version | Provides | File |\n| --- | --- | --- | --- |\n";
        for (const auto& p : registry.plugins()) {
            std::string provides;
            for (size_t i = 0; i < p->descriptor().provides_count; ++i) {
                provides += (i ? ", " : "") + std::string(p->descriptor().provides[i]);
            }
            std::cout << "| " << p->id() << " | " << p->descriptor().version << " | " << provides << " | "
                      << p->path().string() << " |\n";
        }
    }
    for (const auto& r : refusals) std::cerr << r.code << ": " << r.message << "\n";
    return 0;
}

// --healthcheck: one request, the outcome as the exit code.
int healthcheck(const config::Config& config, log::Logger& logger) {
    try {
        const auto result = health::check_health(config.section_json("health"));
        if (result.ok) return 0;
        logger.log(codes::HEALTH_CHECK_FAILED, result.detail);
    } catch (const sdk::Error& e) {
        logger.log(codes::CORE_CONFIG_ERROR, e.what());
    }
    return 1;
}

// The health endpoint (enabled in the configuration); answers "not ok"
// until set_ready. nullptr, with the reason logged, when it cannot start.
std::unique_ptr<health::HealthEndpoint> start_health(const config::Config& config, log::Logger& logger) {
    try {
        logger.log(codes::SERVICE_STARTING, "", {{"service", "health"}});
        auto endpoint = std::make_unique<health::HealthEndpoint>(
            config.section_json("health"), [&logger](const http::ServeProblem& problem) {
                logger.log(problem.kind == http::ServeProblem::Kind::handler_failed ? codes::HTTP_SERVER_ENCODE_FAILED
                                                                                    : codes::HTTP_SERVER_RESPONSE_WRITE_FAILED,
                           problem.message, {{"path", problem.path}, {"client", problem.client}});
            });
        logger.log(codes::HEALTH_AVAILABLE, "", {{"address", endpoint->address()}});
        logger.log(codes::SERVICE_RUNNING, "", {{"service", "health"}});
        return endpoint;
    } catch (const http::SettingsError& e) {
        logger.log(codes::CORE_CONFIG_ERROR, e.what(), {{"key", e.key_path()}});
    } catch (const http::StartError& e) {
        logger.log(codes::HEALTH_START_FAILED, e.what(), {{"address", config.health().listen}});
    }
    return nullptr;
}

// Stops the first `count` metrics services, last started first.
void stop_metrics(const std::vector<ssh::Bound<csh_metrics_interface>>& services, size_t count, log::Logger& logger) {
    while (count > 0) {
        const auto& m = services[--count];
        logger.log(codes::SERVICE_STOPPING, "", {{"service", m.id}});
        m.api->stop(m.instance);
        logger.log(codes::SERVICE_STOPPED, "", {{"service", m.id}});
    }
}

// The metrics services run their own servers. They start before SSH
// accepts anyone, so a port in use ends the start before a user logs in.
bool start_metrics(const std::vector<ssh::Bound<csh_metrics_interface>>& services, log::Logger& logger) {
    for (size_t started = 0; started < services.size(); ++started) {
        const auto& m = services[started];
        logger.log(codes::SERVICE_STARTING, "", {{"service", m.id}});
        if (m.api->start(m.instance) != CSH_OK) {
            // The plugin logged why (its own code, e.g. the port in use).
            logger.log(codes::SERVICE_CRASHED, "the metrics service did not start", {{"service", m.id}});
            stop_metrics(services, started, logger);
            return false;
        }
        logger.log(codes::SERVICE_RUNNING, "", {{"service", m.id}});
    }
    return true;
}

sigset_t handled_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

// The drain after the first SIGTERM or SIGINT (docs/ssh-server.md, "Shutting
// down"): no new connections, the open ones may end by themselves until
// ssh.drainTimeout or a second SIGTERM or SIGINT; SIGHUP still reopens the log.
void drain(ssh::Server& server, SignalWait& signal_wait, std::chrono::milliseconds timeout, log::Logger& logger) {
    if (timeout.count() == 0) return;  // 0s: closed at once by stop(), as before drains existed
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const size_t open = server.stop_accepting([&signal_wait] { signal_wait.wake(); });
    logger.log(codes::SERVICE_POOL_DRAINING,
               "open connections: " + std::to_string(open) + "; waiting up to " + ssh::format_duration(timeout) +
                   " (ssh.drainTimeout) for them to end",
               {{"connections", std::to_string(open)}, {"drainTimeout", ssh::format_duration(timeout)}});
    for (;;) {
        const auto woken = signal_wait.wait(deadline);
        if (woken.why == SignalWait::Woken::signal && woken.signal == SIGHUP) {
            logger.reopen();
            continue;
        }
        if (woken.why == SignalWait::Woken::wake) {
            logger.log(codes::SERVICE_POOL_DRAINED, "every connection has ended");
            return;
        }
        const std::string left = std::to_string(server.open_connections());
        if (woken.why == SignalWait::Woken::deadline) {
            logger.log(codes::SERVICE_POOL_DRAIN_TIMEOUT,
                       "ssh.drainTimeout " + ssh::format_duration(timeout) + " passed; closing the open connections: " +
                           left,
                       {{"connections", left}, {"drainTimeout", ssh::format_duration(timeout)}});
        } else {
            logger.log(codes::SERVICE_POOL_DRAIN_INTERRUPTED,
                       "a second signal ended the drain; closing the open connections: " + left,
                       {{"connections", left}});
        }
        return;
    }
}

}  // namespace

int run(int argc, const char* const* argv) {
    std::string error;
    auto parsed = parse_options(argc, argv, error);
    if (!parsed) {
        std::cerr << "containerssh: " << error << "\n";
        return 2;
    }
    const Options& options = *parsed;
    if (options.help) {
        std::cout << options.help_text;
        return 0;
    }
    if (options.version) {
        std::cout << "containerssh " << CSH_VERSION << " (plugin ABI " << CSH_ABI_MAJOR << "." << CSH_ABI_MINOR
                  << ")\n";
        return 0;
    }
    // A closed stdout must become LOG_WRITE_FAILED, not a silent death.
    std::signal(SIGPIPE, SIG_IGN);

    log::CodeRegistry codes;
    codes.add_core_codes();
    if (options.list_codes || options.list_plugins) return list(options, codes);

    // Until the configuration is read, lines go to stdout with the defaults.
    auto logger = std::make_unique<log::Logger>(codes, log::LogSettings{});
    std::unique_ptr<config::Config> config;
    try {
        logger->log(codes::CORE_CONFIG_FILE, "", {{"file", options.config_file}});
        config = std::make_unique<config::Config>(config::Config::load(options.config_file));
    } catch (const config::ConfigError& e) {
        logger->log(codes::CORE_CONFIG_ERROR, e.what(), {{"key", e.key_path()}, {"file", options.config_file}});
        return 1;
    }
    if (options.dump_config) {
        std::cout << config->dump_yaml();
        return 0;
    }
    try {
        logger = std::make_unique<log::Logger>(codes, config->log());
    } catch (const log::LogError& e) {
        logger->log(e.code(), e.what());
        return 1;
    }
    for (const auto& note : config->deprecations()) logger->log(codes::CORE_CONFIG_DEPRECATED, note);
    if (options.healthcheck) return healthcheck(*config, *logger);

    // Signals are read from a signalfd below; block them before any thread starts.
    const sigset_t signals = handled_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::optional<SignalWait> signal_wait_storage;
    try {
        signal_wait_storage.emplace(signals);
    } catch (const std::system_error& e) {
        logger->log(codes::SSH_START_FAILED, std::string("cannot wait for signals: ") + e.what());
        return 1;
    }
    SignalWait& signal_wait = *signal_wait_storage;

    std::unique_ptr<geoip::CountryLookup> geoip;
    try {
        geoip = geoip::open_country_lookup(config->geoip().provider, config->geoip().maxmind_file);
        logger->log(codes::GEOIP_READY, "", {{"provider", geoip->describe()}});
    } catch (const geoip::GeoIpError& e) {
        logger->log(codes::GEOIP_DATABASE_FAILED, e.what(), {{"file", config->geoip().maxmind_file}});
        return 1;
    }

    raise_descriptor_limit(*logger);
    ssh_init();
    auto host_keys = setup_host_keys(*config, *logger);
    if (!host_keys) return 1;

    host::EventLoop loop;
    host::MetricRegistry metrics;
    // Hosts outlive the registry: plugins may still log while they deinit.
    std::map<std::string, std::unique_ptr<host::PluginHost>> hosts;
    plugins::Registry registry(codes);
    log_refusals(*logger, registry.discover(plugin_dirs(options, config.get())));
    Selection selection;
    try {
        selection = select_plugins(*config, registry, [&](plugins::Plugin& plugin) {
            auto& h = hosts[std::string(plugin.id())];
            if (!h) {
                h = std::make_unique<host::PluginHost>(
                    host::Services{loop.context(), *logger, *config, metrics}, std::string(plugin.id()));
            }
            return h->c_host();
        });
    } catch (const SelectionError& e) {
        logger->log(e.code(), e.what());
        return 1;
    }
    for (const auto& p : registry.plugins()) {
        if (p->initialised()) logger->log(codes::CORE_PLUGIN_INITIALISED, "", {{"plugin", std::string(p->id())}});
    }

    logger->log(codes::SERVICE_POOL_STARTING, "");
    // First, so a probe sees "not ok" (rather than a refused connection)
    // while the rest starts.
    std::unique_ptr<health::HealthEndpoint> health;
    if (config->health().enable && !(health = start_health(*config, *logger))) return 1;
    if (!start_metrics(selection.metrics, *logger)) return 1;
    ssh::SshMetrics ssh_metrics(metrics);
    ssh::ServerContext context{loop,
                               *logger,
                               *config,
                               selection.roles,
                               audit_intercept(config->section_json("audit")),
                               config->effective_json(),
                               ssh_metrics,
                               *geoip,
                               nullptr};
    std::unique_ptr<ssh::Server> server;
    try {
        logger->log(codes::SERVICE_STARTING, "", {{"service", "ssh"}});
        server = std::make_unique<ssh::Server>(std::move(context), std::move(*host_keys));
        loop.start();
        server->start();
        logger->log(codes::SERVICE_RUNNING, "", {{"service", "ssh"}});
    } catch (const std::exception& e) {
        logger->log(codes::SSH_START_FAILED, e.what());
        server.reset();
        loop.stop_and_join();
        stop_metrics(selection.metrics, selection.metrics.size(), *logger);
        return 1;
    }
    logger->log(codes::SERVICE_POOL_RUNNING, "");
    if (health) health->set_ready(true);

    for (;;) {
        const auto woken = signal_wait.wait(std::nullopt);
        if (woken.why != SignalWait::Woken::signal) continue;
        if (woken.signal == SIGHUP) {
            logger->reopen();
            continue;
        }
        break;
    }

    // Before anything stops: load balancers take the instance out while
    // connections drain; the endpoint keeps answering until the end.
    if (health) health->set_ready(false);
    drain(*server, signal_wait, config->ssh().drain_timeout, *logger);
    logger->log(codes::SERVICE_POOL_STOPPING, "");
    stop_metrics(selection.metrics, selection.metrics.size(), *logger);
    logger->log(codes::SERVICE_STOPPING, "", {{"service", "ssh"}});
    server->stop(kShutdownGrace);
    logger->log(codes::SERVICE_STOPPED, "", {{"service", "ssh"}});
    flush_audit(selection.roles.audit, kAuditFlushDeadline, *logger);
    loop.stop_and_join();
    server.reset();
    registry.deinit_all();
    host::free_abandoned_timers();
    if (health) {
        logger->log(codes::SERVICE_STOPPING, "", {{"service", "health"}});
        health.reset();
        logger->log(codes::SERVICE_STOPPED, "", {{"service", "health"}});
    }
    logger->log(codes::SERVICE_POOL_STOPPED, "");
    ssh_finalize();
    return 0;
}

}  // namespace csh::app
