#include <csh/webhook/http_get.hpp>

#include "curl_attempt.hpp"

#include <memory>

namespace csh::webhook {

GetAnswer http_get(const HttpClientSettings& settings) {
    GetAnswer answer;
    try {
        const CurlProfile profile(settings);
        AttemptCapture capture;
        const std::string no_body;
        std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(
            make_attempt_handle(profile, settings.url, no_body, settings.timeout, capture, nullptr),
            &curl_easy_cleanup);
        if (!easy) return {0, "", "libcurl could not create a request"};
        // The same TLS, timeout and redirect handling as a webhook call, as a GET.
        curl_easy_setopt(easy.get(), CURLOPT_HTTPGET, 1L);
        const CURLcode result = curl_easy_perform(easy.get());
        if (result != CURLE_OK) {
            answer.error = capture.error[0] != '\0' ? capture.error : curl_easy_strerror(result);
            return answer;
        }
        curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &answer.status);
        answer.body = std::move(capture.body);
    } catch (const std::exception& e) {
        answer.error = e.what();
    }
    return answer;
}

}  // namespace csh::webhook
