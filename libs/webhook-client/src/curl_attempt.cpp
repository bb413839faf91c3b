#include "curl_attempt.hpp"

#include "retry_policy.hpp"

#include <containerssh/sdk/pem_source.hpp>

#include <algorithm>
#include <cctype>
#include <string_view>

namespace csh::webhook {
namespace {

bool header_is(std::string_view line, std::string_view name) {
    if (line.size() <= name.size() || line[name.size()] != ':') return false;
    for (size_t i = 0; i < name.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(line[i])) != std::tolower(static_cast<unsigned char>(name[i]))) {
            return false;
        }
    }
    return true;
}

std::string header_value(std::string_view line, std::string_view name) {
    std::string_view value = line.substr(name.size() + 1);
    const size_t start = value.find_first_not_of(" \t");
    const size_t end = value.find_last_not_of(" \t\r\n");
    if (start == std::string_view::npos || end < start) return {};
    return std::string(value.substr(start, end - start + 1));
}

// "HTTP/1.1 302 Found" -> 302; 0 when the line is not a status line.
long status_of(std::string_view line) {
    if (line.substr(0, 5) != "HTTP/") return 0;
    const size_t space = line.find(' ');
    if (space == std::string_view::npos || space + 4 > line.size()) return 0;
    long status = 0;
    for (size_t i = space + 1; i < space + 4; ++i) {
        if (line[i] < '0' || line[i] > '9') return 0;
        status = status * 10 + (line[i] - '0');
    }
    return status;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto& capture = *static_cast<AttemptCapture*>(user);
    const std::string_view line(data, size * count);
    if (const long status = status_of(line)) {
        // A new answer starts; when the previous one was a redirect, curl
        // followed it (it only goes on after a redirect when allowed to).
        if (is_redirect_status(capture.last_status) && !capture.location.empty()) {
            capture.followed.push_back(capture.location);
        }
        capture.last_status = status;
        capture.location.clear();
        capture.retry_after.clear();
    } else if (header_is(line, "location")) {
        capture.location = header_value(line, "location");
    } else if (header_is(line, "retry-after")) {
        capture.retry_after = header_value(line, "retry-after");
    }
    return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto& capture = *static_cast<AttemptCapture*>(user);
    const size_t bytes = size * count;
    if (capture.body.size() + bytes > kMaximumBodyBytes) {
        // Returning less than given makes curl abort with CURLE_WRITE_ERROR.
        capture.body_too_large = true;
        capture.body.clear();
        return 0;
    }
    capture.body.append(data, bytes);
    return bytes;
}

void set_blob(CURL* easy, CURLoption option, const std::string& pem) {
    if (pem.empty()) return;
    curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(easy, option, &blob);
}

}  // namespace

CurlProfile::CurlProfile(const HttpClientSettings& settings)
    : cacert_pem(csh::sdk::load_pem("cacert", settings.cacert)),
      cert_pem(csh::sdk::load_pem("cert", settings.cert)),
      key_pem(csh::sdk::load_pem("key", settings.key)),
      lists(tls::openssl_lists(settings.curves, settings.ciphers)),
      allow_redirects(settings.allow_redirects),
      attempt_timeout(settings.timeout) {
    ssl_version = settings.tls_version == "1.2" ? CURL_SSLVERSION_TLSv1_2 : CURL_SSLVERSION_TLSv1_3;
    // With no TLS 1.2 suite configured a TLS 1.2 handshake cannot succeed
    // (as in Go, where the list would leave TLS 1.2 nothing to offer), so
    // ask for TLS 1.3 outright instead of handing OpenSSL an empty list.
    if (lists.tls12_ciphers.empty()) ssl_version = CURL_SSLVERSION_TLSv1_3;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    // No "Expect: 100-continue" round trip before larger bodies.
    headers = curl_slist_append(headers, "Expect:");
}

CurlProfile::~CurlProfile() { curl_slist_free_all(headers); }

void AttemptCapture::reset() {
    body.clear();
    body_too_large = false;
    last_status = 0;
    location.clear();
    retry_after.clear();
    followed.clear();
    error[0] = '\0';
}

CURL* make_attempt_handle(const CurlProfile& profile, const std::string& url, const std::string& body,
                          std::chrono::milliseconds timeout, AttemptCapture& capture, void* owner) {
    CURL* easy = curl_easy_init();
    if (easy == nullptr) return nullptr;
    capture.reset();
    curl_easy_setopt(easy, CURLOPT_PRIVATE, owner);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, capture.error);
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, profile.headers);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(1, timeout.count())));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &capture);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &capture);

    if (profile.allow_redirects) {
        curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(easy, CURLOPT_MAXREDIRS, kMaximumRedirects);
        curl_easy_setopt(easy, CURLOPT_POSTREDIR, static_cast<long>(CURL_REDIR_POST_ALL));
        curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    }

    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(easy, CURLOPT_SSLVERSION, profile.ssl_version);
    if (!profile.lists.tls12_ciphers.empty()) {
        curl_easy_setopt(easy, CURLOPT_SSL_CIPHER_LIST, profile.lists.tls12_ciphers.c_str());
    }
    if (!profile.lists.tls13_ciphers.empty()) {
        curl_easy_setopt(easy, CURLOPT_TLS13_CIPHERS, profile.lists.tls13_ciphers.c_str());
    }
    if (!profile.lists.curves.empty()) curl_easy_setopt(easy, CURLOPT_SSL_EC_CURVES, profile.lists.curves.c_str());
    if (!profile.cacert_pem.empty()) {
        // Only the configured CA is trusted, as in ContainerSSH; the system
        // bundle and directory would otherwise be consulted as well.
        set_blob(easy, CURLOPT_CAINFO_BLOB, profile.cacert_pem);
        curl_easy_setopt(easy, CURLOPT_CAINFO, nullptr);
        curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
    }
    if (!profile.cert_pem.empty()) {
        curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
        set_blob(easy, CURLOPT_SSLCERT_BLOB, profile.cert_pem);
        curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
        set_blob(easy, CURLOPT_SSLKEY_BLOB, profile.key_pem);
    }
    return easy;
}

}  // namespace csh::webhook
