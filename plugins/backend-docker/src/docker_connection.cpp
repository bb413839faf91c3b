#include "docker_connection.hpp"

#include "container_lifecycle.hpp"
#include "docker_session.hpp"
#include "forward/docker_agent_process.hpp"
#include "messages.hpp"

namespace backend_docker {

namespace {

using Opened = std::function<void(std::shared_ptr<DockerConnection>, const std::string&)>;

void open_connection_container(const std::shared_ptr<const ConnectionContext>& context, Opened done) {
    ContainerSpec spec;
    spec.command = context->config->idle_command;
    spec.labels = context->labels();
    create_container(context, spec, [context, done](const std::string& id, const std::string& error) {
        if (!error.empty()) return done(nullptr, error);
        start_container(context, id, [context, id, done](const std::string& error) {
            if (!error.empty()) {
                remove_container(context, id, [done, error] { done(nullptr, error); });
                return;
            }
            write_files(context, id, [context, id, done] {
                done(std::make_shared<DockerConnection>(context, id), {});
            });
        });
    });
}

}  // namespace

void DockerConnection::open(std::shared_ptr<const ConnectionContext> context, Opened done) {
    context->live->add(context->connection_id);
    auto failed = [context, done](const std::string& error) {
        context->live->remove(context->connection_id);
        done(nullptr, error);
    };
    if (context->config->mode == ExecutionMode::session) {
        // Session mode checks the image now, so a missing one fails the login
        // rather than every session.
        ensure_image(context, [context, done, failed](const std::string& error) {
            if (!error.empty()) return failed(error);
            done(std::make_shared<DockerConnection>(context, std::string()), {});
        });
        return;
    }
    ensure_image(context, [context, done, failed](const std::string& error) {
        if (!error.empty()) return failed(error);
        open_connection_container(context, [done, failed](std::shared_ptr<DockerConnection> c, const std::string& e) {
            if (!c) return failed(e);
            done(std::move(c), {});
        });
    });
}

namespace {

// Why a connection cannot forward, or empty.
std::string forward_refusal(const ConnectionContext& context) {
    if (context.config->mode == ExecutionMode::session) {
        return "port forwarding does not work in session mode (there is no container between sessions)";
    }
    if (context.config->disable_agent) return "port forwarding needs the guest agent (disableAgent is true)";
    return {};
}

}  // namespace

DockerConnection::DockerConnection(std::shared_ptr<const ConnectionContext> context, std::string container)
    : BackendConnection(context->host),
      context_(std::move(context)),
      container_(std::move(container)),
      forwarding_(forward_site(context_, container_), forward_refusal(*context_)) {}

std::shared_ptr<csh::sdk::BackendSession> DockerConnection::open_session(const csh::sdk::SessionParams& params) {
    return std::make_shared<DockerSession>(context_, params, container_);
}

void DockerConnection::open_forward(const csh::sdk::ForwardParams& params, csh::sdk::ForwardOpenCompletion done) {
    forwarding_.open_forward(params, std::move(done));
}

void DockerConnection::listen(const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done) {
    forwarding_.listen(params, std::move(done));
}

void DockerConnection::close(csh::sdk::StatusCompletion done) {
    // The forward-servers go first and are not waited for (ContainerSSH's
    // #711: a waited-for agent kept the container alive).
    forwarding_.stop();
    auto reply = std::make_shared<csh::sdk::StatusCompletion>(std::move(done));
    auto context = context_;
    const std::string container = container_;
    // Sessions' last calls (a session container's removal, an exit code)
    // finish first: they use this connection's strand and log handle.
    context->work->when_idle([context, container, reply] {
        if (container.empty()) {
            context->live->remove(context->connection_id);
            reply->ok();
            return;
        }
        remove_container(context, container, [context, reply] {
            context->live->remove(context->connection_id);
            reply->ok();
        });
    });
}

}  // namespace backend_docker
