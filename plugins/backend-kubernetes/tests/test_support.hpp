// Helpers of the Kubernetes backend's unit tests: scratch files, an
// environment variable set for one test, and the expectation that a section
// is refused at a key path without showing a secret.
#pragma once

#include <boost/test/unit_test.hpp>

#include <containerssh/sdk/types.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kubernetes_test {

constexpr const char* kCode = "KUBERNETES_CONFIG_ERROR";

// Stand-ins: the parser checks the PEM framing, not the DER inside.
inline const std::string kCaPem = "-----BEGIN CERTIFICATE-----\nQ0FDRVJU\n-----END CERTIFICATE-----\n";
inline const std::string kCertPem = "-----BEGIN CERTIFICATE-----\nQ0xJRU5U\n-----END CERTIFICATE-----\n";
inline const std::string kKeyPem = "-----BEGIN PRIVATE KEY-----\nU0VDUkVUS0VZ\n-----END PRIVATE KEY-----\n";
inline const std::string kToken = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.c2ln";
inline const std::string kPassword = "hunter2-cluster";

// A JSON string literal (with quotes) for text that holds newlines.
inline std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '\n') {
            out += "\\n";
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// A directory removed with its files when the test ends.
class ScratchDir {
public:
    ScratchDir() {
        char pattern[] = "/tmp/kcfg-test-XXXXXX";
        const char* made = ::mkdtemp(pattern);
        BOOST_REQUIRE(made != nullptr);
        path_ = made;
    }
    ~ScratchDir() {
        for (const std::string& file : files_) ::unlink(file.c_str());
        ::rmdir(path_.c_str());
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    std::string write(const std::string& name, const std::string& contents) {
        const std::string file = path_ + "/" + name;
        std::ofstream(file, std::ios::binary) << contents;
        files_.push_back(file);
        return file;
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::vector<std::string> files_;
};

// Sets (or unsets, with nullopt) an environment variable until the end of scope.
class ScopedEnv {
public:
    ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) {
            ::setenv(name, value->c_str(), 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~ScopedEnv() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

// No service account here, whatever the machine has: every test that does
// not test in-cluster runs with this.
struct NoServiceAccount {
    ScratchDir empty;
    ScopedEnv dir{"CONTAINERSSH_KUBERNETES_SERVICE_ACCOUNT_DIR", empty.path()};
    ScopedEnv host{"KUBERNETES_SERVICE_HOST", std::nullopt};
    ScopedEnv port{"KUBERNETES_SERVICE_PORT", std::nullopt};
};

// `run` must throw csh::sdk::Error with `code`, a message naming `key`, and
// none of `secrets`.
inline void expect_refused(const std::function<void()>& run, const std::string& key,
                           const std::vector<std::string>& secrets = {}, const std::string& code = kCode) {
    try {
        run();
        BOOST_ERROR("expected a refusal at " + key);
    } catch (const csh::sdk::Error& e) {
        const std::string message = e.what();
        BOOST_TEST_CONTEXT(message) {
            BOOST_TEST(std::string(e.code()) == code);
            BOOST_TEST(message.find(key) != std::string::npos);
            for (const std::string& secret : secrets) BOOST_TEST(message.find(secret) == std::string::npos);
        }
    }
}

}  // namespace kubernetes_test
