#include <boost/test/unit_test.hpp>

#include "file_contents.hpp"
#include "storage/spool.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <filesystem>

using namespace audit_s3;

BOOST_AUTO_TEST_CASE(the_sidecar_round_trips_with_the_originals_field_names) {
    SpoolMetadata metadata{1733567000, "192.0.2.7:50022", true, "alice", "NL"};
    const std::string json = metadata_json(metadata);
    BOOST_TEST(json == R"({"startTime":1733567000,"remoteAddr":"192.0.2.7:50022","authenticated":true,"username":"alice","country":"NL"})");
    const auto back = parse_metadata_json(json);
    BOOST_REQUIRE(back.has_value());
    BOOST_TEST(back->username == "alice");
    BOOST_TEST(back->start_time == 1733567000);
    BOOST_TEST(!parse_metadata_json("not json").has_value());
}

BOOST_AUTO_TEST_CASE(user_metadata_has_username_and_ip_only_when_asked) {
    SpoolMetadata metadata{42, "[2001:db8::1]:2222", true, "alice", "XX"};
    const auto names = [](const std::vector<std::pair<std::string, std::string>>& fields) {
        std::vector<std::string> out;
        for (const auto& f : fields) out.push_back(f.first + "=" + f.second);
        return out;
    };
    const std::vector<std::string> plain{"timestamp=42", "authenticated=true", "country=XX"};
    BOOST_TEST(names(user_metadata(metadata, false, false)) == plain, boost::test_tools::per_element());
    const std::vector<std::string> all{"timestamp=42", "authenticated=true", "country=XX", "username=alice",
                                       "ip=2001:db8::1"};
    BOOST_TEST(names(user_metadata(metadata, true, true)) == all, boost::test_tools::per_element());
    metadata.authenticated = false;
    metadata.remote_addr = "192.0.2.7:50022";
    const std::vector<std::string> anonymous{"timestamp=42", "authenticated=false", "country=XX", "ip=192.0.2.7"};
    BOOST_TEST(names(user_metadata(metadata, true, true)) == anonymous, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_scan_finds_recordings_and_sets_aside_the_rest) {
    csh::test::TempDir spool;
    const auto at = [&](const std::string& name) { return spool.file(name); };
    csh::test::write_file(at("conn1"), "recording");
    const char* code = nullptr;
    BOOST_TEST(write_metadata_file(at("conn1"), {1, "a:1", false, "", "XX"}, code) == 0);
    csh::test::write_file(at("conn2"), "");
    csh::test::write_file(at("gone.metadata.json"), "{}");
    csh::test::write_file(at(".accesstest"), "");
    std::filesystem::create_directory(at("subdir"));
    const SpoolScan scan = scan_spool(spool.path().string());
    BOOST_REQUIRE(scan.recordings.size() == 1u);
    BOOST_TEST(scan.recordings[0].name == "conn1");
    BOOST_TEST(scan.recordings[0].size == 9u);
    BOOST_TEST(scan.empty == std::vector<std::string>{"conn2"}, boost::test_tools::per_element());
    BOOST_TEST(scan.orphaned_metadata == std::vector<std::string>{"gone"}, boost::test_tools::per_element());
    // The sidecar was written whole, under its final name, with no temporary left.
    BOOST_TEST(!std::filesystem::exists(at("conn1.metadata.json.tmp")));
    BOOST_TEST(parse_metadata_json(csh::test::read_file(at("conn1.metadata.json"))).has_value());
}

BOOST_AUTO_TEST_CASE(a_sidecar_that_cannot_be_created_names_the_step) {
    const char* code = nullptr;
    const int error = write_metadata_file("/nonexistent-dir/conn", {}, code);
    BOOST_TEST(error == ENOENT);
    BOOST_TEST(std::string(code) == "AUDIT_S3_FAILED_CREATING_METADATA_FILE");
}
