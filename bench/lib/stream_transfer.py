"""Bulk transfers through an SSH server into and out of a container, with the OpenSSH client,
and what the Docker benchmarks measure around them: the server's CPU and the engine's
containers.

bench/docker_sessions (its throughput part) and bench/audit_recording run the same
transfers, and bench/forwarding the same programs behind forwarded ports; this module holds
them once. A transfer runs one command in the container:

  out  `dd if=/dev/zero bs=1M count=N` (or another source), read by the client from ssh's stdout;
  in   `dd of=/dev/null`, fed with zeros by the client through ssh's stdin;

and returns the seconds from the first to the last byte (`transfer`), with the login
(`whole`), and the perf_counter() value of the last byte (`last`), so that something
watching the server beside it (bench/audit_recording's upload lag) can time itself from it.

`alternate` runs one direction for several sides, alternating which goes first, and waits
between two transfers until the engine removed the containers of the one before.
"""

import fcntl
import http.client
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse

from bench_targets import CIPHER, HOST_KEY_ALGORITHM, KEX
from proc_stats import descendants, server_processes

TRANSFER_TIMEOUT_SECONDS = 600.0
CLEANUP_TIMEOUT_SECONDS = 120.0
POLL_SECONDS = 0.02
CHUNK = 1 << 20
ERRORS_KEPT = 3
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
ZEROS = "/dev/zero"


def note_error(errors, text):
    if text not in errors:
        errors.append(text)


def describe(error):
    return f"{type(error).__name__}: {error}"[:300]


def cpu_seconds(pid, children=True):
    """User + system CPU of a process and (unless children is False) of its reaped children,
    from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15 if children else 13]) / CLOCK_TICKS


def tree_cpu_seconds(pid):
    """CPU of a process and of its live descendants, each with its reaped children (so a
    program that ended is counted once, in its parent), 0 once it is gone."""
    total = 0.0
    for proc in [pid] + descendants(pid):
        try:
            total += cpu_seconds(proc)
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass  # it ended while we looked
    return total


def server_cpu_seconds(pid):
    """CPU of a server's own processes (proc_stats.server_processes), each without its reaped
    children: the programs its sessions run are left out even once they end."""
    total = 0.0
    for proc in server_processes(pid):
        try:
            total += cpu_seconds(proc, children=False)
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass  # it ended while we looked
    return total


def machine_busy_seconds():
    with open("/proc/stat") as stat:
        fields = [int(f) for f in stat.readline().split()[1:]]
    user, nice, system, _, _, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / CLOCK_TICKS


def load_average():
    with open("/proc/loadavg") as source:
        return float(source.read().split()[0])


def percentile(sorted_values, fraction):
    """Nearest-rank percentile: the smallest sample with `fraction` of samples at or below it."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def log_summary(logs, offsets):
    """Per gateway log since `offsets`: lines at warning level or above counted by code, and the
    first ones at error level or above."""
    found = {}
    for name, path in logs.items():
        codes, bad = {}, []
        with open(path, errors="replace") as log:
            log.seek(offsets[name])
            for line in log:
                try:
                    record = json.loads(line)
                    level, code = record.get("level"), record.get("code", "?")
                except ValueError:
                    level, code = "unparsed", "?"
                if level in ("warning", "error", "crit", "alert", "emerg", "unparsed"):
                    codes[f"{level} {code}"] = codes.get(f"{level} {code}", 0) + 1
                    if level != "warning":
                        bad.append(line.strip())
        found[name] = {"codes": codes, "errors": len(bad), "first_errors": bad[:ERRORS_KEPT]}
    return found


# ---------------------------------------------------------------- the engine

class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("docker", timeout=timeout)
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def engine_facts(docker, env):
    """The engine's version and storage driver, as the docker CLI reports them."""
    def ask(*argv):
        return subprocess.run([docker, *argv], capture_output=True, text=True, env=env).stdout.strip()

    return {"docker_version": ask("version", "--format", "{{.Server.Version}}"),
            "storage_driver": ask("info", "--format", "{{.Driver}}")}


