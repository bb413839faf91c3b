// The real S3 server of the tests, started and stopped by the test itself:
// s3rver 3.7.1 (installed with npm into the build tree once) behind the
// verifying proxy, which checks every request's Signature V4 with botocore
// and answers what s3rver lacks (ListMultipartUploads,
// AbortMultipartUpload). See README.md beside this file.
//
//     csh::test::S3TestServer s3;              // bucket "audit", free port
//     settings.endpoint = s3.endpoint();       // path-style
//     settings.access_key = s3.access_key(); ...
//     s3.set_fault(S3TestServer::Fault::service_unavailable);
//     s3.stop(); s3.start();                   // an outage, same port and data
//     auto head = s3.aws({"head-object", "--bucket", s3.bucket(), "--key", "k"});
#pragma once

#include "process.hpp"
#include "temp_dir.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace csh::test {

// One request as the proxy saw it (its JSON request log).
struct S3RecordedRequest {
    std::string method;
    std::string path;   // as sent, still encoded
    std::string query;  // as sent
    std::string bucket;
    std::string key;    // decoded
    bool virtual_host = false;
    // "verified", "refused:<S3 error code>" or "fault:503".
    std::string verdict;
    int status = 0;
    std::uint64_t body_bytes = 0;
    std::string payload;  // x-amz-content-sha256 as signed
    // content-type, content-length, host, x-amz-acl, x-amz-content-sha256
    // and every x-amz-meta-*; lower-case names.
    std::map<std::string, std::string> headers;
};

class S3TestServer {
public:
    // service_unavailable: 503 ServiceUnavailable; drop_connection: close
    // without an answer; hang: read the request, then answer nothing.
    enum class Fault { none, service_unavailable, drop_connection, hang };

    // Starts s3rver and the proxy in a fresh directory with `bucket`;
    // throws std::runtime_error when they do not come up. With a
    // certificate and key (PEM files), the proxy serves HTTPS.
    explicit S3TestServer(std::string bucket = "audit", std::string tls_cert_file = {},
                          std::string tls_key_file = {});
    ~S3TestServer();
    S3TestServer(const S3TestServer&) = delete;
    S3TestServer& operator=(const S3TestServer&) = delete;

    // "http://127.0.0.1:PORT" ("https://" with TLS), for path-style addressing.
    std::string endpoint() const;
    // "http://localhost:PORT" (or https): virtual-host addressing then uses
    // "<bucket>.localhost", which libcurl resolves to 127.0.0.1 itself.
    std::string virtual_host_endpoint() const;
    std::uint16_t port() const { return port_; }
    const std::string& bucket() const { return bucket_; }
    const std::string& access_key() const { return access_key_; }
    const std::string& secret_key() const { return secret_key_; }
    const std::string& region() const { return region_; }

    // Read by the proxy at every request.
    void set_fault(Fault fault);
    // Stops both servers (connections are refused); start() brings them
    // back on the same port with the same objects and pending uploads.
    void stop();
    void start();

    std::vector<S3RecordedRequest> requests() const;

    // Runs `aws --endpoint-url <endpoint> s3api <args>` with this server's
    // credentials and path-style addressing (and --no-verify-ssl with TLS).
    RunResult aws(const std::vector<std::string>& args) const;

private:
    TempDir dir_;
    std::string bucket_;
    std::string tls_cert_file_;
    std::string tls_key_file_;
    std::string access_key_ = "AKIACSHTESTACCESSKEY";
    std::string secret_key_ = "csh-test-secret/key+for+tests";
    std::string region_ = "us-east-1";
    std::uint16_t port_ = 0;
    std::unique_ptr<Child> child_;
};

}  // namespace csh::test
