#include "recorder_file.hpp"

#include "messages.hpp"

#include <containerssh/sdk/types.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace audit_recorder {

RecorderFile::RecorderFile(std::string path)
    : path_(std::move(path)), fd_(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640)) {
    if (fd_ < 0) {
        throw csh::sdk::Error(codes::AUDIT_RECORDER_FILE_OPEN_FAILED,
                              "cannot open " + path_ + " for appending: " + std::strerror(errno), {{"file", path_}});
    }
}

RecorderFile::~RecorderFile() { ::close(fd_); }

int RecorderFile::append(std::string_view line) {
    std::lock_guard<std::mutex> lock(mutex_);
    while (!line.empty()) {
        const ssize_t written = ::write(fd_, line.data(), line.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        line.remove_prefix(static_cast<size_t>(written));
    }
    return 0;
}

}  // namespace audit_recorder
