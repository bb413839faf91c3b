#include "usage.hpp"

#include <unistd.h>

#include "exit_codes.hpp"
#include "output.hpp"

namespace csh::agent {

namespace {

constexpr std::string_view kUsage =
    "Usage: containerssh-agent MODE [OPTIONS]\n"
    "\n"
    "Guest agent of the ContainerSSH gateway. It runs inside the container and does\n"
    "what the container engine's exec API cannot do on its own.\n"
    "\n"
    "Modes:\n"
    "  console [--env NAME=VALUE]... [--wait] [--pid] -- PROGRAM [ARGS...]\n"
    "      Replace this process with PROGRAM (execve; PROGRAM is a path and is not\n"
    "      looked up in PATH), so it may run as PID 1.\n"
    "        --env NAME=VALUE  set a variable for PROGRAM (repeatable)\n"
    "        --wait            first read one byte from stdin, which must be \\0 or \\n\n"
    "        --pid             first write this process's PID to stdout as a\n"
    "                          4-byte little-endian unsigned integer\n"
    "      Exit codes: 1 bad usage, 2 --wait read failed or got another byte,\n"
    "      3 --pid could not write, 127 PROGRAM could not be executed.\n"
    "\n"
    "  signal --pid PID --signal NAME\n"
    "      Send a signal to process PID. NAME is one of ABRT ALRM FPE HUP ILL INT\n"
    "      KILL PIPE QUIT SEGV TERM USR1 USR2 (no SIG prefix).\n"
    "      Exit codes: 0 sent, 1 bad usage, 2 no such process, 3 sending failed.\n"
    "\n"
    "  wait-signal --signal NAME [--signal NAME]... [--message TEXT]\n"
    "      Idle until one of the named signals arrives, then print TEXT (if any)\n"
    "      to stdout and exit 0. Other signals are ignored; exited child processes\n"
    "      are reaped meanwhile. Meant as PID 1 of a container.\n"
    "\n"
    "  write-file PATH\n"
    "      Write stdin to PATH, created with mode 0600 or truncated (and set to\n"
    "      0600) if it exists. Exit code 1 if PATH cannot be opened or written.\n"
    "\n"
    "  forward-server\n"
    "      Port and unix-socket forwarding endpoint of the gateway: ContainerSSH's\n"
    "      packet protocol (CBOR) on stdin/stdout, log lines on stderr. Exits at\n"
    "      end of stdin. X11 forwarding is not supported in this version.\n"
    "\n"
    "  --help, -h\n"
    "      Show this text.\n";

}  // namespace

void print_usage(int fd) { (void)write_text(fd, kUsage); }

int usage_error(std::initializer_list<std::string_view> parts) {
    report_error(parts);
    (void)write_text(STDERR_FILENO, "\n");
    print_usage(STDERR_FILENO);
    return kExitUsage;
}

}  // namespace csh::agent
