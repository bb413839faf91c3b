"""The "Sessions in Docker containers" section of docs/performance.md.

bench/render_report calls render_section with what bench/docker_sessions wrote
(docker_sessions.json) and machine.json; only figures from those files appear,
the prose is fixed here.
"""

from markdown import median, fmt_ms, problems_part, ratio, table
from transfer_rows import rate_row, success_row, whole_transfer_row

HEADING = "## Sessions in Docker containers"

# Architecture §9: what the Docker backend is held against.
SESSION_VS_DOCKER_RUN = 1.2
CONNECTION_VS_SSHD = 1.0

PROSE = """{heading}

The gateway with the Docker backend (`backend-docker` plugin) against what the engine does on
its own and against what a user would build instead of ContainerSSH, side by side in one run
(`bench/docker_sessions`). Four ways to run a command in a container of the same image:

- **session mode**: the gateway with `docker.execution.mode: session`, one container per
  session whose main program is the command;
- **connection mode**: the gateway with `docker.execution.mode: connection`, one container per
  SSH connection, kept up by the agent (`containerssh-agent wait-signal`), created and started
  once the user is authenticated (the first session waits for it), and each session an exec in
  it;
- **`docker run`**: `docker run --rm IMAGE echo hi` started by the benchmark, the engine's floor
  for a fresh container;
- **sshd + `docker exec`**: Debian's OpenSSH `sshd` {openssh} on another loopback port with its
  own host key and configuration (as in the [comparison above](#performance), root's login shell
  `/bin/sh`) and `ForceCommand exec docker exec -i CONTAINER /bin/sh -c "$SSH_ORIGINAL_COMMAND"`
  into one container of the image started beforehand with the same idle program.

Both gateways use `auth-static` (test plugin) with the Ed25519 key `sshd` accepts, log at
`notice`, run `/bin/sh -c` for a command, and have `imagePullPolicy: Never`. The image is the
guest image of the Docker tests (`scripts/build-guest-image`: busybox applets, bash,
`sftp-server` and the agent; {image_size}). Every SSH client uses key exchange `{kex}`, host key
`{host_key}` and cipher `{cipher}` (offered by both servers), compression off. The engine is
Docker {docker_version} with the `{storage_driver}` storage driver{engine_note}. Between two
measurements the benchmark polls the engine until the containers of the gateways and of
`docker run` are gone, so the removal of one side's container never runs during the next
side's measurement; that wait is given as *clean-up after logout*. The engine, the servers, the
client and everything else running on the machine share its {nproc} CPUs: compare the columns
of one run, not figures from different runs.

Run only this benchmark, and rewrite only this section, with `CSH_BENCH_ONLY=docker ./bench/run`
(as root; about {minutes} minutes on {nproc} CPUs). It uses the engine `scripts/docker-engine` finds
(`$DOCKER_HOST`, `/var/run/docker.sock`) or starts its own `dockerd` (vfs storage, no bridge) in
the work directory, imports the image, and stops what it started at the end.
`CSH_BENCH_DOCKER_RUNS` ({runs} rounds), `CSH_BENCH_DOCKER_MIB` ({mib} MiB per transfer),
`CSH_BENCH_DOCKER_REPEATS` ({repeats} per side and direction), `CSH_BENCH_DOCKER_CONCURRENCY`
({concurrency} logins per burst) and `CSH_BENCH_DOCKER_BURSTS` ({bursts} per side) change the
defaults. It builds `csh_plugin_backend_docker` and `containerssh-agent` as well.

### What is measured

**First byte of `{command}`.** asyncssh in one Python process connects, authenticates with the
key, opens a session running `{command}`, closes its stdin and reads: the time runs from just
before the TCP connect to the first byte of output (the rest must be `hi`, exit status 0). It
is split into *login* (connect to authenticated) and *exec* (opening the session to the first
byte). For `docker run` the time runs from just before the CLI process starts to the first
byte on its stdout. {warmups} warm-up rounds, then {runs} measured rounds; a round runs each of the
four once, the one that starts a round turning by one each round. Each SSH login then runs
`{command}` a second time on the same connection (*a second command on the open connection*).
Connection mode creates and starts a container at every login and its first command waits for
that, while sshd + `docker exec` enters a container that runs already: the second command
compares the two exec paths alone (in session mode it is one more container).

**Throughput.** The OpenSSH client (`ssh -T`, `ControlMaster=no`, same algorithms) runs a
command in the container through the gateway in connection mode and through sshd + `docker
exec`; `docker exec -i CONTAINER /bin/sh -c ...` run directly is the engine's floor. *Out*:
`{out_command}` in the container, read by the benchmark from the client's stdout; the rate is
{mib} MiB over the time from the first to the last byte, checked by counting them. *In*: `{in_command}`;
once `ready` arrived, the benchmark writes {mib} MiB of zeros into the client's stdin and closes
it; the rate is {mib} MiB over the time from the first byte written to dd's report, which must
count every block. MB is 10⁶ bytes. *Whole transfer* adds the login and the start of the
program. *Server CPU* is the CPU time during the transfer of the gateway, or of the sshd
listener with its reaped children (the connection's `sshd` processes and the `docker` CLI they
run): the server's side without the engine's (`dockerd`, `containerd`, the shim), which both
paths go through. dd with 1 MiB blocks generates the output because busybox's `head -c` writes
4 KiB at a time, which on this machine made `docker exec` alone about half as fast, the same
for every side. One transfer per side and direction by default: on a machine shared with other
work, a single 1 GiB transfer can be off by a few tens of percent, so read ratios near 1 as even.

**{concurrency} logins at once.** asyncssh starts {concurrency} logins at the same moment; each
connects, authenticates, runs `{command}` and waits for its first byte, then holds its
connection until all are done, so that in connection mode {concurrency} containers run at once.
*Last output* is the time from the start of the burst until the last login got its output.
Then every connection closes. {bursts} bursts per side, the side that goes first alternating.
"""


