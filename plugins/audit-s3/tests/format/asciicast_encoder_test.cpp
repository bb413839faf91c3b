// The asciicast encoder: the held-back header and what updates it, output
// events and their times, stdin left out, bytes that are not UTF-8, and a
// character split between two writes.
#include "audit_events.hpp"

#include "format/json_text.hpp"

#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <vector>

using namespace audit_format_test;
using audit_s3::Format;

namespace {

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) result.push_back(line);
    return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(asciicast_encoder)

BOOST_AUTO_TEST_CASE(a_typical_session_is_its_header_then_its_output) {
    std::deque<TestEvent> events;
    typical_session(events, {"total 0\r\n", "notes.txt\r\n"});
    const auto cast = lines(encode_all(Format::asciinema, events));
    BOOST_REQUIRE(cast.size() == 3u);
    BOOST_TEST(cast[0] ==
               R"({"version":2,"width":120,"height":40,"timestamp":1700000000,"command":"ls -l","title":"","env":{"LANG":"C.UTF-8","TERM":"xterm-256color"}})");
    // connect at 0; exec at 5+20+1+1+1+1+1+1 = 31 ms; outputs 100 ms apart.
    BOOST_TEST(cast[1] == R"([0.131000, "o", "total 0\r\n"])");
    BOOST_TEST(cast[2] == R"([0.231000, "o", "notes.txt\r\n"])");
    BOOST_TEST(audit_s3::content_type(Format::asciinema) == "application/x-asciicast");
}

BOOST_AUTO_TEST_CASE(nothing_is_written_before_the_program_starts) {
    const auto encoder = audit_s3::make_encoder(Format::asciinema);
    std::deque<TestEvent> events;
    std::string out;
    events.emplace_back(CSH_AUDIT_CONNECT, kStart).text("remoteAddr", "::1").text("country", "XX");
    events.emplace_back(CSH_AUDIT_PTY, kStart + kMs, 0).text("term", "vt100").uint_value("columns", 132).uint_value("rows", 50);
    events.emplace_back(CSH_AUDIT_WINDOW, kStart + 2 * kMs, 0).uint_value("columns", 100).uint_value("rows", 30);
    events.emplace_back(CSH_AUDIT_SETENV, kStart + 3 * kMs, 0).text("name", "EDITOR").text("value", "vi \"quoted\"");
    for (std::size_t i = 0; i < events.size(); ++i) encoder->encode(events[i].view(), out);
    BOOST_TEST(out == "");
    events.emplace_back(CSH_AUDIT_SHELL, kStart + 4 * kMs, 0).uint_value("requestId", 3);
    encoder->encode(events.back().view(), out);
    BOOST_TEST(out ==
               "{\"version\":2,\"width\":100,\"height\":30,\"timestamp\":1700000000,\"command\":\"/bin/sh\",\"title\":\"\","
               "\"env\":{\"EDITOR\":\"vi \\\"quoted\\\"\",\"TERM\":\"vt100\"}}\n");
    // After the header, size changes and variables have nowhere to go.
    out.clear();
    events.emplace_back(CSH_AUDIT_WINDOW, kStart + 5 * kMs, 0).uint_value("columns", 80).uint_value("rows", 24);
    encoder->encode(events.back().view(), out);
    events.emplace_back(CSH_AUDIT_SETENV, kStart + 6 * kMs, 0).text("name", "A").text("value", "B");
    encoder->encode(events.back().view(), out);
    BOOST_TEST(out == "");
}

BOOST_AUTO_TEST_CASE(output_without_a_program_request_starts_a_shell_header_and_stderr_shows_stdin_does_not) {
    const auto encoder = audit_s3::make_encoder(Format::asciinema);
    std::deque<TestEvent> events;
    std::string out;
    events.emplace_back(CSH_AUDIT_CONNECT, kStart);
    events.emplace_back(CSH_AUDIT_IO, kStart + 1500 * kMs, 0).uint_value("stream", 0).bytes("data", "secret input");
    events.emplace_back(CSH_AUDIT_IO, kStart + 2000 * kMs, 0).uint_value("stream", 2).bytes("data", "err\n");
    for (TestEvent& event : events) encoder->encode(event.view(), out);
    encoder->finish(out);
    const auto cast = lines(out);
    BOOST_REQUIRE(cast.size() == 2u);
    BOOST_TEST(cast[0].find(R"("command":"/bin/sh")") != std::string::npos);
    BOOST_TEST(cast[1] == R"([2.000000, "o", "err\n"])");
}

