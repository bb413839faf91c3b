#include "curl_fetch.hpp"

#include <fcntl.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace csh::test {
namespace {

// A pipe end that closes itself.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

std::string read_all(int fd) {
    std::string out;
    char buffer[8192];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
            out.append(buffer, static_cast<size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            return out;
        }
    }
}

// An unlinked temporary file holding `text`, positioned at its start.
int file_with(const std::string& text) {
    char name[] = "/tmp/csh-test-input-XXXXXX";
    const int fd = ::mkstemp(name);
    if (fd < 0) throw std::runtime_error("cannot create a temporary file");
    ::unlink(name);
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        throw std::runtime_error("cannot write a temporary file");
    }
    ::lseek(fd, 0, SEEK_SET);
    return fd;
}

}  // namespace

ProgramResult run_program(const std::vector<std::string>& argv, const std::string& input) {
    // Input and standard error go through files, so only one pipe is read
    // and neither side can block the other.
    Fd in{file_with(input)}, err{file_with("")};
    int out_pipe[2];
    if (::pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
    Fd out_read{out_pipe[0]};

    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::dup2(in.fd, 0);
        ::dup2(out_pipe[1], 1);
        ::dup2(err.fd, 2);
        std::vector<char*> args;
        for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        std::fprintf(stderr, "cannot run %s\n", args[0]);
        ::_exit(127);
    }
    ::close(out_pipe[1]);

    ProgramResult result;
    result.out = read_all(out_read.fd);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    ::lseek(err.fd, 0, SEEK_SET);
    result.err = read_all(err.fd);
    return result;
}

std::string Fetched::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
    }
    return {};
}

Fetched curl(const std::vector<std::string>& arguments) {
    std::vector<std::string> argv{"curl", "--silent", "--show-error", "--include", "--max-time", "60"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    const ProgramResult run = run_program(argv);

    Fetched fetched;
    fetched.curl_exit = run.exit_code;
    fetched.curl_error = run.err;
    const size_t head_end = run.out.find("\r\n\r\n");
    if (run.out.compare(0, 5, "HTTP/") != 0 || head_end == std::string::npos) return fetched;
    const std::string head = run.out.substr(0, head_end);
    fetched.body = run.out.substr(head_end + 4);

    size_t line_start = 0;
    for (bool first = true; line_start <= head.size(); first = false) {
        size_t line_end = head.find("\r\n", line_start);
        if (line_end == std::string::npos) line_end = head.size();
        const std::string line = head.substr(line_start, line_end - line_start);
        line_start = line_end + 2;
        if (first) {
            const size_t space = line.find(' ');
            if (space != std::string::npos) fetched.status = std::atoi(line.c_str() + space + 1);
            continue;
        }
        const size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        const size_t value = line.find_first_not_of(' ', colon + 1);
        fetched.headers.emplace_back(line.substr(0, colon), value == std::string::npos ? "" : line.substr(value));
    }
    return fetched;
}

}  // namespace csh::test
