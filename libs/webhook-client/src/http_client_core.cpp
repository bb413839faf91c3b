#include "http_client_core.hpp"

#include <csh/webhook/messages.hpp>

#include "retry_policy.hpp"
#include <csh/webhook/url_redaction.hpp>

#include <stdexcept>
#include <string>
#include <utility>

namespace csh::webhook {
namespace {

using std::chrono::milliseconds;

// Connections kept open to one webhook server (one client per configured
// block). Enough for hundreds of logins per second at a few ms each.
constexpr long kMaxConnectionsPerHost = 32;

HttpResult cancelled_result(unsigned attempts) {
    HttpResult result;
    result.cancelled = true;
    result.failure = "the request was cancelled";
    result.attempts = attempts;
    return result;
}

HttpResult failed_result(const char* code, std::string reason, unsigned attempts, bool transient = false) {
    HttpResult result;
    result.failure_code = code;
    result.failure = std::move(reason);
    result.attempts = attempts;
    result.transient = transient;
    return result;
}

// Failures that another attempt cannot fix: the URL itself or a redirect
// chain is wrong, or our own transfer was aborted on purpose.
bool is_permanent(CURLcode code) {
    switch (code) {
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_TOO_MANY_REDIRECTS:
        case CURLE_BAD_FUNCTION_ARGUMENT:
        case CURLE_WRITE_ERROR:
        case CURLE_ABORTED_BY_CALLBACK:  // the body file ended early
        case CURLE_OUT_OF_MEMORY:
            return true;
        default:
            return false;
    }
}

}  // namespace

HttpClient::Core::Core(csh::sdk::Host host, HttpClientSettings settings)
    : host_(host), settings_(std::move(settings)), profile_(settings_), random_(std::random_device{}()) {
    multi_ = curl_multi_init();
    if (multi_ == nullptr) throw std::runtime_error("libcurl could not create a multi handle");
    strand_ = host_.strand_create();
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Core::socket_callback);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Core::timer_callback);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
    // A burst of logins must not open a connection each: an auth server
    // that serves one connection per thread (as many do) stalls when it runs
    // out of threads. Beyond this many, requests wait for a free connection.
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, kMaxConnectionsPerHost);
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, kMaxConnectionsPerHost);
}

HttpClient::Core::~Core() {
    // shutdown() normally did this; a constructor that threw after
    // curl_multi_init did not get that far.
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
}

// ---------------------------------------------------------------- any thread

HttpClient::RequestId HttpClient::Core::submit(HttpRequest request, Done done) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) throw std::logic_error("a request was sent on an HTTP client that is being destroyed");
    const RequestId id = next_id_++;
    inbox_.push_back(Submitted{id, std::move(request), std::move(done), Clock::now()});
    ensure_kick();
    return id;
}

void HttpClient::Core::cancel(RequestId id) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    cancel_requests_.insert(id);
    ensure_kick();
}

void HttpClient::Core::ensure_kick() {
    if (kick_posted_) return;
    kick_posted_ = true;
    // A weak reference: the task may outlive the client when the loop
    // stops before it runs.
    host_.post(strand_, [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->on_kick();
    });
}

void HttpClient::Core::shutdown() {
    std::vector<std::function<void()>> callbacks;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (closed_) return;
        closed_ = true;
        for (auto& submitted : inbox_) defer_done(std::move(submitted.done), cancelled_result(0));
        inbox_.clear();
        cancel_requests_.clear();
        while (!transfers_.empty()) {
            const auto& transfer = *transfers_.begin()->second;
            complete(transfer.id, cancelled_result(transfer.attempt + (transfer.easy != nullptr ? 1 : 0)));
        }
        // Closes the kept-alive connections; curl reports their sockets
        // removed through socket_callback, which drops the watches.
        curl_multi_cleanup(multi_);
        multi_ = nullptr;
        watches_.clear();
        multi_timer_.cancel();
        host_.strand_destroy(strand_);
        strand_ = nullptr;
        callbacks.swap(deferred_);
    }
    run_callbacks(callbacks);
}

// ------------------------------------------------------ strand entry points

