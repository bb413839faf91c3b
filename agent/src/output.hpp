// Unbuffered output on raw file descriptors. The agent avoids stdio: console
// replaces itself with execve, and buffered bytes would be lost or, worse,
// land after the program's own output.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string_view>

namespace csh::agent {

// Writes all `size` bytes, continuing after partial and interrupted writes.
// False on any other error (errno tells which).
bool write_all(int fd, const void* data, std::size_t size);

inline bool write_text(int fd, std::string_view text) { return write_all(fd, text.data(), text.size()); }

// One line "Error: <parts...>\n" on stderr, written with a single write so
// lines of concurrent writers do not interleave. Overlong lines are cut.
void report_error(std::initializer_list<std::string_view> parts);

}  // namespace csh::agent
