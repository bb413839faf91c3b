#include "container_lifecycle.hpp"

#include "engine/attached_stream.hpp"
#include "messages.hpp"

#include <containerssh/sdk/base64.hpp>
#include <csh/backend_support/sequential_files.hpp>

#include <simdjson.h>

#include <algorithm>
#include <cctype>

namespace backend_docker {

namespace {

using Context = std::shared_ptr<const ConnectionContext>;

// Docker's X-Registry-Auth header: the AuthConfig JSON in URL-safe base64.
std::string registry_auth_header(const DockerConfig& config) {
    if (config.registry_auth_json.empty()) return {};
    std::string encoded = csh::sdk::base64_encode(config.registry_auth_json);
    std::replace(encoded.begin(), encoded.end(), '+', '-');
    std::replace(encoded.begin(), encoded.end(), '/', '_');
    return encoded;
}

// execution.platform ({"os": "linux", "architecture": "arm64", "variant":
// "v8"}) as the create call's platform parameter, "linux/arm64/v8".
std::string platform_parameter(const std::string& platform_json) {
    if (platform_json.empty()) return {};
    simdjson::dom::parser parser;
    simdjson::dom::object platform;
    if (parser.parse(platform_json).get_object().get(platform) != simdjson::SUCCESS) return {};
    std::string os, architecture, variant;
    for (auto field : platform) {
        std::string key(field.key);
        std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string_view value;
        if (field.value.get_string().get(value) != simdjson::SUCCESS) continue;
        if (key == "os") os = value;
        if (key == "architecture") architecture = value;
        if (key == "variant") variant = value;
    }
    if (os.empty()) return {};
    std::string out = os;
    if (!architecture.empty()) out += "/" + architecture;
    if (!architecture.empty() && !variant.empty()) out += "/" + variant;
    return out;
}

void pull(const Context& context, StepDone done) {
    const std::string& image = context->config->image;
    context->log(codes::DOCKER_IMAGE_PULL, "pulling the image", {{"image", image}});
    context->engine->pull_image(
        context->site(), image, registry_auth_header(*context->config), context->config->timeouts.container_start,
        [context](const std::string& progress) {
            if (context->host.enabled(codes::DOCKER_IMAGE_PULL_PROGRESS)) {
                context->log(codes::DOCKER_IMAGE_PULL_PROGRESS, progress, {{"image", context->config->image}});
            }
        },
        [context, done = std::move(done)](EngineResult r) {
            if (r.ok()) return done({});
            context->log(codes::DOCKER_IMAGE_PULL_FAILED, r.error,
                         {{"image", context->config->image}, {"engine", context->engine->engine()}});
            done("The container image " + context->config->image + " could not be pulled.");
        });
}

}  // namespace

void ensure_image(const Context& context, StepDone done) {
    const DockerConfig& config = *context->config;
    context->log(codes::DOCKER_IMAGE_PULL_NEEDED_CHECKING, "checking whether the image must be pulled",
                 {{"image", config.image}, {"imagePullPolicy", pull_policy_name(config.pull_policy)}});
    if (config.pull_policy == PullPolicy::always) return pull(context, std::move(done));
    context->log(codes::DOCKER_IMAGE_LISTING, "looking for the image in the engine", {{"image", config.image}});
    context->engine->image_present(context->site(), config.image,
                                   [context, done = std::move(done)](EngineResult r, bool present) {
                                       const DockerConfig& config = *context->config;
                                       if (!r.ok()) {
                                           if (r.unreachable) {
                                               context->log(codes::DOCKER_ENGINE_UNREACHABLE, r.error,
                                                            {{"engine", context->engine->engine()}});
                                           }
                                           context->log(codes::DOCKER_IMAGE_LISTING_FAILED, r.error,
                                                        {{"image", config.image},
                                                         {"engine", context->engine->engine()}});
                                           return done("The container engine is not available.");
                                       }
                                       if (present) return done({});
                                       if (config.pull_policy == PullPolicy::never) {
                                           context->log(codes::DOCKER_IMAGE_PULL_FAILED,
                                                        "the image is not present and imagePullPolicy is Never",
                                                        {{"image", config.image}});
                                           return done("The container image " + config.image +
                                                       " is not available.");
                                       }
                                       pull(context, std::move(done));
                                   });
}

void create_container(const Context& context, const ContainerSpec& spec,
                      std::function<void(const std::string&, const std::string&)> done) {
    const DockerConfig& config = *context->config;
    std::string body;
    try {
        body = container_create_body(config, spec);
    } catch (const csh::sdk::Error& e) {
        context->log(e.code(), e.what());
        return done({}, "The container could not be created.");
    }
    context->log(codes::DOCKER_CONTAINER_CREATE, "creating a container", {{"image", config.image}});
    context->engine->create_container(
        context->site(), config.container_name, platform_parameter(config.platform_json),
        std::move(body), config.timeouts.container_start,
        [context, done = std::move(done)](EngineResult r, std::string id) {
            if (!r.ok()) {
                context->log(codes::DOCKER_CONTAINER_CREATE_FAILED, r.error,
                             {{"image", context->config->image}, {"engine", context->engine->engine()}});
                return done({}, r.unreachable ? "The container engine is not available."
                                              : "The container could not be created.");
            }
            done(id, {});
        });
}

void start_container(const Context& context, const std::string& id, StepDone done) {
    context->log(codes::DOCKER_CONTAINER_START, "starting the container",
                 {{"containerId", id}, {"image", context->config->image}});
    context->engine->start_container(context->site(), id, context->config->timeouts.container_start,
                                     [context, id, done = std::move(done)](EngineResult r) {
                                         if (r.ok()) return done({});
                                         context->log(codes::DOCKER_CONTAINER_START_FAILED, r.error,
                                                      {{"containerId", id}, {"image", context->config->image}});
                                         done("The container could not be started.");
                                     });
}

namespace {

struct Removal : std::enable_shared_from_this<Removal> {
    Context context;
    std::shared_ptr<void> pending;
    std::string id;
    std::function<void()> done;
    std::chrono::steady_clock::time_point give_up;

