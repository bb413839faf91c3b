"""Memory, thread and descriptor figures of a server's process tree, from /proc.

A server is its main process plus every descendant running the same
executable: for the gateway that is the one process, for sshd it is the
listener plus the per-connection monitor and user processes it forks. The
programs run inside sessions (sh, sleep) are left out on both sides: they are
the backend's cost, not the server's.
"""

import os
from dataclasses import dataclass, asdict


def _read_status(pid: int) -> dict:
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def _kib(field: str) -> int:
    return int(field.split()[0])  # "1234 kB"


def _children(pid: int) -> list:
    found = []
    task_dir = f"/proc/{pid}/task"
    for tid in os.listdir(task_dir):
        try:
            with open(f"{task_dir}/{tid}/children") as children:
                found.extend(int(c) for c in children.read().split())
        except FileNotFoundError:
            pass  # the thread ended while we looked
    return found


def descendants(pid: int) -> list:
    """Every live descendant of pid (not pid itself)."""
    found, todo = [], [pid]
    while todo:
        try:
            kids = _children(todo.pop())
        except FileNotFoundError:
            continue
        found.extend(kids)
        todo.extend(kids)
    return found


def _exe(pid: int):
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


def server_processes(pid: int) -> list:
    exe = _exe(pid)
    return [pid] + [p for p in descendants(pid) if _exe(p) == exe]


def comm(pid: int):
    try:
        with open(f"/proc/{pid}/comm") as name:
            return name.read().strip()
    except OSError:
        return None


def start_time(pid: int):
    """The process's start time in clock ticks: tells a pid from its reuse."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def _pss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return _kib(line.split(":", 1)[1])
    return 0


@dataclass
class Snapshot:
    processes: int  # server processes counted
    rss_kib: int  # sum of VmRSS over them
    pss_kib: int  # sum of Pss: shared pages split between sharers
    threads: int  # sum of Threads over them
    fds: int  # open descriptors of the main process

    def as_dict(self) -> dict:
        return asdict(self)


def snapshot(pid: int) -> Snapshot:
    rss = pss = threads = counted = 0
    for proc in server_processes(pid):
        try:
            status = _read_status(proc)
            rss += _kib(status["VmRSS"])
            threads += int(status["Threads"])
            pss += _pss_kib(proc)
            counted += 1
        except (FileNotFoundError, ProcessLookupError, KeyError):
            pass  # it exited between listing and reading
    return Snapshot(processes=counted, rss_kib=rss, pss_kib=pss, threads=threads,
                    fds=len(os.listdir(f"/proc/{pid}/fd")))