void HttpClient::Core::run_callbacks(std::vector<std::function<void()>>& callbacks) {
    for (auto& callback : callbacks) {
        try {
            callback();
        } catch (...) {
            host_.log_current_exception("webhook.done");
        }
    }
}

template <class Work>
void HttpClient::Core::serialized(Work&& work) {
    std::vector<std::function<void()>> callbacks;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (closed_) return;
        work();
        callbacks.swap(deferred_);
    }
    // Outside the lock: a callback may post, cancel or even destroy the
    // client (the caller holds a reference to this Core meanwhile).
    run_callbacks(callbacks);
}

void HttpClient::Core::on_kick() {
    serialized([this] {
        kick_posted_ = false;
        std::vector<Submitted> inbox;
        inbox.swap(inbox_);
        std::set<RequestId> cancels;
        cancels.swap(cancel_requests_);
        for (auto& submitted : inbox) {
            if (cancels.erase(submitted.id) > 0) {
                defer_done(std::move(submitted.done), cancelled_result(0));
                continue;
            }
            auto transfer = std::make_unique<Transfer>();
            transfer->id = submitted.id;
            transfer->deadline = submitted.submitted_at + submitted.request.overall_timeout;
            transfer->request = std::move(submitted.request);
            transfer->done = std::move(submitted.done);
            Transfer& started = *transfer;
            transfers_.emplace(submitted.id, std::move(transfer));
            start_attempt(started);
        }
        for (RequestId id : cancels) {
            auto it = transfers_.find(id);
            if (it == transfers_.end()) continue;  // ended already
            const Transfer& transfer = *it->second;
            complete(id, cancelled_result(transfer.attempt + (transfer.easy != nullptr ? 1 : 0)));
        }
    });
}

void HttpClient::Core::on_socket_ready(curl_socket_t socket, uint32_t ready) {
    serialized([&] {
        int events = 0;
        if (ready & CSH_FD_READ) events |= CURL_CSELECT_IN;
        if (ready & CSH_FD_WRITE) events |= CURL_CSELECT_OUT;
        if (ready & CSH_FD_ERROR) events |= CURL_CSELECT_ERR;
        drive(socket, events);
    });
}

void HttpClient::Core::on_multi_timer() {
    serialized([this] {
        drive(CURL_SOCKET_TIMEOUT, 0);
    });
}

void HttpClient::Core::on_retry_timer(RequestId id) {
    serialized([&] {
        auto it = transfers_.find(id);
        if (it == transfers_.end()) return;
        start_attempt(*it->second);
    });
}

// ------------------------------------------------------- libcurl callbacks

int HttpClient::Core::socket_callback(CURL* /*easy*/, curl_socket_t socket, int what, void* user,
                                      void* /*socket_user*/) {
    static_cast<Core*>(user)->watch_socket(socket, what);
    return 0;
}

int HttpClient::Core::timer_callback(CURLM* /*multi*/, long timeout_ms, void* user) {
    static_cast<Core*>(user)->arm_multi_timer(timeout_ms);
    return 0;
}

void HttpClient::Core::watch_socket(curl_socket_t socket, int what) {
    if (what == CURL_POLL_REMOVE) {
        watches_.erase(socket);  // FdWatch stops itself, even from inside its own callback
        return;
    }
    if (closed_) return;
    uint32_t events = 0;
    if (what & CURL_POLL_IN) events |= CSH_FD_READ;
    if (what & CURL_POLL_OUT) events |= CSH_FD_WRITE;
    auto it = watches_.find(socket);
    if (it != watches_.end()) {
        it->second.update(events);
        return;
    }
    watches_.emplace(socket, host_.fd_watch_start(strand_, socket, events,
                                                  [weak = weak_from_this(), socket](uint32_t ready) {
                                                      if (auto self = weak.lock()) self->on_socket_ready(socket, ready);
                                                  }));
}

void HttpClient::Core::arm_multi_timer(long timeout_ms) {
    multi_timer_.cancel();
    if (timeout_ms < 0 || closed_) return;  // -1: curl needs no timer now
    multi_timer_ = host_.timer_start(strand_, milliseconds(timeout_ms), [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->on_multi_timer();
    });
}

