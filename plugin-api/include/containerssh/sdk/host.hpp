// The host as a C++ object: logging, configuration, the event loop (posts,
// timers, fd watches), metrics and audit emission, over the service tables
// of `csh_host`. A Host is a small value (a handful of pointers): copy it
// freely; every copy talks to the same host.
//
// Callbacks given to post/timer_start/fd_watch_start are boxed std::function
// objects; the SDK frees each box once it can no longer run. An exception
// escaping a callback is caught at the boundary and logged.
#pragma once

#include <containerssh/sdk/types.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace csh::sdk {

class Timer;
class FdWatch;

// A metric family defined with Host::metric_define. Invalid when the
// definition conflicted with an existing family.
class Metric {
public:
    Metric() = default;
    explicit Metric(csh_metric* handle) : handle_(handle) {}
    csh_metric* handle() const { return handle_; }
    explicit operator bool() const { return handle_ != nullptr; }

private:
    csh_metric* handle_ = nullptr;
};

class Host {
public:
    Host() = default;
    // `internal_error_code` is the code the SDK logs its own errors with
    // (see detail::internal_error_code); may be NULL for a plugin without codes.
    Host(const csh_host* host, const char* internal_error_code)
        : host_(host), internal_error_code_(internal_error_code) {
        if (host_ == nullptr || host_->get_service == nullptr) return;
        log_ = service<csh_log_service>(CSH_SERVICE_LOG, CSH_LOG_SERVICE_V1_END);
        config_ = service<csh_config_service>(CSH_SERVICE_CONFIG, CSH_CONFIG_SERVICE_V1_END);
        loop_ = service<csh_loop_service>(CSH_SERVICE_LOOP, CSH_LOOP_SERVICE_V1_END);
        // A host of ABI 1.0 offers counters and gauges only: accepted, and
        // histograms become no-ops (see has_histograms).
        metrics_ = service<csh_metrics_service>(CSH_SERVICE_METRICS, CSH_METRICS_SERVICE_V1_END);
        audit_ = service<csh_audit_service>(CSH_SERVICE_AUDIT, CSH_AUDIT_SERVICE_V1_END);
    }

    const csh_host* raw() const { return host_; }
    const char* internal_error_code() const { return internal_error_code_; }

    // ---- logging [any-thread] ----
    void log(const char* code, std::string_view message, std::initializer_list<LogField> fields = {},
             csh_connection* connection = nullptr) const {
        log_fields(code, message, fields.begin(), fields.size(), connection);
    }
    void log(const char* code, std::string_view message, const std::vector<LogField>& fields,
             csh_connection* connection = nullptr) const {
        log_fields(code, message, fields.data(), fields.size(), connection);
    }
    bool enabled(const char* code) const {
        return log_ != nullptr && code != nullptr && log_->enabled(host_, code) != 0;
    }
    // Logs with the plugin's internal-error code.
    void log_internal_error(std::string_view message, std::initializer_list<LogField> fields = {},
                            csh_connection* connection = nullptr) const {
        if (internal_error_code_ != nullptr) log(internal_error_code_, message, fields, connection);
    }
    // Call from inside a catch block: logs the exception being handled, with
    // its own code for csh::sdk::Error, else the internal-error code. `where`
    // names the entry point, e.g. "auth.password". Never throws.
    void log_current_exception(std::string_view where, csh_connection* connection = nullptr) const noexcept;

    // ---- configuration [any-thread] ----
    // The top-level section `name` as JSON text; "null" when absent.
    std::string_view config_section(const char* name) const {
        if (config_ == nullptr) return "null";
        std::string_view text = view(config_->section(host_, name));
        return text.empty() ? std::string_view("null") : text;
    }

    // ---- event loop ----
    // [any-thread] A new strand for plugin-wide work.
    csh_strand* strand_create() const { return loop().strand_create(host_); }
    void strand_destroy(csh_strand* strand) const { loop().strand_destroy(host_, strand); }
    // [any-thread] Runs `fn` later on `strand` (any loop thread when NULL).
    void post(csh_strand* strand, std::function<void()> fn) const;
    // [any-thread] Runs `fn` once on `strand` after `delay`. The Timer
    // cancels it when destroyed or reassigned: keep it as long as the timer
    // should stay armed.
    [[nodiscard]] Timer timer_start(csh_strand* strand, std::chrono::milliseconds delay,
                                    std::function<void()> fn) const;
    // [any-thread] Runs `fn` once on `strand` after `delay`, with no handle:
    // for work that checks by itself whether it is still wanted (through a
    // weak_ptr, say) and is never cancelled.
    void run_after(csh_strand* strand, std::chrono::milliseconds delay, std::function<void()> fn) const;
    // [any-thread] Watches `fd` for CSH_FD_* `events` (level-triggered);
    // `fn(ready)` runs on `strand`. The returned FdWatch stops the watch when
    // destroyed; destroy or stop it on the watch's strand, before closing fd.
    FdWatch fd_watch_start(csh_strand* strand, int fd, uint32_t events, std::function<void(uint32_t ready)> fn) const;