    // Connection mode: the idle command gets the stop signal and ends the
    // container at once; the engine kills what is left after the grace time.
    void stop_first() {
        context->log(codes::DOCKER_CONTAINER_STOP, "stopping the container", {{"containerId", id}});
        auto self = shared_from_this();
        const auto grace = std::chrono::duration_cast<std::chrono::seconds>(context->config->timeouts.container_stop);
        context->engine->stop_container(context->site(), id, std::min(grace, std::chrono::seconds(10)),
                                        context->config->timeouts.container_stop, [self](EngineResult r) {
                                            if (!r.ok()) {
                                                self->context->log(codes::DOCKER_CONTAINER_STOP_FAILED, r.error,
                                                                   {{"containerId", self->id}});
                                            }
                                            self->attempt();
                                        });
    }

    void attempt() {
        context->log(codes::DOCKER_CONTAINER_REMOVE, "removing the container", {{"containerId", id}});
        auto self = shared_from_this();
        context->engine->remove_container(context->site(), id, context->config->timeouts.container_stop,
                                          [self](EngineResult r) { self->removed(r); });
    }

    void removed(const EngineResult& r) {
        if (r.ok()) {
            context->log(codes::DOCKER_CONTAINER_REMOVE_SUCCESSFUL, "the container is removed", {{"containerId", id}});
            return finish();
        }
        context->log(codes::DOCKER_CONTAINER_REMOVE_FAILED, r.error, {{"containerId", id}});
        // Like ContainerSSH, try again every 10 s while containerStop lasts;
        // the orphan collector takes over after that.
        const auto retry = std::chrono::seconds(10);
        if (std::chrono::steady_clock::now() + retry > give_up) return finish();
        auto self = shared_from_this();
        context->host.run_after(context->strand, retry, [self] { self->attempt(); });
    }

    void finish() {
        auto callback = std::move(done);
        if (callback) callback();
    }
};

}  // namespace

void remove_container(const Context& context, const std::string& id, std::function<void()> done) {
    context->log(codes::DOCKER_CONTAINER_SHUTTING_DOWN, "shutting the container down", {{"containerId", id}});
    auto removal = std::make_shared<Removal>();
    removal->context = context;
    removal->pending = context->work->hold();
    removal->id = id;
    removal->done = std::move(done);
    removal->give_up = std::chrono::steady_clock::now() + context->config->timeouts.container_stop;
    if (context->config->mode == ExecutionMode::connection) {
        removal->stop_first();
    } else {
        removal->attempt();  // session mode: the program ended or the client left; nothing to wait for
    }
}

namespace {

// One helper program: exec create, start attached, input, output drained,
// exit code.
struct Helper : std::enable_shared_from_this<Helper> {
    static constexpr size_t kOutputKept = 4096;  // enough for an error message
    std::chrono::milliseconds timeout{0};

    Context context;
    std::shared_ptr<void> pending;
    std::string container;
    std::string exec_id;
    std::string input;
    std::function<void(int64_t, const std::string&)> done;
    std::shared_ptr<AttachedStream> stream;
    std::string output;
    int polls = 0;

