"""What else used the machine's CPUs while a benchmark ran, by process name, from /proc.

A thread reads every process's utime + stime once a second and sums, per command name (comm),
what each process used since it was first seen (or since it started, for a process started
after the sampler). Processes whose name is one of `ours` are left out. Kernel threads are left out
too (their work, loopback networking among it, is partly the benchmark's). A process that starts
and ends between two samples is missed, so the figures are a lower bound.
"""

import os
import threading

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PF_KTHREAD = 0x00200000


def _read_all():
    """pid -> (comm, CPU ticks, start time in ticks since boot), kernel threads left out."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
        except OSError:
            continue  # it ended while we looked
        comm = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        if int(fields[6]) & PF_KTHREAD:  # flags, field 9 of stat(5)
            continue
        # utime, stime: fields 14-15 of stat(5); starttime: field 22.
        found[int(entry)] = (comm, int(fields[11]) + int(fields[12]), int(fields[19]))
    return found


def _uptime_ticks():
    with open("/proc/uptime") as source:
        return float(source.read().split()[0]) * CLOCK_TICKS


class OtherLoad:
    def __init__(self, ours, our_prefixes=(), interval=1.0):
        self.ours = set(ours)
        self.our_prefixes = tuple(our_prefixes)
        self.interval = interval
        self.used = {}  # comm -> ticks
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._started = _uptime_ticks()
        self._last = _read_all()
        self._thread.start()
        return self

    def _sample(self):
        now = _read_all()
        for pid, (comm, ticks, start) in now.items():
            if comm in self.ours or comm.startswith(self.our_prefixes or ("\0",)):
                continue
            before = self._last.get(pid)
            if before and before[2] == start:
                used = ticks - before[1]
            elif start >= self._started:
                used = ticks  # started after the sampler: all of it is ours to count
            else:
                continue  # first seen now, started before: no base to count from
            if used > 0:
                self.used[comm] = self.used.get(comm, 0) + used
        self._last = now

    def _run(self):
        while not self._stop.wait(self.interval):
            self._sample()

    def stop(self, top=5):
        """Seconds of CPU the other processes used, in total and the `top` names."""
        self._stop.set()
        self._thread.join()
        self._sample()
        ranked = sorted(self.used.items(), key=lambda item: -item[1])
        return {"seconds": round(sum(self.used.values()) / CLOCK_TICKS, 1),
                "top": [[comm, round(ticks / CLOCK_TICKS, 1)] for comm, ticks in ranked[:top]]}
