// The steps around a container that both execution modes share: making sure
// the image is there (imagePullPolicy), creating and starting the container,
// running a short helper program in it (the agent's write-file and signal),
// and removing it. Each step logs its DOCKER_* code with the container id and
// image, and reports failures in a line fit to show the user.
#pragma once

#include "connection_context.hpp"
#include "request_bodies.hpp"

#include <functional>
#include <memory>
#include <string>

namespace backend_docker {

// `user_error` is empty on success; otherwise one line for the user (the
// log has the details).
using StepDone = std::function<void(const std::string& user_error)>;

void ensure_image(const std::shared_ptr<const ConnectionContext>& context, StepDone done);

// Creates the container. `done` gets its id, or an error line.
void create_container(const std::shared_ptr<const ConnectionContext>& context, const ContainerSpec& spec,
                      std::function<void(const std::string& id, const std::string& user_error)> done);

void start_container(const std::shared_ptr<const ConnectionContext>& context, const std::string& id,
                     StepDone done);

// Stops (connection mode, giving the idle command its signal) and removes
// the container, retrying until containerStop runs out; `done` runs once it
// is gone or given up on. Safe to call when the connection has closed.
void remove_container(const std::shared_ptr<const ConnectionContext>& context, const std::string& id,
                      std::function<void()> done);

// Runs `command` in the container with `input` on its stdin and waits for
// its exit code (-1 when it could not be run; `error` says why).
void run_helper(const std::shared_ptr<const ConnectionContext>& context, const std::string& container,
                std::vector<std::string> command, std::string input, std::chrono::milliseconds timeout,
                std::function<void(int64_t exit_code, const std::string& error)> done);

// Writes the metadata's files with the agent's write-file, one after the
// other; failures are logged (DOCKER_FILE_WRITE_FAILED) and skipped.
void write_files(const std::shared_ptr<const ConnectionContext>& context, const std::string& container,
                 std::function<void()> done);

}  // namespace backend_docker
