#!/usr/bin/python3
"""Samples a process's thread count from /proc until its standard input closes.

Runs as a process of its own, beside the benchmark client, so that the
client's event loop (busy with hundreds of handshakes) neither delays the
samples nor is slowed by them. Every INTERVAL seconds it reads the Threads
line of /proc/PID/status and lists /proc/PID/task, so a thread that lives
for a while between two samples still shows up among the distinct ones.
When standard input reaches end of file it prints one JSON object:

  {"samples": N, "interval_ms": 10.0, "mean_interval_ms": 10.3,
   "min": 3, "max": 3, "first": 3, "last": 3,
   "distinct_threads": 3, "names": {"containerssh": 3},
   "port_connections_max": 12}

--count-port PORT also counts, every tenth sample, the established TCP
connections on this machine whose remote end is 127.0.0.1:PORT (the
gateway's connections to the auth server), and reports the largest count.

  /usr/bin/python3 bench/lib/thread_sampler.py --pid PID [--interval 0.01] [--count-port PORT]
"""

import argparse
import json
import os
import select
import sys
import time

PORT_SAMPLE_EVERY = 10  # /proc/net/tcp lists every socket: read it less often
TCP_ESTABLISHED = "01"


def thread_count(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    raise KeyError("Threads")


def thread_name(pid, tid):
    try:
        with open(f"/proc/{pid}/task/{tid}/comm") as comm:
            return comm.read().strip()
    except OSError:
        return "?"  # it ended between listing and reading


def connections_to(port):
    """Established IPv4 connections whose remote end is 127.0.0.1:port."""
    want = f"0100007F:{port:04X}"
    count = 0
    with open("/proc/net/tcp") as table:
        next(table)  # header
        for line in table:
            fields = line.split()
            if fields[2] == want and fields[3] == TCP_ESTABLISHED:
                count += 1
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--interval", type=float, default=0.01, help="seconds between samples")
    parser.add_argument("--count-port", type=int)
    args = parser.parse_args()

    counts, names, port_max = [], {}, None
    started = time.monotonic()
    while True:
        try:
            counts.append(thread_count(args.pid))
            for tid in os.listdir(f"/proc/{args.pid}/task"):
                if tid not in names:
                    names[tid] = thread_name(args.pid, tid)
        except (OSError, KeyError):
            break  # the process is gone: report what was seen
        if args.count_port and len(counts) % PORT_SAMPLE_EVERY == 1:
            port_max = max(port_max or 0, connections_to(args.count_port))
        # Waiting on stdin doubles as the sleep: end of file wakes it at once.
        readable, _, _ = select.select([sys.stdin], [], [], args.interval)
        if readable and not sys.stdin.buffer.read1(4096):
            break
    elapsed = time.monotonic() - started

    by_name = {}
    for name in names.values():
        by_name[name] = by_name.get(name, 0) + 1
    result = {"samples": len(counts), "interval_ms": args.interval * 1000,
              "mean_interval_ms": round(elapsed * 1000 / max(1, len(counts)), 2),
              "min": min(counts, default=None), "max": max(counts, default=None),
              "first": counts[0] if counts else None, "last": counts[-1] if counts else None,
              "distinct_threads": len(names), "names": by_name}
    if args.count_port:
        result["port_connections_max"] = port_max
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
