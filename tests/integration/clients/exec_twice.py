#!/usr/bin/python3
"""Runs FIRST on a session channel (it must print one line, then keep running
until its stdin ends), then sends a second exec request, SECOND, on the same
channel and reports whether the server accepted it.

No client sends a second exec on a running session by itself; a server must
still answer one. asyncssh has no public call for it, so this uses its
channel's _make_request (asyncssh 2.10).
Usage: exec_twice.py PORT USER PASSWORD FIRST SECOND
Prints "first LINE", "second accepted" or "second refused", "exit-status N".
"""
import asyncio
import sys
import warnings

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402
from asyncssh.packet import String  # noqa: E402


async def main(port, user, password, first, second):
    async with asyncssh.connect("127.0.0.1", port=int(port), username=user, password=password,
                                known_hosts=None, client_keys=None, agent_path=None) as conn:
        process = await conn.create_process(first)
        line = await asyncio.wait_for(process.stdout.readline(), 20)
        print("first", line.strip(), flush=True)
        accepted = await asyncio.wait_for(process.channel._make_request(b"exec", String(second)), 20)
        print("second", "accepted" if accepted else "refused", flush=True)
        process.stdin.write_eof()
        result = await asyncio.wait_for(process.wait(), 20)
        print("exit-status", result.exit_status, flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
