// The command line of containerssh-auth-config-server.
#pragma once

#include <optional>
#include <string>

#include "messages.hpp"

namespace example_server {

struct Options {
    std::string users_file;
    std::string listen = "127.0.0.1:8080";
    Level log_level = Level::NOTICE;
    bool list_codes = false;
    bool help = false;
    std::string help_text;
};

// nullopt with `error` set for a command line that cannot be run (unknown
// option, missing --users, unknown level).
std::optional<Options> parse_options(int argc, const char* const* argv, std::string& error);

}  // namespace example_server
