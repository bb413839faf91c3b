#include "api_credentials.hpp"

#include <containerssh/sdk/base64.hpp>
#include <containerssh/sdk/pem_source.hpp>

namespace backend_kubernetes {
namespace {

std::string trim_token(std::string text) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const size_t last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

}  // namespace

ApiCredentials::ApiCredentials(const ApiConnection& connection) : token_file_(connection.bearer_token_file) {
    if (!connection.bearer_token.empty()) {
        fixed_ = "Bearer " + connection.bearer_token;
    } else if (!connection.username.empty() || !connection.password.empty()) {
        fixed_ = "Basic " + csh::sdk::base64_encode(connection.username + ":" + connection.password);
    }
}

std::string ApiCredentials::authorization(std::string& problem) {
    problem.clear();
    if (token_file_.empty()) return fixed_;
    const Clock::time_point now = test_now_ == Clock::time_point{} ? Clock::now() : test_now_;
    std::lock_guard<std::mutex> lock(mutex_);
    if (read_once_ && now - read_at_ < kRereadAfter) return file_header_;
    std::string reason;
    const std::optional<std::string> contents = csh::sdk::read_pem_file(token_file_, reason);
    std::string token = contents ? trim_token(*contents) : std::string();
    if (token.empty()) {
        problem = contents ? "the bearer token file is empty" : "cannot read the bearer token file (" + reason + ")";
        // Try again at the next request rather than in a minute.
        return read_once_ ? file_header_ : fixed_;
    }
    file_header_ = "Bearer " + token;
    read_at_ = now;
    read_once_ = true;
    return file_header_;
}

}  // namespace backend_kubernetes
