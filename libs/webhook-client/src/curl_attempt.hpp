// One HTTP attempt as a libcurl easy handle: the options every webhook POST
// gets (TLS, redirects, limits) and what the callbacks collect while the
// answer arrives (status, headers that matter, body up to 1 MiB).
#pragma once

#include <csh/webhook/http_settings.hpp>

#include <csh/tls/tls_names.hpp>

#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <string>
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
    curl_slist* headers = nullptr;  // Content-Type, Accept; owned

    // Throws std::runtime_error when a hand-set PEM file cannot be read.
    explicit CurlProfile(const HttpClientSettings& settings);
    ~CurlProfile();
    CurlProfile(const CurlProfile&) = delete;
    CurlProfile& operator=(const CurlProfile&) = delete;
};

// Filled by the easy handle's callbacks during one attempt.
struct AttemptCapture {
    std::string body;
    bool body_too_large = false;
    long last_status = 0;                 // of the latest status line seen
    std::string location;                 // Location of the latest answer
    std::string retry_after;              // Retry-After of the latest answer
    std::vector<std::string> followed;    // redirect targets curl followed
    char error[CURL_ERROR_SIZE] = {};

    void reset();
};

// A new easy handle for POSTing `body` to `url`, with at most `timeout` for
// the attempt; `capture` and `body` must outlive the handle. `owner` is
// stored as CURLOPT_PRIVATE. Returns nullptr when libcurl refuses (out of
// memory).
CURL* make_attempt_handle(const CurlProfile& profile, const std::string& url, const std::string& body,
                          std::chrono::milliseconds timeout, AttemptCapture& capture, void* owner);

}  // namespace csh::webhook