FIRST_BYTE_COLUMNS = (("session", "session mode"), ("connection", "connection mode"),
                      ("docker_run", "`docker run`"), ("sshd", "sshd + `docker exec`"))


def first_byte_rows(part):
    t = part["targets"]
    rows = []
    for key, label in (("median_ms", "median"), ("p90_ms", "p90"), ("min_ms", "min"), ("max_ms", "max"),
                       ("login_median_ms", "of which login, median"),
                       ("exec_median_ms", "of which exec to first byte, median"),
                       ("second_exec_median_ms", "a second command on the open connection: exec to first byte, "
                                                 "median"),
                       ("cleanup_median_ms", "clean-up after logout, median")):
        rows.append([label] + [fmt_ms(t[name].get(key)) if t[name].get(key) is not None else ""
                               for name, _ in FIRST_BYTE_COLUMNS])
    rows.append(["successful runs"] + [f"{t[name]['runs']} of {t[name]['runs'] + t[name]['failures']}"
                                       for name, _ in FIRST_BYTE_COLUMNS])
    return rows


def target_rows(part):
    t = part["targets"]
    rows = []
    for stat, label in (("median_ms", "median"), ("p90_ms", "p90")):
        value = ratio(t["session"].get(stat), t["docker_run"].get(stat))
        met = value != "n/a" and float(value) <= SESSION_VS_DOCKER_RUN
        rows.append((f"session mode within {SESSION_VS_DOCKER_RUN}× of `docker run` ({label})",
                     f"{value} ({fmt_ms(t['session'].get(stat))} / {fmt_ms(t['docker_run'].get(stat))})",
                     "yes" if met else "no"))
    for stat, label in (("median_ms", "median"), ("p90_ms", "p90")):
        value = ratio(t["connection"].get(stat), t["sshd"].get(stat))
        met = value != "n/a" and float(value) <= CONNECTION_VS_SSHD
        rows.append((f"connection mode no slower than sshd + `docker exec` ({label})",
                     f"{value} ({fmt_ms(t['connection'].get(stat))} / {fmt_ms(t['sshd'].get(stat))})",
                     "yes" if met else "no"))
    # Connection mode creates the connection's container after the login and the first command
    # waits for it; sshd enters one that runs already. A second command on the open connection
    # compares the exec paths alone.
    g, s = t["connection"].get("second_exec_median_ms"), t["sshd"].get("second_exec_median_ms")
    value = ratio(g, s)
    rows.append(("the same, for a second command on an open connection (exec to first byte, median)",
                 f"{value} ({fmt_ms(g)} / {fmt_ms(s)})",
                 "yes" if value != "n/a" and float(value) <= CONNECTION_VS_SSHD else "no"))
    return rows


THROUGHPUT_COLUMNS = (("connection", "connection mode"), ("sshd", "sshd + `docker exec`"),
                      ("docker_exec", "`docker exec` alone"))


def throughput_rows(part):
    rows = []
    gib = part["bytes"] / 2 ** 30
    for direction, label in (("out", "out of the container"), ("in", "into the container")):
        d = part["directions"][direction]
        rows.append([f"**{label}**", "", "", "", ""])
        rows.append(rate_row(d, THROUGHPUT_COLUMNS, "connection", "sshd"))
        rows.append(whole_transfer_row("whole transfer, with login", d, THROUGHPUT_COLUMNS, "connection", "sshd"))
        cpu = {n: median(d[n]["server_cpu_seconds"]) for n in ("connection", "sshd")}
        rows.append(["server CPU per GiB (without the engine)"]
                    + [f"{cpu[n] / gib:.2f} s" if cpu[n] is not None else "n/a" for n in ("connection", "sshd")]
                    + ["", ratio(cpu["connection"], cpu["sshd"])])
        rows.append(success_row(d, THROUGHPUT_COLUMNS))
    return rows


