// Session recording with the audit-s3 plugin, to files: what the decoder
// reads back from a real session of the real OpenSSH client, asciicasts
// that Debian's asciinema plays, the intercept flags, and disk trouble.
#define BOOST_TEST_MODULE integration_audit
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"
#include "harness/recordings.hpp"

#include <containerssh/sdk/base64.hpp>

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

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