    // ---- metrics ----
    // [control] Defines a family; an invalid Metric when it conflicts.
    Metric metric_define(csh_metric_type type, const char* name, const char* help, const char* unit,
                         std::initializer_list<const char*> label_names = {}) const {
        if (metrics_ == nullptr) return Metric();
        std::vector<const char*> labels(label_names);
        return Metric(metrics_->define(host_, type, name, help, unit, labels.data(), labels.size()));
    }
    // [any-thread] Adds `delta` to the series with these label values.
    void metric_add(const Metric& metric, std::initializer_list<std::string_view> label_values, double delta) const {
        metric_update(metric, label_values.begin(), label_values.size(), delta, false);
    }
    // [any-thread] Sets a gauge series.
    void metric_set(const Metric& metric, std::initializer_list<std::string_view> label_values, double value) const {
        metric_update(metric, label_values.begin(), label_values.size(), value, true);
    }

    // [control] Defines a histogram family with these bucket upper bounds
    // (ascending; +Inf is added); an invalid Metric on a conflict or on a
    // host without histograms.
    Metric histogram_define(const char* name, const char* help, const char* unit,
                            std::initializer_list<const char*> label_names, std::initializer_list<double> bounds) const {
        if (!has_histograms()) return Metric();
        std::vector<const char*> labels(label_names);
        std::vector<double> limits(bounds);
        return Metric(metrics_->define_histogram(host_, name, help, unit, labels.data(), labels.size(), limits.data(),
                                                 limits.size()));
    }
    // [any-thread] Records one observation in a histogram series.
    void metric_observe(const Metric& metric, std::initializer_list<std::string_view> label_values, double value) const {
        if (!has_histograms() || !metric) return;
        std::vector<csh_str> labels;
        for (auto v : label_values) labels.push_back(to_str(v));
        metrics_->observe(host_, metric.handle(), labels.data(), labels.size(), value);
    }
    // Whether the host's registry takes histograms (ABI 1.1 and later).
    bool has_histograms() const {
        return metrics_ != nullptr && CSH_TABLE_HAS(metrics_, csh_metrics_service, collect_histograms);
    }
    // The raw metrics table, for exporters (see sdk/metrics_snapshot.hpp);
    // nullptr when the host offers none.
    const csh_metrics_service* metrics_service() const { return metrics_; }

    // ---- audit [connection-strand] ----
    void audit_emit(csh_connection* connection, const csh_audit_event& event) const {
        if (audit_ != nullptr) audit_->emit(host_, connection, &event);
    }

private:
    template <class Table>
    const Table* service(const char* id, std::size_t v1_end) const {
        const auto* table = static_cast<const Table*>(host_->get_service(host_, id));
        return table_reaches_v1(table, v1_end) ? table : nullptr;
    }

    const csh_loop_service& loop() const {
        if (loop_ == nullptr) throw std::logic_error("the host offers no event loop service");
        return *loop_;
    }

    void log_fields(const char* code, std::string_view message, const LogField* fields, size_t count,
                    csh_connection* connection) const {
        if (log_ == nullptr || code == nullptr) return;
        constexpr size_t kInline = 16;
        csh_field inline_fields[kInline] = {};
        std::vector<csh_field> heap_fields;
        csh_field* out = inline_fields;
        if (count > kInline) {
            heap_fields.resize(count);
            out = heap_fields.data();
        }
        for (size_t i = 0; i < count; ++i) out[i] = csh_field{to_str(fields[i].key), to_str(fields[i].value)};
        log_->log(host_, code, connection, to_str(message), out, count);
    }

    void metric_update(const Metric& metric, const std::string_view* values, size_t count, double amount,
                       bool set) const {
        if (metrics_ == nullptr || !metric) return;
        std::vector<csh_str> labels;
        labels.reserve(count);
        for (size_t i = 0; i < count; ++i) labels.push_back(to_str(values[i]));
        if (set) {
            metrics_->set(host_, metric.handle(), labels.data(), labels.size(), amount);
        } else {
            metrics_->add(host_, metric.handle(), labels.data(), labels.size(), amount);
        }
    }

    friend class FdWatch;
    friend class Timer;

    const csh_host* host_ = nullptr;
    const char* internal_error_code_ = nullptr;
    const csh_log_service* log_ = nullptr;
    const csh_config_service* config_ = nullptr;
    const csh_loop_service* loop_ = nullptr;
    const csh_metrics_service* metrics_ = nullptr;
    const csh_audit_service* audit_ = nullptr;
};

