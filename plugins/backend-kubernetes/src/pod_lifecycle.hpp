// The steps around a pod that every mode shares: creating it and watching it
// until its console container runs (or saying in one line why it will not),
// running a short helper program in it (the agent's write-file and signal),
// and deleting it with its grace period. Each step logs its KUBERNETES_* code
// with the pod's name and namespace, and reports failures in a line fit to
// show the user.
#pragma once

#include "api/exec_stream.hpp"
#include "connection_context.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace backend_kubernetes {

using api::ExecEnd;
using api::ExecRequest;
using api::ExecStream;

// The pod a connection or session uses.
struct PodRef {
    std::string namespace_;
    std::string name;
    std::string container;  // the console container
    bool empty() const { return name.empty(); }
};

// `user_error` is empty on success; otherwise one line for the user (the log
// has the details).
using StepDone = std::function<void(const std::string& user_error)>;

// Creates the pod from `manifest` and waits (podStart) until the console
// container runs. On failure the pod, when it was created, is deleted again
// before `done` runs.
void start_pod(const std::shared_ptr<const ConnectionContext>& context, std::string manifest,
               std::function<void(const PodRef& pod, const std::string& user_error)> done);

// Persistent mode: finds the configured pod and waits until its console
// container runs; 404 is reported with `missing` set (createMissingPods
// decides what happens then).
void find_pod(const std::shared_ptr<const ConnectionContext>& context, const PodRef& pod,
              std::function<void(bool missing, const std::string& user_error)> done);

// Deletes the pod (grace podStop), retrying until podStop runs out; `done`
// runs once it is gone or given up on (the orphan collector takes it later).
void remove_pod(const std::shared_ptr<const ConnectionContext>& context, const PodRef& pod,
                std::function<void()> done);

// Runs `command` in the pod's console container with `input` on its stdin
// and waits for its exit code (-1 when it could not be run; `error` says why).
void run_helper(const std::shared_ptr<const ConnectionContext>& context, const PodRef& pod,
                std::vector<std::string> command, std::string input, std::chrono::milliseconds timeout,
                std::function<void(int64_t exit_code, const std::string& error)> done);

// Drops `object` on `strand` after the current callback: a stream must not
// be destroyed from inside its own callback.
template <class T>
void release_later(const csh::sdk::Host& host, csh_strand* strand, std::shared_ptr<T> object) {
    if (object) host.post(strand, [object] {});
}

// Writes the metadata's files with the agent's write-file, one after the
// other; failures are logged and skipped.
void write_files(const std::shared_ptr<const ConnectionContext>& context, const PodRef& pod,
                 std::function<void()> done);

}  // namespace backend_kubernetes