class Engine:
    """Just enough of the Engine API to count containers and find their processes (unix:// or
    tcp:// without TLS)."""

    def __init__(self, host, label):
        self.host = host
        self.label = label
        parsed = urllib.parse.urlparse(host)
        if parsed.scheme == "unix":
            self.connect = lambda: UnixHTTPConnection(parsed.path, 10)
        elif parsed.scheme in ("tcp", "http"):
            self.connect = lambda: http.client.HTTPConnection(parsed.hostname, parsed.port or 2375, timeout=10)
        else:
            raise SystemExit(f"{os.path.basename(sys.argv[0])}: cannot poll the engine at {host}")

    def get(self, path):
        """GET path: the JSON answer."""
        connection = self.connect()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path}: HTTP {response.status}: {body[:200]!r}")
            return json.loads(body)
        finally:
            connection.close()

    def containers(self, label):
        query = urllib.parse.urlencode({"all": "1", "filters": json.dumps({"label": [label]})})
        return [c["Id"] for c in self.get("/containers/json?" + query)]

    def container_pid(self, container):
        """The host pid of a running container's main process."""
        return self.get(f"/containers/{container}/json")["State"]["Pid"]

    def wait_gateway_containers_gone(self):
        """Seconds until no container of this run is left, or None after the timeout."""
        started = time.perf_counter()
        while self.containers(self.label):
            if time.perf_counter() - started > CLEANUP_TIMEOUT_SECONDS:
                return None
            time.sleep(POLL_SECONDS)
        return time.perf_counter() - started


# ---------------------------------------------------------------- transfers

def ssh_argv(target, key):
    return [
        "ssh", "-F", "/dev/null", "-T", "-i", key, "-p", str(target.port),
        "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes",
        "-o", "ControlMaster=no", "-o", "ControlPath=none",
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "LogLevel=ERROR", "-o", f"KexAlgorithms={KEX}",
        "-o", f"HostKeyAlgorithms={HOST_KEY_ALGORITHM}", "-o", "Compression=no",
        "-c", CIPHER, f"{target.user}@{target.host}",
    ]


def wait_reaped(pid):
    """Waits (10 s at most) until pid has no child left: sshd's listener reaps a connection's
    processes, and only then does their CPU time count in its cutime and cstime."""
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        children = ""
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as source:
                    children += source.read()
            except FileNotFoundError:
                pass
        if not children.strip():
            return
        time.sleep(POLL_SECONDS)


def widen_pipe(fd):
    try:
        fcntl.fcntl(fd, F_SETPIPE_SZ, CHUNK)
    except OSError:
        pass  # a smaller pipe only costs more reads


def drain(fd):
    """Reads fd to its end: the bytes read, and the perf_counter() of the first one and of the end."""
    received, first = 0, None
    while True:
        chunk = os.read(fd, CHUNK)
        if not chunk:
            break
        if first is None:
            first = time.perf_counter()
        received += len(chunk)
    return received, first, time.perf_counter()


def feed_zeros(out_fd, in_fd, blocks, end_input):
    """Waits for send_command()'s `ready` on out_fd, writes `blocks` MiB of zeros into in_fd,
    ends the input (end_input()) and reads out_fd to its end: what it said, and the
    perf_counter() of the first byte written and of the end."""
    output = b""
    while b"ready\n" not in output:  # the program runs: what follows is the transfer alone
        chunk = os.read(out_fd, 4096)
        if not chunk:
            break
        output += chunk
    first = time.perf_counter()
    zeros = memoryview(bytes(CHUNK))
    for _ in range(blocks):
        written = 0
        while written < CHUNK:
            written += os.write(in_fd, zeros[written:])
    end_input()
    while True:
        chunk = os.read(out_fd, 4096)
        if not chunk:
            break
        output += chunk
    return output, first, time.perf_counter()


def sink_read_all(output, blocks):
    """Whether send_command()'s dd reported reading all `blocks` MiB."""
    return f"{blocks}+0 records in".encode() in output


def receive_command(size, source=ZEROS):
    # dd writes 1 MiB at a time; busybox `head -c` would write 4 KiB at a time, and the engine
    # carries every write of a program's output as a frame of its own, which then bounds
    # every side at the engine's rate for small frames. A source other than /dev/zero may
    # return short reads: fullblock keeps the count in bytes exact.
    fullblock = "" if source == ZEROS else " iflag=fullblock"
    return f"dd if={source} bs={CHUNK} count={size // CHUNK}{fullblock} 2>/dev/null"