// A timer started with Host::timer_start. Move-only; all members are
// [strand of the timer]. cancel() (and the destructor) stop a timer that has
// not fired; after it fired they do nothing, so a Timer can simply be kept
// as a member and dropped whenever. The C handle is only valid until the
// fire (see csh_loop_service::timer_start): the shared `Fired` flag is how the
// Timer knows.
class Timer {
public:
    Timer() = default;
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    Timer(Timer&& other) noexcept { take(other); }
    Timer& operator=(Timer&& other) noexcept {
        if (this != &other) {
            cancel();
            take(other);
        }
        return *this;
    }
    ~Timer() { cancel(); }

    // True from timer_start until it fired or was cancelled.
    bool armed() const { return state_ != nullptr && !state_->fired; }
    explicit operator bool() const { return armed(); }

    // Stops the timer unless it already fired (then: nothing to do).
    void cancel() noexcept;

private:
    friend class Host;
    struct State {
        Host host;
        std::function<void()> fn;
        csh_timer* handle = nullptr;
        void* pending = nullptr;  // the fire's reference, freed by cancel
        bool fired = false;
    };
    static void trampoline(void* user);

    void take(Timer& other) { state_ = std::exchange(other.state_, nullptr); }

    // Shared by the Timer and the pending fire; whichever is last frees it.
    std::shared_ptr<State> state_;
};

// An fd watch started with Host::fd_watch_start. Move-only; stops the watch
// when destroyed. All members are [strand of the watch].
class FdWatch {
public:
    FdWatch() = default;
    FdWatch(const FdWatch&) = delete;
    FdWatch& operator=(const FdWatch&) = delete;
    FdWatch(FdWatch&& other) noexcept { take(other); }
    FdWatch& operator=(FdWatch&& other) noexcept {
        if (this != &other) {
            stop();
            take(other);
        }
        return *this;
    }
    ~FdWatch() { stop(); }

    bool active() const { return watch_ != nullptr; }
    int fd() const { return fd_; }
    uint32_t events() const { return events_; }

    // Changes the interest bits; 0 pauses the watch.
    void update(uint32_t events) {
        if (watch_ == nullptr || events == events_) return;
        events_ = events;
        loop_->fd_watch_update(host_, watch_, events);
    }

    // Stops the watch; the callback does not run afterwards. Safe to call
    // from inside the callback itself.
    void stop() {
        if (watch_ == nullptr) return;
        loop_->fd_watch_stop(host_, watch_);
        watch_ = nullptr;
        if (box_->running) {
            box_->stopped = true;  // the trampoline frees it when the callback returns
        } else {
            delete box_;
        }
        box_ = nullptr;
    }

private:
    friend class Host;
    struct Box {
        Host host;
        std::function<void(uint32_t)> fn;
        bool running = false;
        bool stopped = false;
    };

    static void trampoline(void* user, int /*fd*/, uint32_t ready) {
        auto* box = static_cast<Box*>(user);
        box->running = true;
        try {
            box->fn(ready);
        } catch (...) {
            box->host.log_current_exception("loop.fd_watch");
        }
        box->running = false;
        if (box->stopped) delete box;
    }

    void take(FdWatch& other) {
        loop_ = other.loop_;
        host_ = other.host_;
        watch_ = std::exchange(other.watch_, nullptr);
        box_ = std::exchange(other.box_, nullptr);
        fd_ = std::exchange(other.fd_, -1);
        events_ = std::exchange(other.events_, 0u);
    }

    const csh_loop_service* loop_ = nullptr;
    const csh_host* host_ = nullptr;
    csh_fd_watch* watch_ = nullptr;
    Box* box_ = nullptr;
    int fd_ = -1;
    uint32_t events_ = 0;
};

namespace detail {

struct TaskBox {
    Host host;
    std::function<void()> fn;
    const char* where;
};

inline void run_task_box(void* user) {
    std::unique_ptr<TaskBox> box(static_cast<TaskBox*>(user));
    try {
        box->fn();
    } catch (...) {
        box->host.log_current_exception(box->where);
    }
}

// The boxes of run_after timers that have not fired, in this shared object.
// When the host's loop stops first they never fire; the plugin's deinit
// frees them (see deinit_plugin), so nothing they hold outlives the plugin.
struct PendingRuns {
    std::mutex mutex;
    std::set<TaskBox*> boxes;
};
inline PendingRuns& pending_runs() {
    static PendingRuns runs;
    return runs;
}

inline void run_after_box(void* user) {
    {
        PendingRuns& runs = pending_runs();
        std::lock_guard<std::mutex> lock(runs.mutex);
        runs.boxes.erase(static_cast<TaskBox*>(user));
    }
    run_task_box(user);
}

// [control] At deinit, after the loop stopped: frees what never fired.
inline void free_pending_runs() noexcept {
    std::set<TaskBox*> left;
    {
        PendingRuns& runs = pending_runs();
        std::lock_guard<std::mutex> lock(runs.mutex);
        left.swap(runs.boxes);
    }
    for (TaskBox* box : left) delete box;
}

}  // namespace detail

