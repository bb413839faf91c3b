// Drives the real containerssh-auth-config-server binary over HTTP the way
// ContainerSSH calls it, and reads its log from stdout.
#define BOOST_TEST_MODULE example_auth_server
#include <boost/test/unit_test.hpp>

#include "file_contents.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <containerssh/sdk/base64.hpp>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <simdjson.h>

#include <signal.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

// Non-ASCII bytes, a space and a byte that is not UTF-8: the server must
// compare raw bytes.
const std::string kAlicePassword = "p\xc3\xa4ss w\xc3\xb6rd\xff";
const std::string kAliceKey = "AAAAC3NzaC1lZDI1NTE5AAAAIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g";
const std::string kOtherKey = "AAAAC3NzaC1lZDI1NTE5AAAAICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9A";
const std::string kAliceEnvironment = R"("environment":{"TEAM":{"value":"ops","sensitive":false}})";

std::string hash_password(const std::string& password) {
    const auto result = csh::test::run({"openssl", "passwd", "-6", password});
    BOOST_REQUIRE_EQUAL(result.exit_code, 0);
    return result.out.substr(0, result.out.find('\n'));
}

std::string users_yaml(const std::string& alice_hash) {
    return "users:\n"
           "  alice:\n"
           "    password: \"" + alice_hash + "\"\n"
           "    authorizedKeys: [\"ssh-ed25519 " + kAliceKey + " alice@laptop\"]\n"
           "    environment: {TEAM: ops}\n"
           "    image: \"registry.example/dev:1.4\"\n"
           "    config:\n"
           "      security: {maxSessions: 4, forceCommand: \"007\"}\n"
           "      docker: {execution: {mode: session, disableAgent: true}}\n"
           "  bob:\n"
           "    authorizedKeys: [\"ssh-ed25519 " + kOtherKey + "\"]\n";
}

struct LogLine {
    std::string code;
    std::string level;
    std::string message;
    std::string text;  // the whole line
};

LogLine parse_log_line(const std::string& line) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    BOOST_REQUIRE_MESSAGE(parser.parse(line).get(root) == simdjson::SUCCESS, "log line is not JSON: " << line);
    LogLine parsed;
    std::string_view value;
    if (root["code"].get(value) == simdjson::SUCCESS) parsed.code = value;
    if (root["level"].get(value) == simdjson::SUCCESS) parsed.level = value;
    if (root["message"].get(value) == simdjson::SUCCESS) parsed.message = value;
    parsed.text = line;
    return parsed;
}

std::string detail(const std::string& line, const char* key) {
    simdjson::dom::parser parser;
    std::string_view value;
    if (parser.parse(line)["details"][key].get(value) != simdjson::SUCCESS) return "<absent>";
    return std::string(value);
}

struct Reply {
    int status = 0;
    std::string body;
};

// A running server with the standard users file, on a port of its choosing
// (read back from its CONFIG_SERVER_AVAILABLE line).
struct RunningServer {
    csh::test::TempDir dir;
    std::string users_file = dir.file("users.yaml");
    std::unique_ptr<csh::test::Child> child;
    std::string available_line;
    std::uint16_t port = 0;

    RunningServer() {
        csh::test::write_file(users_file, users_yaml(hash_password(kAlicePassword)));
        child = std::make_unique<csh::test::Child>(std::vector<std::string>{
            EXAMPLE_SERVER_BINARY, "--users", users_file, "--listen", "127.0.0.1:0", "--log-level", "info"});
        available_line = wait_for("CONFIG_SERVER_AVAILABLE");
        const std::string address = detail(available_line, "address");
        BOOST_REQUIRE_EQUAL(address.rfind("127.0.0.1:", 0), 0u);
        port = static_cast<std::uint16_t>(std::stoi(address.substr(address.find(':') + 1)));
    }
    ~RunningServer() { child->stop(SIGTERM, 30s); }

    // The next log line with `code`; fails the test at EOF.
    std::string wait_for(const std::string& code) {
        std::string line;
        while (child->read_line(line, 30s)) {
            if (parse_log_line(line).code == code) return line;
        }
        BOOST_FAIL("no log line with " + code);
        return {};
    }

    Reply send(const std::string& method, const std::string& path, const std::string& body) const {
        Poco::Net::HTTPClientSession session("127.0.0.1", port);
        Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType("application/json");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        Reply reply;
        Poco::StreamCopier::copyToString(session.receiveResponse(response), reply.body);
        reply.status = response.getStatus();
        return reply;
    }
    Reply post(const std::string& path, const std::string& body) const { return send("POST", path, body); }

    Reply password(const std::string& username, const std::string& password) const {
        return post("/password", R"({"connectionId":"0123456789abcdef0123456789abcdef","remoteAddress":"203.0.113.9:51022",)"
                                 R"("clientVersion":"SSH-2.0-OpenSSH_9.6","username":")" + username +
                                     R"(","passwordBase64":")" + csh::sdk::base64_encode(password) + R"("})");
    }
    Reply pubkey(const std::string& username, const std::string& key_line) const {
        return post("/pubkey", R"({"username":")" + username + R"(","publicKey":")" + key_line + R"("})");
    }
};

