"""The "Port forwarding" section of docs/performance.md.

bench/render_report calls render_section with what bench/forwarding wrote (forwarding.json)
and machine.json; only figures from those files appear, the prose is fixed here.
"""

import statistics

from markdown import log_problems, measured_line, problems_part, ratio, table

HEADING = "## Port forwarding"

# The target: `ssh -L` into the container at least 0.9 of sshd's `-L` on its host.
GATEWAY_VS_SSHD = 0.9

DIRECTIONS = (("in", "client → target"), ("out", "target → client"))
COLUMNS = (("gateway", "gateway"), ("sshd", "sshd"))
PARTS = ("client", "server", "engine", "agent")  # bench/forwarding's CpuWatch
CPU_PARTS = (("server_cpu_seconds", "server"), ("engine_cpu_seconds", "engine"), ("agent_cpu_seconds", "shim and agent"),
             ("client_cpu_seconds", "client (ssh)"), ("whole_path_cpu_seconds", "whole path"))
GATEWAY_ONLY = ("engine_cpu_seconds", "agent_cpu_seconds")

PROSE = """{heading}

`ssh -L` through the gateway into the connection's container ([forwarding](forwarding.md#through-the-docker-backend):
the agent's `forward-server`, one process per connection, started at the first forwarded
connection and speaking the forwarding protocol over its exec stream) against OpenSSH's `sshd`
{openssh} forwarding to the same servers on its own host, side by side in one run
(`bench/forwarding`):

- **gateway**: the Docker backend in connection mode, configured as the [Docker
  benchmark](#sessions-in-docker-containers)'s connection-mode gateway, with
  `security.forwarding.forwardingMode: enable` and its log level at `info`;
- **sshd**: the `sshd` of the [comparison above](#performance), forwarding with its defaults
  (`AllowTcpForwarding yes`), to 127.0.0.1 on its host.

Both are reached with the OpenSSH client, key exchange `{kex}`, host key `{host_key}` and cipher
`{cipher}`, compression off. Per side one client holds one connection for the whole run; its
session starts three busybox `nc -ll` servers on 127.0.0.1 (in the container; on the host for
`sshd`), each forking its program for every connection, and the connection carries one `-L` to
each. Both sides run the same programs: busybox's shell runs its own applets.

- **sink**: `{sink}`;
- **source**: `{source}`;
- **echo**: `{echo}`.

The engine is Docker {docker_version} with the `{storage_driver}` storage driver{engine_note}.
The engine, both servers, the servers' programs, the client and everything else running on the
machine share its {nproc} CPUs: compare the columns of one run, not figures from different runs.

Run only this benchmark, and rewrite only this section, with `CSH_BENCH_ONLY=forwarding
./bench/run` (as root; about {minutes} minutes on {nproc} CPUs). It uses the engine as the Docker
benchmark does. `CSH_BENCH_FORWARD_MIB` ({mib} MiB per transfer), `CSH_BENCH_FORWARD_REPEATS`
({repeats} transfers per side and direction, and rounds of round trips) and
`CSH_BENCH_FORWARD_PINGS` ({pings} round trips per side and round) change the defaults.

### What is measured

Every figure goes through a forwarded port: a Python client connects to the local end of a `-L`,
one connection at a time (busybox `nc` listens with a backlog of 2).

**Throughput.** *Client → target*: {mib} MiB of zeros written into the sink, from the first byte
written (after the sink's `ready`) to `dd`'s report that it read them all, which comes back
after the client's half-close reached it. *Target → client*: the source's {mib} MiB, from the
first to the last byte. MB is 10⁶ bytes. The sides take turns, the one that goes first turning
each round, {repeats} rounds per direction; the tables give the median and each transfer.
Around each transfer the CPU of what carries the bytes between the client's socket and the
target's is read from `/proc`: the *client*, the OpenSSH client holding the `-L`; the *server*,
the gateway process or `sshd`'s processes (the listener and the connection's); and, for the
gateway only (`sshd` connects to the target itself), the *engine*, {engine_parts}, which carries
the exec stream, and the *shim and agent*: the container's `containerd-shim`, which copies the
exec's standard input and output, with what runs under it, the agent's `forward-server` (the
idle servers and shells beside it cost nothing). Their sum is the *whole path*. The programs at
the target (`nc`, `dd`, `cat`) are the same on both sides and left out, as is the Python client.

**Latency.** {pings} sequential round trips of one byte over one forwarded connection to the
echo server (`TCP_NODELAY` on the client's socket; the connection's first round trip, which
opens the channel, is not counted), per side and round, {repeats} rounds alternating; median
and p99 (nearest rank) of every round trip.

**Connection cost.** The time from the connect to the local port until one byte sent to the
echo server came back, for the first forwarded connection of the SSH connection (the
gateway then starts the agent's `forward-server` in the container) and for {later} further
connections.
"""


def whole_path(figures):
    """Per transfer: the sum of the parts' CPU."""
    return [sum(parts) for parts in zip(*(figures.get(f"{part}_cpu_seconds", []) for part in PARTS))]


def fmt_rate(value):
    return f"{value:,.1f} MB/s" if value is not None else "n/a"


def fmt_us(value):
    return f"{value:,.0f} µs" if value is not None else "n/a"


def middle(values):
    return statistics.median(values) if values else None


def per_gib(data, figures, key):
    value = middle(figures.get(key, []))
    return value / (data["bytes"] / 2 ** 30) if value is not None else None


def fmt_seconds(value):
    return f"{value:.2f} s" if value is not None else "n/a"


def rate(data, direction, name):
    return data["directions"][direction][name]["median_mb_per_s"]


