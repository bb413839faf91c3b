#include <csh/webhook/http_get.hpp>

#include "curl_attempt.hpp"

#include <memory>

namespace csh::webhook {

GetAnswer http_get(const HttpClientSettings& settings) {
    GetAnswer answer;
    try {
        const CurlProfile profile(settings);
        AttemptCapture capture;
        HttpRequest request;
        request.method = "GET";
        request.url = settings.url;
        // The same TLS, timeout and redirect handling as a webhook call, as a GET.
        std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(
            make_attempt_handle(profile, request, settings.timeout, capture, nullptr), &curl_easy_cleanup);
        if (!easy) return {0, "", "libcurl could not create a request"};
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