BOOST_AUTO_TEST_CASE(a_subsystem_names_itself_and_a_session_without_programs_still_has_a_header) {
    {
        const auto encoder = audit_s3::make_encoder(Format::asciinema);
        std::deque<TestEvent> events;
        std::string out;
        events.emplace_back(CSH_AUDIT_SUBSYSTEM, kStart, 0).uint_value("requestId", 0).text("subsystem", "sftp");
        encoder->encode(events.back().view(), out);
        BOOST_TEST(out.find(R"("command":"sftp")") != std::string::npos);
    }
    const auto encoder = audit_s3::make_encoder(Format::asciinema);
    std::string out;
    encoder->finish(out);
    BOOST_TEST(out == R"({"version":2,"width":80,"height":25,"timestamp":0,"command":"","title":"","env":{}})" "\n");
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_become_replacement_characters_and_the_rest_stays) {
    const auto encoder = audit_s3::make_encoder(Format::asciinema);
    std::deque<TestEvent> events;
    std::string out;
    events.emplace_back(CSH_AUDIT_EXEC, kStart, 0).text("program", "cat");
    // Invalid lead, an overlong form, a surrogate; then valid é, € and 😀.
    events.emplace_back(CSH_AUDIT_IO, kStart, 0)
        .uint_value("stream", 1)
        .bytes("data", "a\xff" "b\xc0\xaf" "c\xed\xa0\x80" "d\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x1b[0m\t\"\\");
    for (TestEvent& event : events) encoder->encode(event.view(), out);
    const auto cast = lines(out);
    BOOST_REQUIRE(cast.size() == 2u);
    BOOST_TEST(cast[1] ==
               "[0.000000, \"o\", \"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffdd\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
               "\\u001b[0m\\t\\\"\\\\\"]");
}

BOOST_AUTO_TEST_CASE(a_character_split_between_two_writes_arrives_whole) {
    const auto encoder = audit_s3::make_encoder(Format::asciinema);
    std::deque<TestEvent> events;
    std::string out;
    events.emplace_back(CSH_AUDIT_EXEC, kStart, 0).text("program", "cat");
    // € (E2 82 AC) split 1+2 on stdout; 😀 split 3+1 on stderr in between.
    events.emplace_back(CSH_AUDIT_IO, kStart + 1 * kMs, 0).uint_value("stream", 1).bytes("data", "price: \xe2");
    events.emplace_back(CSH_AUDIT_IO, kStart + 2 * kMs, 0).uint_value("stream", 2).bytes("data", "\xf0\x9f\x98");
    events.emplace_back(CSH_AUDIT_IO, kStart + 3 * kMs, 0).uint_value("stream", 1).bytes("data", "\x82\xac 5\n");
    events.emplace_back(CSH_AUDIT_IO, kStart + 4 * kMs, 0).uint_value("stream", 2).bytes("data", "\x80");
    // A split that never completes is shown as what it is at the end.
    events.emplace_back(CSH_AUDIT_IO, kStart + 5 * kMs, 0).uint_value("stream", 1).bytes("data", "end\xe2\x82");
    for (TestEvent& event : events) encoder->encode(event.view(), out);
    encoder->finish(out);
    const auto cast = lines(out);
    BOOST_REQUIRE(cast.size() == 6u);
    BOOST_TEST(cast[1] == R"([0.001000, "o", "price: "])");
    BOOST_TEST(cast[2] == "[0.003000, \"o\", \"\xe2\x82\xac 5\\n\"]");
    BOOST_TEST(cast[3] == "[0.004000, \"o\", \"\xf0\x9f\x98\x80\"]");
    BOOST_TEST(cast[4] == R"([0.005000, "o", "end"])");
    BOOST_TEST(cast[5] == R"([0.005000, "o", "\ufffd\ufffd"])");
}

BOOST_AUTO_TEST_CASE(incomplete_tails_are_found_only_when_valid_so_far) {
    using audit_s3::incomplete_utf8_tail;
    BOOST_TEST(incomplete_utf8_tail("") == 0u);
    BOOST_TEST(incomplete_utf8_tail("abc") == 0u);
    BOOST_TEST(incomplete_utf8_tail("a\xc3") == 1u);
    BOOST_TEST(incomplete_utf8_tail("a\xe2\x82") == 2u);
    BOOST_TEST(incomplete_utf8_tail("a\xf0\x9f\x98") == 3u);
    BOOST_TEST(incomplete_utf8_tail("a\xe2\x82\xac") == 0u);  // complete
    BOOST_TEST(incomplete_utf8_tail("a\xe0\x80") == 0u);      // overlong: never valid
    BOOST_TEST(incomplete_utf8_tail("a\xed\xa0") == 0u);      // surrogate
    BOOST_TEST(incomplete_utf8_tail("a\x80\x80\x80") == 0u);  // stray continuations
    BOOST_TEST(incomplete_utf8_tail("a\xf5") == 0u);          // beyond U+10FFFF
}

BOOST_AUTO_TEST_CASE(go_style_escaping_for_the_decoder_output) {
    std::string out;
    audit_s3::append_json_string(out, "<a&b>\xe2\x80\xa8\x01", audit_s3::JsonEscape::html_safe);
    BOOST_TEST(out == R"("\u003ca\u0026b\u003e\u2028\u0001")");
}

BOOST_AUTO_TEST_SUITE_END()