def burst_rows(part):
    t = part["targets"]
    names = ("connection", "sshd")

    def each(name, key, fmt):
        values = [b[key] for b in t[name]["bursts"] if b.get(key) is not None]
        return " / ".join(fmt(v) for v in values) if values else "n/a"

    def middle(name, key):
        return median([b[key] for b in t[name]["bursts"] if b.get(key) is not None])

    ms = fmt_ms
    rows = [["successful logins"] + [f"{sum(b['succeeded'] for b in t[n]['bursts'])} of "
                                     f"{sum(b['succeeded'] + b['failed'] for b in t[n]['bursts'])}" for n in names]
            + [""]]
    for key, label in (("last_output_ms", "last output (each burst)"),
                       ("median_output_ms", "median login's output (each burst)"),
                       ("first_output_ms", "first output (each burst)")):
        rows.append([label] + [each(n, key, ms) for n in names] + [ratio(middle("connection", key),
                                                                          middle("sshd", key))])
    rows.append(["clean-up after the last logout (each burst)", each("connection", "cleanup_ms", ms), "", ""])
    rows.append(["server CPU per login (without the engine)"]
                + [each(n, "server_cpu_seconds", lambda v: f"{v * 1000 / part['concurrency']:.1f} ms")
                   for n in names]
                + [ratio(middle("connection", "server_cpu_seconds"), middle("sshd", "server_cpu_seconds"))])
    return rows


def problems(data):
    found = []
    first = data.get("first_byte")
    if first:
        for name, figures in first["targets"].items():
            if figures["failures"] or figures["errors"]:
                found.append(f"first byte, {name}: {figures['failures']} failed runs: "
                             + "; ".join(f"`{e}`" for e in figures["errors"]))
    throughput = data.get("throughput")
    if throughput:
        for direction, sides in throughput["directions"].items():
            for name, figures in sides.items():
                if figures["failures"]:
                    found.append(f"throughput {direction}, {name}: {figures['failures']} failed transfers: "
                                 + "; ".join(f"`{e}`" for e in figures["errors"]))
    burst = data.get("burst")
    if burst:
        for name, figures in burst["targets"].items():
            for number, entry in enumerate(figures["bursts"], 1):
                if entry["failed"]:
                    found.append(f"burst {number}, {name}: {entry['failed']} failed logins: "
                                 + "; ".join(f"`{e}`" for e in entry["errors"]))
                if name == "connection" and entry.get("cleanup_ms") is None:
                    found.append(f"burst {number}, {name}: containers still there two minutes after the logouts")
    for part_name in ("first_byte", "throughput", "burst"):
        part = data.get(part_name)
        if not part:
            continue
        for gateway, log in part.get("gateway_log", {}).items():
            if log["count"]:
                found.append(f"{part_name}, gateway in {gateway} mode: {log['count']} log lines at error level or "
                             "above; first: " + " / ".join(f"`{line}`" for line in log["first"]))
    return found


def render_section(data, machine):
    first, throughput, burst = data["first_byte"], data["throughput"], data["burst"]
    nproc = machine["nproc"]
    mib = throughput["bytes"] // 2 ** 20
    parts = [PROSE.format(
        heading=HEADING, openssh=machine["openssh"], image_size=data.get("image_size", "a few MB"),
        kex=data["kex"], host_key=data["host_key"], cipher=data["cipher"],
        docker_version=data["docker_version"], storage_driver=data["storage_driver"],
        engine_note=data.get("engine_note", ""), nproc=nproc, minutes=max(1, round((data["elapsed_seconds"] + 30) / 60)),
        runs=first["runs"], warmups=first["warmups"], mib=mib, repeats=throughput["repeats"],
        concurrency=burst["concurrency"], bursts=burst["bursts_per_target"], command=first["command"],
        out_command=throughput["commands"]["out"], in_command=throughput["commands"]["in"])]
    parts.append("### Results\n")
    busy = data["machine_busy"]
    parts.append(f"Measured {machine['date']} on {machine['cpu']} ({nproc} CPUs, {machine['memory']}), Linux "
                 f"{machine['kernel']}, gateway at commit `{machine['commit']}`, asyncssh "
                 f"{data['asyncssh_version']}. The benchmark took {data['elapsed_seconds']} s; the machine was busy "
                 f"{busy['seconds']:.0f} of the {busy['available_seconds']:.0f} CPU-seconds it had in that time "
                 f"(everything, the benchmark included), load average {data['load_average_before']:.1f} before "
                 f"and {data['load_average_after']:.1f} after.\n")
    parts.append("#### Targets (architecture §9)\n")
    parts.append(table(["target", "measured (ratio, times)", "met"], target_rows(first)) + "\n")
    parts.append(f"#### Time to the first byte of `{first['command']}`\n")
    parts.append(table([""] + [label for _, label in FIRST_BYTE_COLUMNS], first_byte_rows(first)) + "\n")
    parts.append(f"#### Throughput, {mib:,} MiB per transfer\n")
    parts.append(table([""] + [label for _, label in THROUGHPUT_COLUMNS] + ["connection mode / sshd"],
                       throughput_rows(throughput)) + "\n")
    parts.append(f"#### {burst['concurrency']} logins at once\n")
    parts.append(table(["", "connection mode", "sshd + `docker exec`", "connection mode / sshd"],
                       burst_rows(burst)) + "\n")
    parts += problems_part(problems(data),
                           "None: every login, command and transfer succeeded, and neither gateway logged "
                           "anything at error level or above.\n")
    return "\n".join(parts)
