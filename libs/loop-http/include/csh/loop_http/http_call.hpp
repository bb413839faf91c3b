// One HTTP/1.1 request on its own connection, asynchronous on a strand and
// driven by the host's fd watches and timers (no thread, no blocking call).
// The response is parsed with Boost.Beast's HTTP parser, fed from our
// non-blocking stream; a request that asks for an upgrade hands the
// connection over after the server's "101", for exec and attach streams.
//
// A fresh connection per request keeps the client simple and costs little on
// a unix socket or a local engine. Every call has a deadline; a call lives
// until it completed or was cancelled, whether or not the caller keeps the
// returned pointer.
#pragma once

#include <csh/loop_http/byte_stream.hpp>
#include <csh/loop_http/connector.hpp>

#include <containerssh/sdk/host.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace csh::loop_http {

struct HttpRequest {
    std::string method = "GET";
    std::string target;  // path and query ("/v1.41/containers/json")
    std::string body;    // JSON; sent with Content-Type application/json when not empty
    std::vector<std::pair<std::string, std::string>> headers;
    // The protocol asked for in the Upgrade header ("tcp" for Docker's
    // attach and exec); empty for a plain request (Connection: close).
    std::string upgrade;
    std::chrono::milliseconds timeout{15000};
    size_t body_limit = 8u << 20;
    // Called with each new piece of the body as it arrives (image pulls
    // report progress this way); the body is still collected.
    std::function<void(std::string_view)> on_body;
    // Held until the call is over (see CallSite).
    std::shared_ptr<void> pending;
};

struct HttpResponse {
    int status = 0;
    std::string body;
    // For upgraded requests: the raw stream and the bytes that arrived with
    // the response header.
    std::unique_ptr<ByteStream> stream;
    std::string leftover;
};

class HttpCall : public std::enable_shared_from_this<HttpCall> {
public:
    // `error` is empty on success (any HTTP status); otherwise it says what
    // failed at the transport level (connect, timeout, malformed response).
    using Done = std::function<void(HttpResponse response, std::string error)>;

    // [strand] Starts the call; `done` runs on `strand` exactly once.
    static std::shared_ptr<HttpCall> start(const csh::sdk::Host& host, csh_strand* strand,
                                           std::shared_ptr<const Connector> connector, HttpRequest request,
                                           Done done);
    ~HttpCall();

    // [strand] Ends the call now (closing its connection) without running
    // `done`: a watch whose answer arrived in on_body, or a caller that went.
    // May be called from inside on_body.
    void cancel();

    struct State;

private:
    explicit HttpCall(std::unique_ptr<State> state);
    void pump();
    bool send_request();
    void receive_response();
    void finish(HttpResponse response, std::string error);
    // Marks the call over and drops its connection, watch and deadline;
    // false when it was over already.
    bool close_once();
    std::unique_ptr<State> state_;
};

// How a call went, as the backends judge it: ok, or why not.
struct CallResult {
    std::string error;         // empty on success; names the request and the cause
    int status = 0;            // the HTTP status when the server answered
    bool unreachable = false;  // no answer at all (connect, TLS, timeout, not HTTP)
    std::string reason;        // a Kubernetes Status' reason ("NotFound"), when the body has one
    bool ok() const { return error.empty(); }
};

// Judges one answer to the request `what` describes: a transport error
// makes it unreachable; a status not in `accepted` an error with the body's
// message (json_error_message) and the status.
CallResult judge_answer(const std::string& what, const HttpResponse& response, const std::string& transport_error,
                        const std::vector<int>& accepted);

// The message of a JSON error body ({"message": "..."}, as the Docker Engine
// API and Kubernetes' Status answer), or the body itself (shortened) when it
// is not that JSON.
std::string json_error_message(std::string_view body);

// Percent-encodes a query parameter value (RFC 3986 unreserved characters
// stay as they are).
std::string query_escape(std::string_view value);

}  // namespace csh::loop_http
