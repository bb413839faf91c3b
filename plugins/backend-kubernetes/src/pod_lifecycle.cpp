#include "pod_lifecycle.hpp"

#include "api/exec_stream.hpp"
#include "messages.hpp"

#include <csh/backend_support/sequential_files.hpp>

namespace backend_kubernetes {

namespace {

using Context = std::shared_ptr<const ConnectionContext>;

csh::sdk::LogField pod_field(const PodRef& pod) { return {"pod", pod.name}; }
csh::sdk::LogField namespace_field(const PodRef& pod) { return {"namespace", pod.namespace_}; }

// Watches a pod until its console container runs, the pod cannot run, or
// podStart passes; then reports once.
struct PodWait : std::enable_shared_from_this<PodWait> {
    Context context;
    PodRef pod;
    std::string resource_version;
    std::chrono::steady_clock::time_point deadline;
    std::function<void(const std::string& user_error)> done;
    std::shared_ptr<ApiClient::Watch> watch;
    std::string unschedulable;  // the scheduler's last word, for the user at the end
    bool reported_unschedulable = false;

    void start() {
        context->log(codes::KUBERNETES_POD_WAIT, "waiting for the pod to run", {pod_field(pod), namespace_field(pod)});
        watch_from(resource_version);
    }

    void watch_from(const std::string& version) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return timed_out();
        auto self = shared_from_this();
        watch = context->api->watch_pod(
            context->site(), pod.namespace_, pod.name, version, left,
            [self](const PodView& view) { return self->seen(view); },
            [self](ApiResult r) { self->watch_ended(r); });
    }

    // True once the wait is over (the watch stops).
    bool seen(const PodView& view) {
        resource_version = view.resource_version;
        std::string why;
        switch (pod_readiness(view, pod.container, why)) {
            case PodReadiness::ready:
                finish({});
                return true;
            case PodReadiness::failed:
                // ErrImageNeverPull (pull policy Never, image absent) is an
                // image problem too: the operator must look at the image,
                // not at the pod's start-up.
                context->log(why.rfind("ErrImagePull", 0) == 0 || why.rfind("ImagePullBackOff", 0) == 0 ||
                                     why.rfind("InvalidImageName", 0) == 0 || why.rfind("ErrImageNeverPull", 0) == 0
                                 ? codes::KUBERNETES_POD_IMAGE_PULL_FAILED
                                 : codes::KUBERNETES_POD_WAIT_FAILED,
                             "the pod will not run: " + why, {pod_field(pod), namespace_field(pod)});
                finish("The pod could not start: " + why);
                return true;
            case PodReadiness::waiting:
                if (!why.empty()) {
                    // The scheduler's own words: `why` already says "cannot
                    // be scheduled", which the user's line says too.
                    unschedulable = view.unschedulable_message.empty() ? why : view.unschedulable_message;
                    if (!reported_unschedulable) {
                        reported_unschedulable = true;
                        context->log(codes::KUBERNETES_POD_UNSCHEDULABLE, why, {pod_field(pod), namespace_field(pod)});
                    }
                }
                return false;
        }
        return false;
    }

    void watch_ended(const ApiResult& r) {
        if (!done) return;  // seen() finished it
        if (r.status == 410 && r.ok()) {
            context->log(codes::KUBERNETES_POD_WAIT_FAILED, "the pod was deleted while the gateway waited for it",
                         {pod_field(pod), namespace_field(pod)});
            return finish("The pod was deleted before it started.");
        }
        if (std::chrono::steady_clock::now() >= deadline) return timed_out();
        // A watch may end early (the server's own timeout, a proxy): read
        // the pod once and go on watching from there.
        context->log(codes::KUBERNETES_POD_WAIT, "the watch ended (" + r.error + "); reading the pod again",
                     {pod_field(pod), namespace_field(pod)});
        auto self = shared_from_this();
        context->api->get_pod(context->site(), pod.namespace_, pod.name, [self](ApiResult r, PodView view) {
            if (!r.ok()) {
                if (r.unreachable) {
                    self->context->log(codes::KUBERNETES_API_UNREACHABLE, r.error,
                                       {{"server", self->context->api->server()}});
                }
                self->context->log(codes::KUBERNETES_POD_WAIT_FAILED, r.error,
                                   {pod_field(self->pod), namespace_field(self->pod)});
                return self->finish(r.status == 404 ? "The pod was deleted before it started."
                                                    : "The Kubernetes API server is not available.");
            }
            if (self->seen(view)) return;
            // Back off a little so a server that ends every watch at once
            // is not asked in a tight loop.
            self->context->host.run_after(self->context->strand, std::chrono::milliseconds(200),
                                          [self, version = view.resource_version, hold = self->context->work->hold()] {
                                              if (self->done) self->watch_from(version);
                                          });
        });
    }

    void timed_out() {
        const std::string why =
            unschedulable.empty() ? "it did not run within podStart" : "it cannot be scheduled: " + unschedulable;
        context->log(codes::KUBERNETES_POD_WAIT_FAILED, "the pod did not start in time: " + why,
                     {pod_field(pod), namespace_field(pod)});
        finish(unschedulable.empty() ? "The pod did not start in time."
                                     : "The pod could not be scheduled: " + unschedulable);
    }

