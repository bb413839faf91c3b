// One Engine API request on its own connection to the engine, asynchronous on
// a strand. The response is parsed with Boost.Beast's HTTP parser (fed from
// our non-blocking stream); a request marked `upgrade` hands the connection
// over after the engine's "101 UPGRADED", for exec and attach streams.
//
// A fresh connection per request keeps the client simple and costs little on
// the unix socket. Every call has a deadline; a call lives until it completed
// or was cancelled, whether or not the caller keeps the returned pointer.
#pragma once

#include "engine/engine_connector.hpp"
#include "engine/engine_stream.hpp"

#include <containerssh/sdk/host.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace backend_docker {

struct EngineRequest {
    std::string method = "GET";
    std::string target;  // path and query, already versioned ("/v1.41/...")
    std::string body;    // JSON; sent with Content-Type application/json when not empty
    std::vector<std::pair<std::string, std::string>> headers;
    bool upgrade = false;
    std::chrono::milliseconds timeout{15000};
    size_t body_limit = 8u << 20;
    // Called with each new piece of the body as it arrives (image pulls
    // report progress this way); the body is still collected.
    std::function<void(std::string_view)> on_body;
    // Held until the call is over (see CallSite).
    std::shared_ptr<void> pending;
};

struct EngineResponse {
    int status = 0;
    std::string body;
    // For upgraded requests: the raw stream and the bytes that arrived with
    // the response header.
    std::unique_ptr<EngineStream> stream;
    std::string leftover;
};

class HttpCall : public std::enable_shared_from_this<HttpCall> {
public:
    // `error` is empty on success (any HTTP status); otherwise it says what
    // failed at the transport level (connect, timeout, malformed response).
    using Done = std::function<void(EngineResponse response, std::string error)>;

    // [strand] Starts the call; `done` runs on `strand` exactly once.
    static std::shared_ptr<HttpCall> start(const csh::sdk::Host& host, csh_strand* strand,
                                           std::shared_ptr<const EngineConnector> connector, EngineRequest request,
                                           Done done);
    ~HttpCall();

    struct State;

private:
    explicit HttpCall(std::unique_ptr<State> state);
    void pump();
    bool send_request();
    void receive_response();
    void finish(EngineResponse response, std::string error);
    std::unique_ptr<State> state_;
};

// The message in an Engine API error body ({"message": "..."}), or the body
// itself (shortened) when it is not that JSON.
std::string engine_error_message(std::string_view body);

}  // namespace backend_docker
