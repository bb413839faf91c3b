// Configuration fragments for the test plugins (tests/plugins/*/README.md).
#pragma once

#include <string>

namespace csh::test {

struct User {
    std::string name;
    std::string password;
    std::string authorized_key;  // "ssh-ed25519 AAAA..." or empty
};

// auth-static serving passwords and public keys for one user (the `auth`
// section only; the caller adds a backend).
inline std::string static_auth(const User& user) {
    std::string users = "        users:\n          " + user.name + ":\n";
    if (!user.password.empty()) users += "            password: \"" + user.password + "\"\n";
    if (!user.authorized_key.empty()) {
        users += "            authorizedKeys:\n              - \"" + user.authorized_key + "\"\n";
    }
    return "auth:\n"
           "  password:\n"
           "    method: static\n"
           "    static:\n" +
           users +
           "  publicKey:\n"
           "    method: static\n"
           "    static:\n" +
           users;
}

// The local-process backend running programs with /bin/sh.
inline std::string local_backend() { return "backend: local\nlocal:\n  shell: [/bin/sh]\n"; }

// auth-static serving passwords and public keys for one user, and the
// local-process backend.
inline std::string static_auth_local_backend(const User& user) { return static_auth(user) + local_backend(); }

// auth-static serving keyboard-interactive only (two rounds: the user's
// password, then `code`), and the local-process backend.
inline std::string static_kbdint_local_backend(const User& user, const std::string& code) {
    return "auth:\n"
           "  keyboardInteractive:\n"
           "    method: static\n"
           "    static:\n"
           "      users:\n"
           "        " + user.name + ":\n"
           "          password: \"" + user.password + "\"\n"
           "          code: \"" + code + "\"\n"
           "backend: local\n"
           "local:\n"
           "  shell: [/bin/sh]\n";
}

// Password logins asked of a webhook at `url` (an HttpTestServer answering
// /password), a configuration server at `url`/config, and the local-process
// backend with /bin/sh as its shell.
inline std::string webhook_auth_config_server_local_backend(const std::string& url) {
    return "auth:\n  password:\n    method: webhook\n    webhook:\n      url: " + url +
           "\n      timeout: 1s\nconfigserver:\n  url: " + url +
           "/config\n  timeout: 1s\nbackend: local\nlocal:\n  shell: [/bin/sh]\n";
}

// Password logins asked of a webhook at `url` (an HttpTestServer answering
// /password), the `auth` section only.
inline std::string webhook_password_auth(const std::string& url, const std::string& timeout = "2s") {
    return "auth:\n"
           "  password:\n"
           "    method: webhook\n"
           "    webhook:\n"
           "      url: " + url + "\n"
           "      timeout: " + timeout + "\n";
}

inline std::string audit_recorder(const std::string& file) {
    return "audit:\n"
           "  enable: true\n"
           "  storage: recorder\n"
           "  intercept:\n"
           "    stdin: true\n"
           "    stdout: true\n"
           "    stderr: true\n"
           "  recorder:\n"
           "    file: " +
           file + "\n";
}

}  // namespace csh::test
