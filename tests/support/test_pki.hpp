// A throw-away certificate authority for TLS tests: a CA, a server
// certificate for 127.0.0.1/localhost and a client certificate it signed,
// plus an unrelated CA that trusts neither (for "wrong CA" cases).
#pragma once

#include <string>

namespace csh::test {

// Paths of PEM files, all inside `dir`. Keys are unencrypted.
struct TestPki {
    std::string dir;
    std::string ca_cert;
    std::string server_cert;  // subjectAltName IP:127.0.0.1, DNS:localhost
    std::string server_key;
    std::string client_cert;  // recorded subject "O=ContainerSSH test,CN=csh-test-client"
    std::string client_key;
    std::string other_ca_cert;
};

// Creates `dir` when missing and writes the files with the openssl command
// line tool; throws std::runtime_error carrying openssl's output on failure.
TestPki make_test_pki(const std::string& dir);

}  // namespace csh::test