const std::string kRefused = R"({"success":false})";
const std::string kAliceAccepted = R"({"success":true,"authenticatedUsername":"alice",)" + kAliceEnvironment + "}";

}  // namespace

BOOST_FIXTURE_TEST_SUITE(running_server, RunningServer)

BOOST_AUTO_TEST_CASE(start_up_is_logged_with_the_listening_address) {
    const LogLine line = parse_log_line(available_line);
    BOOST_TEST(line.level == "notice");
    BOOST_TEST(detail(available_line, "address") == "127.0.0.1:" + std::to_string(port));
    BOOST_TEST(detail(available_line, "module") == "auth-config-server");
}

BOOST_AUTO_TEST_CASE(correct_password_is_accepted_with_the_environment) {
    const Reply reply = password("alice", kAlicePassword);
    BOOST_TEST(reply.status == 200);
    BOOST_TEST(reply.body == kAliceAccepted);
    const std::string logged = wait_for("EXAMPLE_SERVER_AUTH_SUCCESSFUL");
    BOOST_TEST(detail(logged, "username") == "alice");
    BOOST_TEST(detail(logged, "method") == "password");
    BOOST_TEST(detail(logged, "connectionId") == "0123456789abcdef0123456789abcdef");
}

BOOST_AUTO_TEST_CASE(wrong_truncated_or_extended_passwords_are_refused) {
    for (const std::string& wrong : {std::string("p\xc3\xa4ss w\xc3\xb6rd"), kAlicePassword + "x",
                                     kAlicePassword + std::string(1, '\0') + "tail", std::string()}) {
        const Reply reply = password("alice", wrong);
        BOOST_TEST(reply.status == 200);
        BOOST_TEST(reply.body == kRefused);
    }
    const std::string logged = wait_for("EXAMPLE_SERVER_AUTH_FAILED");
    BOOST_TEST(detail(logged, "reason") == "wrong password");
}

BOOST_AUTO_TEST_CASE(unknown_user_and_user_without_password_are_refused) {
    BOOST_TEST(password("mallory", kAlicePassword).body == kRefused);
    BOOST_TEST(detail(wait_for("EXAMPLE_SERVER_AUTH_FAILED"), "reason") == "unknown user");
    BOOST_TEST(password("bob", "").body == kRefused);
    BOOST_TEST(detail(wait_for("EXAMPLE_SERVER_AUTH_FAILED"), "reason") == "no password set for this user");
}

BOOST_AUTO_TEST_CASE(password_never_appears_in_the_log) {
    password("alice", kAlicePassword);
    password("alice", "wrong-but-secret");
    BOOST_TEST(child->stop(SIGINT, 30s) == 0);  // a clean exit, also under the leak checker
    std::string line;
    std::size_t lines = 0;
    while (child->read_line(line, 30s)) {
        ++lines;
        if (lines == 3) BOOST_TEST(detail(line, "signal") == "SIGINT");
        for (const std::string& secret : {kAlicePassword, std::string("wrong-but-secret"),
                                          csh::sdk::base64_encode(kAlicePassword),
                                          csh::sdk::base64_encode("wrong-but-secret")}) {
            BOOST_TEST(line.find(secret) == std::string::npos, "secret in log line: " << line);
        }
    }
    BOOST_TEST(lines == 3u);  // two decisions and EXAMPLE_SERVER_STOPPING
}

BOOST_AUTO_TEST_CASE(public_key_matches_with_or_without_comment) {
    BOOST_TEST(pubkey("alice", "ssh-ed25519 " + kAliceKey).body == kAliceAccepted);
    BOOST_TEST(pubkey("alice", "ssh-ed25519 " + kAliceKey + " some comment").body == kAliceAccepted);
    BOOST_TEST(pubkey("alice", "ssh-ed25519 " + kOtherKey).body == kRefused);
    BOOST_TEST(pubkey("alice", "ssh-rsa " + kAliceKey).body == kRefused);
    BOOST_TEST(pubkey("bob", "ssh-ed25519 " + kOtherKey).body ==
               R"({"success":true,"authenticatedUsername":"bob"})");
    BOOST_TEST(pubkey("mallory", "ssh-ed25519 " + kAliceKey).body == kRefused);
}

BOOST_AUTO_TEST_CASE(authz_accepts_users_in_the_file) {
    const Reply alice = post("/authz", R"({"username":"root","authenticatedUsername":"alice"})");
    BOOST_TEST(alice.status == 200);
    BOOST_TEST(alice.body == R"({"success":true,"authenticatedUsername":"alice"})");
    BOOST_TEST(post("/authz", R"({"username":"alice","authenticatedUsername":"mallory"})").body == kRefused);
    // Routing looks at the last path segment only, as ContainerSSH's library does.
    BOOST_TEST(post("/hooks/v1/authz", R"({"username":"bob"})").body ==
               R"({"success":true,"authenticatedUsername":"bob"})");
}

