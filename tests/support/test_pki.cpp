#include "test_pki.hpp"

#include "file_contents.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace csh::test {
namespace {

// Single quotes keep paths with spaces or shell characters intact.
std::string quoted(const std::string& text) {
    std::string result = "'";
    for (char c : text) result += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return result + "'";
}

void run_openssl(const std::string& arguments) {
    const std::string command = "openssl " + arguments + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot start: " + command);
    std::string output;
    char buffer[512];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    const int status = ::pclose(pipe);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("failed: " + command + "\n" + output);
    }
}

// P-256 keys: generated instantly, unlike RSA, and every TLS stack takes them.
const char* const new_key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

void make_ca(const std::string& cert, const std::string& key, const std::string& subject) {
    run_openssl("req -x509 " + std::string(new_key) + " -days 3650 -subj " + quoted(subject) +
                " -addext " + quoted("basicConstraints=critical,CA:TRUE") +
                " -addext " + quoted("keyUsage=critical,keyCertSign,cRLSign") +
                " -keyout " + quoted(key) + " -out " + quoted(cert));
}

// A leaf certificate signed by the CA; `extensions` is an openssl extfile body.
void make_leaf(const TestPki& pki, const std::string& ca_key, const std::string& name,
               const std::string& subject, const std::string& extensions, int serial,
               const std::string& cert, const std::string& key) {
    const std::string request = pki.dir + "/" + name + ".csr";
    const std::string extfile = pki.dir + "/" + name + ".ext";
    write_file(extfile, extensions);
    run_openssl("req -new " + std::string(new_key) + " -subj " + quoted(subject) + " -keyout " +
                quoted(key) + " -out " + quoted(request));
    run_openssl("x509 -req -days 3650 -set_serial " + std::to_string(serial) + " -in " +
                quoted(request) + " -CA " + quoted(pki.ca_cert) + " -CAkey " + quoted(ca_key) +
                " -extfile " + quoted(extfile) + " -out " + quoted(cert));
}

}  // namespace

TestPki make_test_pki(const std::string& dir) {
    std::filesystem::create_directories(dir);
    TestPki pki;
    pki.dir = dir;
    pki.ca_cert = dir + "/ca.crt";
    pki.server_cert = dir + "/server.crt";
    pki.server_key = dir + "/server.key";
    pki.client_cert = dir + "/client.crt";
    pki.client_key = dir + "/client.key";
    pki.other_ca_cert = dir + "/other-ca.crt";

    const std::string ca_key = dir + "/ca.key";
    make_ca(pki.ca_cert, ca_key, "/O=ContainerSSH test/CN=csh test CA");
    make_leaf(pki, ca_key, "server", "/O=ContainerSSH test/CN=localhost",
              "basicConstraints=CA:FALSE\n"
              "keyUsage=critical,digitalSignature,keyEncipherment\n"
              "extendedKeyUsage=serverAuth\n"
              "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
              2, pki.server_cert, pki.server_key);
    make_leaf(pki, ca_key, "client", "/O=ContainerSSH test/CN=csh-test-client",
              "basicConstraints=CA:FALSE\n"
              "keyUsage=critical,digitalSignature,keyEncipherment\n"
              "extendedKeyUsage=clientAuth\n",
              3, pki.client_cert, pki.client_key);
    make_ca(pki.other_ca_cert, dir + "/other-ca.key", "/O=ContainerSSH test/CN=csh unrelated CA");
    return pki;
}

}  // namespace csh::test
