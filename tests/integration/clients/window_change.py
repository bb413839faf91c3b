#!/usr/bin/python3
"""Runs the real OpenSSH client in a pseudo-terminal, reads `stty size` from
the remote shell, resizes the local terminal (the kernel sends SIGWINCH, ssh
sends window-change) and reads `stty size` again.

Usage: window_change.py SSH_ARGV...   (password via SSH_ASKPASS in the env)
Prints the two sizes, one per line, e.g. "24 80" then "40 100".
"""
import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def read_until(fd, pattern, timeout=20.0):
    deadline = time.time() + timeout
    data = b""
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if fd in ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
            match = re.search(pattern, data)
            if match:
                return match
    raise SystemExit("timed out waiting for %r, got %r" % (pattern, data))


def main():
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[1], sys.argv[1:])
    set_size(fd, 24, 80)
    os.write(fd, b"stty size; echo MARK1\n")
    first = read_until(fd, rb"(\d+) (\d+)\r?\nMARK1")
    set_size(fd, 40, 100)
    os.kill(pid, 28)  # SIGWINCH, in case the kernel's was missed before ssh set its handler
    # The window-change travels on its own: ask until the remote terminal
    # shows the new size, for at most 10 s, and print what it showed last.
    deadline = time.time() + 10.0
    attempt = 0
    while True:
        attempt += 1
        marker = b"MARK2_%d" % attempt
        os.write(fd, b"stty size; echo " + marker + b"\n")
        second = read_until(fd, rb"(\d+) (\d+)\r?\n" + marker)
        if second.group(0).startswith(b"40 100") or time.time() > deadline:
            break
        time.sleep(0.05)
    os.write(fd, b"exit\n")
    print(first.group(1).decode(), first.group(2).decode())
    print(second.group(1).decode(), second.group(2).decode())
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


if __name__ == "__main__":
    main()