inline void Host::log_current_exception(std::string_view where, csh_connection* connection) const noexcept {
    try {
        try {
            throw;
        } catch (const Error& e) {
            std::vector<LogField> fields{{"where", where}};
            for (const auto& [key, value] : e.fields()) fields.push_back({key, value});
            log(e.code(), e.what(), fields, connection);
        } catch (const std::exception& e) {
            log_internal_error(std::string("unexpected error in ") + std::string(where) + ": " + e.what(),
                               {{"where", where}}, connection);
        } catch (...) {
            log_internal_error(std::string("unexpected non-standard exception in ") + std::string(where),
                               {{"where", where}}, connection);
        }
    } catch (...) {
        // Logging itself failed (out of memory); nothing more can be done.
    }
}

inline void Host::post(csh_strand* strand, std::function<void()> fn) const {
    auto box = std::make_unique<detail::TaskBox>(detail::TaskBox{*this, std::move(fn), "loop.post"});
    loop().post(host_, strand, &detail::run_task_box, box.get());
    box.release();  // owned by the trampoline now
}

inline void Host::run_after(csh_strand* strand, std::chrono::milliseconds delay, std::function<void()> fn) const {
    auto box = std::make_unique<detail::TaskBox>(detail::TaskBox{*this, std::move(fn), "loop.timer"});
    const auto ms = delay.count() < 0 ? 0 : static_cast<uint64_t>(delay.count());
    detail::PendingRuns& runs = detail::pending_runs();
    std::lock_guard<std::mutex> lock(runs.mutex);
    if (loop().timer_start(host_, strand, ms, &detail::run_after_box, box.get()) == nullptr) {
        throw std::runtime_error("the host refused to start a timer");
    }
    runs.boxes.insert(box.release());  // freed when it fires, or at deinit
}

// The pending fire owns one reference to the state (a heap shared_ptr given
// to the host as `user`); the trampoline or cancel() releases it.
inline void Timer::trampoline(void* user) {
    std::unique_ptr<std::shared_ptr<State>> pending(static_cast<std::shared_ptr<State>*>(user));
    State& state = **pending;
    state.fired = true;
    state.handle = nullptr;  // the host frees it now
    auto fn = std::move(state.fn);
    try {
        fn();
    } catch (...) {
        state.host.log_current_exception("loop.timer");
    }
}

inline void Timer::cancel() noexcept {
    const std::shared_ptr<State> state = std::exchange(state_, nullptr);
    if (state == nullptr || state->fired || state->handle == nullptr) return;
    const csh_loop_service* loop = state->host.loop_;
    void* user = state->pending;
    loop->timer_cancel(state->host.raw(), std::exchange(state->handle, nullptr));
    state->fired = true;
    state->fn = nullptr;  // what it captured goes now, not with the last reference
    delete static_cast<std::shared_ptr<State>*>(user);
}

inline Timer Host::timer_start(csh_strand* strand, std::chrono::milliseconds delay, std::function<void()> fn) const {
    auto state = std::make_shared<Timer::State>();
    state->host = *this;
    state->fn = std::move(fn);
    auto pending = std::make_unique<std::shared_ptr<Timer::State>>(state);
    state->pending = pending.get();
    const auto ms = delay.count() < 0 ? 0 : static_cast<uint64_t>(delay.count());
    state->handle = loop().timer_start(host_, strand, ms, &Timer::trampoline, pending.get());
    if (state->handle == nullptr) throw std::runtime_error("the host refused to start a timer");
    pending.release();  // the host's until the fire or the cancel
    Timer timer;
    timer.state_ = std::move(state);
    return timer;
}

inline FdWatch Host::fd_watch_start(csh_strand* strand, int fd, uint32_t events,
                                    std::function<void(uint32_t)> fn) const {
    auto box = std::make_unique<FdWatch::Box>(FdWatch::Box{*this, std::move(fn)});
    FdWatch watch;
    watch.loop_ = &loop();
    watch.host_ = host_;
    watch.watch_ = loop().fd_watch_start(host_, strand, fd, events, &FdWatch::trampoline, box.get());
    if (watch.watch_ == nullptr) throw std::runtime_error("the host refused to watch fd " + std::to_string(fd));
    watch.box_ = box.release();
    watch.fd_ = fd;
    watch.events_ = events;
    return watch;
}

}  // namespace csh::sdk
