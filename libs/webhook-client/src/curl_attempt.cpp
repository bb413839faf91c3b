#include "curl_attempt.hpp"

#include "retry_policy.hpp"

#include <containerssh/sdk/pem_source.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
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
        capture.headers.clear();
    } else if (header_is(line, "location")) {
        capture.location = header_value(line, "location");
    } else if (header_is(line, "retry-after")) {
        capture.retry_after = header_value(line, "retry-after");
    }
    if (capture.wanted != nullptr) {
        for (const auto& name : *capture.wanted) {
            if (!header_is(line, name)) continue;
            std::string lower(name);
            for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            capture.headers.emplace_back(std::move(lower), header_value(line, name));
            break;
        }
    }
    return size * count;
}

// Streams the body range from its file: only libcurl's upload buffer is in
// memory at any time.
size_t on_read(char* buffer, size_t size, size_t count, void* user) {
    auto& capture = *static_cast<AttemptCapture*>(user);
    const std::uint64_t left = capture.body_length - capture.body_sent;
    const size_t want = static_cast<size_t>(std::min<std::uint64_t>(left, size * count));
    if (want == 0) return 0;
    const size_t got = std::fread(buffer, 1, want, capture.body_file);
    if (got == 0) {
        // Sending fewer bytes than the announced Content-Length would leave
        // the server waiting; abort the attempt instead.
        capture.body_file_short = true;
        return CURL_READFUNC_ABORT;
    }
    capture.body_sent += got;
    return got;
}

// libcurl rewinds the body when it must send it again (a redirect, a
// connection that died before the answer).
int on_seek(void* user, curl_off_t offset, int origin) {
    auto& capture = *static_cast<AttemptCapture*>(user);
    if (origin != SEEK_SET || offset < 0 || static_cast<std::uint64_t>(offset) > capture.body_length) {
        return CURL_SEEKFUNC_CANTSEEK;
    }
    if (fseeko(capture.body_file, static_cast<off_t>(capture.body_offset + offset), SEEK_SET) != 0) {
        return CURL_SEEKFUNC_FAIL;
    }
    capture.body_sent = static_cast<std::uint64_t>(offset);
    return CURL_SEEKFUNC_OK;
}

// Opens the body range for on_read; false (with capture.error set) when the
// file cannot be read from the range's start.
bool open_body_file(const FileBody& body, AttemptCapture& capture) {
    capture.body_file = std::fopen(body.path.c_str(), "rb");
    if (capture.body_file == nullptr ||
        fseeko(capture.body_file, static_cast<off_t>(body.offset), SEEK_SET) != 0) {
        std::snprintf(capture.error, sizeof capture.error, "cannot read the body file %s: %s", body.path.c_str(),
                      std::strerror(errno));
        return false;
    }
    capture.body_offset = body.offset;
    capture.body_length = body.length;
    capture.body_sent = 0;
    return true;
}

// The method and the body: a file range is uploaded, an in-memory body
// posted; GET, HEAD and DELETE without a body send none (and so no
// Content-Type libcurl would add to a POST).
void set_method_and_body(CURL* easy, const HttpRequest& request, AttemptCapture& capture) {
    const std::string& method = request.method;
    if (request.body_file) {
        curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_file->length));
        curl_easy_setopt(easy, CURLOPT_READFUNCTION, &on_read);
        curl_easy_setopt(easy, CURLOPT_READDATA, &capture);
        curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, &on_seek);
        curl_easy_setopt(easy, CURLOPT_SEEKDATA, &capture);
        if (method != "PUT") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
    } else if (request.body.empty() && (method == "GET" || method == "HEAD" || method == "DELETE")) {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
        if (method == "HEAD") curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
        if (method == "DELETE") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "DELETE");
    } else {
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        if (method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
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
}

AttemptCapture::~AttemptCapture() { reset(); }

void AttemptCapture::reset() {
    body.clear();
    body_too_large = false;
    last_status = 0;
    location.clear();
    retry_after.clear();
    followed.clear();
    headers.clear();
    error[0] = '\0';
    curl_slist_free_all(header_list);
    header_list = nullptr;
    if (body_file != nullptr) std::fclose(body_file);
    body_file = nullptr;
    body_offset = body_length = body_sent = 0;
    body_file_short = false;
}

CURL* make_attempt_handle(const CurlProfile& profile, const HttpRequest& request, std::chrono::milliseconds timeout,
                          AttemptCapture& capture, void* owner) {
    capture.reset();
    capture.wanted = &request.response_headers;
    if (request.body_file && !open_body_file(*request.body_file, capture)) return nullptr;
    CURL* easy = curl_easy_init();
    if (easy == nullptr) return nullptr;
    for (const auto& header : request.headers) capture.header_list = curl_slist_append(capture.header_list, header.c_str());
    // No "Expect: 100-continue" round trip before larger bodies. Not for a
    // signed request: libcurl 7.88 would sign the removed header as
    // "expect:" and S3 would refuse the signature; its own Expect line,
    // added after signing, stays unsigned and lets S3 refuse a part before
    // its body is sent.
    if (request.aws_sigv4.empty()) capture.header_list = curl_slist_append(capture.header_list, "Expect:");
    curl_easy_setopt(easy, CURLOPT_PRIVATE, owner);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, capture.error);
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    set_method_and_body(easy, request, capture);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, capture.header_list);
    if (!request.aws_sigv4.empty()) {
        curl_easy_setopt(easy, CURLOPT_AWS_SIGV4, request.aws_sigv4.c_str());
        curl_easy_setopt(easy, CURLOPT_USERNAME, request.aws_access_key.c_str());
        curl_easy_setopt(easy, CURLOPT_PASSWORD, request.aws_secret_key.c_str());
    }
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
