#!/usr/bin/python3
"""Opens a shell under a 24x80 pty, reads `stty size`, sends a window-change
to 40x100 and reads `stty size` again.

The size change travels asynchronously (window-change has no reply and the
backend applies it through its own API), so each size is read repeatedly until
it shows the expected value or the deadline passes; the last value read is
printed either way, so a size that never arrives is reported as what it was.
Usage: pty_resize.py PORT USER PASSWORD
Prints two lines, e.g. "24 80" then "40 100".
"""
import asyncio
import re
import sys
import warnings

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402

DEADLINE = 60.0


async def read_size(process, buffer, marker):
    """Runs `stty size` and returns "ROWS COLS" as printed by the remote shell."""
    # The shell echoes the typed line with the quotes; only the output has the bare marker.
    process.stdin.write("stty size; echo %s''%s\n" % (marker[:2], marker[2:]))
    pattern = re.compile(r"(\d+) (\d+)\r?\n%s\r?\n" % re.escape(marker))
    while True:
        match = pattern.search(buffer[0])
        if match:
            buffer[0] = buffer[0][match.end():]
            return "%s %s" % (match.group(1), match.group(2))
        chunk = await asyncio.wait_for(process.stdout.read(4096), 30)
        if not chunk:
            raise SystemExit("the shell ended; output so far: %r" % buffer[0])
        buffer[0] += chunk


async def settle(process, buffer, expected, tag):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    attempt = 0
    while True:
        attempt += 1
        seen = await read_size(process, buffer, "%s%d" % (tag, attempt))
        if seen == expected or loop.time() > deadline:
            return seen
        await asyncio.sleep(0.5)


async def main(port, user, password):
    async with asyncssh.connect("127.0.0.1", port=int(port), username=user, password=password,
                                known_hosts=None, client_keys=None, agent_path=None) as conn:
        process = await conn.create_process(term_type="xterm", term_size=(80, 24))
        buffer = [""]
        first = await settle(process, buffer, "24 80", "AA")
        process.change_terminal_size(100, 40)
        second = await settle(process, buffer, "40 100", "BB")
        process.stdin.write("exit\n")
        await asyncio.wait_for(process.wait(), 30)
        print(first)
        print(second)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
