// The users file: who may log in, with which password hash and keys, and
// what each user's sessions get (environment, image, configuration).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "authorized_key.hpp"

namespace example_server {

struct User {
    std::string password_hash;  // crypt(3) hash; empty: password login refused
    std::vector<AuthorizedKey> authorized_keys;
    std::map<std::string, std::string> environment;
    // The user's `config` with the `image` shortcut merged in, as JSON text;
    // "{}" when the user has neither.
    std::string config_json = "{}";
};

// Why the users file was refused: the file, the key (users.alice.password)
// and what is wrong with it.
class UsersFileError : public std::runtime_error {
public:
    // what() reads "users.alice.password is not …", or "the users file …"
    // for problems with the whole file.
    UsersFileError(std::string file, std::string key_path, const std::string& problem)
        : std::runtime_error((key_path.empty() ? std::string("the users file") : key_path) + " " + problem),
          file_(std::move(file)),
          key_path_(std::move(key_path)) {}
    const std::string& file() const { return file_; }
    const std::string& key_path() const { return key_path_; }

private:
    std::string file_;
    std::string key_path_;
};

// The users of one read of the file. Immutable once loaded, so request
// threads share it while a reload builds the next one.
class UserDirectory {
public:
    // Reads and checks the whole file; throws UsersFileError on the first problem.
    static UserDirectory load(const std::string& file);

    const User* find(const std::string& name) const;
    std::size_t size() const { return users_.size(); }

private:
    std::map<std::string, User> users_;
};

}  // namespace example_server
