// containerssh-agent MODE [OPTIONS]: dispatches to the mode's entry point.
#include <unistd.h>

#include <string_view>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "usage.hpp"

namespace {

struct Mode {
    std::string_view name;
    int (*run)(char** args);
};

constexpr Mode kModes[] = {
    {"console", csh::agent::run_console},
    {"signal", csh::agent::run_signal},
    {"wait-signal", csh::agent::run_wait_signal},
    {"write-file", csh::agent::run_write_file},
    {"forward-server", csh::agent::run_forward_server},
};

}  // namespace

int main(int argc, char** argv) {
    using namespace csh::agent;
    if (argc < 2) return usage_error({"no mode given"});
    std::string_view mode = argv[1];
    if (mode == "--help" || mode == "-h") {
        print_usage(STDOUT_FILENO);
        return kExitOk;
    }
    for (const Mode& known : kModes) {
        if (known.name == mode) return known.run(argv + 2);
    }
    return usage_error({"unknown mode: ", mode});
}