def send_command():
    return f"echo ready; dd of=/dev/null bs={CHUNK} iflag=fullblock 2>&1"


def receive(argv, env, size, source=ZEROS):
    """receive_command() in the container, read here: seconds from first to last byte."""
    command = receive_command(size, source)
    started = time.perf_counter()
    child = subprocess.Popen(argv + [command], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
    try:
        fd = child.stdout.fileno()
        widen_pipe(fd)
        received, first, last = drain(fd)
        err = child.communicate(timeout=TRANSFER_TIMEOUT_SECONDS)[1]
    except BaseException:
        child.kill()
        child.wait()
        raise
    if received != size or child.returncode != 0:
        raise RuntimeError(f"received {received} of {size} bytes, exit {child.returncode}: "
                           f"{err.decode(errors='replace').strip()[:200]}")
    return {"transfer": last - first, "whole": last - started, "last": last}


def send(argv, env, size):
    """Writes size zero bytes into `dd of=/dev/null` in the container: seconds from the first
    byte written to dd's report that it read them all."""
    blocks = size // CHUNK
    command = send_command()
    started = time.perf_counter()
    child = subprocess.Popen(argv + [command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)

    def end_input():
        child.stdin.close()
        child.stdin = None  # closed here: communicate() must not flush it

    try:
        widen_pipe(child.stdin.fileno())
        output, first, last = feed_zeros(child.stdout.fileno(), child.stdin.fileno(), blocks, end_input)
        err = child.communicate(timeout=TRANSFER_TIMEOUT_SECONDS)[1]
    except BaseException:
        child.kill()
        child.wait()
        raise
    if not sink_read_all(output, blocks) or child.returncode != 0:
        raise RuntimeError(f"dd said {output.decode(errors='replace').strip()[:200]!r}, exit {child.returncode}: "
                           f"{err.decode(errors='replace').strip()[:200]}")
    return {"transfer": last - first, "whole": last - started, "last": last}


def alternate(argvs, env, size, repeats, engine, cpu_pids, transfer, label, observer=None):
    """`transfer` (receive or send, or a function of (argv, env, size) around one) `repeats`
    times for each side of `argvs` ({name: ssh argv}, or whatever `transfer` takes), the side
    that goes first turning by one each round. After each transfer: the engine's containers gone
    (when an engine is given), then `observer.after`
    (when given; it may wait, for an upload for example, and its figures are kept per
    transfer), then the server's CPU over all of it (sides in cpu_pids). Returns, per side,
    lists with one entry per successful transfer, and the failures."""
    figures = {n: {"mb_per_s": [], "whole_seconds": [], "server_cpu_seconds": [], "errors": [], "failures": 0}
               for n in argvs}
    names = list(argvs)
    for repeat in range(repeats):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            pid = cpu_pids.get(name)
            cpu_before = cpu_seconds(pid) if pid else None
            if observer:
                observer.before(name)
            try:
                outcome = transfer(argvs[name], env, size)
            except Exception as error:  # noqa: BLE001
                figures[name]["failures"] += 1
                note_error(figures[name]["errors"], describe(error))
                if engine:
                    engine.wait_gateway_containers_gone()
                if observer:
                    observer.after(name, None)
                continue
            if engine:
                engine.wait_gateway_containers_gone()
            if observer:
                for key, value in observer.after(name, outcome).items():
                    figures[name].setdefault(key, []).append(value)
            if pid:
                wait_reaped(pid)
                figures[name]["server_cpu_seconds"].append(round(cpu_seconds(pid) - cpu_before, 2))
            figures[name]["mb_per_s"].append(round(size / outcome["transfer"] / 1e6, 1))
            figures[name]["whole_seconds"].append(round(outcome["whole"], 2))
            print(f"{label}: {name}: {figures[name]['mb_per_s'][-1]} MB/s", file=sys.stderr)
    for name in names:
        rates = figures[name]["mb_per_s"]
        figures[name]["median_mb_per_s"] = statistics.median(rates) if rates else None
    return figures
