// The audit-recorder test plugin, loaded from its .so: events arrive through
// the C ABI and come out as JSON lines in its file.
#define BOOST_TEST_MODULE unit_audit_recorder
#include "plugin_paths.hpp"

#include <containerssh/sdk/testing/fake_connection.hpp>
#include <containerssh/sdk/testing/fake_host.hpp>
#include <containerssh/sdk/testing/plugin_instance.hpp>

#include <boost/test/unit_test.hpp>

#include <simdjson.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace csh::sdk::testing;

namespace {

struct TempFile {
    TempFile() {
        char name[] = "/tmp/csh-audit-recorder-XXXXXX";
        const int fd = ::mkstemp(name);
        ::close(fd);
        path = name;
    }
    ~TempFile() { ::unlink(path.c_str()); }
    std::vector<std::string> lines() const {
        std::ifstream in(path);
        std::vector<std::string> out;
        for (std::string line; std::getline(in, line);) out.push_back(line);
        return out;
    }
    std::string path;
};

csh_audit_field string_field(const char* key, const char* value) {
    csh_audit_field f{};
    f.key = {key, std::strlen(key)};
    f.type = CSH_AUDIT_VALUE_STRING;
    f.value.string = {value, std::strlen(value)};
    return f;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_recorder)

BOOST_AUTO_TEST_CASE(every_event_becomes_one_json_line_as_it_arrives) {
    TempFile file;
    FakeHost host;
    host.set_section("audit", R"({"enable": true, "storage": "recorder", "format": "none",
                                  "recorder": {"file": ")" + file.path + R"("}})");
    SharedObject library(test_plugin_path("audit-recorder.so"));
    PluginInstance plugin(host, library.descriptor());
    BOOST_TEST_REQUIRE(plugin.init_status() == CSH_OK);
    BOOST_TEST(std::string(library.descriptor()->provides[0]) == "audit/recorder");
    const auto* audit = plugin.interface<csh_audit_interface>(CSH_AUDIT_INTERFACE_ID);
    BOOST_TEST_REQUIRE(audit != nullptr);

    FakeConnection connection(host, "alice");
    csh_audit_stream* stream = audit->stream_open(plugin.get(), &connection.info());
    BOOST_TEST_REQUIRE(stream != nullptr);

    csh_audit_field connect_fields[] = {string_field("remoteAddr", "127.0.0.1:40022")};
    const csh_audit_event connect{sizeof(csh_audit_event), CSH_AUDIT_CONNECT, 1000, CSH_AUDIT_NO_CHANNEL,
                                  {"", 0}, connect_fields, 1};
    audit->stream_event(stream, &connect);
    BOOST_TEST(file.lines().size() == 1u);  // written and flushed at once

    const uint8_t bytes[] = {0x00, 0xff, 'h', 'i'};
    csh_audit_field io_fields[5]{};
    io_fields[0].key = {"stream", 6};
    io_fields[0].type = CSH_AUDIT_VALUE_UINT;
    io_fields[0].value.uint_value = 1;
    io_fields[1].key = {"data", 4};
    io_fields[1].type = CSH_AUDIT_VALUE_BYTES;
    io_fields[1].value.bytes = {bytes, sizeof bytes};
    io_fields[2].key = {"coreDumped", 10};
    io_fields[2].type = CSH_AUDIT_VALUE_BOOL;
    io_fields[2].value.bool_value = 1;
    io_fields[3].key = {"questions", 9};
    io_fields[3].type = CSH_AUDIT_VALUE_JSON;
    io_fields[3].value.string = {R"([{"question":"?","echo":false}])", 31};
    io_fields[4].key = {"delta", 5};
    io_fields[4].type = CSH_AUDIT_VALUE_INT;
    io_fields[4].value.int_value = -7;
    const std::string other_id = "ffffffffffffffffffffffffffffffff";
    const csh_audit_event io{sizeof(csh_audit_event), CSH_AUDIT_IO, 2000, 0, {other_id.data(), other_id.size()},
                             io_fields, 5};
    audit->stream_event(stream, &io);
    audit->stream_close(stream);

    const std::vector<std::string> lines = file.lines();
    BOOST_TEST_REQUIRE(lines.size() == 2u);
    simdjson::dom::parser parser;

    simdjson::dom::element first = parser.parse(lines[0]);
    BOOST_TEST(std::string(first["connectionId"].get_string().value()) == connection.connection_id);
    BOOST_TEST(first["type"].get_uint64().value() == 0u);
    BOOST_TEST(first["channelId"].is_null());
    BOOST_TEST(first["timestamp"].get_int64().value() == 1000);
    BOOST_TEST(std::string(first["payload"]["remoteAddr"].get_string().value()) == "127.0.0.1:40022");

    simdjson::dom::element second = parser.parse(lines[1]);
    BOOST_TEST(std::string(second["connectionId"].get_string().value()) == other_id);
    BOOST_TEST(second["type"].get_uint64().value() == 500u);
    BOOST_TEST(second["channelId"].get_int64().value() == 0);
    simdjson::dom::element payload = second["payload"];
    BOOST_TEST(payload["stream"].get_uint64().value() == 1u);
    BOOST_TEST(std::string(payload["data"].get_string().value()) == "AP9oaQ==");
    BOOST_TEST(payload["coreDumped"].get_bool().value());
    BOOST_TEST(std::string(payload["questions"].at(0)["question"].get_string().value()) == "?");
    BOOST_TEST(payload["delta"].get_int64().value() == -7);
    BOOST_TEST(host.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_missing_file_setting_fails_init) {
    FakeHost host;
    host.set_section("audit", R"({"enable": true, "storage": "recorder", "recorder": {}})");
    SharedObject library(test_plugin_path("audit-recorder.so"));
    PluginInstance plugin(host, library.descriptor());
    BOOST_TEST(plugin.init_status() == CSH_FAILED);
    const auto lines = host.lines_with_code("AUDIT_RECORDER_CONFIG_INVALID");
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].field("key") == "audit.recorder");
}

BOOST_AUTO_TEST_SUITE_END()
