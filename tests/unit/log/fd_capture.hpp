// Redirects a standard fd (1 or 2) into a file for the lifetime of the object,
// so tests can read what the logger wrote to stdout or stderr.
#pragma once

#include <string>

namespace csh::log::test {

class FdCapture {
public:
    FdCapture(int fd, const std::string& into_file);
    ~FdCapture();
    FdCapture(const FdCapture&) = delete;
    FdCapture& operator=(const FdCapture&) = delete;

private:
    int fd_;
    int saved_;
};

}  // namespace csh::log::test
