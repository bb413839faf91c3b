#define BOOST_TEST_MODULE unit_audit_plugin
#include <boost/test/unit_test.hpp>

#include "audit_settings.hpp"
#include "temp_dir.hpp"

#include <containerssh/sdk/types.hpp>

#include <filesystem>

using audit_s3::AuditSettings;
using audit_s3::parse_audit_settings;

namespace {

std::string s3_section(const std::string& local, const std::string& extra = "") {
    return R"({"enable":true,"format":"binary","storage":"s3","s3":{"local":")" + local +
           R"(","accessKey":"AK","secretKey":"SK","bucket":"recordings")" + extra + "}}";
}

// The key path the error names, or "" when parsing succeeded.
std::string refused_key(const std::string& json) {
    try {
        parse_audit_settings(json);
        return "";
    } catch (const csh::sdk::Error& e) {
        BOOST_TEST(std::string(e.code()) == "AUDIT_CONFIG_INVALID");
        return e.what();
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(s3_defaults_are_the_originals) {
    csh::test::TempDir spool;
    const AuditSettings settings = parse_audit_settings(s3_section(spool.path().string()));
    BOOST_TEST((settings.storage == audit_s3::StorageKind::s3));
    BOOST_TEST(settings.s3.upload_part_size == 5242880u);
    BOOST_TEST(settings.s3.parallel_uploads == 20u);
    BOOST_TEST(!settings.s3.metadata_ip);
    BOOST_TEST(!settings.s3.metadata_username);
    BOOST_TEST(!settings.s3.connection.path_style);
    BOOST_TEST(settings.s3.connection.bucket == "recordings");
    BOOST_TEST(settings.s3.connection.secret_key == "SK");
}

BOOST_AUTO_TEST_CASE(a_part_larger_than_s3_allows_is_lowered_and_a_smaller_one_refused) {
    csh::test::TempDir spool;
    const auto big = parse_audit_settings(s3_section(spool.path().string(), R"(,"uploadPartSize":10000000000)"));
    BOOST_TEST(big.s3.upload_part_size == audit_s3::kMaxPartSize);
    BOOST_TEST(refused_key(s3_section(spool.path().string(), R"(,"uploadPartSize":5242879)"))
                   .find("audit.s3.uploadPartSize") != std::string::npos);
    BOOST_TEST(refused_key(s3_section(spool.path().string(), R"(,"parallelUploads":0)"))
                   .find("audit.s3.parallelUploads") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(mistakes_name_their_key_and_never_the_secret) {
    csh::test::TempDir dir;
    const std::string local = dir.path().string();
    BOOST_TEST(refused_key(s3_section(local, R"(,"bucketName":"x")")).find("audit.s3.bucketName") != std::string::npos);
    BOOST_TEST(refused_key(s3_section(local, R"(,"metadata":{"email":true})")).find("audit.s3.metadata.email") !=
               std::string::npos);
    BOOST_TEST(refused_key(s3_section(local + "/missing")).find("audit.s3.local") != std::string::npos);
    BOOST_TEST(refused_key(s3_section(local, R"(,"endpoint":"minio:9000")")).find("audit.s3.endpoint") !=
               std::string::npos);
    const std::string no_secret = R"({"enable":true,"format":"binary","storage":"s3","s3":{"local":")" + local +
                                  R"(","accessKey":"AK","bucket":"b"}})";
    BOOST_TEST(refused_key(no_secret).find("secretKey is required") != std::string::npos);
    BOOST_TEST(refused_key(s3_section(local, R"(,"cacert":"/nonexistent/ca.pem")")).find("SK") == std::string::npos);
    // The file block's keys are checked even when the storage is s3.
    const std::string typo = R"({"enable":true,"format":"binary","storage":"s3","file":{"dir":"/x"},"s3":{"local":")" +
                             local + R"(","accessKey":"AK","secretKey":"SK","bucket":"b"}})";
    BOOST_TEST(refused_key(typo).find("audit.file.dir") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(format_and_storage_must_be_ones_this_plugin_has) {
    csh::test::TempDir dir;
    const std::string file = R"(,"storage":"file","file":{"directory":")" + dir.path().string() + R"("}})";
    BOOST_TEST(refused_key(R"({"enable":true,"format":"none")" + file).find("audit.format") != std::string::npos);
    BOOST_TEST(refused_key(R"({"enable":true,"format":"binary","storage":"tape"})").find("audit.storage") !=
               std::string::npos);
    const auto cast = parse_audit_settings(R"({"enable":true,"format":"asciinema")" + file);
    BOOST_TEST((cast.format == audit_s3::Format::asciinema));
    BOOST_TEST(cast.file_directory == dir.path().string());
    // The probe file that proved the directory writable is gone.
    BOOST_TEST(std::filesystem::is_empty(dir.path()));
}
