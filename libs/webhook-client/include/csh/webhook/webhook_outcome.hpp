// What a finished webhook request means to a webhook plugin: an answer to
// decode (HTTP 200), or the reason there is none. Both webhook plugins map
// these to their own codes and results the same way.
#pragma once

#include <csh/webhook/http_client.hpp>

#include <string>

namespace csh::webhook {

struct Outcome {
    enum class Kind {
        answered,        // 200: decode the body
        cancelled,       // the caller cancelled (the SSH connection closed)
        invalid_status,  // a status that retrying would not change (404, 401, 302 ...)
        unavailable,     // no answer before the deadline, or nothing usable
    };
    Kind kind = Kind::unavailable;
    // For the log: what happened, with the status and number of tries.
    std::string reason;
};

Outcome classify(const HttpResult& result);

}  // namespace csh::webhook
