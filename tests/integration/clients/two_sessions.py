#!/usr/bin/python3
"""Opens two session channels on one SSH connection, each running COMMAND
(which must print one line, then keep running until its stdin ends), and
reports the line each printed.

While both sessions are open it prints "open" and waits for a line on its own
stdin, so the caller can look at the containers; then it ends both sessions
and prints their exit statuses.
Usage: two_sessions.py PORT USER PASSWORD COMMAND
Prints: "first LINE", "second LINE", "open", then "closed STATUS STATUS".
"""
import asyncio
import sys
import warnings

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402


async def main(port, user, password, command):
    async with asyncssh.connect("127.0.0.1", port=int(port), username=user, password=password,
                                known_hosts=None, client_keys=None, agent_path=None) as conn:
        first = await conn.create_process(command)
        first_line = await asyncio.wait_for(first.stdout.readline(), 60)
        second = await conn.create_process(command)
        second_line = await asyncio.wait_for(second.stdout.readline(), 60)
        print("first", first_line.strip(), flush=True)
        print("second", second_line.strip(), flush=True)
        print("open", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        first.stdin.write_eof()
        second.stdin.write_eof()
        first_result = await asyncio.wait_for(first.wait(), 60)
        second_result = await asyncio.wait_for(second.wait(), 60)
        print("closed", first_result.exit_status, second_result.exit_status, flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
