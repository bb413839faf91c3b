#include "s3_test_server.hpp"

#include "file_contents.hpp"

#include <simdjson.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace csh::test {
namespace {

using namespace std::chrono_literals;

std::string get_string(simdjson::dom::element element, const char* name) {
    std::string_view value;
    if (element[name].get(value) != simdjson::SUCCESS) return {};
    return std::string(value);
}

}  // namespace

S3TestServer::S3TestServer(std::string bucket, std::string tls_cert_file, std::string tls_key_file)
    : bucket_(std::move(bucket)), tls_cert_file_(std::move(tls_cert_file)), tls_key_file_(std::move(tls_key_file)) {
    std::ofstream(dir_.file("aws-config")) << "[default]\ns3 =\n    addressing_style = path\n";
    start();
}

S3TestServer::~S3TestServer() { stop(); }

std::string S3TestServer::endpoint() const {
    return (tls_cert_file_.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") + std::to_string(port_);
}

std::string S3TestServer::virtual_host_endpoint() const {
    return (tls_cert_file_.empty() ? "http://localhost:" : "https://localhost:") + std::to_string(port_);
}

void S3TestServer::start() {
    if (child_) return;
    std::vector<std::string> argv{CSH_S3_TEST_SERVER_SCRIPT, "--dir", dir_.path().string(), "--s3rver-cache",
                                  CSH_S3RVER_CACHE, "--bucket", bucket_, "--port", std::to_string(port_),
                                  "--exit-on-stdin-eof"};
    if (!tls_cert_file_.empty()) argv.insert(argv.end(), {"--tls-cert", tls_cert_file_, "--tls-key", tls_key_file_});
    child_ = std::make_unique<Child>(argv,
                                     std::map<std::string, std::string>{{"S3_TEST_ACCESS_KEY", access_key_},
                                                                        {"S3_TEST_SECRET_KEY", secret_key_},
                                                                        {"S3_TEST_REGION", region_}},
                                     dir_.file("server.log"));
    std::string line;
    // The first start may install s3rver with npm.
    if (!child_->read_line(line, 180s) || line.rfind("ready http", 0) != 0) {
        child_.reset();
        throw std::runtime_error("the S3 test server did not start: " + read_file(dir_.file("server.log")));
    }
    port_ = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
}

void S3TestServer::stop() {
    if (!child_) return;
    child_->stop(SIGTERM, 10s);
    child_.reset();
}

void S3TestServer::set_fault(Fault fault) {
    const char* text = fault == Fault::service_unavailable ? "503"
                       : fault == Fault::drop_connection   ? "drop"
                       : fault == Fault::hang              ? "hang"
                                                           : "";
    std::ofstream(dir_.file("fault.new")) << text;
    std::filesystem::rename(dir_.file("fault.new"), dir_.file("fault"));
}

std::vector<S3RecordedRequest> S3TestServer::requests() const {
    std::vector<S3RecordedRequest> out;
    std::ifstream in(dir_.file("requests.jsonl"));
    std::string line;
    simdjson::dom::parser parser;
    while (std::getline(in, line)) {
        simdjson::dom::element entry;
        if (parser.parse(line).get(entry) != simdjson::SUCCESS) continue;
        S3RecordedRequest request;
        request.method = get_string(entry, "method");
        request.path = get_string(entry, "path");
        request.query = get_string(entry, "query");
        request.bucket = get_string(entry, "bucket");
        request.key = get_string(entry, "key");
        request.verdict = get_string(entry, "verdict");
        request.payload = get_string(entry, "payload");
        bool virtual_host = false;
        if (entry["virtual_host"].get(virtual_host) == simdjson::SUCCESS) request.virtual_host = virtual_host;
        int64_t number = 0;
        if (entry["status"].get(number) == simdjson::SUCCESS) request.status = static_cast<int>(number);
        if (entry["body_bytes"].get(number) == simdjson::SUCCESS) request.body_bytes = static_cast<uint64_t>(number);
        simdjson::dom::object headers;
        if (entry["headers"].get(headers) == simdjson::SUCCESS) {
            for (auto field : headers) {
                std::string_view value;
                if (field.value.get(value) == simdjson::SUCCESS) {
                    request.headers.emplace(std::string(field.key), std::string(value));
                }
            }
        }
        out.push_back(std::move(request));
    }
    return out;
}

RunResult S3TestServer::aws(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{"aws", "--endpoint-url", endpoint(), "s3api"};
    // The test's CA is not in awscli's bundle; the client under test is what checks it.
    if (!tls_cert_file_.empty()) argv.insert(argv.begin() + 1, "--no-verify-ssl");
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, "",
               {{"AWS_ACCESS_KEY_ID", access_key_},
                {"AWS_SECRET_ACCESS_KEY", secret_key_},
                {"AWS_DEFAULT_REGION", region_},
                {"AWS_CONFIG_FILE", dir_.file("aws-config")},
                {"AWS_SHARED_CREDENTIALS_FILE", dir_.file("no-credentials")},
                {"AWS_EC2_METADATA_DISABLED", "true"}},
               60s);
}

}  // namespace csh::test
