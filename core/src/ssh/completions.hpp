// Turns a C completion from a plugin (called once, on any thread) into a
// call on the connection's strand with a result the core owns.
#pragma once

#include "ssh/connection.hpp"
#include "ssh/metadata.hpp"

#include <containerssh/plugin.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace csh::ssh {

// Every answer carries how long the plugin took (call -> completion), for
// the login phase metrics.
using Waited = std::chrono::steady_clock::duration;

struct AuthAnswer {
    Waited waited{};
    csh_auth_outcome outcome = CSH_AUTH_UNAVAILABLE;
    std::string authenticated_username;
    Metadata metadata;
    std::string reason;
};

struct StatusAnswer {
    Waited waited{};
    csh_status status = CSH_FAILED;
    std::string reason;
};

struct ConfigAnswer {
    Waited waited{};
    csh_status status = CSH_FAILED;
    std::string config_json;
    Metadata metadata;
    std::string authenticated_username;
    std::string reason;
};

struct OpenAnswer {
    Waited waited{};
    csh_status status = CSH_FAILED;
    csh_backend_connection* connection = nullptr;
    std::string reason;
    std::string user_message;  // empty when the plugin gave none
};

template <typename Answer>
using Then = std::function<void(Connection&, Answer)>;

// Auth plugin answers also add their time to the connection's
// authentication phase (Connection::note_auth_wait).
csh_auth_completion auth_completion(Connection& connection, Then<AuthAnswer> then);
csh_status_completion status_completion(Connection& connection, Then<StatusAnswer> then);
csh_config_completion config_completion(Connection& connection, Then<ConfigAnswer> then);
csh_backend_open_completion open_completion(Connection& connection, Then<OpenAnswer> then);

}  // namespace csh::ssh
