#include "fd_capture.hpp"

#include <cstdio>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace csh::log::test {

FdCapture::FdCapture(int fd, const std::string& into_file) : fd_(fd), saved_(::dup(fd)) {
    std::fflush(nullptr);  // what stdio buffered so far belongs to the real fd
    const int target = ::open(into_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (saved_ < 0 || target < 0 || ::dup2(target, fd) < 0) {
        throw std::runtime_error("cannot redirect fd " + std::to_string(fd) + " into " + into_file);
    }
    ::close(target);
}

FdCapture::~FdCapture() {
    std::fflush(nullptr);
    ::dup2(saved_, fd_);
    ::close(saved_);
}

}  // namespace csh::log::test
