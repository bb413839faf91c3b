// containerssh-auditlog-decoder run as a process: JSON lines for ContainerSSH
// 0.4.0's recording and for ours, the exit status of truncated and bad
// input, and the asciicast export played back by Debian's asciinema.
#include "audit_events.hpp"

#include "file_contents.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <simdjson.h>

#include <sstream>
#include <string>
#include <vector>

using namespace audit_format_test;
using audit_s3::Format;

namespace {

const std::string kTool = CSH_AUDITLOG_DECODER;

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) result.push_back(line);
    return result;
}

// The keys of a JSON object line, in order, and checks it parses.
std::vector<std::string> keys_of(const std::string& line) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    BOOST_REQUIRE_MESSAGE(parser.parse(line).get_object().get(object) == simdjson::SUCCESS, "not a JSON object: " << line);
    std::vector<std::string> keys;
    for (const auto field : object) keys.emplace_back(field.key);
    return keys;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(decoder_tool)

BOOST_AUTO_TEST_CASE(prints_one_json_object_per_message_of_the_0_4_0_recording) {
    const auto run = csh::test::run({kTool, "--file", std::string(CSH_AUDIT_TESTDATA) + "/auditlog-0-4-0.bin"});
    BOOST_TEST(run.exit_code == 0, run.err);
    BOOST_TEST(run.err == "");
    const auto out = lines(run.out);
    BOOST_REQUIRE(out.size() == 11u);
    const std::vector<std::string> shape = {"connectionId", "timestamp", "type", "typeId", "typeName", "payload", "channelId"};
    for (const std::string& line : out) BOOST_TEST(keys_of(line) == shape, line);
    BOOST_TEST(out[0] ==
               R"({"connectionId":"b55b141aab3741d7b7858db45aa129e8","timestamp":1625081015047410200,"type":0,"typeId":"connect","typeName":"Connect","payload":{"remoteAddr":"::1","country":"XX"},"channelId":null})");
    BOOST_TEST(out[6] ==
               R"({"connectionId":"b55b141aab3741d7b7858db45aa129e8","timestamp":1625081030192995300,"type":405,"typeId":"shell","typeName":"Run shell","payload":{"requestId":1},"channelId":0})");
    BOOST_TEST(out[1].find(R"("typeId":"auth_password","typeName":"Password authentication","payload":{"username":"foo","password":"YmFy"})") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(reads_standard_input_and_single_dash_options) {
    const auto run = csh::test::run({kTool, "-file", "-"}, testdata("auditlog-0-4-0.bin"));
    BOOST_TEST(run.exit_code == 0, run.err);
    BOOST_TEST(lines(run.out).size() == 11u);
}

BOOST_AUTO_TEST_CASE(a_truncated_recording_prints_its_messages_warns_and_exits_3) {
    csh::test::TempDir dir;
    std::deque<TestEvent> events;
    typical_session(events, {"one\r\n", "two\r\n"});
    std::vector<std::size_t> sizes;
    const std::string recording = encode_all(Format::binary, events, /*finish=*/false, &sizes);
    csh::test::write_file(dir.path() / "cut", recording.substr(0, sizes[9] + 3));
    const auto run = csh::test::run({kTool, "--file", dir.file("cut")});
    BOOST_TEST(run.exit_code == 3);
    BOOST_TEST(lines(run.out).size() == 10u);
    BOOST_TEST(run.err.find("warning: the audit log is truncated: 10 complete messages decoded") != std::string::npos,
               run.err);
}

BOOST_AUTO_TEST_CASE(bad_input_exits_2_and_usage_errors_exit_1) {
    csh::test::TempDir dir;
    csh::test::write_file(dir.path() / "text", std::string(64, 'x'));
    const auto bad = csh::test::run({kTool, "--file", dir.file("text")});
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(bad.out == "");
    BOOST_TEST(bad.err.find("error: not a ContainerSSH audit log") != std::string::npos, bad.err);

    const auto missing = csh::test::run({kTool, "--file", dir.file("absent")});
    BOOST_TEST(missing.exit_code == 1);
    BOOST_TEST(missing.err.find("cannot open the audit log " + dir.file("absent")) != std::string::npos, missing.err);

    const auto no_file = csh::test::run({kTool});
    BOOST_TEST(no_file.exit_code == 1);
    BOOST_TEST(no_file.err.find("--file is required") != std::string::npos);

    const auto help = csh::test::run({kTool, "--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.find("--asciicast OUT") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_asciicast_export_plays_back_the_sessions_output_with_asciinema) {
    csh::test::TempDir dir;
    std::deque<TestEvent> events;
    const std::vector<std::string> outputs = {"total 2\r\n", "caf\xc3", "\xa9.txt\r\n", "\x1b[1mbold\x1b[0m\r\n"};
    typical_session(events, outputs);
    csh::test::write_file(dir.path() / "rec", encode_all(Format::binary, events));
    const auto exported = csh::test::run({kTool, "--file", dir.file("rec"), "--asciicast", dir.file("rec.cast")});
    BOOST_TEST(exported.exit_code == 0, exported.err);
    BOOST_TEST(exported.out == "");
    const auto cast = lines(csh::test::read_file(dir.path() / "rec.cast"));
    BOOST_REQUIRE(cast.size() == 5u);
    BOOST_TEST(cast[0] ==
               R"({"version":2,"width":120,"height":40,"timestamp":1700000000,"command":"ls -l","title":"","env":{"LANG":"C.UTF-8","TERM":"xterm-256color"}})");
    BOOST_TEST(cast[1] == R"([0.131000, "o", "total 2\r\n"])");
    // The é split between two writes is written whole, with the second.
    BOOST_TEST(cast[2] == R"([0.231000, "o", "caf"])");
    BOOST_TEST(cast[3] == "[0.331000, \"o\", \"\xc3\xa9.txt\\r\\n\"]");

    // asciinema cat needs a terminal (it opens /dev/tty): script gives it one.
    const auto played = csh::test::run({"script", "-q", "-e", "-c", "asciinema cat " + dir.file("rec.cast"), "/dev/null"});
    BOOST_TEST(played.exit_code == 0, played.err);
    std::string expected;
    for (const std::string& output : outputs) expected += output;
    BOOST_TEST(played.out == expected);
}

BOOST_AUTO_TEST_CASE(the_0_4_0_recording_exports_to_a_cast_asciinema_accepts) {
    const auto exported = csh::test::run(
        {kTool, "--file", std::string(CSH_AUDIT_TESTDATA) + "/auditlog-0-4-0.bin", "--asciicast", "-"});
    BOOST_TEST(exported.exit_code == 0, exported.err);
    // It recorded no output (stdout was not intercepted): a header only.
    BOOST_TEST(exported.out ==
               R"({"version":2,"width":120,"height":30,"timestamp":1625081015,"command":"/bin/sh","title":"","env":{"TERM":"xterm-256color"}})"
               "\n");
    csh::test::TempDir dir;
    csh::test::write_file(dir.path() / "a.cast", exported.out);
    const auto played = csh::test::run({"script", "-q", "-e", "-c", "asciinema cat " + dir.file("a.cast"), "/dev/null"});
    BOOST_TEST(played.exit_code == 0, played.err);
    BOOST_TEST(played.out == "");
}

BOOST_AUTO_TEST_SUITE_END()
