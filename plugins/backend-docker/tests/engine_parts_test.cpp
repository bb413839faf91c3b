// The Docker backend's pure parts, without an engine: the exec parsing rule,
// the stdout/stderr frame splitter, the reading of the engine's HTTP answers
// (loop-http's ResponseReader) and the ContainerCreate body.
#include "docker_config.hpp"
#include "engine/stream_demuxer.hpp"
#include <csh/program/program_line.hpp>
#include "request_bodies.hpp"

#include <csh/loop_http/response_reader.hpp>

#include <boost/test/unit_test.hpp>

#include <simdjson.h>

#include <string>
#include <vector>

using namespace backend_docker;
using Argv = std::vector<std::string>;

BOOST_AUTO_TEST_SUITE(exec_parsing)

BOOST_AUTO_TEST_CASE(a_path_first_word_runs_directly_with_shell_quoting) {
    BOOST_TEST(csh::program::program_for_exec("/bin/echo a  b") == (Argv{"/bin/echo", "a", "b"}));
    BOOST_TEST(csh::program::program_for_exec("./run 'a b' \"c d\" e\\ f") == (Argv{"./run", "a b", "c d", "e f"}));
    BOOST_TEST(csh::program::program_for_exec("../x \"say \\\"hi\\\"\"") == (Argv{"../x", "say \"hi\""}));
}

