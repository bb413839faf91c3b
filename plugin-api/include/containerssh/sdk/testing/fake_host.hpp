// FakeHost: a complete csh_host for unit tests of plugins, with no core.
//
//  - log:     records every line (code, level, message, fields, connection);
//             codes must be registered first (register_codes), as the real
//             host requires; a line with an unknown code is recorded and
//             reported in misuse().
//  - config:  serves sections from a map of JSON texts ("null" when absent).
//  - loop:    a manual, single-threaded loop driven by the test:
//             run_until_idle(), run_for(d), run_until(predicate, limit).
//             Posts run in order; timers fire when due; fd watches are
//             level-triggered through poll(2). Every strand is the test's
//             thread, so strand rules hold trivially.
//  - metrics: an in-memory registry with collect() and metric_value().
//  - audit:   records emitted events with owned copies of their payloads.
//
// Contract violations a plugin commits against the host (unknown log code,
// cancelling an unknown timer, ...) are collected in misuse() so a test can
// assert there were none. Posting, logging and metrics updates may come from
// any thread; run_* must be called from one thread.
#pragma once

#include <containerssh/plugin.h>

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace csh::sdk::testing {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct LogLine {
    std::string code;
    csh_log_level level = CSH_LOG_DEBUG;
    bool registered = false;
    std::string message;
    Labels fields;
    csh_connection* connection = nullptr;

    // The value of field `key`, or "" when the line has none.
    std::string field(std::string_view key) const {
        for (const auto& [k, v] : fields) {
            if (k == key) return v;
        }
        return {};
    }
};

struct RecordedAuditField {
    std::string key;
    csh_audit_value_type type = CSH_AUDIT_VALUE_STRING;
    std::string text;  // STRING, BYTES and JSON values
    int64_t int_value = 0;
    uint64_t uint_value = 0;
    bool bool_value = false;
};

struct RecordedAuditEvent {
    csh_connection* connection = nullptr;
    csh_audit_type type = 0;
    int64_t timestamp_ns = 0;
    int64_t channel_id = CSH_AUDIT_NO_CHANNEL;
    std::vector<RecordedAuditField> payload;
};

struct MetricSample {
    std::string name;
    std::string help;
    std::string unit;
    csh_metric_type type = CSH_METRIC_COUNTER;
    Labels labels;
    double value = 0;
};

// One histogram series as the fake registry holds it (per-bucket counts,
// the last for +Inf).
struct HistogramSample {
    std::string name;
    Labels labels;
    std::vector<double> bounds;
    std::vector<uint64_t> buckets;
    double sum = 0;
    uint64_t count = 0;
};

struct WatchState {
    int fd;
    uint32_t events;
};

class FakeHost {
public:
    FakeHost() {
        host_.struct_size = sizeof(host_);
        host_.abi_major = CSH_ABI_MAJOR;
        host_.abi_minor = CSH_ABI_MINOR;
        host_.host_data = this;
        host_.get_service = &get_service;
    }
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;
    ~FakeHost() = default;

    const csh_host* host() const { return &host_; }

    // Serves every service table cut to its ABI 1.0 end and says minor 0:
    // the host a plugin built today meets when it is installed on the oldest
    // gateway. Call before the plugin's init.
    void emulate_abi_1_0() {
        host_.abi_minor = 0;
        log_service_.struct_size = CSH_LOG_SERVICE_V1_END;
        config_service_.struct_size = CSH_CONFIG_SERVICE_V1_END;
        loop_service_.struct_size = CSH_LOOP_SERVICE_V1_END;
        metrics_service_.struct_size = CSH_METRICS_SERVICE_V1_END;
        audit_service_.struct_size = CSH_AUDIT_SERVICE_V1_END;
    }

    // ---------------------------------------------------------------- log
    void register_codes(const csh_message_code* table, size_t count) {
        std::lock_guard<std::mutex> lock(mutex_);
        for (size_t i = 0; i < count; ++i) codes_[table[i].code] = table[i].level;
    }
    // Lines above this level are still recorded; enabled() reports them off.
    void set_log_level(csh_log_level level) {
        std::lock_guard<std::mutex> lock(mutex_);
        log_level_ = level;
    }
    std::vector<LogLine> log_lines() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return log_lines_;
    }
    std::vector<LogLine> lines_with_code(std::string_view code) const {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<LogLine> out;
        for (const auto& line : log_lines_) {
            if (line.code == code) out.push_back(line);
        }
        return out;
    }
    size_t count_code(std::string_view code) const { return lines_with_code(code).size(); }
    void clear_log() {
        std::lock_guard<std::mutex> lock(mutex_);
        log_lines_.clear();
    }

    // Contract violations seen so far, one sentence each.
    std::vector<std::string> misuse() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return misuse_;
    }

    // ------------------------------------------------------------- config
    void set_section(std::string name, std::string json) {
        std::lock_guard<std::mutex> lock(mutex_);
        sections_[std::move(name)] = std::move(json);
    }

    // --------------------------------------------------------------- loop
    // A strand for a test's connection (plugins get theirs from strand_create too).
    csh_strand* strand_create() { return loop_strand_create(&host_); }

    // Runs everything that is ready, repeatedly, until nothing is; does not
    // wait for future timers. Returns the number of callbacks run.
    size_t run_until_idle() {
        size_t total = 0;
        for (size_t ran = step(std::chrono::milliseconds(0)); ran > 0; ran = step(std::chrono::milliseconds(0))) {
            total += ran;
            if (total > kRunawayLimit) throw std::runtime_error("FakeHost: the loop never became idle (a watch is always ready?)");
        }
        return total;
    }

    // Runs the loop, waiting for fds and timers, for `duration`.
    size_t run_for(std::chrono::milliseconds duration) {
        const auto deadline = Clock::now() + duration;
        size_t total = 0;
        for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
            total += step(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
        }
        return total;
    }

    // Runs the loop until `done()` is true (checked between callbacks) or
    // `limit` passed; returns whether `done()` became true. The limit only
    // guards against hangs: tests never depend on how quickly things happen.
    bool run_until(const std::function<bool()>& done,
                   std::chrono::milliseconds limit = std::chrono::milliseconds(20000)) {
        const auto deadline = Clock::now() + limit;
        while (!done()) {
            const auto now = Clock::now();
            if (now >= deadline) return false;
            step(std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                          std::chrono::milliseconds(100)));
        }
        return true;
    }

    size_t pending_posts() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return posts_.size();
    }
    size_t pending_timers() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return timers_.size();
    }
    // The live fd watches and their interest bits (0 = paused).
    std::vector<WatchState> watches() const {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<WatchState> out;
        for (const auto& [id, watch] : watches_) out.push_back(WatchState{watch->fd, watch->events});
        return out;
    }

    // ------------------------------------------------------------ metrics
    std::vector<MetricSample> collect() const {
        std::vector<MetricSample> out;
        metrics_collect(&host_, [](void* user, const csh_metric_sample* s) {
            MetricSample sample{s->name, s->help, s->unit, s->type, {}, s->value};
            for (size_t i = 0; i < s->label_count; ++i) {
                sample.labels.emplace_back(std::string(s->labels[i].key.data, s->labels[i].key.size),
                                           std::string(s->labels[i].value.data, s->labels[i].value.size));
            }
            static_cast<std::vector<MetricSample>*>(user)->push_back(std::move(sample));
        }, &out);
        return out;
    }
    std::optional<double> metric_value(std::string_view name, const Labels& labels = {}) const {
        for (const auto& sample : collect()) {
            if (sample.name == name && sample.labels == labels) return sample.value;
        }
        return std::nullopt;
    }

    // The histogram series with this name and labels, if any was observed.
    std::optional<HistogramSample> histogram(std::string_view name, const Labels& labels = {}) const {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const auto& family : families_) {
            if (family->name != name) continue;
            for (const auto& [values, series] : family->histograms) {
                Labels named;
                for (size_t i = 0; i < values.size(); ++i) named.emplace_back(family->label_names[i], values[i]);
                if (named != labels) continue;
                return HistogramSample{family->name, named, family->bounds, series.buckets, series.sum, series.count};
            }
        }
        return std::nullopt;
    }

    // -------------------------------------------------------------- audit
    std::vector<RecordedAuditEvent> audit_events() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return audit_events_;
    }