BOOST_AUTO_TEST_CASE(config_merges_the_image_into_the_users_config) {
    const Reply alice = post("/config", R"({"username":"alice","authenticatedUsername":"alice","unknownField":[1,2]})");
    BOOST_TEST(alice.status == 200);
    BOOST_TEST(alice.body ==
               R"({"config":{"security":{"maxSessions":4,"forceCommand":"007"},)"
               R"("docker":{"execution":{"mode":"session","disableAgent":true,)"
               R"("container":{"image":"registry.example/dev:1.4"}}}},)" + kAliceEnvironment + "}");
    BOOST_TEST(post("/config", R"({"username":"bob"})").body == R"({"config":{}})");
    const Reply unknown = post("/config", R"({"username":"mallory"})");
    BOOST_TEST(unknown.status == 200);
    BOOST_TEST(unknown.body == R"({"config":{}})");
    BOOST_TEST(detail(wait_for("EXAMPLE_SERVER_CONFIG_UNKNOWN_USER"), "username") == "mallory");
}

BOOST_AUTO_TEST_CASE(invalid_requests_get_400_unknown_paths_404) {
    const Reply broken = post("/authz", "{\"username\":");
    BOOST_TEST(broken.status == 400);
    BOOST_TEST(broken.body.rfind(R"({"error":"the body is not valid JSON: )", 0) == 0u);
    BOOST_TEST(detail(wait_for("EXAMPLE_SERVER_REQUEST_DECODE_FAILED"), "endpoint") == "authz");

    const Reply mistyped = post("/password", R"({"username":"alice","passwordBase64":42})");
    BOOST_TEST(mistyped.status == 400);
    BOOST_TEST(mistyped.body == R"({"error":"the field passwordBase64 must be a string"})");
    BOOST_TEST(post("/password", R"({"username":"alice","passwordBase64":"***"})").status == 400);
    BOOST_TEST(post("/pubkey", R"({"username":"alice"})").status == 400);
    BOOST_TEST(post("/authz", R"({"connectionId":"x"})").status == 400);

    const Reply missing = post("/login", "{}");
    BOOST_TEST(missing.status == 404);
    BOOST_TEST(missing.body == R"({"error":"no such endpoint; use …/password, …/pubkey, …/authz or …/config"})");
    BOOST_TEST(send("GET", "/authz", "").status == 405);
}

BOOST_AUTO_TEST_CASE(sighup_reloads_the_users_file_and_keeps_the_old_one_when_broken) {
    csh::test::write_file(users_file, "users:\n  carol: {authorizedKeys: [\"ssh-ed25519 " + kOtherKey + "\"]}\n");
    ::kill(child->pid(), SIGHUP);
    BOOST_TEST(detail(wait_for("EXAMPLE_SERVER_USERS_LOADED"), "users") == "1");
    BOOST_TEST(post("/authz", R"({"username":"carol"})").body == R"({"success":true,"authenticatedUsername":"carol"})");
    BOOST_TEST(post("/authz", R"({"username":"alice"})").body == kRefused);

    csh::test::write_file(users_file, "users:\n  dave: {password: \"not-a-hash\"}\n");
    ::kill(child->pid(), SIGHUP);
    const std::string invalid = wait_for("EXAMPLE_SERVER_USERS_INVALID");
    BOOST_TEST(detail(invalid, "key") == "users.dave.password");
    BOOST_TEST(parse_log_line(invalid).message ==
               "users.dave.password is not a crypt(3) hash this system supports; make one with: openssl passwd -6");
    BOOST_TEST(detail(invalid, "file") == users_file);
    BOOST_TEST(post("/authz", R"({"username":"carol"})").body == R"({"success":true,"authenticatedUsername":"carol"})");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(invalid_users_file_stops_start_up_naming_the_key) {
    csh::test::TempDir dir;
    const std::string file = dir.file("users.yaml");
    csh::test::write_file(file, "users:\n  alice:\n    pasword: \"$6$x$y\"\n");
    const auto result = csh::test::run({EXAMPLE_SERVER_BINARY, "--users", file});
    BOOST_TEST(result.exit_code == 1);
    const LogLine line = parse_log_line(result.out.substr(0, result.out.find('\n')));
    BOOST_TEST(line.code == "EXAMPLE_SERVER_USERS_INVALID");
    BOOST_TEST(detail(line.text, "key") == "users.alice.pasword");
    BOOST_TEST(line.message == "users.alice.pasword is not a known key (password, authorizedKeys, environment, image, config)");
}

BOOST_AUTO_TEST_CASE(list_codes_prints_the_code_table) {
    const auto result = csh::test::run({EXAMPLE_SERVER_BINARY, "--list-codes"});
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(result.out.rfind("| Code | Level | Module | Explanation |\n", 0) == 0u);
    BOOST_TEST(result.out.find("| `CONFIG_SERVER_AVAILABLE` | notice | auth-config-server | ") != std::string::npos);
    BOOST_TEST(result.out.find("| `HTTP_SERVER_RESPONSE_WRITE_FAILED` | warning |") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_users_option_is_a_usage_error) {
    const auto result = csh::test::run({EXAMPLE_SERVER_BINARY});
    BOOST_TEST(result.exit_code == 2);
    BOOST_TEST(result.err.find("--users FILE is required") != std::string::npos);
}
