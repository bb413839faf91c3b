// The strand side of HttpClient: one libcurl multi handle whose sockets and
// timeout are handed to the host loop (fd watches, a timer), the requests in
// flight with their retry timers, and the queue that brings requests from
// any thread onto the strand.
//
// Concurrency: everything that touches curl runs on the client strand, and
// every strand entry point (posted kick, fd watch, timer) holds `mutex_`
// while it works, so the destructor (control thread) can tear down safely
// even if the loop still runs. User callbacks (`done`, `on_attempt`) are
// queued while the mutex is held and run after it is released, so they may
// call post_json/cancel again.
#pragma once

#include <csh/webhook/http_client.hpp>

#include "curl_attempt.hpp"

#include <curl/curl.h>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string_view>
#include <vector>

namespace csh::webhook {

class HttpClient::Core : public std::enable_shared_from_this<HttpClient::Core> {
public:
    using Clock = std::chrono::steady_clock;
    using Done = std::function<void(HttpResult)>;

    Core(csh::sdk::Host host, HttpClientSettings settings);
    ~Core();
    Core(const Core&) = delete;
    Core& operator=(const Core&) = delete;

    RequestId submit(HttpRequest request, Done done);  // [any-thread]
    void cancel(RequestId id);                         // [any-thread]
    void shutdown();                                   // [control], once, from ~HttpClient
    const HttpClientSettings& settings() const { return settings_; }

private:
    // A request that send/post_json accepted but the strand has not started yet.
    struct Submitted {
        RequestId id;
        HttpRequest request;
        Done done;
        Clock::time_point submitted_at;
    };

    // A request the strand owns, between attempts or during one.
    struct Transfer {
        RequestId id = 0;
        HttpRequest request;
        Done done;
        Clock::time_point deadline;
        unsigned attempt = 0;              // of the current or next attempt
        Clock::time_point attempt_started; // of the current attempt
        CURL* easy = nullptr;              // during an attempt
        csh::sdk::Timer retry_timer;       // while waiting to retry
        AttemptCapture capture;
    };

    // How one finished attempt is judged.
    struct Verdict {
        HttpResult result;        // the request's result if it ends here
        bool retryable = false;   // worth another attempt if time allows
        const char* failure_code = nullptr;
    };

    // ---- strand entry points (lock the mutex, then work) ----
    void on_kick();
    void on_socket_ready(curl_socket_t socket, uint32_t ready);
    void on_multi_timer();
    void on_retry_timer(RequestId id);
    template <class Work>
    void serialized(Work&& work);
    // Runs the `done` callbacks collected under the lock, outside it.
    void run_callbacks(std::vector<std::function<void()>>& callbacks);

    // ---- libcurl's multi callbacks (run inside curl calls we make) ----
    static int socket_callback(CURL* easy, curl_socket_t socket, int what, void* user, void* socket_user);
    static int timer_callback(CURLM* multi, long timeout_ms, void* user);
    void watch_socket(curl_socket_t socket, int what);
    void arm_multi_timer(long timeout_ms);

    // ---- request life cycle (mutex held) ----
    void ensure_kick();
    void start_attempt(Transfer& transfer);
    void drive(curl_socket_t socket, int events);
    void collect_finished();
    void finish_attempt(Transfer& transfer, CURLcode code);
    Verdict judge(Transfer& transfer, CURLcode code, long status);
    std::optional<std::chrono::milliseconds> retry_delay(const Transfer& transfer, long status);
    void release_attempt(Transfer& transfer);
    void complete(RequestId id, HttpResult result);
    void defer_done(Done done, HttpResult result);
    void log_url(const char* code, std::string_view message, const Transfer& transfer,
                 std::initializer_list<csh::sdk::LogField> extra = {});

    // libcurl's global state, reference-counted by libcurl itself; first so
    // that it outlives every handle below.
    struct CurlGlobal {
        CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
        ~CurlGlobal() { curl_global_cleanup(); }
    };

    CurlGlobal curl_global_;
    csh::sdk::Host host_;
    HttpClientSettings settings_;
    CurlProfile profile_;
    csh_strand* strand_ = nullptr;
    CURLM* multi_ = nullptr;

    std::mutex mutex_;
    bool closed_ = false;
    bool kick_posted_ = false;
    RequestId next_id_ = 1;
    std::vector<Submitted> inbox_;
    std::set<RequestId> cancel_requests_;

    std::map<RequestId, std::unique_ptr<Transfer>> transfers_;
    std::map<curl_socket_t, csh::sdk::FdWatch> watches_;
    csh::sdk::Timer multi_timer_;
    std::vector<std::function<void()>> deferred_;
    std::minstd_rand random_;
};

}  // namespace csh::webhook