private:
    using Clock = std::chrono::steady_clock;
    static constexpr size_t kRunawayLimit = 1000000;

    struct Task {
        csh_strand* strand;
        csh_task_fn fn;
        void* user;
    };
    struct TimerRec {
        uint64_t seq;
        Clock::time_point deadline;
        csh_strand* strand;
        csh_task_fn fn;
        void* user;
    };
    struct WatchRec {
        int fd;
        uint32_t events;
        csh_strand* strand;
        csh_fd_fn fn;
        void* user;
    };
    struct Family {
        csh_metric_type type;
        std::string name;
        std::string help;
        std::string unit;
        std::vector<std::string> label_names;
        std::map<std::vector<std::string>, double> series;
        std::vector<double> bounds;
        struct Histogram {
            std::vector<uint64_t> buckets;
            double sum = 0;
            uint64_t count = 0;
        };
        std::map<std::vector<std::string>, Histogram> histograms;
    };

    static FakeHost& self(const csh_host* host) { return *static_cast<FakeHost*>(host->host_data); }

    void note_misuse(std::string what) { misuse_.push_back(std::move(what)); }  // caller holds mutex_

    // One round: posted tasks, due timers, then one poll of the fd watches
    // (waiting at most `wait` when nothing else ran).
    size_t step(std::chrono::milliseconds wait) {
        size_t ran = 0;
        std::deque<Task> batch;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            batch.swap(posts_);
        }
        for (const Task& task : batch) {
            task.fn(task.user);
            ++ran;
        }
        while (auto timer = take_due_timer()) {
            timer->fn(timer->user);  // the handle is freed when `timer` goes out of scope
            ++ran;
        }

        std::vector<const void*> ids;
        std::vector<pollfd> fds;
        std::chrono::milliseconds timeout = wait;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (ran > 0 || !posts_.empty()) timeout = std::chrono::milliseconds(0);
            for (const auto& [id, timer] : timers_) {
                const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(timer->deadline - Clock::now());
                timeout = std::max(std::chrono::milliseconds(0), std::min(timeout, until + std::chrono::milliseconds(1)));
            }
            for (const auto& [id, watch] : watches_) {
                if (watch->events == 0) continue;
                short interest = 0;
                if (watch->events & CSH_FD_READ) interest |= POLLIN;
                if (watch->events & CSH_FD_WRITE) interest |= POLLOUT;
                ids.push_back(id);
                fds.push_back(pollfd{watch->fd, interest, 0});
            }
        }
        if (::poll(fds.data(), fds.size(), static_cast<int>(timeout.count())) <= 0) return ran;
        for (size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents == 0) continue;
            csh_fd_fn fn = nullptr;
            void* user = nullptr;
            uint32_t ready = 0;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                auto it = watches_.find(ids[i]);
                if (it == watches_.end() || it->second->events == 0) continue;  // stopped or paused meanwhile
                const uint32_t interest = it->second->events;
                if (fds[i].revents & POLLIN) ready |= CSH_FD_READ;
                if (fds[i].revents & POLLOUT) ready |= CSH_FD_WRITE;
                if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) ready |= CSH_FD_ERROR;
                // A hang-up means "read now and see the end", as a reactor reports it.
                if ((fds[i].revents & POLLHUP) && (interest & CSH_FD_READ)) ready |= CSH_FD_READ;
                if (fds[i].revents & POLLNVAL) note_misuse("an fd was closed while still watched: fd " + std::to_string(fds[i].fd));
                ready &= interest | CSH_FD_ERROR;
                fn = it->second->fn;
                user = it->second->user;
            }
            fn(user, fds[i].fd, ready);
            ++ran;
        }
        return ran;
    }

    std::unique_ptr<TimerRec> take_due_timer() {
        std::lock_guard<std::mutex> lock(mutex_);
        auto best = timers_.end();
        const auto now = Clock::now();
        for (auto it = timers_.begin(); it != timers_.end(); ++it) {
            if (it->second->deadline > now) continue;
            if (best == timers_.end() || std::make_pair(it->second->deadline, it->second->seq) <
                                             std::make_pair(best->second->deadline, best->second->seq)) {
                best = it;
            }
        }
        if (best == timers_.end()) return nullptr;
        std::unique_ptr<TimerRec> timer = std::move(best->second);
        timers_.erase(best);
        return timer;
    }

    // ------------------------------------------------------ service tables
    static const void* get_service(const csh_host* host, const char* id) {
        FakeHost& h = self(host);
        if (std::strcmp(id, CSH_SERVICE_LOG) == 0) return &h.log_service_;
        if (std::strcmp(id, CSH_SERVICE_CONFIG) == 0) return &h.config_service_;
        if (std::strcmp(id, CSH_SERVICE_LOOP) == 0) return &h.loop_service_;
        if (std::strcmp(id, CSH_SERVICE_METRICS) == 0) return &h.metrics_service_;
        if (std::strcmp(id, CSH_SERVICE_AUDIT) == 0) return &h.audit_service_;
        return nullptr;
    }

    static void log(const csh_host* host, const char* code, csh_connection* connection, csh_str message,
                    const csh_field* fields, size_t field_count) {
        FakeHost& h = self(host);
        LogLine line;
        line.code = code;
        line.message.assign(message.data, message.size);
        line.connection = connection;
        for (size_t i = 0; i < field_count; ++i) {
            line.fields.emplace_back(std::string(fields[i].key.data, fields[i].key.size),
                                     std::string(fields[i].value.data, fields[i].value.size));
        }
        std::lock_guard<std::mutex> lock(h.mutex_);
        auto it = h.codes_.find(line.code);
        line.registered = it != h.codes_.end();
        if (line.registered) {
            line.level = it->second;
        } else {
            h.note_misuse("log line with unregistered code " + line.code);
        }
        h.log_lines_.push_back(std::move(line));
    }
    static int log_enabled(const csh_host* host, const char* code) {
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        auto it = h.codes_.find(code);
        return it != h.codes_.end() && it->second <= h.log_level_ ? 1 : 0;
    }

    static csh_str config_section(const csh_host* host, const char* name) {
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        auto it = h.sections_.find(name);
        static constexpr char kNull[] = "null";
        if (it == h.sections_.end()) return csh_str{kNull, 4};
        return csh_str{it->second.data(), it->second.size()};
    }

    static csh_strand* loop_strand_create(const csh_host* host) {
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        auto token = std::make_unique<char>();
        auto* strand = reinterpret_cast<csh_strand*>(token.get());
        h.strands_[strand] = std::move(token);
        return strand;
    }
    static void loop_strand_destroy(const csh_host* host, csh_strand* strand) {
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        if (h.strands_.erase(strand) == 0) h.note_misuse("strand_destroy of an unknown strand");
    }
    void check_strand(csh_strand* strand, const char* what) {  // caller holds mutex_
        if (strand != nullptr && strands_.count(strand) == 0) note_misuse(std::string(what) + " on an unknown or destroyed strand");
    }
    static void loop_post(const csh_host* host, csh_strand* strand, csh_task_fn fn, void* user) {
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        h.check_strand(strand, "post");
        h.posts_.push_back(Task{strand, fn, user});
    }
    static csh_timer* loop_timer_start(const csh_host* host, csh_strand* strand, uint64_t delay_ms, csh_task_fn fn,
                                       void* user) {
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        h.check_strand(strand, "timer_start");
        auto timer = std::make_unique<TimerRec>(
            TimerRec{h.next_seq_++, Clock::now() + std::chrono::milliseconds(delay_ms), strand, fn, user});
        auto* handle = reinterpret_cast<csh_timer*>(timer.get());
        h.timers_[handle] = std::move(timer);
        return handle;
    }
    static void loop_timer_cancel(const csh_host* host, csh_timer* timer) {
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        if (h.timers_.erase(timer) == 0) h.note_misuse("timer_cancel of a timer that fired or never existed");
    }
    static csh_fd_watch* loop_fd_watch_start(const csh_host* host, csh_strand* strand, int fd, uint32_t events,
                                             csh_fd_fn fn, void* user) {
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        h.check_strand(strand, "fd_watch_start");
        auto watch = std::make_unique<WatchRec>(WatchRec{fd, events, strand, fn, user});
        auto* handle = reinterpret_cast<csh_fd_watch*>(watch.get());
        h.watches_[handle] = std::move(watch);
        return handle;
    }
    static void loop_fd_watch_update(const csh_host* host, csh_fd_watch* watch, uint32_t events) {
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        auto it = h.watches_.find(watch);
        if (it == h.watches_.end()) {
            h.note_misuse("fd_watch_update of a stopped or unknown watch");
            return;
        }
        it->second->events = events;
    }
    static void loop_fd_watch_stop(const csh_host* host, csh_fd_watch* watch) {
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        if (h.watches_.erase(watch) == 0) h.note_misuse("fd_watch_stop of a stopped or unknown watch");
    }

    static csh_metric* metrics_define(const csh_host* host, csh_metric_type type, const char* name, const char* help,
                                      const char* unit, const char* const* label_names, size_t label_count) {
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        std::vector<std::string> labels(label_names, label_names + label_count);
        for (auto& family : h.families_) {
            if (family->name != name) continue;
            if (family->type == type && family->label_names == labels) return reinterpret_cast<csh_metric*>(family.get());
            return nullptr;
        }
        h.families_.push_back(std::make_unique<Family>(
            Family{type, name, help != nullptr ? help : "", unit != nullptr ? unit : "", std::move(labels), {}, {}, {}}));
        return reinterpret_cast<csh_metric*>(h.families_.back().get());
    }
    static csh_metric* metrics_define_histogram(const csh_host* host, const char* name, const char* help,
                                                const char* unit, const char* const* label_names, size_t label_count,
                                                const double* bounds, size_t bound_count) {
        csh_metric* metric = metrics_define(host, CSH_METRIC_HISTOGRAM, name, help, unit, label_names, label_count);
        if (metric == nullptr) return nullptr;
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        auto* family = reinterpret_cast<Family*>(metric);
        std::vector<double> limits(bounds, bounds + bound_count);
        for (size_t i = 1; i < limits.size(); ++i) {
            if (!(limits[i - 1] < limits[i])) h.note_misuse("histogram " + family->name + " bounds are not ascending");
        }
        if (family->histograms.empty() && family->bounds.empty()) family->bounds = std::move(limits);
        else if (family->bounds != limits) return nullptr;
        return metric;
    }
    static void metrics_observe(const csh_host* host, csh_metric* metric, const csh_str* values, size_t count,
                                double value) {
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        auto* family = reinterpret_cast<Family*>(metric);
        if (family->type != CSH_METRIC_HISTOGRAM || count != family->label_names.size()) {
            h.note_misuse("metric " + family->name + " observed but not a histogram or with the wrong labels");
            return;
        }
        std::vector<std::string> key;
        for (size_t i = 0; i < count; ++i) key.emplace_back(values[i].data, values[i].size);
        auto& series = family->histograms[key];
        if (series.buckets.empty()) series.buckets.resize(family->bounds.size() + 1);
        size_t bucket = 0;
        while (bucket < family->bounds.size() && value > family->bounds[bucket]) ++bucket;
        ++series.buckets[bucket];
        series.sum += value;
        ++series.count;
    }
    static void metrics_collect_histograms(const csh_host* host, csh_histogram_visit_fn visit, void* user) {
        FakeHost& h = self(host);
        std::vector<HistogramSample> samples;
        std::vector<std::string> helps, units;
        {
            std::lock_guard<std::mutex> lock(h.mutex_);
            for (const auto& family : h.families_) {
                for (const auto& [values, series] : family->histograms) {
                    HistogramSample sample{family->name, {}, family->bounds, series.buckets, series.sum, series.count};
                    for (size_t i = 0; i < values.size(); ++i) sample.labels.emplace_back(family->label_names[i], values[i]);
                    samples.push_back(std::move(sample));
                    helps.push_back(family->help);
                    units.push_back(family->unit);
                }
            }
        }
        for (size_t n = 0; n < samples.size(); ++n) {  // outside the lock, like metrics_collect
            const auto& sample = samples[n];
            std::vector<csh_field> labels;
            for (const auto& [k, v] : sample.labels) labels.push_back(csh_field{{k.data(), k.size()}, {v.data(), v.size()}});
            std::vector<uint64_t> cumulative;
            uint64_t running = 0;
            for (size_t i = 0; i < sample.bounds.size(); ++i) cumulative.push_back(running += sample.buckets[i]);
            csh_histogram_sample raw{};
            raw.struct_size = sizeof raw;
            raw.name = sample.name.c_str();
            raw.help = helps[n].c_str();
            raw.unit = units[n].c_str();
            raw.labels = labels.data();
            raw.label_count = labels.size();
            raw.bounds = sample.bounds.data();
            raw.bucket_counts = cumulative.data();
            raw.bound_count = sample.bounds.size();
            raw.sum = sample.sum;
            raw.count = sample.count;
            visit(user, &raw);
        }
    }
    static void metrics_update(const csh_host* host, csh_metric* metric, const csh_str* values, size_t count,
                               double amount, bool set) {
        FakeHost& h = self(host);
        std::lock_guard<std::mutex> lock(h.mutex_);
        auto* family = reinterpret_cast<Family*>(metric);
        if (count != family->label_names.size()) {
            h.note_misuse("metric " + family->name + " updated with the wrong number of label values");
            return;
        }
        if (family->type == CSH_METRIC_HISTOGRAM) {
            h.note_misuse("histogram " + family->name + " was added to or set; use observe");
            return;
        }
        if (set && family->type != CSH_METRIC_GAUGE) h.note_misuse("metric " + family->name + " is not a gauge but was set");
        std::vector<std::string> key;
        for (size_t i = 0; i < count; ++i) key.emplace_back(values[i].data, values[i].size);
        double& value = family->series[key];
        value = set ? amount : value + amount;
    }
    static void metrics_add(const csh_host* host, csh_metric* metric, const csh_str* values, size_t count, double delta) {
        metrics_update(host, metric, values, count, delta, false);
    }
    static void metrics_set(const csh_host* host, csh_metric* metric, const csh_str* values, size_t count, double value) {
        metrics_update(host, metric, values, count, value, true);
    }
    static void metrics_collect(const csh_host* host, csh_metric_visit_fn visit, void* user) {
        FakeHost& h = self(host);
        std::vector<MetricSample> samples;
        {
            std::lock_guard<std::mutex> lock(h.mutex_);
            for (const auto& family : h.families_) {
                for (const auto& [values, value] : family->series) {
                    MetricSample sample{family->name, family->help, family->unit, family->type, {}, value};
                    for (size_t i = 0; i < values.size(); ++i) sample.labels.emplace_back(family->label_names[i], values[i]);
                    samples.push_back(std::move(sample));
                }
            }
        }
        for (const auto& sample : samples) {  // visit outside the lock: it may call back into the host
            std::vector<csh_field> labels;
            for (const auto& [k, v] : sample.labels) labels.push_back(csh_field{{k.data(), k.size()}, {v.data(), v.size()}});
            csh_metric_sample raw{sample.name.c_str(), sample.help.c_str(), sample.unit.c_str(), sample.type, 0,
                                  labels.data(), labels.size(), sample.value};
            visit(user, &raw);
        }
    }

    static void audit_emit(const csh_host* host, csh_connection* connection, const csh_audit_event* event) {
        FakeHost& h = self(host);
        RecordedAuditEvent copy{connection, event->type, event->timestamp_ns, event->channel_id, {}};
        for (size_t i = 0; i < event->payload_count; ++i) {
            const csh_audit_field& f = event->payload[i];
            RecordedAuditField field{std::string(f.key.data, f.key.size), f.type, {}, 0, 0, false};
            switch (f.type) {
                case CSH_AUDIT_VALUE_STRING:
                case CSH_AUDIT_VALUE_JSON: field.text.assign(f.value.string.data, f.value.string.size); break;
                case CSH_AUDIT_VALUE_BYTES:
                    field.text.assign(reinterpret_cast<const char*>(f.value.bytes.data), f.value.bytes.size);
                    break;
                case CSH_AUDIT_VALUE_INT: field.int_value = f.value.int_value; break;
                case CSH_AUDIT_VALUE_UINT: field.uint_value = f.value.uint_value; break;
                case CSH_AUDIT_VALUE_BOOL: field.bool_value = f.value.bool_value != 0; break;
                default: break;
            }
            copy.payload.push_back(std::move(field));
        }
        std::lock_guard<std::mutex> lock(h.mutex_);
        h.audit_events_.push_back(std::move(copy));
    }

    static constexpr csh_log_service kLogService{sizeof(csh_log_service), &log, &log_enabled};
    static constexpr csh_config_service kConfigService{sizeof(csh_config_service), &config_section};
    static constexpr csh_loop_service kLoopService{sizeof(csh_loop_service), &loop_strand_create,
                                                  &loop_strand_destroy,     &loop_post,
                                                  &loop_timer_start,        &loop_timer_cancel,
                                                  &loop_fd_watch_start,     &loop_fd_watch_update,
                                                  &loop_fd_watch_stop};
    static constexpr csh_metrics_service kMetricsService{
        sizeof(csh_metrics_service), &metrics_define,  &metrics_add,
        &metrics_set,                &metrics_collect, &metrics_define_histogram,
        &metrics_observe,            &metrics_collect_histograms};
    static constexpr csh_audit_service kAuditService{sizeof(csh_audit_service), &audit_emit};

    csh_host host_{};
    // This host's copies of the tables (emulate_abi_1_0 shortens them).
    csh_log_service log_service_ = kLogService;
    csh_config_service config_service_ = kConfigService;
    csh_loop_service loop_service_ = kLoopService;
    csh_metrics_service metrics_service_ = kMetricsService;
    csh_audit_service audit_service_ = kAuditService;
    mutable std::mutex mutex_;
    std::map<std::string, csh_log_level, std::less<>> codes_;
    csh_log_level log_level_ = CSH_LOG_DEBUG;
    std::vector<LogLine> log_lines_;
    std::vector<std::string> misuse_;
    std::map<std::string, std::string, std::less<>> sections_;
    std::map<csh_strand*, std::unique_ptr<char>> strands_;
    std::deque<Task> posts_;
    std::map<const void*, std::unique_ptr<TimerRec>> timers_;
    uint64_t next_seq_ = 0;
    std::map<const void*, std::unique_ptr<WatchRec>> watches_;
    std::vector<std::unique_ptr<Family>> families_;
    std::vector<RecordedAuditEvent> audit_events_;
};

}  // namespace csh::sdk::testing
