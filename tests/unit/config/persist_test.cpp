// A generated host key is written into the operator's file without
// destroying their comments, and the file still loads.
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include "file_contents.hpp"
#include "temp_dir.hpp"
#include "test_support.hpp"

using csh::config::Config;
using csh::test::read_file;
using csh::test::TempDir;
using csh::test::write_file;

namespace {

const std::string kKey = "/var/lib/containerssh/ssh_host_ed25519_key";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Writes `original`, persists the key, and returns the new text after
// checking that it loads with the key as the last host key.
std::string persist(const TempDir& dir, const std::string& name, const std::string& original) {
    const std::string file = dir.file(name);
    write_file(file, original);
    Config config = Config::load(file);
    config.add_host_key(kKey);
    BOOST_TEST(config.ssh().host_keys.back() == kKey);
    config.persist_host_key(kKey);
    const Config reloaded = Config::load(file);
    BOOST_TEST(reloaded.ssh().host_keys.back() == kKey);
    BOOST_TEST(reloaded.ssh().host_keys.size() == config.ssh().host_keys.size());
    BOOST_TEST(reloaded.effective_json() == config.effective_json());
    struct stat info {};
    BOOST_TEST(::stat((file + "~").c_str(), &info) != 0);  // the temporary file is gone
    return read_file(file);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(persist_host_key)

BOOST_AUTO_TEST_CASE(no_ssh_section_appends_one) {
    TempDir dir;
    const std::string original = "# Lab server\nbackend: docker  # the default\nlog:\n  level: info\n";
    const std::string text = persist(dir, "config.yaml", original);
    BOOST_TEST(text.rfind(original, 0) == 0);  // everything before is unchanged
    BOOST_TEST(text == original + "ssh:\n  hostkeys:\n    - \"" + kKey + "\"\n");
}

BOOST_AUTO_TEST_CASE(ssh_section_without_hostkeys_gets_them_inserted) {
    TempDir dir;
    const std::string original =
        "ssh:\n"
        "    # where clients connect\n"
        "    listen: 0.0.0.0:2222\n"
        "    banner: hello\n"
        "log: {level: debug}   # keep\n";
    const std::string text = persist(dir, "config.yaml", original);
    BOOST_TEST(text == "ssh:\n"
                       "    hostkeys:\n"
                       "      - \"" + kKey + "\"\n"
                       "    # where clients connect\n"
                       "    listen: 0.0.0.0:2222\n"
                       "    banner: hello\n"
                       "log: {level: debug}   # keep\n");
}

BOOST_AUTO_TEST_CASE(empty_flow_list_is_filled_in) {
    TempDir dir;
    const std::string original = "ssh:\n  listen: 0.0.0.0:2222\n  hostkeys: []  # generated on first start\n";
    const std::string text = persist(dir, "config.yaml", original);
    BOOST_TEST(text == "ssh:\n  listen: 0.0.0.0:2222\n  hostkeys: [\"" + kKey + "\"]  # generated on first start\n");
}

BOOST_AUTO_TEST_CASE(empty_ssh_section_and_empty_hostkeys_key) {
    TempDir dir;
    BOOST_TEST(persist(dir, "a.yaml", "ssh:   # to do\nbackend: docker\n") ==
               "ssh:   # to do\n  hostkeys:\n    - \"" + kKey + "\"\nbackend: docker\n");
    BOOST_TEST(persist(dir, "b.yaml", "ssh:\n  hostkeys:\n  banner: hi\n") ==
               "ssh:\n  hostkeys:\n    - \"" + kKey + "\"\n  banner: hi\n");
    BOOST_TEST(persist(dir, "c.yaml", "") == "ssh:\n  hostkeys:\n    - \"" + kKey + "\"\n");
}

BOOST_AUTO_TEST_CASE(other_shapes_are_written_anew) {
    TempDir dir;
    const std::string text =
        persist(dir, "config.yaml", "# comment\nssh: {listen: \"0.0.0.0:2222\", hostkeys: [/etc/old.key]}\n");
    BOOST_TEST(!contains(text, "# comment"));
    BOOST_TEST(contains(text, "/etc/old.key"));
    BOOST_TEST(Config::load(dir.file("config.yaml")).ssh().host_keys.size() == 2u);
}

BOOST_AUTO_TEST_CASE(json_is_written_anew_as_json) {
    TempDir dir;
    const std::string text =
        persist(dir, "config.json", "{\"ssh\": {\"listen\": \"0.0.0.0:2222\"}, \"metrics\": {\"enable\": true}}");
    BOOST_TEST(text == "{\n"
                       "  \"ssh\": {\n"
                       "    \"listen\": \"0.0.0.0:2222\",\n"
                       "    \"hostkeys\": [\n"
                       "      \"" + kKey + "\"\n"
                       "    ]\n"
                       "  },\n"
                       "  \"metrics\": {\n"
                       "    \"enable\": true\n"
                       "  }\n"
                       "}\n");
}

BOOST_AUTO_TEST_CASE(file_permissions_are_kept) {
    TempDir dir;
    const std::string file = dir.file("config.yaml");
    write_file(file, "backend: docker\n");
    BOOST_REQUIRE(::chmod(file.c_str(), 0640) == 0);
    Config::load(file).persist_host_key(kKey);
    struct stat info {};
    BOOST_REQUIRE(::stat(file.c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 07777) == 0640u);
}

BOOST_AUTO_TEST_CASE(failures_are_system_errors) {
    BOOST_CHECK_THROW(Config::parse("", false, "t").persist_host_key(kKey), std::system_error);
    TempDir dir;
    const std::string file = dir.file("config.yaml");
    write_file(file, "backend: docker\n");
    const Config config = Config::load(file);
    write_file(file, "backend: [docker\n");  // broken on disk since loading
    BOOST_CHECK_THROW(config.persist_host_key(kKey), std::system_error);
    BOOST_TEST(read_file(file) == "backend: [docker\n");
}

BOOST_AUTO_TEST_SUITE_END()
