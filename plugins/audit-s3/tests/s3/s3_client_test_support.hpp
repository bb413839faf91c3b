// Shared pieces of the S3 client tests: a FakeHost with the HTTP client's
// codes, a real S3 server (s3rver behind the verifying proxy), settings that
// point at it, and helpers that run the loop until a request ends.
#pragma once

#include "s3/s3_client.hpp"

#include "s3_test_server.hpp"
#include "temp_dir.hpp"

#include <csh/webhook/messages.hpp>

#include <containerssh/sdk/testing/fake_host.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>

namespace s3_test {

using audit_s3::s3::FileRange;
using audit_s3::s3::ObjectHeaders;
using audit_s3::s3::S3Client;
using audit_s3::s3::S3Result;
using audit_s3::s3::S3Settings;
using namespace std::chrono_literals;

inline std::string random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 random(seed);
    std::string out(size, '\0');
    for (auto& c : out) c = static_cast<char>(random() & 0xff);
    return out;
}

struct S3Fixture {
    S3Fixture() { fake.register_codes(csh::webhook::kMessageTable, std::size(csh::webhook::kMessageTable)); }

    S3Settings settings() const {
        S3Settings s;
        s.access_key = server.access_key();
        s.secret_key = server.secret_key();
        s.bucket = server.bucket();
        s.region = server.region();
        s.endpoint = server.endpoint();
        s.path_style = true;
        return s;
    }

    // A local file holding `content`, and the range of all of it.
    FileRange file(const std::string& name, const std::string& content) {
        const std::string path = scratch.file(name);
        std::ofstream(path, std::ios::binary) << content;
        return FileRange{path, 0, content.size()};
    }

    // Runs the loop until the callback ran; the limit only guards against hangs.
    template <class Start>
    S3Result wait(Start start, std::chrono::milliseconds limit = 60s) {
        std::optional<S3Result> result;
        start([&result](S3Result r) { result = std::move(r); });
        BOOST_REQUIRE(fake.run_until([&] { return result.has_value(); }, limit));
        return *result;
    }

    // Every log line's message and field values, one per line, to search
    // for what must never be logged (a secret key, a signature).
    std::string all_logged_text() const {
        std::string text;
        for (const auto& line : fake.log_lines()) {
            text += line.message + "\n";
            for (const auto& field : line.fields) text += field.second + "\n";
        }
        return text;
    }

    csh::test::S3TestServer server;
    csh::test::TempDir scratch;
    csh::sdk::testing::FakeHost fake;
    csh::sdk::Host host{fake.host(), csh::webhook::codes::HTTP_CLIENT_ENCODE_FAILED};
};

}  // namespace s3_test