BOOST_AUTO_TEST_CASE(anything_else_runs_through_the_shell_as_written) {
    for (const std::string command : {"echo hi", "/bin/echo a; id", "/bin/echo \"$HOME\"", "/bin/ls *.txt",
                                      "/bin/echo 'unbalanced", "/bin/cat < /etc/passwd", "", "sh"}) {
        BOOST_TEST_CONTEXT(command) { BOOST_TEST(csh::program::program_for_exec(command) == (Argv{"/bin/sh", "-c", command})); }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(stream_frames)

std::string frame(char stream, const std::string& payload) {
    std::string out{stream, 0, 0, 0};
    const auto size = static_cast<uint32_t>(payload.size());
    out += static_cast<char>(size >> 24);
    out += static_cast<char>(size >> 16);
    out += static_cast<char>(size >> 8);
    out += static_cast<char>(size);
    return out + payload;
}

BOOST_AUTO_TEST_CASE(frames_cut_at_every_byte_come_out_whole_and_in_order) {
    const std::string wire = frame(1, "out one\n") + frame(2, "err\n") + frame(1, std::string(70000, 'x'));
    StreamDemuxer demuxer;
    std::string out, err;
    for (char c : wire) {
        BOOST_REQUIRE(demuxer.feed(std::string_view(&c, 1), [&](csh_stream s, std::string_view p) {
            (s == CSH_STREAM_STDERR ? err : out).append(p);
        }));
    }
    BOOST_TEST(out == "out one\n" + std::string(70000, 'x'));
    BOOST_TEST(err == "err\n");
    BOOST_TEST(demuxer.at_frame_boundary());
}

BOOST_AUTO_TEST_CASE(a_stream_ending_inside_a_frame_is_noticed) {
    StreamDemuxer demuxer;
    const std::string partial = frame(1, "abcdef").substr(0, 10);
    BOOST_REQUIRE(demuxer.feed(partial, [](csh_stream, std::string_view) {}));
    BOOST_TEST(!demuxer.at_frame_boundary());
}

BOOST_AUTO_TEST_CASE(a_header_that_is_not_a_frame_fails_and_stays_failed) {
    StreamDemuxer demuxer;
    std::string seen;
    auto sink = [&](csh_stream, std::string_view p) { seen.append(p); };
    BOOST_TEST(!demuxer.feed("OCI runtime exec failed", sink));
    BOOST_TEST(!demuxer.feed(frame(1, "later"), sink));
    BOOST_TEST(seen.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(engine_answers)

using csh::loop_http::ResponseReader;
using Outcome = ResponseReader::Outcome;

// Boost.Beast 1.74 dropped the body-limit error when the body followed the
// header in the same read, and reserved the announced length (2.4 GB here;
// found by fuzz/http_response_fuzz.cpp).
BOOST_AUTO_TEST_CASE(a_content_length_over_the_limit_fails_before_any_allocation) {
    ResponseReader reader(4096, false);
    BOOST_TEST((reader.feed("HTTP/1.1 200 OK\r\nContent-Length: 2425315106\r\n\r\n{}") == Outcome::failed));
    BOOST_TEST(reader.error().find("body limit") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(answers_cut_at_every_byte_read_the_same) {
    const std::string answer =
        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 26\r\n\r\n"
        "{\"message\":\"No such exec\"}";
    for (const bool upgrade : {false, true}) {
        for (size_t cut = 0; cut <= answer.size(); ++cut) {
            ResponseReader reader(4096, upgrade);
            Outcome outcome = reader.feed(answer.substr(0, cut));
            if (outcome == Outcome::need_more) outcome = reader.feed(answer.substr(cut));
            BOOST_TEST_CONTEXT("upgrade " << upgrade << " cut " << cut) {
                BOOST_TEST((outcome == Outcome::complete));
                BOOST_TEST(reader.status() == 404);
                BOOST_TEST(reader.body() == "{\"message\":\"No such exec\"}");
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(an_upgrade_keeps_the_bytes_after_the_101) {
    ResponseReader reader(4096, true);
    const std::string answer = "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n" +
                               std::string("\x01\x00", 2);
    BOOST_TEST((reader.feed(answer) == Outcome::upgraded));
    BOOST_TEST(reader.leftover() == std::string("\x01\x00", 2));
    BOOST_TEST((ResponseReader(4096, false).end_of_stream() == Outcome::failed));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(create_body)

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& json) {
    simdjson::dom::element root;
    BOOST_REQUIRE(parser.parse(json).get(root) == simdjson::SUCCESS);
    return root;
}

BOOST_AUTO_TEST_CASE(operator_settings_are_kept_and_ours_replace_or_extend_them) {
    DockerConfig config = DockerConfig::defaults();
    config.container_json = R"({"Image":"img","Env":["A=1"],"Labels":{"team":"ops"},"Cmd":["ignored"],"Hostname":"h"})";
    config.host_json = R"({"Memory":1048576})";
    ContainerSpec spec;
    spec.command = {"/bin/sleep", "1"};
    spec.environment = {"B=2"};
    spec.labels = {{"containerssh_username", "alice"}};
    simdjson::dom::parser parser;
    const auto body = parse(parser, container_create_body(config, spec));
    std::string_view text;
    BOOST_TEST((body["Image"].get_string().get(text) == simdjson::SUCCESS && text == "img"));
    BOOST_TEST((body["Hostname"].get_string().get(text) == simdjson::SUCCESS && text == "h"));
    BOOST_TEST(simdjson::minify(body["Cmd"]) == R"(["/bin/sleep","1"])");
    BOOST_TEST(simdjson::minify(body["Env"]) == R"(["A=1","B=2"])");
    BOOST_TEST(simdjson::minify(body["Labels"]) == R"({"containerssh_username":"alice","team":"ops"})");
    BOOST_TEST(simdjson::minify(body["HostConfig"]) == R"({"Memory":1048576})");
}

BOOST_AUTO_TEST_CASE(session_mode_gets_an_init_unless_the_operator_chose) {
    DockerConfig config = DockerConfig::defaults();
    ContainerSpec spec;
    spec.command = {"/bin/true"};
    spec.default_init = true;
    simdjson::dom::parser parser;
    BOOST_TEST(simdjson::minify(parse(parser, container_create_body(config, spec))["HostConfig"]) ==
               R"({"Init":true})");
    config.host_json = R"({"init":false,"Memory":1})";
    simdjson::dom::parser parser2;
    BOOST_TEST(simdjson::minify(parse(parser2, container_create_body(config, spec))["HostConfig"]) ==
               R"({"init":false,"Memory":1})");
}

BOOST_AUTO_TEST_SUITE_END()
