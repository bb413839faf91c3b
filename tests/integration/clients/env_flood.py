#!/usr/bin/python3
"""Sets COUNT environment variables of SIZE bytes each (FLOOD_1..FLOOD_COUNT)
on one session, as a hostile client would, then runs COMMAND there.

OpenSSH's client sends only the variables its configuration names, so this
uses asyncssh, which sends one env request per entry without waiting.
Usage: env_flood.py PORT USER PASSWORD COUNT SIZE COMMAND
Prints the command's stdout, then "exit STATUS".
"""
import asyncio
import sys
import warnings

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402


async def main(port, user, password, count, size, command):
    env = {"FLOOD_%d" % n: "x" * int(size) for n in range(1, int(count) + 1)}
    async with asyncssh.connect("127.0.0.1", port=int(port), username=user, password=password,
                                known_hosts=None, client_keys=None, agent_path=None) as conn:
        result = await asyncio.wait_for(conn.run(command, env=env), 120)
        sys.stdout.write(result.stdout)
        print("exit", result.exit_status, flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:7]))
