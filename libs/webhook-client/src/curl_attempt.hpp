// One HTTP attempt as a libcurl easy handle: the options every request gets
// (TLS, redirects, limits), its method, headers, body and signing, and what
// the callbacks collect while the answer arrives (status, headers that
// matter, body up to 1 MiB).
#pragma once

#include <csh/webhook/http_client.hpp>
#include <csh/webhook/http_settings.hpp>

#include <csh/tls/tls_names.hpp>

#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace csh::webhook {

// The body cap: webhook answers are small JSON objects.
inline constexpr std::size_t kMaximumBodyBytes = 1024 * 1024;
// Redirects followed at most, when allowed.
inline constexpr long kMaximumRedirects = 5;

// What the settings mean for libcurl, computed once per client.
struct CurlProfile {
    std::string cacert_pem, cert_pem, key_pem;  // empty: not set
    long ssl_version = CURL_SSLVERSION_TLSv1_3;
    tls::OpenSslLists lists;
    bool allow_redirects = false;
    std::chrono::milliseconds attempt_timeout{2000};

    // Throws std::runtime_error when a hand-set PEM file cannot be read.
    explicit CurlProfile(const HttpClientSettings& settings);
};

// Filled by the easy handle's callbacks during one attempt, and the
// attempt's own resources (its header list, its body file), released by
// reset() and the destructor.
struct AttemptCapture {
    std::string body;
    bool body_too_large = false;
    long last_status = 0;                 // of the latest status line seen
    std::string location;                 // Location of the latest answer
    std::string retry_after;              // Retry-After of the latest answer
    std::vector<std::string> followed;    // redirect targets curl followed
    // The response headers the request asked for, of the latest answer.
    const std::vector<std::string>* wanted = nullptr;
    std::vector<std::pair<std::string, std::string>> headers;
    char error[CURL_ERROR_SIZE] = {};

    curl_slist* header_list = nullptr;
    std::FILE* body_file = nullptr;
    std::uint64_t body_offset = 0;  // of the range in the file
    std::uint64_t body_length = 0;
    std::uint64_t body_sent = 0;    // read so far in this pass
    bool body_file_short = false;   // the file ended before the range did

    AttemptCapture() = default;
    ~AttemptCapture();
    AttemptCapture(const AttemptCapture&) = delete;
    AttemptCapture& operator=(const AttemptCapture&) = delete;
    void reset();
};

// A new easy handle for `request`, with at most `timeout` for the attempt;
// `capture` and `request` must outlive the handle. `owner` is stored as
// CURLOPT_PRIVATE. Returns nullptr when the body file cannot be opened
// (capture.error says why) or libcurl refuses (out of memory).
CURL* make_attempt_handle(const CurlProfile& profile, const HttpRequest& request, std::chrono::milliseconds timeout,
                          AttemptCapture& capture, void* owner);

}  // namespace csh::webhook
