#include "output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace csh::agent {

bool write_all(int fd, const void* data, std::size_t size) {
    const char* next = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t written = ::write(fd, next, size);
        if (written < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        next += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

void report_error(std::initializer_list<std::string_view> parts) {
    char line[1024];
    std::size_t used = 0;
    auto append = [&](std::string_view text) {
        // Keep one byte for the newline.
        std::size_t room = sizeof(line) - 1 - used;
        std::size_t take = text.size() < room ? text.size() : room;
        std::memcpy(line + used, text.data(), take);
        used += take;
    };
    append("Error: ");
    for (std::string_view part : parts) append(part);
    line[used++] = '\n';
    // Nothing sensible is left to do when stderr itself fails.
    (void)write_all(STDERR_FILENO, line, used);
}

}  // namespace csh::agent
