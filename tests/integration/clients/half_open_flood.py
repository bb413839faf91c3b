#!/usr/bin/python3
"""Holds COUNT half-open connections to 127.0.0.1:PORT from SOURCE (a
loopback address such as 127.0.0.2): TCP connected, and every other one has
sent an SSH identification line and then nothing, so no key exchange and no
authentication ever finish. Prints "ready N" once all are connected (N the
connections the server has not closed by then), then holds them until its
stdin ends.
Usage: half_open_flood.py SOURCE PORT COUNT
"""
import socket
import sys
import time


def main(source, port, count):
    held = []
    for n in range(int(count)):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((source, 0))
        s.connect(("127.0.0.1", int(port)))
        if n % 2 == 0:
            s.sendall(b"SSH-2.0-flood\r\n")
        held.append(s)
    # Let the server accept (and refuse) them all before counting.
    time.sleep(1)
    alive = 0
    for s in held:
        s.setblocking(False)
        try:
            data = s.recv(4096)
            alive += 1 if data else 0  # b"": closed by the server
        except BlockingIOError:
            alive += 1
        except ConnectionError:
            pass
    print("ready", alive, flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main(*sys.argv[1:4])
