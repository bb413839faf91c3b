#!/usr/bin/python3
"""Opens COUNT session channels on one SSH connection, one after the other,
each running COMMAND (which must print one line, then keep running until its
stdin ends), while the earlier ones stay open; then ends them all.

OpenSSH's client opens one session per connection unless multiplexed, so
this uses asyncssh to show a per-connection session limit.
Usage: sessions_until_refused.py PORT USER PASSWORD COUNT COMMAND
Prints per session "session N LINE" or "session N refused CODE REASON",
then "closed" and the exit statuses of the sessions that ran.
"""
import asyncio
import sys
import warnings

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402


async def main(port, user, password, count, command):
    async with asyncssh.connect("127.0.0.1", port=int(port), username=user, password=password,
                                known_hosts=None, client_keys=None, agent_path=None) as conn:
        running = []
        for n in range(1, int(count) + 1):
            try:
                process = await conn.create_process(command)
            except asyncssh.ChannelOpenError as error:
                print("session", n, "refused", error.code, error.reason, flush=True)
                continue
            line = await asyncio.wait_for(process.stdout.readline(), 60)
            print("session", n, line.strip(), flush=True)
            running.append(process)
        statuses = []
        for process in running:
            process.stdin.write_eof()
            statuses.append(str((await asyncio.wait_for(process.wait(), 60)).exit_status))
        print("closed", " ".join(statuses), flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
