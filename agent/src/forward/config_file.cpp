#include "config_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

namespace csh::agent::forward {

bool read_config_file(const char* variable, const char* path, std::string& out) {
    const char* chosen = std::getenv(variable);
    if (chosen == nullptr || *chosen == '\0') chosen = path;
    const int fd = ::open(chosen, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buffer[8192];
    for (;;) {
        const ssize_t got = ::read(fd, buffer, sizeof(buffer));
        if (got <= 0 || out.size() > 1024 * 1024) break;
        out.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(fd);
    return true;
}

}  // namespace csh::agent::forward