// ------------------------------------------------------ request life cycle

void HttpClient::Core::start_attempt(Transfer& transfer) {
    const auto remaining = std::chrono::duration_cast<milliseconds>(transfer.deadline - Clock::now());
    if (remaining.count() <= 0) {
        complete(transfer.id, failed_result(codes::HTTP_CLIENT_CONNECTION_FAILED,
                                            "the overall timeout ran out before the request could be sent",
                                            transfer.attempt, true));
        return;
    }
    const milliseconds timeout = std::min(profile_.attempt_timeout, remaining);
    transfer.easy = make_attempt_handle(profile_, transfer.request, timeout, transfer.capture, &transfer);
    if (transfer.easy == nullptr) {
        const std::string reason =
            transfer.capture.error[0] != '\0' ? transfer.capture.error : "libcurl could not create a request handle";
        complete(transfer.id, failed_result(codes::HTTP_CLIENT_CONNECTION_FAILED, reason, transfer.attempt));
        return;
    }
    log_url(codes::HTTP_CLIENT_REQUEST, "sending a request to " + transfer.request.peer, transfer,
            {{"method", transfer.request.method}});
    transfer.attempt_started = Clock::now();
    const CURLMcode added = curl_multi_add_handle(multi_, transfer.easy);
    if (added != CURLM_OK) {
        complete(transfer.id, failed_result(codes::HTTP_CLIENT_CONNECTION_FAILED,
                                            std::string("libcurl refused the request: ") + curl_multi_strerror(added),
                                            transfer.attempt + 1));
    }
}

void HttpClient::Core::drive(curl_socket_t socket, int events) {
    int running = 0;
    curl_multi_socket_action(multi_, socket, events, &running);
    collect_finished();
}

void HttpClient::Core::collect_finished() {
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
        if (message->msg != CURLMSG_DONE) continue;
        // Copy out: the message is freed when its handle is removed.
        CURL* easy = message->easy_handle;
        const CURLcode code = message->data.result;
        char* owner = nullptr;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &owner);
        finish_attempt(*reinterpret_cast<Transfer*>(owner), code);
    }
}

void HttpClient::Core::finish_attempt(Transfer& transfer, CURLcode code) {
    const auto elapsed = Clock::now() - transfer.attempt_started;
    long status = 0;
    curl_easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE, &status);
    const unsigned attempt = transfer.attempt;
    release_attempt(transfer);  // the connection goes back to the multi handle's cache

    for (const auto& location : transfer.capture.followed) {
        log_url(codes::HTTP_CLIENT_REDIRECT, "followed a redirect of " + transfer.request.peer, transfer,
                {{"location", redact_url(location)}});
    }
    if (status > 0) {
        log_url(codes::HTTP_CLIENT_RESPONSE, transfer.request.peer + " answered", transfer,
                {{"status", std::to_string(status)}, {"bytes", std::to_string(transfer.capture.body.size())}});
    }

    Verdict verdict = judge(transfer, code, status);
    std::optional<milliseconds> wait;
    const bool attempts_left = transfer.request.max_attempts == 0 || attempt + 1 < transfer.request.max_attempts;
    if (verdict.retryable && attempts_left) wait = retry_delay(transfer, status);

    if (transfer.request.on_attempt) {
        AttemptReport report{attempt, status, verdict.failure_code, verdict.result.failure, wait.has_value(), elapsed};
        deferred_.push_back([on_attempt = transfer.request.on_attempt, report = std::move(report)] {
            on_attempt(report);
        });
    }

    if (wait) {
        transfer.attempt = attempt + 1;
        transfer.retry_timer = host_.timer_start(strand_, *wait, [weak = weak_from_this(), id = transfer.id] {
            if (auto self = weak.lock()) self->on_retry_timer(id);
        });
        return;
    }
    verdict.result.attempts = attempt + 1;
    complete(transfer.id, std::move(verdict.result));
}

