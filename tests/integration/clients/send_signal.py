#!/usr/bin/python3
"""Sends an SSH `signal` request to a running command and prints how the
channel ended: "exit-signal NAME" or "exit-status N".

OpenSSH's client cannot send signal requests, so this uses asyncssh.
Usage: send_signal.py PORT USER PASSWORD COMMAND SIGNAL
"""
import asyncio
import sys
import warnings

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402


async def main(port, user, password, command, signal):
    async with asyncssh.connect("127.0.0.1", port=int(port), username=user, password=password,
                                known_hosts=None) as conn:
        process = await conn.create_process(command)
        # Wait until the program runs (it prints "ready") before signalling it.
        await asyncio.wait_for(process.stdout.readline(), 20)
        process.send_signal(signal)
        result = await asyncio.wait_for(process.wait(), 20)
        if result.exit_signal:
            print("exit-signal", result.exit_signal[0])
        else:
            print("exit-status", result.exit_status)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
