#!/usr/bin/python3
"""Starts an exec the backend never answers (run against backend-silent),
then pipelines COUNT env requests of SIZE bytes on the same channel without
asking for replies, as a hostile client would: the gateway may not answer
them before the exec, so each waits somewhere. Prints "queued" once asyncssh
has them all, then holds the connection until its stdin ends.
Usage: requests_behind_held_exec.py PORT USER PASSWORD COUNT SIZE
"""
import asyncio
import sys
import warnings

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402
from asyncssh.packet import String  # noqa: E402

channels = []


class Session(asyncssh.SSHClientSession):
    def connection_made(self, chan):
        channels.append(chan)


async def main(port, user, password, count, size):
    async with asyncssh.connect("127.0.0.1", port=int(port), username=user, password=password,
                                known_hosts=None, client_keys=None, agent_path=None) as conn:
        exec_task = asyncio.ensure_future(conn.create_session(Session, "true"))
        while not channels:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the exec is on its way and held by the backend
        value = String("x" * int(size))
        for n in range(int(count)):
            # asyncssh's own env sending, after the exec: want_reply is false.
            channels[0]._send_request(b"env", String("FLOOD_%d" % n), value)
        print("queued", flush=True)
        await asyncio.get_event_loop().run_in_executor(None, sys.stdin.read)
        exec_task.cancel()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