HttpClient::Core::Verdict HttpClient::Core::judge(Transfer& transfer, CURLcode code, long status) {
    Verdict verdict;
    AttemptCapture& capture = transfer.capture;
    if (capture.body_too_large) {
        verdict.failure_code = codes::HTTP_CLIENT_DECODE_FAILED;
        verdict.result = failed_result(verdict.failure_code, "the response body is larger than 1 MiB", 0);
        verdict.result.status = status;
        log_url(codes::HTTP_CLIENT_DECODE_FAILED, "the response body of " + transfer.request.peer + " is larger than 1 MiB",
                transfer, {{"status", std::to_string(status)}});
        return verdict;
    }
    if (code != CURLE_OK) {
        std::string reason = capture.body_file_short ? "the body file ended before the range to send did"
                             : capture.error[0] != '\0' ? capture.error
                                                         : curl_easy_strerror(code);
        log_url(codes::HTTP_CLIENT_CONNECTION_FAILED, "a request attempt to " + transfer.request.peer + " failed: " + reason,
                transfer, {{"reason", reason}});
        verdict.failure_code = codes::HTTP_CLIENT_CONNECTION_FAILED;
        verdict.retryable = !is_permanent(code);
        verdict.result = failed_result(verdict.failure_code, std::move(reason), 0, verdict.retryable);
        return verdict;
    }
    if (is_redirect_status(status) && !profile_.allow_redirects) {
        const std::string location = redact_url(capture.location);
        log_url(codes::HTTP_CLIENT_REDIRECTS_DISABLED,
                transfer.request.peer + " redirected the request, but allowRedirects is false", transfer,
                {{"status", std::to_string(status)}, {"location", location}});
        verdict.failure_code = codes::HTTP_CLIENT_REDIRECTS_DISABLED;
        verdict.result = failed_result(verdict.failure_code,
                                       "the server redirected to " + location + " and allowRedirects is false", 0);
        verdict.result.status = status;
        return verdict;
    }
    verdict.result.status = status;
    verdict.result.body = std::move(capture.body);
    verdict.result.headers = std::move(capture.headers);
    verdict.retryable = is_retryable_status(status);
    return verdict;
}

std::optional<milliseconds> HttpClient::Core::retry_delay(const Transfer& transfer, long status) {
    const auto now = Clock::now();
    milliseconds wait = backoff_delay(transfer.attempt + 1, random_);
    if (status == 429 || status == 503) {
        if (auto asked = parse_retry_after(transfer.capture.retry_after)) {
            // The server said when to come back; earlier would only be
            // refused again, and when that is past the deadline the request
            // ends with this answer.
            wait = std::max(wait, milliseconds(*asked));
        }
    }
    // Only retry when the attempt still gets a useful slice of the deadline.
    if (now + wait + kMinimumTimeout > transfer.deadline) return std::nullopt;
    return wait;
}

void HttpClient::Core::release_attempt(Transfer& transfer) {
    if (transfer.easy == nullptr) return;
    curl_multi_remove_handle(multi_, transfer.easy);
    curl_easy_cleanup(transfer.easy);
    transfer.easy = nullptr;
}

void HttpClient::Core::complete(RequestId id, HttpResult result) {
    auto it = transfers_.find(id);
    if (it == transfers_.end()) return;
    Transfer& transfer = *it->second;
    transfer.retry_timer.cancel();
    release_attempt(transfer);
    defer_done(std::move(transfer.done), std::move(result));
    transfers_.erase(it);
}

void HttpClient::Core::defer_done(Done done, HttpResult result) {
    if (!done) return;
    deferred_.push_back([done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

void HttpClient::Core::log_url(const char* code, std::string_view message, const Transfer& transfer,
                               std::initializer_list<csh::sdk::LogField> extra) {
    if (!host_.enabled(code)) return;
    const std::string url = redact_url(transfer.request.url);
    const std::string attempt = std::to_string(transfer.attempt);
    std::vector<csh::sdk::LogField> fields{{"url", url}, {"attempt", attempt}};
    fields.insert(fields.end(), extra.begin(), extra.end());
    host_.log(code, message, fields, transfer.request.connection);
}

}  // namespace csh::webhook