    void finish(const std::string& user_error) {
        // The watch's callbacks may hold the last reference to this wait.
        auto keep = shared_from_this();
        if (watch) std::exchange(watch, nullptr)->stop();
        auto callback = std::move(done);
        done = nullptr;
        if (callback) callback(user_error);
    }
};

void wait_for_pod(const Context& context, const PodRef& pod, std::string resource_version,
                  std::function<void(const std::string&)> done) {
    auto wait = std::make_shared<PodWait>();
    wait->context = context;
    wait->pod = pod;
    wait->resource_version = std::move(resource_version);
    wait->deadline = std::chrono::steady_clock::now() + context->config->timeouts.pod_start;
    wait->done = std::move(done);
    wait->start();
}

}  // namespace

void start_pod(const Context& context, std::string manifest,
               std::function<void(const PodRef&, const std::string&)> done) {
    const PodSettings& settings = context->config->pod;
    context->log(codes::KUBERNETES_POD_CREATE, "creating a pod",
                 {{"namespace", settings.namespace_name}, {"image", settings.console_image}});
    context->api->create_pod(
        context->site(), settings.namespace_name, std::move(manifest), [context, done](ApiResult r, PodView view) {
            if (!r.ok()) {
                if (r.unreachable) {
                    context->log(codes::KUBERNETES_API_UNREACHABLE, r.error, {{"server", context->api->server()}});
                }
                context->log(codes::KUBERNETES_POD_CREATE_FAILED, r.error,
                             {{"namespace", context->config->pod.namespace_name}});
                return done(PodRef{}, r.unreachable ? "The Kubernetes API server is not available."
                                                    : "The pod could not be created.");
            }
            const PodRef pod{view.namespace_.empty() ? context->config->pod.namespace_name : view.namespace_,
                             view.name, context->config->pod.console_container};
            std::string why;
            if (pod_readiness(view, pod.container, why) == PodReadiness::ready) return done(pod, {});
            wait_for_pod(context, pod, view.resource_version, [context, pod, done](const std::string& error) {
                if (error.empty()) return done(pod, {});
                remove_pod(context, pod, [pod, done, error] { done(PodRef{}, error); });
            });
        });
}

void find_pod(const Context& context, const PodRef& pod, std::function<void(bool, const std::string&)> done) {
    context->api->get_pod(context->site(), pod.namespace_, pod.name, [context, pod, done](ApiResult r, PodView view) {
        if (!r.ok()) {
            if (r.status == 404) return done(true, {});
            if (r.unreachable) {
                context->log(codes::KUBERNETES_API_UNREACHABLE, r.error, {{"server", context->api->server()}});
            }
            context->log(codes::KUBERNETES_POD_WAIT_FAILED, r.error, {pod_field(pod), namespace_field(pod)});
            return done(false, "The Kubernetes API server is not available.");
        }
        std::string why;
        if (pod_readiness(view, pod.container, why) == PodReadiness::ready) return done(false, {});
        wait_for_pod(context, pod, view.resource_version, [done](const std::string& error) { done(false, error); });
    });
}

namespace {

// Deleting a pod, retried every 10 s while podStop lasts (as ContainerSSH
// does); the orphan collector takes over after that.
struct Removal : std::enable_shared_from_this<Removal> {
    Context context;
    std::shared_ptr<void> pending;
    PodRef pod;
    std::function<void()> done;
    std::chrono::steady_clock::time_point give_up;

    void attempt() {
        context->log(codes::KUBERNETES_POD_REMOVE, "deleting the pod", {pod_field(pod), namespace_field(pod)});
        auto self = shared_from_this();
        const auto grace = std::chrono::duration_cast<std::chrono::seconds>(context->config->timeouts.pod_stop);
        context->api->delete_pod(context->site(), pod.namespace_, pod.name, grace,
                                 [self](ApiResult r) { self->removed(r); });
    }

    void removed(const ApiResult& r) {
        if (r.ok()) {
            context->log(codes::KUBERNETES_POD_REMOVE_SUCCESSFUL, "the pod is deleted",
                         {pod_field(pod), namespace_field(pod)});
            return finish();
        }
        context->log(codes::KUBERNETES_POD_REMOVE_FAILED, r.error, {pod_field(pod), namespace_field(pod)});
        const auto retry = std::chrono::seconds(10);
        if (std::chrono::steady_clock::now() + retry > give_up) return finish();
        auto self = shared_from_this();
        context->host.run_after(context->strand, retry, [self] { self->attempt(); });
    }

    void finish() {
        auto callback = std::move(done);
        done = nullptr;
        if (callback) callback();
    }
};

}  // namespace

void remove_pod(const Context& context, const PodRef& pod, std::function<void()> done) {
    context->log(codes::KUBERNETES_POD_SHUTTING_DOWN, "shutting the pod down", {pod_field(pod), namespace_field(pod)});
    auto removal = std::make_shared<Removal>();
    removal->context = context;
    removal->pending = context->work->hold();
    removal->pod = pod;
    removal->done = std::move(done);
    removal->give_up = std::chrono::steady_clock::now() + context->config->timeouts.pod_stop;
    removal->attempt();
}

