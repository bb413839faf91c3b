#include "test_database.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace csh::test {

void write_geoip_database(const std::filesystem::path& file, const std::vector<std::string>& networks) {
    // Arguments go to perl as they are (no shell), so any path works.
    std::vector<std::string> args{"perl", CSH_WRITE_GEOIP_DB, file.string()};
    args.insert(args.end(), networks.begin(), networks.end());
    std::vector<char*> argv;
    for (auto& arg : args) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);

    pid_t pid = 0;
    if (const int error = posix_spawnp(&pid, "perl", nullptr, nullptr, argv.data(), environ); error != 0) {
        throw std::system_error(error, std::generic_category(), "starting perl " CSH_WRITE_GEOIP_DB);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "waiting for perl " CSH_WRITE_GEOIP_DB);
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error(CSH_WRITE_GEOIP_DB " failed writing " + file.string() +
                                 " (status " + std::to_string(status) + ")");
    }
}

}  // namespace csh::test