def target_rows(data):
    rows = []
    for direction, label in DIRECTIONS:
        value = ratio(rate(data, direction, "gateway"), rate(data, direction, "sshd"))
        met = value != "n/a" and float(value) >= GATEWAY_VS_SSHD
        rows.append((f"{data['bytes'] // 2 ** 20:,} MiB {label}: at least {GATEWAY_VS_SSHD} of sshd",
                     f"{value} ({fmt_rate(rate(data, direction, 'gateway'))} / "
                     f"{fmt_rate(rate(data, direction, 'sshd'))})", "yes" if met else "no"))
    return rows


def ratio_rows(data):
    """The figures side by side, ratios gateway / sshd: throughput, CPU, latency, connections."""
    rows = []
    for direction, label in DIRECTIONS:
        d = {n: dict(figures, whole_path_cpu_seconds=whole_path(figures))
             for n, figures in data["directions"][direction].items()}
        rows.append([f"MB/s {label}, median"] + [fmt_rate(rate(data, direction, n)) for n, _ in COLUMNS]
                    + [ratio(rate(data, direction, "gateway"), rate(data, direction, "sshd"))])
        for key, what in CPU_PARTS:
            values = [per_gib(data, d[n], key) for n, _ in COLUMNS]
            if key in GATEWAY_ONLY:  # none on sshd's side: no ratio
                rows.append([f"{what} CPU per GiB {label}, median", fmt_seconds(values[0]), "none", ""])
                continue
            rows.append([f"{what} CPU per GiB {label}, median"] + [fmt_seconds(v) for v in values]
                        + [ratio(*values)])
    latency = data["latency"]
    for key, what in (("median_us", "median"), ("p99_us", "p99")):
        values = [latency[n][key] for n, _ in COLUMNS]
        rows.append([f"1-byte round trip, {what}"] + [fmt_us(v) for v in values] + [ratio(*values)])
    connections = data["connections"]
    first = [connections[n]["first_ms"] for n, _ in COLUMNS]
    later = [middle(connections[n]["later_ms"]) for n, _ in COLUMNS]
    rows.append(["first forwarded connection, connect to echo"] + [f"{v:,.1f} ms" for v in first]
                + [ratio(*first)])
    rows.append([f"later connections ({len(connections['gateway']['later_ms'])}), median"]
                + [f"{v:,.2f} ms" for v in later] + [ratio(*later)])
    return rows


def each(values, fmt):
    return " / ".join(fmt(v) for v in values) if values else "n/a"


def detail_rows(data):
    rows = []
    for direction, label in DIRECTIONS:
        d = data["directions"][direction]
        rows.append([f"MB/s {label}, each transfer"] + [each(d[n]["mb_per_s"], lambda v: f"{v:,.1f}")
                                                         for n, _ in COLUMNS])
        rows.append([f"successful transfers {label}"]
                    + [f"{len(d[n]['mb_per_s'])} of {len(d[n]['mb_per_s']) + d[n]['failures']}" for n, _ in COLUMNS])
    latency = data["latency"]
    rows.append(["round trips, min / max"]
                + [f"{fmt_us(latency[n]['min_us'])} / {fmt_us(latency[n]['max_us'])}" for n, _ in COLUMNS])
    rows.append(["round trips counted"] + [f"{latency[n]['round_trips']:,}" for n, _ in COLUMNS])
    removed = data["container_removed_seconds"]
    rows.append(["container gone after the logout", f"{removed:.2f} s" if removed is not None else "not in 2 min",
                 ""])
    rows.append(["later connections, each"] + [each(data["connections"][n]["later_ms"], lambda v: f"{v:.2f}")
                                               + " ms" for n, _ in COLUMNS])
    return rows


def problems(data):
    found = []
    for direction, sides in data["directions"].items():
        for name, figures in sides.items():
            if figures["failures"]:
                found.append(f"{direction}, {name}: {figures['failures']} failed transfers: "
                             + "; ".join(f"`{e}`" for e in figures["errors"]))
    for name, status in data["session_exit"].items():
        if status != 0:
            found.append(f"{name}: the session holding the servers exited with {status}")
    if data["container_removed_seconds"] is None:
        found.append("the gateway's container was still there two minutes after the logout")
    return found + log_problems(data.get("gateway_logs", {}))


def render_section(data, machine):
    nproc = machine["nproc"]
    programs = data["programs"]
    parts = [PROSE.format(
        heading=HEADING, openssh=machine["openssh"], kex=data["kex"], host_key=data["host_key"],
        cipher=data["cipher"], sink=programs["sink"], source=programs["source"], echo=programs["echo"],
        docker_version=data["docker_version"], storage_driver=data["storage_driver"],
        engine_note=data["engine_note"], nproc=nproc,
        engine_parts="`dockerd` with its `containerd`" if data["engine_cpu_counted"] else
        "not counted (the benchmark did not start the engine and does not know its processes)", minutes=max(1, round((data["elapsed_seconds"] + 60) / 60)),
        mib=data["bytes"] // 2 ** 20, repeats=data["repeats"], pings=f"{data['pings']:,}",
        later=len(data["connections"]["gateway"]["later_ms"]))]
    parts.append("### Results\n")
    parts.append(measured_line(machine, data))
    parts.append("#### Targets\n")
    parts.append(table(["target", "measured", "met"], target_rows(data)) + "\n")
    parts.append("#### Gateway against sshd\n")
    parts.append(table(["", "gateway", "sshd", "gateway / sshd"], ratio_rows(data)) + "\n")
    parts.append("#### Each transfer and round trip\n")
    parts.append(table([""] + [title for _, title in COLUMNS], detail_rows(data)) + "\n")
    parts += problems_part(problems(data),
                           "None: every transfer succeeded, both sessions ended cleanly, the container went "
                           "with the connection, and the gateway logged nothing at warning level or above.\n")
    return "\n".join(parts)
