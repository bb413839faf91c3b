#include "docker_connection.hpp"

#include "container_lifecycle.hpp"
#include "docker_session.hpp"
#include "forward/docker_forward.hpp"
#include "forward/docker_listener.hpp"

#include <algorithm>
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

DockerConnection::DockerConnection(std::shared_ptr<const ConnectionContext> context, std::string container)
    : BackendConnection(context->host), context_(std::move(context)), container_(std::move(container)) {}

std::shared_ptr<csh::sdk::BackendSession> DockerConnection::open_session(const csh::sdk::SessionParams& params) {
    return std::make_shared<DockerSession>(context_, params, container_);
}

const char* DockerConnection::cannot_forward() const {
    if (context_->config->mode == ExecutionMode::session) {
        return "port forwarding does not work in session mode (there is no container between sessions)";
    }
    if (context_->config->disable_agent) return "port forwarding needs the guest agent (disableAgent is true)";
    return nullptr;
}

void DockerConnection::open_forward(const csh::sdk::ForwardParams& params, csh::sdk::ForwardOpenCompletion done) {
    if (const char* why = cannot_forward()) {
        context_->log(codes::DOCKER_FORWARD_NOT_AVAILABLE, why, {{"channelId", std::to_string(params.channel_id)}});
        done.fail(why);
        return;
    }
    if (!dial_exec_ || !dial_exec_->alive()) {
        csh::agent_forward::proto::SetupPacket setup;
        setup.connection_type = csh::agent_forward::proto::kPortDial;
        dial_exec_ = ForwardExec::start(context_, container_, std::move(setup));
    }
    DockerForward::dial(context_, dial_exec_, params, std::move(done));
}

void DockerConnection::listen(const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done) {
    if (const char* why = cannot_forward()) {
        context_->log(codes::DOCKER_FORWARD_NOT_AVAILABLE, why, {{"address", params.address}});
        done.fail(why);
        return;
    }
    if (params.kind == CSH_FORWARD_STREAMLOCAL) {
        done.fail("this kind of forwarding is not supported by the Docker backend yet");
        return;
    }
    // Ended listeners (cancelled, their connections closed) leave the list here.
    listen_execs_.erase(std::remove_if(listen_execs_.begin(), listen_execs_.end(),
                                       [](const std::shared_ptr<ForwardExec>& exec) { return !exec->alive(); }),
                        listen_execs_.end());
    DockerListener::start(context_, container_, params, std::move(done),
                          [this](std::shared_ptr<ForwardExec> exec) { listen_execs_.push_back(std::move(exec)); });
}

void DockerConnection::close(csh::sdk::StatusCompletion done) {
    // The forward-servers go first and are not waited for (ContainerSSH's
    // #711: a waited-for agent kept the container alive).
    if (dial_exec_) std::exchange(dial_exec_, nullptr)->stop("the connection closed");
    for (auto& exec : std::exchange(listen_execs_, {})) exec->stop("the connection closed");
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
