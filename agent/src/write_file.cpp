// write-file: the gateway deploys files (e.g. a Kerberos credential cache)
// into the container by streaming them to this mode's stdin. The content may
// be secret, hence mode 0600 even for a file that existed before.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "output.hpp"
#include "usage.hpp"

namespace csh::agent {

namespace {

int fail(const char* what, const char* path, int error) {
    report_error({what, path, ": ", std::strerror(error)});
    return kExitWriteFailed;
}

}  // namespace

int run_write_file(char** args) {
    if (args[0] == nullptr) return usage_error({"write-file requires a PATH"});
    if (args[1] != nullptr) return usage_error({"write-file takes one PATH, extra argument: ", args[1]});
    const char* path = args[0];

    const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return fail("cannot open ", path, errno);
    // open's mode only applies to a new file (and the umask could narrow it
    // further); an existing file keeps its mode without this.
    if (::fchmod(fd, 0600) != 0) {
        const int error = errno;
        ::close(fd);
        return fail("cannot set mode 0600 on ", path, error);
    }

    static char buffer[64 * 1024];
    for (;;) {
        const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof(buffer));
        if (got == 0) break;
        if (got < 0) {
            if (errno == EINTR) continue;
            const int error = errno;
            ::close(fd);
            return fail("cannot read stdin for ", path, error);
        }
        if (!write_all(fd, buffer, static_cast<std::size_t>(got))) {
            const int error = errno;
            ::close(fd);
            return fail("cannot write ", path, error);
        }
    }
    // Delayed write errors (NFS, full disk) surface only here.
    if (::close(fd) != 0) return fail("cannot write ", path, errno);
    return kExitOk;
}

}  // namespace csh::agent
