// containerssh-auth-config-server: answers ContainerSSH's password, pubkey,
// authz and config webhooks from a YAML users file. An example for operators
// to copy and adapt; see README.md next to this directory.
#include "http_frontend.hpp"
#include "logger.hpp"
#include "messages.hpp"
#include "options.hpp"
#include "users_store.hpp"
#include "webhook_service.hpp"

#include <pthread.h>
#include <signal.h>

#include <csignal>
#include <iostream>
#include <optional>

namespace example_server {
namespace {

sigset_t handled_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

// The users file, or nullopt after logging why it was refused.
std::optional<UserDirectory> load_users(const std::string& file, Logger& logger) {
    try {
        return UserDirectory::load(file);
    } catch (const UsersFileError& e) {
        logger.log(codes::EXAMPLE_SERVER_USERS_INVALID, e.what(), {{"file", e.file()}, {"key", e.key_path()}});
        return std::nullopt;
    }
}

// Logged once the users are in use: a line a client sees means requests are
// answered from the new file.
void log_loaded(Logger& logger, const std::string& file, size_t count) {
    logger.log(codes::EXAMPLE_SERVER_USERS_LOADED, "", {{"file", file}, {"users", std::to_string(count)}});
}

int run(int argc, const char* const* argv) {
    std::string error;
    const auto options = parse_options(argc, argv, error);
    if (!options) {
        std::cerr << "containerssh-auth-config-server: " << error << "\n(see --help)\n";
        return 2;
    }
    if (options->help) {
        std::cout << options->help_text;
        return 0;
    }
    if (options->list_codes) {
        std::cout << code_table_markdown();
        return 0;
    }
    // A client closing its connection must not kill the server.
    std::signal(SIGPIPE, SIG_IGN);
    Logger logger(options->log_level);

    auto initial = load_users(options->users_file, logger);
    if (!initial) return 1;
    const size_t initial_count = initial->size();
    UsersStore users(std::move(*initial));
    log_loaded(logger, options->users_file, initial_count);
    WebhookService service(logger, users);

    // Blocked before Poco starts its threads, so only sigwait() below sees them.
    const sigset_t signals = handled_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    std::optional<HttpFrontend> frontend;
    try {
        frontend.emplace(options->listen, service, logger);
    } catch (const std::exception& e) {
        logger.log(codes::EXAMPLE_SERVER_LISTEN_FAILED, e.what(), {{"address", options->listen}});
        return 1;
    }
    logger.log(codes::CONFIG_SERVER_AVAILABLE, "", {{"address", frontend->address()}});

    for (;;) {
        int signal = 0;
        if (sigwait(&signals, &signal) != 0) continue;
        if (signal != SIGHUP) {
            logger.log(codes::EXAMPLE_SERVER_STOPPING, "", {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
            break;
        }
        logger.log(codes::EXAMPLE_SERVER_USERS_RELOADING, "", {{"file", options->users_file}});
        if (auto reloaded = load_users(options->users_file, logger)) {
            const size_t count = reloaded->size();
            users.replace(std::move(*reloaded));
            log_loaded(logger, options->users_file, count);
        }
    }
    frontend.reset();
    return 0;
}

}  // namespace
}  // namespace example_server

int main(int argc, char** argv) { return example_server::run(argc, argv); }
