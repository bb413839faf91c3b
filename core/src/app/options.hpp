// The command line of `containerssh`.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace csh::app {

struct Options {
    std::string config_file = "config.yaml";
    bool dump_config = false;
    bool healthcheck = false;
    bool list_codes = false;
    bool list_plugins = false;
    bool version = false;
    bool help = false;
    std::vector<std::string> plugin_dirs;
    std::string help_text;
};

// Parses argv. Returns nullopt and fills `error` on a bad command line.
std::optional<Options> parse_options(int argc, const char* const* argv, std::string& error);

}  // namespace csh::app
