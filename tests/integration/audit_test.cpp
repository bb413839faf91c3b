// Session recording with the audit-s3 plugin, to files: what the decoder
// reads back from a real session of the real OpenSSH client, asciicasts
// that Debian's asciinema plays, the intercept flags, and disk trouble.
#define BOOST_TEST_MODULE integration_audit
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"
#include "harness/recordings.hpp"
#include "curl_fetch.hpp"
#include "s3_test_server.hpp"

#include <containerssh/sdk/base64.hpp>

#include <simdjson.h>

#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <thread>

using namespace csh::test;
namespace fs = std::filesystem;

namespace {

const User kAlice{"alice", "correct horse", ""};
const SshLogin kLogin{"alice", "correct horse", {}};

struct Intercept {
    bool stdin_data = true;
    bool stdout_data = true;
    bool stderr_data = true;
    bool passwords = false;
};

std::string audit_file(const std::string& format, const std::string& directory, Intercept intercept = {}) {
    const auto flag = [](bool on) { return on ? "true" : "false"; };
    return std::string("audit:\n  enable: true\n  format: ") + format +
           "\n  storage: file\n  intercept:\n    stdin: " + flag(intercept.stdin_data) +
           "\n    stdout: " + flag(intercept.stdout_data) + "\n    stderr: " + flag(intercept.stderr_data) +
           "\n    passwords: " + flag(intercept.passwords) + "\n  file:\n    directory: " + directory + "\n";
}

// The one recording in `directory` (the test runs one connection).
std::string only_recording(const fs::path& directory) {
    std::string found;
    for (const auto& entry : fs::directory_iterator(directory)) {
        if (entry.path().filename().string().find('.') == std::string::npos) found = entry.path().string();
    }
    return found;
}

// The connection's recording is closed when the plugin logs it stored.
std::string recording_after_disconnect(Gateway& gateway, const fs::path& directory) {
    BOOST_TEST(!gateway.wait_for("AUDIT_RECORDING_STORED", std::chrono::seconds(20)).empty());
    return only_recording(directory);
}

// A mounted tmpfs of `mib` MiB for the test, unmounted at the end.
struct SmallDisk {
    TempDir dir;
    explicit SmallDisk(int mib) {
        const std::string options = "size=" + std::to_string(mib) + "m";
        if (::mount("tmpfs", dir.path().c_str(), "tmpfs", 0, options.c_str()) != 0) {
            BOOST_FAIL("cannot mount a tmpfs for the disk-full case (the suite runs as root): " << std::strerror(errno));
        }
    }
    ~SmallDisk() { ::umount2(dir.path().c_str(), MNT_DETACH); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(binary_to_file)

BOOST_AUTO_TEST_CASE(an_exec_decodes_to_the_reference_sequence_with_its_real_payloads) {
    TempDir records;
    Gateway gateway(static_auth_local_backend(kAlice) + audit_file("binary", records.path().string()));
    const auto r = ssh(gateway, kLogin, {"-o", "SetEnv=LANG=C.UTF-8"}, {"echo audited; echo oops >&2; exit 3"});
    BOOST_TEST(r.exit_code == 3);
    BOOST_TEST(r.out == "audited\n");
    const std::string file = recording_after_disconnect(gateway, records.path());
    BOOST_REQUIRE(!file.empty());

    const std::string raw = read_file(file);
    BOOST_TEST(raw.substr(0, 21) == "ContainerSSH-Auditlog");
    BOOST_TEST(raw[40] == '\x1f');  // the gzip stream follows the 40-byte header

    const Decoded decoded = decode_recording(file);
    BOOST_TEST_INFO(describe(decoded.run));
    BOOST_REQUIRE(decoded.run.exit_code == 0);
    const auto types = message_types(decoded);
    // Reference §4.4: connect, password, success, handshake, channel, setenv,
    // exec, output, exit, close, disconnect.
    BOOST_TEST(in_order(types, {0, 100, 101, 199, 300, 301, 402, 403, 500, 499, 497, 1}));
    BOOST_TEST(types.front() == 0);
    BOOST_TEST(types.back() == 1);
    BOOST_TEST(fs::path(file).filename().string() == decoded.messages.front().connection_id);
    BOOST_TEST(payload_string(decoded, 403, "program").value_or("") == "echo audited; echo oops >&2; exit 3");
    BOOST_TEST(payload_string(decoded, 199, "username").value_or("") == "alice");
    BOOST_TEST(payload_string(decoded, 402, "name").value_or("") == "LANG");
    BOOST_TEST(io_bytes(decoded, 1) == "audited\n");
    BOOST_TEST(io_bytes(decoded, 2) == "oops\n");
    bool exit_three = false;
    for (const auto& m : decoded.messages) exit_three = exit_three || (m.type == 499 && m.payload_json == "{\"exitStatus\":3}");
    BOOST_TEST(exit_three);
    // Channel messages carry the channel, connection messages do not.
    for (const auto& m : decoded.messages) {
        if (m.type == 0 || m.type == 1 || m.type == 199) BOOST_TEST(!m.channel.has_value());
        if (m.type == 403 || m.type == 500) BOOST_TEST(m.channel.has_value());
    }
    // No password byte anywhere: not decoded, not in the inflated body.
    BOOST_TEST(decoded.run.out.find(csh::sdk::base64_encode("correct horse")) == std::string::npos);
    BOOST_TEST(decoded.run.out.find("correct horse") == std::string::npos);
    BOOST_TEST(inflate_body(raw).find("correct horse") == std::string::npos);
    BOOST_TEST(inflate_body(raw).find("audited") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(passwords_are_recorded_only_when_asked) {
    TempDir records;
    Intercept intercept;
    intercept.passwords = true;
    Gateway gateway(static_auth_local_backend(kAlice) + audit_file("binary", records.path().string(), intercept));
    BOOST_TEST(ssh(gateway, kLogin, {}, {"true"}).exit_code == 0);
    const Decoded decoded = decode_recording(recording_after_disconnect(gateway, records.path()));
    BOOST_TEST(decoded.run.out.find(csh::sdk::base64_encode("correct horse")) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stderr_follows_its_own_flag_and_stdin_its_own) {
    TempDir records;
    Intercept intercept;
    intercept.stdout_data = false;
    Gateway gateway(static_auth_local_backend(kAlice) + audit_file("binary", records.path().string(), intercept));
    const auto r = ssh(gateway, kLogin, {}, {"cat; echo out; echo err >&2"}, "typed\n");
    BOOST_TEST(r.out == "typed\nout\n");
    const Decoded decoded = decode_recording(recording_after_disconnect(gateway, records.path()));
    BOOST_TEST(io_bytes(decoded, 0) == "typed\n");
    BOOST_TEST(io_bytes(decoded, 1) == "");
    BOOST_TEST(io_bytes(decoded, 2) == "err\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(asciicast_to_file)

BOOST_AUTO_TEST_CASE(a_pty_session_plays_with_asciinema_and_shows_what_the_user_saw) {
    TempDir records;
    Gateway gateway(static_auth_local_backend(kAlice) + audit_file("asciinema", records.path().string()));
    const auto r = ssh(gateway, kLogin, {"-tt", "-o", "SetEnv=TERM=xterm-256color"},
                       {"printf 'hello from the cast\\n'; printf 'second line\\n'"});
    BOOST_TEST(r.out.find("hello from the cast") != std::string::npos);
    const std::string file = recording_after_disconnect(gateway, records.path());
    const std::string cast = read_file(file);
    BOOST_TEST_INFO(cast);
    // asciicast v2: a header line, then [time, "o", data] lines.
    BOOST_TEST(cast.rfind("{\"version\":2", 0) == 0);
    BOOST_TEST(cast.find("\"TERM\":\"xterm-256color\"") != std::string::npos);
    BOOST_TEST(cast.find("hello from the cast") != std::string::npos);
    const auto played = run({"script", "-q", "-e", "-c", "asciinema cat " + file, "/dev/null"}, "", {}, std::chrono::seconds(30));
    BOOST_TEST_INFO(describe(played));
    BOOST_TEST(played.exit_code == 0);
    BOOST_TEST(played.out.find("hello from the cast\r\nsecond line") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(configuration)

BOOST_AUTO_TEST_CASE(mistakes_stop_the_start_naming_the_key) {
    TempDir records;
    const auto base = static_auth_local_backend(kAlice);
    struct Case {
        std::string audit;
        std::string key;
    };
    const std::vector<Case> cases{
        {audit_file("binary", records.path().string()) + "    colour: blue\n", "audit.file.colour"},
        {audit_file("binary", (records.path() / "missing").string()), "audit.file.directory"},
        {audit_file("mp4", records.path().string()), "audit.format"},
        {"audit:\n  enable: true\n  format: binary\n  storage: s3\n  s3:\n    local: " + records.path().string() +
             "\n    bucket: b\n    accessKey: a\n", "audit.s3"},
        {"audit:\n  enable: true\n  format: binary\n  storage: s3\n  s3:\n    local: " + records.path().string() +
             "\n    bucket: b\n    accessKey: a\n    secretKey: s\n    uploadPartSize: 1000\n",
         "audit.s3.uploadPartSize"},
    };
    for (const auto& c : cases) {
        const auto r = run_gateway_config(base + c.audit);
        BOOST_TEST_INFO(c.key << ": " << describe(r));
        BOOST_TEST(r.exit_code != 0);
        BOOST_TEST((r.out + r.err).find("AUDIT_CONFIG_INVALID") != std::string::npos);
        BOOST_TEST((r.out + r.err).find(c.key) != std::string::npos);
        // The secret key's value never shows.
        BOOST_TEST((r.out + r.err).find("secretKey: s") == std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(disk_trouble)

BOOST_AUTO_TEST_CASE(a_connection_that_cannot_be_recorded_is_refused_and_the_next_one_is_served) {
    TempDir records;
    const fs::path directory = records.path() / "audit";
    fs::create_directory(directory);
    Gateway gateway(static_auth_local_backend(kAlice) + audit_file("binary", directory.string()));
    fs::rename(directory, records.path() / "moved");
    const auto refused = ssh(gateway, kLogin, {}, {"echo served"});
    BOOST_TEST(refused.exit_code == 255);
    BOOST_TEST(refused.out.empty());
    BOOST_TEST(!gateway.wait_for("AUDIT_RECORDING_UNAVAILABLE").empty());
    BOOST_TEST(!gateway.wait_for("CORE_AUDIT_UNAVAILABLE").empty());
    fs::rename(records.path() / "moved", directory);
    const auto served = ssh(gateway, kLogin, {}, {"echo served"});
    BOOST_TEST(served.out == "served\n");
}

BOOST_AUTO_TEST_CASE(a_disk_filling_up_mid_session_costs_the_recording_not_the_session) {
    SmallDisk disk(24);
    Gateway gateway(static_auth_local_backend(kAlice) + audit_file("binary", disk.dir.path().string()));
    // 30 MiB of output that does not compress: more than the disk holds.
    const auto r = ssh(gateway, kLogin, {}, {"head -c 31457280 /dev/urandom"}, "", std::chrono::seconds(120));
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out.size() == 31457280u);  // the user got every byte
    BOOST_TEST(!gateway.wait_for("AUDIT_WRITE_FAILED", std::chrono::seconds(20)).empty());
    const std::string file = recording_after_disconnect(gateway, disk.dir.path());
    // What is on disk is a valid prefix: the decoder reads its messages.
    const Decoded decoded = decode_recording(file);
    BOOST_TEST(in_order(message_types(decoded), {0, 100, 101, 199, 300, 301, 403}));
    // The disk is still full: the next connection is refused, not served unrecorded.
    const auto refused = ssh(gateway, kLogin, {}, {"echo served"});
    BOOST_TEST(refused.exit_code == 255);
    BOOST_TEST(!gateway.wait_for("CORE_AUDIT_UNAVAILABLE").empty());
    fs::remove(file);
    BOOST_TEST(ssh(gateway, kLogin, {}, {"echo served"}).out == "served\n");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------- S3

namespace {

struct S3Options {
    std::string format = "binary";
    bool path_style = true;
    bool metadata = false;  // metadata.username and metadata.ip
    uint64_t part_size = 5242880;
    unsigned parallel = 20;
};

std::string audit_s3(const S3TestServer& s3, const std::string& spool, const S3Options& o = {}) {
    return "audit:\n  enable: true\n  format: " + o.format +
           "\n  storage: s3\n  intercept:\n    stdin: true\n    stdout: true\n    stderr: true\n  s3:\n"
           "    local: " + spool + "\n    accessKey: " + s3.access_key() + "\n    secretKey: \"" + s3.secret_key() +
           "\"\n    bucket: " + s3.bucket() + "\n    region: " + s3.region() + "\n    endpoint: " +
           (o.path_style ? s3.endpoint() : s3.virtual_host_endpoint()) +
           "\n    pathStyleAccess: " + (o.path_style ? "true" : "false") +
           "\n    uploadPartSize: " + std::to_string(o.part_size) +
           "\n    parallelUploads: " + std::to_string(o.parallel) +
           "\n    metadata:\n      username: " + (o.metadata ? "true" : "false") +
           "\n      ip: " + (o.metadata ? "true" : "false") + "\n";
}

// The object `key` fetched with awscli into `file`.
void fetch_object(const S3TestServer& s3, const std::string& key, const std::string& file) {
    const auto r = s3.aws({"get-object", "--bucket", s3.bucket(), "--key", key, file});
    BOOST_TEST_INFO(describe(r));
    BOOST_TEST_REQUIRE(r.exit_code == 0);
}

// head-object's answer: ContentType and the user metadata.
struct ObjectHead {
    std::string content_type;
    std::map<std::string, std::string> metadata;
};
ObjectHead head_object(const S3TestServer& s3, const std::string& key) {
    const auto r = s3.aws({"head-object", "--bucket", s3.bucket(), "--key", key});
    BOOST_TEST_INFO(describe(r));
    BOOST_TEST_REQUIRE(r.exit_code == 0);
    ObjectHead head;
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    BOOST_TEST_REQUIRE(parser.parse(r.out).get_object().get(object) == simdjson::SUCCESS);
    std::string_view text;
    if (object["ContentType"].get_string().get(text) == simdjson::SUCCESS) head.content_type = text;
    simdjson::dom::object metadata;
    if (object["Metadata"].get_object().get(metadata) == simdjson::SUCCESS) {
        for (auto field : metadata) {
            if (field.value.get_string().get(text) == simdjson::SUCCESS) head.metadata[std::string(field.key)] = text;
        }
    }
    return head;
}

bool spool_is_empty(const fs::path& spool) {
    for (const auto& entry : fs::directory_iterator(spool)) {
        (void)entry;
        return false;
    }
    return true;
}

// The connection id of the single connection the gateway logged.
std::string connection_id(Gateway& gateway) {
    return json_field(gateway.wait_for("SSH_CONNECTED"), "connectionId");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(s3_storage)

BOOST_AUTO_TEST_CASE(an_exec_arrives_as_one_object_with_the_metadata_asked_for) {
    S3TestServer s3;
    TempDir spool;
    S3Options options;
    options.metadata = true;
    Gateway gateway(static_auth_local_backend(kAlice) + audit_s3(s3, spool.path().string(), options));
    BOOST_TEST(ssh(gateway, kLogin, {}, {"echo to the bucket"}).out == "to the bucket\n");
    const std::string key = connection_id(gateway);
    BOOST_TEST_REQUIRE(!gateway.wait_for("AUDIT_S3_UPLOAD_COMPLETE", std::chrono::seconds(30)).empty());
    BOOST_TEST(eventually([&] { return spool_is_empty(spool.path()); }, std::chrono::seconds(10)));

    TempDir out;
    fetch_object(s3, key, out.file("object"));
    const Decoded decoded = decode_recording(out.file("object"));
    BOOST_TEST(decoded.run.exit_code == 0);
    BOOST_TEST(io_bytes(decoded, 1) == "to the bucket\n");
    BOOST_TEST(message_types(decoded).back() == 1);

    ObjectHead head = head_object(s3, key);
    BOOST_TEST(head.content_type == "application/octet-stream");
    BOOST_TEST(head.metadata["authenticated"] == "true");
    BOOST_TEST(head.metadata["username"] == "alice");
    BOOST_TEST(head.metadata["ip"] == "127.0.0.1");
    BOOST_TEST(head.metadata.count("country") == 1u);
    BOOST_TEST(std::abs(std::stoll(head.metadata["timestamp"]) - static_cast<long long>(std::time(nullptr))) < 120);
    // One signed PUT, checked by the proxy, and nothing refused.
    size_t puts = 0;
    for (const auto& request : s3.requests()) {
        BOOST_TEST(request.verdict == "verified");
        if (request.method == "PUT" && request.key == key && request.query.empty()) ++puts;
    }
    BOOST_TEST(puts == 1u);
}

BOOST_AUTO_TEST_CASE(a_cast_by_virtual_host_addressing_has_no_username_or_ip_unless_asked) {
    S3TestServer s3;
    TempDir spool;
    S3Options options;
    options.format = "asciinema";
    options.path_style = false;
    Gateway gateway(static_auth_local_backend(kAlice) + audit_s3(s3, spool.path().string(), options));
    BOOST_TEST(ssh(gateway, kLogin, {"-tt"}, {"echo cast to the bucket"}).exit_code == 0);
    const std::string key = connection_id(gateway);
    BOOST_TEST_REQUIRE(!gateway.wait_for("AUDIT_S3_UPLOAD_COMPLETE", std::chrono::seconds(30)).empty());
    ObjectHead head = head_object(s3, key);
    BOOST_TEST(head.content_type == "application/x-asciicast");
    BOOST_TEST(head.metadata.count("username") == 0u);
    BOOST_TEST(head.metadata.count("ip") == 0u);
    BOOST_TEST(head.metadata["authenticated"] == "true");
    bool virtual_host = false;
    for (const auto& request : s3.requests()) virtual_host = virtual_host || (request.key == key && request.virtual_host);
    BOOST_TEST(virtual_host);
    TempDir out;
    fetch_object(s3, key, out.file("cast"));
    BOOST_TEST(read_file(out.file("cast")).find("cast to the bucket") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_100_mib_session_is_uploaded_in_parts_numbered_from_one_while_it_runs) {
    S3TestServer s3;
    TempDir spool;
    S3Options options;
    options.parallel = 3;
    Gateway gateway(static_auth_local_backend(kAlice) + audit_s3(s3, spool.path().string(), options));
    // 100 MiB that do not compress, then a pause: parts go up during the session.
    const auto r = ssh(gateway, kLogin, {}, {"head -c 104857600 /dev/urandom; sleep 3"}, "", std::chrono::seconds(300));
    BOOST_TEST_REQUIRE(r.out.size() == 104857600u);
    const std::string key = connection_id(gateway);
    BOOST_TEST(gateway.count("AUDIT_S3_MULTIPART_PART_UPLOAD_COMPLETE") >= 1u);  // before the session ended
    BOOST_TEST_REQUIRE(!gateway.wait_for("AUDIT_S3_UPLOAD_COMPLETE", std::chrono::seconds(120)).empty());

    std::set<int> parts;
    for (const auto& request : s3.requests()) {
        const auto at = request.query.find("partNumber=");
        if (request.method == "PUT" && at != std::string::npos) parts.insert(std::stoi(request.query.substr(at + 11)));
    }
    BOOST_TEST(!parts.empty());
    BOOST_TEST(*parts.begin() == 1);
    BOOST_TEST(parts.size() >= 20u);  // 100 MiB and more in 5 MiB parts
    BOOST_TEST(static_cast<size_t>(*parts.rbegin()) == parts.size());

    TempDir out;
    fetch_object(s3, key, out.file("object"));
    const Decoded decoded = decode_recording(out.file("object"));
    BOOST_TEST(decoded.run.exit_code == 0);
    BOOST_TEST((io_bytes(decoded, 1) == r.out));  // every byte the user saw
}

BOOST_AUTO_TEST_CASE(a_gateway_killed_mid_upload_finishes_it_at_its_next_start_byte_for_byte) {
    S3TestServer s3;
    TempDir spool;
    S3Options options;
    options.parallel = 1;
    auto first = std::make_unique<Gateway>(static_auth_local_backend(kAlice) +
                                           audit_s3(s3, spool.path().string(), options));
    const fs::path config = first->dir() / "config.yaml";
    // The first part goes up, then the bucket stops answering: the gateway
    // is killed with an unfinished multipart upload in the bucket.
    RunResult session;
    std::thread client([&] {
        session = ssh(*first, kLogin, {}, {"head -c 31457280 /dev/urandom; sleep 2"}, "", std::chrono::seconds(120));
    });
    const bool part_went_up = !first->wait_for("AUDIT_S3_MULTIPART_PART_UPLOAD_COMPLETE", std::chrono::seconds(60)).empty();
    s3.set_fault(S3TestServer::Fault::hang);
    client.join();
    BOOST_TEST_REQUIRE(part_went_up);
    BOOST_TEST(session.exit_code == 0);
    const std::string key = connection_id(*first);
    BOOST_TEST_REQUIRE(!first->wait_for("SSH_DISCONNECTED").empty());
    first->stop(SIGKILL);
    const std::string spooled = read_file(spool.file(key));
    BOOST_TEST_REQUIRE(spooled.size() > 31457280u);
    s3.set_fault(S3TestServer::Fault::none);
    const auto pending = s3.aws({"list-multipart-uploads", "--bucket", s3.bucket()});
    BOOST_TEST(pending.out.find(key) != std::string::npos);

    Gateway second(Gateway::ExistingConfig{config});
    BOOST_TEST(!second.wait_for("AUDIT_S3_RECOVERING").empty());
    BOOST_TEST(!second.wait_for("AUDIT_S3_MULTIPART_ABORTING", std::chrono::seconds(30)).empty());
    BOOST_TEST_REQUIRE(!second.wait_for("AUDIT_S3_UPLOAD_COMPLETE", std::chrono::seconds(120)).empty());
    TempDir out;
    fetch_object(s3, key, out.file("object"));
    BOOST_TEST((read_file(out.file("object")) == spooled));
    BOOST_TEST(s3.aws({"list-multipart-uploads", "--bucket", s3.bucket()}).out.find(key) == std::string::npos);
    BOOST_TEST(eventually([&] { return spool_is_empty(spool.path()); }, std::chrono::seconds(10)));
}

BOOST_AUTO_TEST_CASE(while_s3_is_away_sessions_go_on_and_everything_arrives_when_it_is_back) {
    S3TestServer s3;
    TempDir spool;
    Gateway gateway(static_auth_local_backend(kAlice) + audit_s3(s3, spool.path().string()) +
                    "metrics:\n  enable: true\n  listen: \"127.0.0.1:0\"\n");
    const std::string metrics_url = "http://" + json_field(gateway.wait_for("METRICS_AVAILABLE"), "address") + "/metrics";
    const auto sample = [&](const std::string& series) {
        const auto scraped = curl({metrics_url});
        std::istringstream in(scraped.body);
        for (std::string line; std::getline(in, line);) {
            if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
        }
        return -1.0;
    };
    s3.stop();
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(ssh(gateway, kLogin, {}, {"echo during the outage " + std::to_string(i)}).exit_code == 0);
    }
    BOOST_TEST(!gateway.wait_for("AUDIT_S3_UPLOAD_RETRY", std::chrono::seconds(20)).empty());
    BOOST_TEST(gateway.count("AUDIT_S3_UPLOAD_COMPLETE") == 0u);
    size_t spooled = 0;
    for (const auto& entry : fs::directory_iterator(spool.path())) {
        if (entry.path().filename().string().find('.') == std::string::npos) ++spooled;
    }
    BOOST_TEST(spooled == 3u);
    // What an operator alerts on: the spool grows, requests fail.
    BOOST_TEST(sample("containerssh_audit_s3_pending_recordings") == 3.0);
    BOOST_TEST(sample("containerssh_audit_s3_request_failures_total{operation=\"put\"}") >= 3.0);
    BOOST_TEST(sample("containerssh_audit_recordings_total{storage=\"s3\"}") == 3.0);
    std::this_thread::sleep_for(std::chrono::seconds(4));
    s3.start();
    BOOST_TEST(eventually([&] { return gateway.count("AUDIT_S3_UPLOAD_COMPLETE") == 3u; }, std::chrono::seconds(90)));
    BOOST_TEST(sample("containerssh_audit_s3_pending_recordings") == 0.0);
    BOOST_TEST(sample("containerssh_audit_s3_uploaded_bytes_total") > 0.0);
    BOOST_TEST(eventually([&] { return spool_is_empty(spool.path()); }, std::chrono::seconds(10)));
    const auto listed = s3.aws({"list-objects-v2", "--bucket", s3.bucket()});
    BOOST_TEST(std::count(listed.out.begin(), listed.out.end(), '\n') > 0);
}

BOOST_AUTO_TEST_CASE(at_shutdown_the_last_upload_finishes_before_the_gateway_exits) {
    S3TestServer s3;
    TempDir spool;
    Gateway gateway(static_auth_local_backend(kAlice) + audit_s3(s3, spool.path().string()));
    s3.set_fault(S3TestServer::Fault::service_unavailable);
    BOOST_TEST(ssh(gateway, kLogin, {}, {"echo last words"}).exit_code == 0);
    const std::string key = connection_id(gateway);
    BOOST_TEST(!gateway.wait_for("AUDIT_S3_UPLOAD_RETRY", std::chrono::seconds(20)).empty());
    std::thread back([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        s3.set_fault(S3TestServer::Fault::none);
    });
    BOOST_TEST(gateway.stop(SIGTERM) == 0);
    back.join();
    BOOST_TEST(gateway.count("CORE_AUDIT_FLUSH_TIMEOUT") == 0u);
    BOOST_TEST(gateway.count("AUDIT_S3_UPLOAD_COMPLETE") == 1u);
    TempDir out;
    fetch_object(s3, key, out.file("object"));
    BOOST_TEST(io_bytes(decode_recording(out.file("object")), 1) == "last words\n");
}

BOOST_AUTO_TEST_CASE(wrong_credentials_are_refused_retried_and_the_recording_waits_for_the_right_ones) {
    S3TestServer s3;
    TempDir spool;
    std::string wrong = audit_s3(s3, spool.path().string());
    const std::string secret = "secretKey: \"" + s3.secret_key() + "\"";
    wrong.replace(wrong.find(secret), secret.size(), "secretKey: \"not-the-secret\"");
    auto first = std::make_unique<Gateway>(static_auth_local_backend(kAlice) + wrong);
    BOOST_TEST(ssh(*first, kLogin, {}, {"echo kept"}).out == "kept\n");
    const std::string key = connection_id(*first);
    const std::string failed = first->wait_for("AUDIT_S3_SINGLE_UPLOAD_FAILED", std::chrono::seconds(20));
    BOOST_TEST(failed.find("SignatureDoesNotMatch") != std::string::npos);
    BOOST_TEST(failed.find("not-the-secret") == std::string::npos);
    BOOST_TEST(!first->wait_for("AUDIT_S3_UPLOAD_RETRY").empty());
    bool refused = false;
    for (const auto& request : s3.requests()) refused = refused || request.verdict == "refused:SignatureDoesNotMatch";
    BOOST_TEST(refused);
    // The flush does not wait for an error that waiting cannot fix...
    BOOST_TEST(first->stop(SIGTERM) == 0);
    BOOST_TEST(first->count("AUDIT_S3_FLUSH_INCOMPLETE") == 1u);
    BOOST_TEST(fs::exists(spool.path() / key));  // ...and the recording stays in the spool

    // The operator fixes the key: the next start uploads it.
    Gateway second(static_auth_local_backend(kAlice) + audit_s3(s3, spool.path().string()));
    BOOST_TEST(!second.wait_for("AUDIT_S3_RECOVERING").empty());
    BOOST_TEST_REQUIRE(!second.wait_for("AUDIT_S3_UPLOAD_COMPLETE", std::chrono::seconds(30)).empty());
    TempDir out;
    fetch_object(s3, key, out.file("object"));
    BOOST_TEST(io_bytes(decode_recording(out.file("object")), 1) == "kept\n");
}

BOOST_AUTO_TEST_CASE(an_unwritable_spool_refuses_connections_until_it_is_back) {
    S3TestServer s3;
    TempDir dir;
    const fs::path spool = dir.path() / "spool";
    fs::create_directory(spool);
    Gateway gateway(static_auth_local_backend(kAlice) + audit_s3(s3, spool.string()));
    fs::rename(spool, dir.path() / "away");
    const auto refused = ssh(gateway, kLogin, {}, {"echo served"});
    BOOST_TEST(refused.exit_code == 255);
    BOOST_TEST(refused.out.empty());
    BOOST_TEST(!gateway.wait_for("AUDIT_RECORDING_UNAVAILABLE").empty());
    BOOST_TEST(!gateway.wait_for("CORE_AUDIT_UNAVAILABLE").empty());
    fs::rename(dir.path() / "away", spool);
    BOOST_TEST(ssh(gateway, kLogin, {}, {"echo served"}).out == "served\n");
    BOOST_TEST(!gateway.wait_for("AUDIT_S3_UPLOAD_COMPLETE", std::chrono::seconds(30)).empty());
    // Only the served connection made an object.
    const auto listed = s3.aws({"list-objects-v2", "--bucket", s3.bucket(), "--query", "length(Contents)"});
    BOOST_TEST(listed.out == "1\n");
}

BOOST_AUTO_TEST_CASE(containerssh_0_4s_audit_section_starts_with_its_blanks_filled_in) {
    S3TestServer s3;
    TempDir spool;
    // The section as ContainerSSH 0.4 writes it out, every key present.
    std::string file = read_file(std::string(CSH_CONFIG_DATA_DIR) + "/config-0.4.yaml");
    file.erase(std::remove(file.begin(), file.end(), '\r'), file.end());  // it has CRLF line ends
    std::string section = file.substr(file.find("\naudit:\n") + 1);
    section = section.substr(0, section.find("\n", section.find("      username:")) + 1);
    const auto set = [&](const std::string& from, const std::string& to) {
        BOOST_TEST_REQUIRE(section.find(from) != std::string::npos);
        section.replace(section.find(from), from.size(), to);
    };
    set("enable: false", "enable: true");
    set("format: none", "format: binary");
    set("storage: none", "storage: s3");
    set("local: /var/lib/audit", "local: " + spool.path().string());
    set("accessKey: \"\"", "accessKey: " + s3.access_key());
    set("secretKey: \"\"", "secretKey: \"" + s3.secret_key() + "\"");
    set("bucket: \"\"", "bucket: " + s3.bucket());
    set("endpoint: \"\"", "endpoint: " + s3.endpoint());
    set("pathStyleAccess: false", "pathStyleAccess: true");
    set("directory: /var/log/audit", "directory: " + spool.path().string());
    BOOST_TEST_INFO(section);
    Gateway gateway(static_auth_local_backend(kAlice) + section);
    BOOST_TEST(ssh(gateway, kLogin, {}, {"true"}).exit_code == 0);
    BOOST_TEST(!gateway.wait_for("AUDIT_S3_UPLOAD_COMPLETE", std::chrono::seconds(30)).empty());
}


BOOST_AUTO_TEST_SUITE_END()
