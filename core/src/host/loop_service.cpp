#include "host/loop_service.hpp"

#include "host/event_loop.hpp"
#include "host/host_entry.hpp"
#include "host/plugin_host.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <mutex>
#include <set>

namespace asio = boost::asio;

// One-shot timer. `cancelled` closes the window between expiry and the
// handler running: once cancel returned, fn never runs.
struct csh_timer {
    csh_timer(asio::io_context& io, csh_task_fn f, void* u) : timer(io), fn(f), user(u) {}
    asio::steady_timer timer;
    csh_task_fn fn;
    void* user;
    bool cancelled = false;
};

// The handle a plugin holds; the state lives in a shared object that the
// pending waits keep alive until they have finished.
struct csh_fd_watch {
    struct State {
        State(asio::io_context& io, int fd) : descriptor(io, fd) {}
        asio::posix::stream_descriptor descriptor;
        csh_strand* strand = nullptr;
        uint32_t events = 0;
        csh_fd_fn fn = nullptr;
        void* user = nullptr;
        bool read_armed = false;
        bool write_armed = false;
        bool stopped = false;
    };
    std::shared_ptr<State> state;
};

namespace csh::host {
namespace {

asio::io_context& io_of(const csh_host* host) { return PluginHost::from(host).io(); }
log::Logger* logger_of(const csh_host* host) { return &PluginHost::from(host).logger(); }

template <typename Fn>
void dispatch_on(asio::io_context& io, csh_strand* strand, Fn&& fn) {
    if (strand != nullptr) {
        asio::post(strand->executor, std::forward<Fn>(fn));
    } else {
        asio::post(io, std::forward<Fn>(fn));
    }
}

csh_strand* strand_create(const csh_host* host) {
    return guarded(logger_of(host), "loop.strand_create", static_cast<csh_strand*>(nullptr),
                   [&] { return new csh_strand(io_of(host)); });
}

void strand_destroy(const csh_host*, csh_strand* strand) { delete strand; }

void post(const csh_host* host, csh_strand* strand, csh_task_fn fn, void* user) {
    guarded(logger_of(host), "loop.post", [&] { post_task(io_of(host), strand, fn, user); });
}

// Timers whose handler has not run yet. When the loop stops with some still
// pending (a plugin's periodic timer), their handlers never run and never
// free them: free_abandoned_timers() does, at shut-down.
std::mutex live_timers_mutex;
std::set<csh_timer*> live_timers;

csh_timer* start_timer(const csh_host* host, csh_strand* strand, uint64_t delay_ms, csh_task_fn fn, void* user) {
    auto* timer = new csh_timer(io_of(host), fn, user);
    {
        std::lock_guard lock(live_timers_mutex);
        live_timers.insert(timer);
    }
    timer->timer.expires_after(std::chrono::milliseconds(delay_ms));
    auto handler = [timer](const boost::system::error_code&) {
        const bool run = !timer->cancelled;
        csh_task_fn f = timer->fn;
        void* u = timer->user;
        {
            std::lock_guard lock(live_timers_mutex);
            live_timers.erase(timer);
        }
        delete timer;
        if (run) f(u);
    };
    if (strand != nullptr) {
        timer->timer.async_wait(asio::bind_executor(strand->executor, handler));
    } else {
        timer->timer.async_wait(handler);
    }
    return timer;
}

csh_timer* timer_start(const csh_host* host, csh_strand* strand, uint64_t delay_ms, csh_task_fn fn,
                       void* user) {
    if (fn == nullptr) return nullptr;
    return guarded(logger_of(host), "loop.timer_start", static_cast<csh_timer*>(nullptr),
                   [&] { return start_timer(host, strand, delay_ms, fn, user); });
}

void timer_cancel(const csh_host* host, csh_timer* timer) {
    // The handler still runs (aborted) and frees the timer; it skips fn.
    timer->cancelled = true;
    guarded(logger_of(host), "loop.timer_cancel", [&] { timer->timer.cancel(); });
}

void arm(const std::shared_ptr<csh_fd_watch::State>& state);

void on_ready(const std::shared_ptr<csh_fd_watch::State>& state, uint32_t bit,
              const boost::system::error_code& ec) {
    (bit == CSH_FD_READ ? state->read_armed : state->write_armed) = false;
    if (state->stopped) return;
    if (!ec && (state->events & bit) != 0) {
        state->fn(state->user, state->descriptor.native_handle(), bit);
    } else if (ec && ec != asio::error::operation_aborted && (state->events & bit) != 0) {
        state->fn(state->user, state->descriptor.native_handle(), bit | CSH_FD_ERROR);
    }
    if (!state->stopped) arm(state);
}

// Level-triggered behaviour: every wait is re-armed after the callback, and
// asio re-evaluates readiness when a wait is armed.
void arm(const std::shared_ptr<csh_fd_watch::State>& state) {
    if ((state->events & CSH_FD_READ) != 0 && !state->read_armed) {
        state->read_armed = true;
        state->descriptor.async_wait(
            asio::posix::stream_descriptor::wait_read,
            asio::bind_executor(state->strand->executor, [state](const boost::system::error_code& ec) {
                on_ready(state, CSH_FD_READ, ec);
            }));
    }
    if ((state->events & CSH_FD_WRITE) != 0 && !state->write_armed) {
        state->write_armed = true;
        state->descriptor.async_wait(
            asio::posix::stream_descriptor::wait_write,
            asio::bind_executor(state->strand->executor, [state](const boost::system::error_code& ec) {
                on_ready(state, CSH_FD_WRITE, ec);
            }));
    }
}

csh_fd_watch* start_watch(const csh_host* host, csh_strand* strand, int fd, uint32_t events, csh_fd_fn fn,
                          void* user) {
    auto watch = std::make_unique<csh_fd_watch>();
    // The descriptor closes its fd when destroyed: on every failure after
    // it took the fd, it gives the fd back first (the plugin owns it).
    watch->state = std::make_shared<csh_fd_watch::State>(io_of(host), fd);
    watch->state->strand = strand;
    watch->state->events = events;
    watch->state->fn = fn;
    watch->state->user = user;
    // Arming happens on the strand, so that callbacks never race with the caller.
    auto state = watch->state;
    try {
        asio::post(strand->executor, [state] {
            if (!state->stopped) arm(state);
        });
    } catch (...) {
        state->descriptor.release();  // the fd stays the plugin's
        throw;
    }
    return watch.release();
}

// The descriptor's constructor registers the fd with the reactor: epoll
// refuses some (a regular file), which is a NULL watch, not an exception.
csh_fd_watch* fd_watch_start(const csh_host* host, csh_strand* strand, int fd, uint32_t events,
                             csh_fd_fn fn, void* user) {
    if (strand == nullptr || fn == nullptr || fd < 0) return nullptr;
    return guarded(logger_of(host), "loop.fd_watch_start", static_cast<csh_fd_watch*>(nullptr),
                   [&] { return start_watch(host, strand, fd, events, fn, user); });
}

void update_watch(csh_fd_watch* watch, uint32_t events) {
    auto& state = watch->state;
    const uint32_t dropped = state->events & ~events;
    state->events = events;
    if (dropped != 0) {
        // Cancelling drops both waits; the wanted one is armed again below.
        boost::system::error_code ignored;
        state->descriptor.cancel(ignored);
    }
    arm(state);
}

void fd_watch_update(const csh_host* host, csh_fd_watch* watch, uint32_t events) {
    guarded(logger_of(host), "loop.fd_watch_update", [&] { update_watch(watch, events); });
}

void fd_watch_stop(const csh_host*, csh_fd_watch* watch) {
    auto state = std::move(watch->state);
    delete watch;
    state->stopped = true;
    // The plugin owns the fd: give it back to the plugin instead of closing it.
    boost::system::error_code ignored;
    state->descriptor.cancel(ignored);
    state->descriptor.release();
}

const csh_loop_service kLoopService = {
    sizeof(csh_loop_service), strand_create, strand_destroy, post,          timer_start,
    timer_cancel,             fd_watch_start, fd_watch_update, fd_watch_stop,
};

}  // namespace

const csh_loop_service* loop_service() { return &kLoopService; }

void free_abandoned_timers() {
    std::lock_guard lock(live_timers_mutex);
    for (csh_timer* timer : live_timers) delete timer;
    live_timers.clear();
}

void post_task(asio::io_context& io, csh_strand* strand, csh_task_fn fn, void* user) {
    dispatch_on(io, strand, [fn, user] { fn(user); });
}

}  // namespace csh::host
