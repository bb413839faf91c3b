// Shared pieces of the webhook client tests: a FakeHost with the client's
// codes registered, and helpers that run the loop until requests end.
#pragma once

#include <csh/webhook/http_client.hpp>
#include <csh/webhook/messages.hpp>

#include <containerssh/sdk/testing/fake_host.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace webhook_test {

using csh::webhook::AttemptReport;
using csh::webhook::HttpClient;
using csh::webhook::HttpClientSettings;
using csh::webhook::HttpResult;
using csh::webhook::PostRequest;
using namespace std::chrono_literals;

// What a request's callbacks saw.
struct Outcome {
    std::vector<HttpResult> results;  // one entry per `done` call
    std::vector<AttemptReport> attempts;
    bool finished() const { return !results.empty(); }
    const HttpResult& result() const { return results.at(0); }
};

struct HostFixture {
    HostFixture() {
        fake.register_codes(csh::webhook::kMessageTable, std::size(csh::webhook::kMessageTable));
    }

    // Starts a request whose callbacks record into `outcome`.
    HttpClient::RequestId start(HttpClient& client, const std::string& url, const std::string& body,
                                Outcome& outcome, std::chrono::milliseconds overall = 10s) {
        PostRequest request;
        request.url = url;
        request.json_body = body;
        request.overall_timeout = overall;
        request.on_attempt = [&outcome](const AttemptReport& report) { outcome.attempts.push_back(report); };
        return client.post_json(std::move(request),
                                 [&outcome](HttpResult result) { outcome.results.push_back(std::move(result)); });
    }

    // Runs one request to its end. The loop limit only guards against hangs.
    Outcome post(HttpClient& client, const std::string& url, const std::string& body,
                 std::chrono::milliseconds overall = 10s) {
        Outcome outcome;
        start(client, url, body, outcome, overall);
        BOOST_REQUIRE(fake.run_until([&] { return outcome.finished(); }, overall + 20s));
        return outcome;
    }

    // True when no log line's message or field value contains `text`.
    bool logs_never_mention(const std::string& text) const {
        for (const auto& line : fake.log_lines()) {
            if (line.message.find(text) != std::string::npos) return false;
            for (const auto& field : line.fields) {
                if (field.second.find(text) != std::string::npos) return false;
            }
        }
        return true;
    }

    csh::sdk::testing::FakeHost fake;
    csh::sdk::Host host{fake.host(), csh::webhook::codes::HTTP_CLIENT_ENCODE_FAILED};
};

inline HttpClientSettings quick_settings(std::chrono::milliseconds timeout = 2s) {
    HttpClientSettings settings;
    settings.timeout = timeout;
    return settings;
}

}  // namespace webhook_test
