// The webhook HTTP client: JSON POSTs over libcurl's multi interface, driven
// by the host's event loop (fd watches and timers on one strand the client
// creates), with retries inside an overall deadline. No threads of its own
// and nothing that blocks a loop thread.
//
//     HttpClient client(host, HttpClientSettings::parse(block));
//     client.post_json({url + "/password", body, 60s, connection, nullptr},
//                      [](HttpResult result) { ... });
//
// send() is the general form other clients build on (the audit plugin's S3
// client): any method, its own headers, a body in memory or streamed from a
// range of a file, libcurl's AWS Signature V4, chosen response headers
// handed back. Everything below holds for it too, except that it sends only
// the headers it is given.
//
// Behaviour of one request:
//  - POST with Content-Type and Accept "application/json"; the body is sent
//    as given and never logged (it may hold a password).
//  - Each attempt is limited by settings.timeout and by the time left of the
//    request's overall_timeout; the whole request ends within
//    overall_timeout (plus the loop's scheduling slack), even against a
//    server that accepts and never answers.
//  - Retried (backoff about 200ms, doubling, capped at 10s, ±25% jitter): a
//    failed connection, TLS handshake or timeout; a 5xx or 429 answer. A
//    Retry-After in seconds on 429/503 replaces the backoff; when it does not
//    fit in the deadline the request ends with that answer. A retry is only
//    started when at least 100ms of the deadline remain after the wait.
//  - Not retried: any other status (200 included: the caller judges the
//    status), a refused redirect, a body over 1 MiB, a malformed URL, more
//    than 5 redirects (HTTP_CLIENT_CONNECTION_FAILED).
//  - Redirects: refused unless settings.allow_redirects (the answer ends the
//    request with HTTP_CLIENT_REDIRECTS_DISABLED); when allowed, followed up
//    to 5 times keeping POST and the body.
//  - Connections are kept alive and reused between requests (one libcurl
//    multi handle per client).
//  - Logs HTTP_CLIENT_REQUEST / HTTP_CLIENT_RESPONSE (debug) per attempt,
//    HTTP_CLIENT_CONNECTION_FAILED per failed attempt, HTTP_CLIENT_REDIRECT
//    and HTTP_CLIENT_REDIRECTS_DISABLED, with URLs stripped of credentials
//    and query. The plugin must register csh/webhook/messages.def.
#pragma once

#include <csh/webhook/http_settings.hpp>

#include <containerssh/sdk/host.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace csh::webhook {

// What one attempt of a request came to, for callers that count attempts
// (metrics) or log on their own.
struct AttemptReport {
    unsigned attempt = 0;                // 0 = the first
    long status = 0;                     // 0 when no HTTP answer arrived
    const char* failure_code = nullptr;  // nullptr when an HTTP answer arrived
    std::string failure;                 // human reason, no secrets; empty with an answer
    bool will_retry = false;             // another attempt follows
    // From handing the attempt to libcurl until it ended: name lookup,
    // connect, TLS, request and answer; not the wait before a retry.
    std::chrono::steady_clock::duration elapsed{};
};

// How a request ended.
struct HttpResult {
    // The status of the last answer; 0 when none arrived.
    long status = 0;
    // Its body (at most 1 MiB); empty when failure_code is set.
    std::string body;
    // nullptr when an answer ended the request (whatever its status), else
    // codes::HTTP_CLIENT_CONNECTION_FAILED (no answer within the deadline,
    // or a malformed URL), HTTP_CLIENT_REDIRECTS_DISABLED (status holds the
    // 3xx) or HTTP_CLIENT_DECODE_FAILED (body over 1 MiB).
    const char* failure_code = nullptr;
    std::string failure;  // human reason, no secrets
    unsigned attempts = 0;
    // cancel() or the client's destruction ended the request; nothing else is set.
    bool cancelled = false;
    // With failure_code set: the client judged the failure passing (a
    // connection, TLS or timeout failure) rather than one that trying again
    // cannot fix (a malformed URL, a body file that cannot be read).
    bool transient = false;
    // The response headers the request asked for (HttpRequest::
    // response_headers) as the last answer gave them, lower-case names.
    std::vector<std::pair<std::string, std::string>> headers;
};

struct PostRequest {
    std::string url;
    std::string json_body;
    // The deadline of the whole request, retries included.
    std::chrono::milliseconds overall_timeout{60000};
    // Only for the labels of the client's log lines; may be NULL.
    csh_connection* connection = nullptr;
    // Optional; runs on the client strand after each attempt, before `done`.
    std::function<void(const AttemptReport&)> on_attempt;
};

// A request body read from a file while it is sent, so it is never held in
// memory whole. The file must hold at least offset+length bytes.
struct FileBody {
    std::string path;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

// A request of any method (send()).
struct HttpRequest {
    std::string method = "GET";
    std::string url;
    // Header lines "Name: value", sent as given.
    std::vector<std::string> headers;
    // The body: `body` unless body_file is set. GET, HEAD and DELETE with
    // an empty body send none.
    std::string body;
    std::optional<FileBody> body_file;
    // When set, libcurl signs the request with AWS Signature V4
    // (CURLOPT_AWS_SIGV4, e.g. "aws:amz:us-east-1:s3") as `aws_access_key`
    // with `aws_secret_key`. The secret is never logged.
    std::string aws_sigv4;
    std::string aws_access_key;
    std::string aws_secret_key;
    // Response headers to return in HttpResult::headers (any case).
    std::vector<std::string> response_headers;
    // Who answers, for log lines: "the webhook server", "S3".
    std::string peer = "the server";
    std::chrono::milliseconds overall_timeout{60000};
    // At most this many attempts (0: as many as the deadline allows). A
    // caller with a retry policy of its own (the audit uploader, whose
    // outages last minutes) sets 1 and sees every failure at once.
    unsigned max_attempts = 0;
    csh_connection* connection = nullptr;
    std::function<void(const AttemptReport&)> on_attempt;
};

class HttpClient {
public:
    using RequestId = std::uint64_t;

    // [control] Creates the client's strand and libcurl multi handle.
    // Throws std::runtime_error when a cacert/cert/key set by hand names a
    // file that cannot be read.
    HttpClient(csh::sdk::Host host, HttpClientSettings settings);
    // [control] Ends every pending request: its `done` runs once, with
    // cancelled=true, on the calling thread. Releases all watches, timers
    // and curl handles. Meant for plugin deinit (after the loop stopped);
    // while the loop runs it is serialized with the client's strand work.
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // [any-thread] Starts a request. `done` runs exactly once, on the client
    // strand (unless the client is destroyed first, see above). Returns an id
    // for cancel().
    RequestId post_json(PostRequest request, std::function<void(HttpResult)> done);

    // [any-thread] Starts any request; otherwise as post_json.
    RequestId send(HttpRequest request, std::function<void(HttpResult)> done);

    // [any-thread] Ends the request if it is still pending: its `done` runs
    // with cancelled=true (on the strand). No effect once it has ended.
    void cancel(RequestId id);

    const HttpClientSettings& settings() const;

    class Core;  // the strand-side machinery (src/http_client_core.hpp)

private:
    std::shared_ptr<Core> core_;
};

}  // namespace csh::webhook
