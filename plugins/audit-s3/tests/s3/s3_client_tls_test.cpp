// S3 over HTTPS: the CA given as PEM text (cacert_pem) is the one trusted.
#include "s3/s3_client.hpp"

#include "file_contents.hpp"
#include "s3_test_server.hpp"
#include "temp_dir.hpp"
#include "test_pki.hpp"

#include <csh/webhook/messages.hpp>

#include <containerssh/sdk/testing/fake_host.hpp>

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <optional>

using namespace audit_s3::s3;
using namespace std::chrono_literals;

namespace {

struct TlsFixture {
    TlsFixture()
        : pki(csh::test::make_test_pki(pki_dir.path().string())),
          server("audit", pki.server_cert, pki.server_key) {
        fake.register_codes(csh::webhook::kMessageTable, std::size(csh::webhook::kMessageTable));
        std::ofstream(pki_dir.file("body")) << "over TLS";
    }

    S3Result put(const std::string& ca_file) {
        S3Settings settings;
        settings.access_key = server.access_key();
        settings.secret_key = server.secret_key();
        settings.bucket = server.bucket();
        settings.endpoint = server.endpoint();
        settings.path_style = true;
        settings.cacert_pem = csh::test::read_file(ca_file);
        S3Client client(host, settings, 5s);
        std::optional<S3Result> result;
        client.put_object("tls", FileRange{pki_dir.file("body"), 0, 8}, {}, [&](S3Result r) { result = std::move(r); });
        BOOST_REQUIRE(fake.run_until([&] { return result.has_value(); }, 30s));
        return *result;
    }

    csh::test::TempDir pki_dir;
    csh::test::TestPki pki;
    csh::test::S3TestServer server;
    csh::sdk::testing::FakeHost fake;
    csh::sdk::Host host{fake.host(), csh::webhook::codes::HTTP_CLIENT_ENCODE_FAILED};
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(s3_client_tls, TlsFixture)

BOOST_AUTO_TEST_CASE(the_configured_ca_is_trusted) {
    BOOST_TEST(server.endpoint().rfind("https://", 0) == 0u);
    const S3Result result = put(pki.ca_cert);
    BOOST_TEST_REQUIRE(result.ok, result.error);
    const auto requests = server.requests();
    BOOST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].verdict == "verified");
}

BOOST_AUTO_TEST_CASE(a_server_certificate_of_another_ca_is_refused) {
    const S3Result result = put(pki.other_ca_cert);
    BOOST_TEST(!result.ok);
    BOOST_TEST(result.status == 0);
    BOOST_TEST(server.requests().empty());
}

BOOST_AUTO_TEST_SUITE_END()
