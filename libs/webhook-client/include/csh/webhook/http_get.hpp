// One blocking GET with the settings of ContainerSSH's HTTP client block,
// for callers outside an event loop (containerssh --healthcheck).
#pragma once

#include <csh/webhook/http_settings.hpp>

#include <string>

namespace csh::webhook {

struct GetAnswer {
    long status = 0;    // 0 when no answer arrived
    std::string body;   // at most 1 MiB
    std::string error;  // empty when an answer arrived; else libcurl's reason
};

// [control] GETs settings.url within settings.timeout, with the block's TLS
// settings; redirects only when allowed. Never throws for network errors.
GetAnswer http_get(const HttpClientSettings& settings);

}  // namespace csh::webhook
