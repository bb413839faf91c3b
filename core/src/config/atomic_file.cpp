#include "config/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace csh::config::detail {
namespace {

[[noreturn]] void throw_errno(int error, const std::string& what) {
    throw std::system_error(error, std::generic_category(), what);
}

// Closes on scope exit; close errors after a successful fsync are not data loss.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_;
};

void write_all(int fd, std::string_view content, const std::string& name) {
    while (!content.empty()) {
        ssize_t written = ::write(fd, content.data(), content.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            throw_errno(errno, "cannot write " + name);
        }
        content.remove_prefix(static_cast<std::size_t>(written));
    }
}

}  // namespace

std::string read_file(const std::filesystem::path& file) {
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) throw_errno(errno, "cannot read " + file.string());
    std::string content;
    char buffer[65536];
    for (;;) {
        ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw_errno(errno, "cannot read " + file.string());
        }
        if (got == 0) break;
        content.append(buffer, static_cast<std::size_t>(got));
    }
    return content;
}

void replace_file_atomically(const std::filesystem::path& file, std::string_view content) {
    std::error_code error;
    std::filesystem::path target =
        std::filesystem::is_symlink(file, error) ? std::filesystem::canonical(file, error) : file;
    if (error) throw std::system_error(error, "cannot resolve " + file.string());

    mode_t mode = 0600;
    struct stat info {};
    if (::stat(target.c_str(), &info) == 0) mode = info.st_mode & 07777;

    const std::filesystem::path temporary = target.string() + "~";
    const std::string temporary_name = temporary.string();
    Fd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (fd.get() < 0) throw_errno(errno, "cannot create " + temporary_name);
    try {
        // The umask may have narrowed the mode given to open().
        if (::fchmod(fd.get(), mode) != 0) throw_errno(errno, "cannot set permissions of " + temporary_name);
        write_all(fd.get(), content, temporary_name);
        if (::fsync(fd.get()) != 0) throw_errno(errno, "cannot flush " + temporary_name);
        if (::close(fd.release()) != 0) throw_errno(errno, "cannot close " + temporary_name);
        if (::rename(temporary.c_str(), target.c_str()) != 0) {
            throw_errno(errno, "cannot rename " + temporary_name + " to " + target.string());
        }
    } catch (...) {
        ::unlink(temporary.c_str());
        throw;
    }
    // Make the rename itself durable; a failure here loses nothing already written.
    const std::string directory_name = target.parent_path().empty() ? "." : target.parent_path().string();
    Fd directory(::open(directory_name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (directory.get() >= 0) (void)::fsync(directory.get());
}

}  // namespace csh::config::detail