namespace {

// One helper program: an exec with the input on stdin, output kept for an
// error message, the exit code from the exec's status.
struct Helper : std::enable_shared_from_this<Helper> {
    static constexpr size_t kOutputKept = 4096;

    Context context;
    std::shared_ptr<void> pending;
    PodRef pod;
    std::string input;
    std::chrono::milliseconds timeout{0};
    std::function<void(int64_t, const std::string&)> done;
    std::shared_ptr<ExecStream> stream;
    std::string output;

    void fail(const std::string& error) {
        if (stream) {
            stream->close();
            release_later(context->host, context->strand, std::exchange(stream, nullptr));
        }
        auto callback = std::move(done);
        done = nullptr;
        if (callback) callback(-1, error);
    }

    void run(const std::vector<std::string>& command) {
        context->log(codes::KUBERNETES_EXEC, "running a helper in the pod",
                     {pod_field(pod), namespace_field(pod), {"program", command.front()}});
        auto self = shared_from_this();
        ExecRequest request;
        request.target = context->api->exec_target(pod.namespace_, pod.name, pod.container, command, true, false);
        request.timeout = timeout;
        ExecStream::Callbacks callbacks;
        callbacks.output = [self](csh_stream, std::string_view data) {
            const size_t room = self->output.size() < kOutputKept ? kOutputKept - self->output.size() : 0;
            self->output.append(data.substr(0, room));
            return data.size();
        };
        callbacks.input_ready = [self] { self->feed(); };
        callbacks.ended = [self](const ExecEnd& end) { self->ended(end); };
        callbacks.input_failed = [](bool, const std::string&) {};
        context->api->when_allowed(context->strand, [self, request = std::move(request),
                                                     callbacks = std::move(callbacks)]() mutable {
            request.headers = self->context->api->request_headers();
            ExecStream::open(self->context->host, self->context->strand, self->context->api->access().connector,
                             std::move(request), std::move(callbacks),
                             [self](std::shared_ptr<ExecStream> stream, int, const std::string& error) {
                                 if (!stream) return self->fail(error);
                                 if (!self->done) return stream->close();
                                 self->stream = std::move(stream);
                                 self->feed();
                             });
        });
        // A helper that never ends must not hold the connection open.
        context->host.run_after(context->strand, timeout, [weak = std::weak_ptr<Helper>(self)] {
            if (auto helper = weak.lock()) helper->fail("the helper did not finish in time");
        });
    }

    void feed() {
        if (!stream) return;
        while (!input.empty()) {
            const size_t taken = stream->write_input(input);
            input.erase(0, taken);
            if (taken == 0) return;
        }
        stream->close_input();
    }

    void ended(const ExecEnd& end) {
        // Inside the stream's own callback: it goes once the callback returned.
        release_later(context->host, context->strand, std::exchange(stream, nullptr));
        auto callback = std::move(done);
        done = nullptr;
        if (!callback) return;
        std::string text = end.error.empty() ? output : end.error;
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        callback(end.exit_code ? static_cast<int64_t>(*end.exit_code) : -1, text);
    }
};

}  // namespace

void run_helper(const Context& context, const PodRef& pod, std::vector<std::string> command, std::string input,
                std::chrono::milliseconds timeout, std::function<void(int64_t, const std::string&)> done) {
    auto helper = std::make_shared<Helper>();
    helper->context = context;
    helper->pending = context->work->hold();
    helper->pod = pod;
    helper->input = std::move(input);
    helper->timeout = timeout;
    helper->done = std::move(done);
    helper->run(command);
}

void write_files(const Context& context, const PodRef& pod, std::function<void()> done) {
    if (context->files.empty()) return done();
    if (context->config->pod.disable_agent) {
        for (const auto& [path, contents] : context->files) {
            context->log(codes::KUBERNETES_FILE_WRITE_FAILED, "files cannot be written without the guest agent",
                         {pod_field(pod), namespace_field(pod), {"path", path}});
        }
        return done();
    }
    csh::backend_support::write_sequentially(
        context->files,
        [context, pod](const std::string& path, const std::string& contents, std::function<void()> next) {
            context->log(codes::KUBERNETES_FILE_WRITE, "writing a file into the pod",
                         {pod_field(pod), namespace_field(pod), {"path", path}});
            run_helper(context, pod, {context->config->pod.agent_path, "write-file", path}, contents,
                       context->config->timeouts.command_start,
                       [context, pod, path, next](int64_t exit_code, const std::string& error) {
                           if (exit_code != 0) {
                               context->log(codes::KUBERNETES_FILE_WRITE_FAILED,
                                            "writing the file failed" + (error.empty() ? "" : ": " + error),
                                            {pod_field(pod), namespace_field(pod), {"path", path},
                                             {"exitCode", std::to_string(exit_code)}});
                           }
                           next();
                       });
        },
        std::move(done));
}

}  // namespace backend_kubernetes
