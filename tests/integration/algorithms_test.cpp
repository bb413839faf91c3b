// What the SSH server offers: the default offer judged by the real ssh-audit,
// strict key exchange with the real OpenSSH client, weak names a file asks
// for (offered, with SSH_ALGORITHM_WEAK), and host key signatures without
// SHA-1.
#define BOOST_TEST_MODULE integration_algorithms
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"

#include <sstream>
#include <string>
#include <vector>

using namespace csh::test;

namespace {

const User kUser{"algo", "algo-pass", ""};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

RunResult audit(const Gateway& gateway) {
    return run({"ssh-audit", "-n", "-p", std::to_string(gateway.port()), "127.0.0.1"}, "", {},
               std::chrono::seconds(60));
}

// The [fail] and [warn] lines of an ssh-audit report.
std::vector<std::string> findings(const std::string& report) {
    std::vector<std::string> out;
    for (const auto& line : lines_of(report)) {
        if (line.find("[fail]") != std::string::npos || line.find("[warn]") != std::string::npos) {
            out.push_back(line);
        }
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_default_offer_passes_ssh_audit) {
    Gateway gateway(static_auth_local_backend(kUser));
    const auto r = audit(gateway);
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.out.find("(kex) curve25519-sha256") != std::string::npos);  // it did audit the server
        std::vector<std::string> problems;
        for (const auto& line : findings(r.out)) {
            // Debian 12's ssh-audit 2.5.0 predates the strict key exchange
            // countermeasure against Terrapin (OpenSSH 9.6, December 2023)
            // and calls its marker an unknown algorithm; later versions know it.
            const bool strict_kex_marker = line.find("kex-strict-s-v00@openssh.com") != std::string::npos &&
                                           line.find("unknown algorithm") != std::string::npos;
            if (!strict_kex_marker) problems.push_back(line);
        }
        BOOST_TEST(problems.empty(), "ssh-audit found: " << (problems.empty() ? "" : problems.front()));
        BOOST_TEST(r.out.find("ecdh-sha2-nistp") == std::string::npos);
        BOOST_TEST(r.out.find("(mac) hmac-sha2-256 ") == std::string::npos);
    }
    BOOST_TEST(gateway.count("SSH_ALGORITHM_UNSUPPORTED") == 0u);  // the default's newer names are left out quietly
    BOOST_TEST(gateway.count("SSH_ALGORITHM_WEAK") == 0u);
}

BOOST_AUTO_TEST_CASE(openssh_gets_strict_key_exchange) {
    Gateway gateway(static_auth_local_backend(kUser));
    const auto r = ssh(gateway, {kUser.name, kUser.password, {}}, {"-vvv", "-o", "LogLevel=DEBUG3"}, {"true"});
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.err.find("kex-strict-s-v00@openssh.com") != std::string::npos);
        BOOST_TEST(r.err.find("will use strict KEX ordering") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(a_weak_name_the_file_asks_for_is_offered_with_a_warning) {
    // ContainerSSH's own default list: a file copied from it must keep working.
    Gateway gateway(static_auth_local_backend(kUser), true,
                    {"kex: [curve25519-sha256@libssh.org, ecdh-sha2-nistp521, ecdh-sha2-nistp384, ecdh-sha2-nistp256]",
                     "macs: [hmac-sha2-256-etm@openssh.com, hmac-sha2-256]"});
    const std::string line = gateway.wait_for("SSH_ALGORITHM_WEAK");
    BOOST_TEST(!line.empty());
    BOOST_TEST(gateway.count("SSH_ALGORITHM_WEAK") == 4u);  // three curves and one MAC, once each
    const auto r = ssh(gateway, {kUser.name, kUser.password, {}},
                       {"-o", "KexAlgorithms=ecdh-sha2-nistp256", "-o", "MACs=hmac-sha2-256", "-o",
                        "Ciphers=aes128-ctr"},
                       {"echo offered"});
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.out == "offered\n");
    }
}

BOOST_AUTO_TEST_CASE(a_name_this_ssh_library_lacks_is_left_out_with_a_warning) {
    Gateway gateway(static_auth_local_backend(kUser), true, {"kex: [mlkem768x25519-sha256, curve25519-sha256]"});
    const auto r = audit(gateway);
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.out.find("(kex) curve25519-sha256") != std::string::npos);
#if CSH_LIBSSH_HAS_MLKEM
        BOOST_TEST(r.out.find("mlkem768x25519-sha256") != std::string::npos);
        BOOST_TEST(gateway.count("SSH_ALGORITHM_UNSUPPORTED") == 0u);
#else
        BOOST_TEST(r.out.find("mlkem768x25519-sha256") == std::string::npos);
        const std::string line = gateway.wait_for("SSH_ALGORITHM_UNSUPPORTED");
        BOOST_TEST(json_field(line, "algorithm") == "mlkem768x25519-sha256");
#endif
    }
}

BOOST_AUTO_TEST_CASE(an_rsa_host_key_signs_without_sha1) {
    TempDir keys;
    const auto key = keys.path() / "rsa_host_key";
    const auto made = run({"ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "", "-f", key.string()});
    BOOST_TEST_REQUIRE(made.exit_code == 0);
    Gateway gateway(static_auth_local_backend(kUser), false, {"hostkeys: [" + key.string() + "]"});
    const SshLogin login{kUser.name, kUser.password, {}};
    const auto sha2 = ssh(gateway, login, {"-o", "HostKeyAlgorithms=rsa-sha2-512"}, {"echo sha2"});
    BOOST_TEST_CONTEXT(describe(sha2)) {
        BOOST_TEST(sha2.exit_code == 0);
        BOOST_TEST(sha2.out == "sha2\n");
    }
    // The client must allow ssh-rsa explicitly: OpenSSH 8.8 and later do not offer it.
    const auto sha1 = ssh(gateway, login, {"-o", "HostKeyAlgorithms=ssh-rsa", "-o", "PubkeyAcceptedAlgorithms=+ssh-rsa"},
                          {"echo sha1"});
    BOOST_TEST_CONTEXT(describe(sha1)) {
        BOOST_TEST(sha1.exit_code == 255);
        BOOST_TEST(sha1.out == "");
    }
    // Which side sees the mismatch first is a race; the gateway always logs it.
    const std::string failed = gateway.wait_for("SSH_HANDSHAKE_FAILED");
    BOOST_TEST(failed.find("host key algo") != std::string::npos);
    BOOST_TEST(failed.find("server [rsa-sha2-512,rsa-sha2-256]") != std::string::npos);
}