    void fail(const std::string& error) {
        stream.reset();
        auto callback = std::move(done);
        if (callback) callback(-1, error);
    }

    void run(std::vector<std::string> command) {
        context->log(codes::DOCKER_EXEC, "running a helper in the container",
                     {{"containerId", container}, {"program", command.front()}});
        auto self = shared_from_this();
        context->engine->create_exec(
            context->site(), container, exec_create_body(command, {}, false, true), timeout,
            [self](EngineResult r, std::string id) {
                if (!r.ok()) return self->fail(r.error);
                self->exec_id = id;
                self->context->engine->start_exec(self->context->site(), id, false, self->timeout,
                                                  [self](EngineResult r, csh::loop_http::HttpResponse response) {
                                                      if (!r.ok()) return self->fail(r.error);
                                                      self->attached(std::move(response));
                                                  });
            });
    }

    void attached(csh::loop_http::HttpResponse response) {
        // The callbacks hold the helper until the stream ends: nothing else
        // does while the program runs. The stream drops them when it ends,
        // which breaks the cycle.
        auto self = shared_from_this();
        AttachedStream::Callbacks callbacks;
        callbacks.output = [self](csh_stream, std::string_view data) {
            const size_t room = self->output.size() < kOutputKept ? kOutputKept - self->output.size() : 0;
            self->output.append(data.substr(0, room));
            return data.size();
        };
        callbacks.input_ready = [self] { self->feed(); };
        callbacks.ended = [self](const std::string&) { self->ask_exit_code(); };
        // Helpers run without a TTY: stdout and stderr arrive multiplexed.
        stream = AttachedStream::start(context->host, context->strand, std::move(response), true,
                                       std::move(callbacks));
        // A helper that never ends must not hold the connection open.
        context->host.run_after(context->strand, timeout, [weak = std::weak_ptr<Helper>(self)] {
            if (auto helper = weak.lock()) helper->fail("the helper did not finish in time");
        });
        feed();
    }

    void feed() {
        while (!input.empty()) {
            const size_t taken = stream->write_input(input);
            input.erase(0, taken);
            if (taken == 0) return;
        }
        stream->close_input();
    }

    void ask_exit_code() {
        auto self = shared_from_this();
        context->engine->inspect_exec(context->site(), exec_id, [self](EngineResult r, ProgramState state) {
            if (!r.ok()) return self->fail(r.error);
            if (state.running && ++self->polls < 50) {
                self->context->host.run_after(self->context->strand, std::chrono::milliseconds(100),
                                                [self] { self->ask_exit_code(); });
                return;
            }
            self->stream.reset();
            auto callback = std::move(self->done);
            std::string text = self->output;
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
            if (callback) callback(state.running ? -1 : state.exit_code, text);
        });
    }
};

}  // namespace

void run_helper(const Context& context, const std::string& container, std::vector<std::string> command,
                std::string input, std::chrono::milliseconds timeout,
                std::function<void(int64_t, const std::string&)> done) {
    auto helper = std::make_shared<Helper>();
    helper->context = context;
    helper->pending = context->work->hold();
    helper->container = container;
    helper->input = std::move(input);
    helper->done = std::move(done);
    helper->timeout = timeout;
    helper->run(std::move(command));
}

void write_files(const Context& context, const std::string& container, std::function<void()> done) {
    if (context->files.empty()) return done();
    if (context->config->disable_agent) {
        for (const auto& [path, contents] : context->files) {
            context->log(codes::DOCKER_FILE_WRITE_FAILED, "files cannot be written without the guest agent",
                         {{"containerId", container}, {"path", path}});
        }
        return done();
    }
    csh::backend_support::write_sequentially(
        context->files,
        [context, container](const std::string& path, const std::string& contents, std::function<void()> next) {
            context->log(codes::DOCKER_FILE_WRITE, "writing a file into the container",
                         {{"containerId", container}, {"path", path}});
            run_helper(context, container, {context->config->agent_path, "write-file", path}, contents,
                       context->config->timeouts.command_start,
                       [context, container, path, next](int64_t exit_code, const std::string& error) {
                           if (exit_code != 0) {
                               context->log(codes::DOCKER_FILE_WRITE_FAILED,
                                            "writing the file failed" + (error.empty() ? "" : ": " + error),
                                            {{"containerId", container}, {"path", path},
                                             {"exitCode", std::to_string(exit_code)}});
                           }
                           next();
                       });
        },
        std::move(done));
}

}  // namespace backend_docker
