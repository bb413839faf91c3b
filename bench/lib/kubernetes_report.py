"""The "Sessions in Kubernetes pods" section of docs/performance.md.

bench/render_report calls render_section with what bench/kubernetes wrote (kubernetes.json)
and machine.json; only figures from those files appear, the prose is fixed here. Run alone,
it rewrites that section of a page and nothing else:

  /usr/bin/python3 bench/lib/kubernetes_report.py --results DIR --output docs/performance.md
"""

import argparse
import json
import os

from markdown import median, fmt_ms, log_problems, problems_part, ratio, table
from transfer_rows import each_transfer_row, rate_row, success_row, whole_transfer_row

HEADING = "## Sessions in Kubernetes pods"

# The targets: a second command on an open connection no slower than `kubectl exec`,
# and the exec stream at least as fast as `kubectl exec`'s.
SECOND_COMMAND_VS_KUBECTL_EXEC = 1.0
THROUGHPUT_VS_KUBECTL_EXEC = 1.0

PROSE = """{heading}

The gateway with the Kubernetes backend (`backend-kubernetes` plugin) in connection mode against
`kubectl` {kubectl_version}, both talking to **the same API server**, side by side in one run
(`bench/kubernetes`). No real cluster can be installed on the benchmark machine, so the API
server is the tests' own ([tests/kube-api-server](../tests/kube-api-server/README.md)): Python
and aiohttp, one process, each pod a container of a Docker engine, exec over WebSocket
(`v5.channel.k8s.io`) bridged to the engine's exec stream. Its costs (Python relaying every
byte, `docker create` and `start` for a pod) are a cluster's in no way: **the absolute figures
are not a cluster's**. What is fair is the comparison, since every side goes through the same
server and the same engine: the ratios compare the clients.

- **gateway**: `containerssh` with `backend: kubernetes`, `pod.mode: connection` (one pod per
  SSH connection, created once the user is authenticated, its console container running
  `containerssh-agent wait-signal`; every session an exec into it through the agent), the
  client certificate of the server's PKI (`cacertFile`, `certFile`, `keyFile`), the default
  `qps` and `burst`, the guest image with `imagePullPolicy: Never`, `auth-static` (test plugin)
  with an Ed25519 key, log level `notice`;
- **`kubectl run`**: `kubectl run --rm -i --restart=Never --image=IMAGE
  --image-pull-policy=Never NAME -- {command}`, a new pod per command, as a fresh SSH connection
  is;
- **`kubectl exec`**: `kubectl exec POD -- {command}` into a pod of the same image started
  beforehand with the same idle program, the kubeconfig the server wrote (same client
  certificate) and a discovery cache in the work directory;
- **ssh through a ControlMaster**: the OpenSSH client (`{openssh_client}`) running `{command}` over a
  ControlMaster connection to the gateway opened before the measurements (its pod runs): a
  second command on an open connection from a new CLI process, as `kubectl exec` is one.

Every pod runs the guest image of the Docker tests (`scripts/build-guest-image`: busybox
applets, bash, `sftp-server` and the agent). SSH clients use key exchange `{kex}`, host key
`{host_key}` and cipher `{cipher}`, compression off. The engine is the Docker benchmark's{engine_note}.
Between two measurements the benchmark polls the API server until the pods of the one before
are gone, so no deletion runs during the next side's measurement. The API server, the engine,
the gateway, the clients and everything else running on the machine share its {nproc} CPUs:
compare the columns of one run, not figures from different runs.

Run only this benchmark, and rewrite only this section, with `CSH_BENCH_ONLY=kubernetes
./bench/run` (as root; about {minutes} minutes on {nproc} CPUs). It starts the engine as the
Docker benchmark does, then the API server on it (`--cleanup-on-exit`) and the gateway, and
stops them at the end. `CSH_BENCH_KUBE_RUNS` ({runs} rounds), `CSH_BENCH_KUBE_MIB` ({mib} MiB
per transfer), `CSH_BENCH_KUBE_REPEATS` ({repeats} per side and direction) and
`CSH_BENCH_KUBECTL` (the kubectl binary, 1.33 by default) change the defaults. It builds
`csh_plugin_backend_kubernetes` and `containerssh-agent` as well.

### What is measured

**First byte of `{command}`.** *Gateway, new connection*: asyncssh connects, authenticates with
the key, opens a session running `{command}`, closes its stdin and reads; the time runs from just
before the TCP connect to the first byte of output (the rest must be `x`, exit status 0). It is
split into *login* (connect to authenticated) and *exec* (opening the session to the first
byte: it waits for the connection's pod to run). Then the same command runs again on the open
connection: *a second command on the open connection* (asyncssh, opening the session to its
first byte). For `kubectl run`, `kubectl exec` and ssh through the ControlMaster the time runs
from just before the CLI process starts to the first byte on its stdout (`kubectl run` then
prints that the pod was deleted). `kubectl run -i` attaches to the pod once it runs, and an attach
does not replay what the program wrote before it (the kubelet's does not either): when `echo` has
already ended, kubectl prints only the deletion, and that run counts as failed. A new SSH
connection creates a pod as `kubectl run` does, so those two are compared; the issue's target
is for the second command on an open connection, against `kubectl exec` into a running pod.
{warmups} warm-up rounds, then {runs} measured rounds; a round
runs each of the four once, the one that starts a round turning by one each round.

**Throughput.** *Out*: `{out_command}` in the pod, read by the benchmark from the client's
stdout; the rate is {mib} MiB over the time from the first to the last byte, checked by counting
them. *In*: `{in_command}`; once `ready` arrived, the benchmark writes {mib} MiB of zeros into
the client's stdin and closes it; the rate is {mib} MiB over the time from the first byte
written to dd's report, which must count every block. dd with 1 MiB blocks stands for `head -c`
and `cat > /dev/null`, as in the [Docker benchmark](#sessions-in-docker-containers) (busybox's
`head -c` writes 4 KiB at a time). MB is 10⁶ bytes. The clients: the OpenSSH client through the
gateway (`ssh -T`, `ControlMaster=no`, a new connection and so a new pod: *whole transfer* adds
the login and the pod's start), `kubectl exec [-i] POD -- /bin/sh -c ...`, and, as the floor
without the API server, `docker exec -i CONTAINER /bin/sh -c ...` straight into that pod's
container. Around each transfer the CPU time of the gateway, of the API server, and of the
client process (`ssh`, `kubectl` or `docker`) is read, per GiB, and summed over the path (the
engine's share, the same for both, is left out). The gateway's path has one hop more than
kubectl's: the SSH client encrypts, the gateway decrypts and sends the bytes on over TLS and
WebSocket, where kubectl writes into TLS itself; when every CPU of the machine is busy, the CPU
time of the whole path bounds the rate. {repeats} transfers per side and direction, the
side that goes first turning each round; the tables give medians. A single transfer on a
machine shared with other work can be off by a few tens of percent (the API server is one
Python process, the first to starve), so read ratios near 1 as even.
"""


FIRST_BYTE_COLUMNS = (("gateway", "gateway, new connection"), ("kubectl_run", "`kubectl run`"),
                      ("kubectl_exec", "`kubectl exec`"), ("ssh_mux", "ssh through a ControlMaster"))


def first_byte_rows(part):
    t = part["targets"]
    rows = []
    for key, label in (("median_ms", "median"), ("p90_ms", "p90"), ("min_ms", "min"), ("max_ms", "max"),
                       ("login_median_ms", "of which login, median"),
                       ("exec_median_ms", "of which exec to first byte (the pod's start included), median"),
                       ("second_exec_median_ms", "a second command on the open connection (asyncssh), median"),
                       ("second_exec_p90_ms", "a second command on the open connection (asyncssh), p90"),
                       ("cleanup_median_ms", "until the pod is gone after the end, median")):
        rows.append([label] + [fmt_ms(t[name].get(key)) if t[name].get(key) is not None else ""
                               for name, _ in FIRST_BYTE_COLUMNS])
    rows.append(["successful runs"] + [f"{t[name]['runs']} of {t[name]['runs'] + t[name]['failures']}"
                                       for name, _ in FIRST_BYTE_COLUMNS])
    return rows


def ratio_rows(part):
    t = part["targets"]
    rows = []
    for a, a_key, b, label in (
            ("gateway", "", "kubectl_run", "new pod: gateway's new connection / `kubectl run`"),
            ("gateway", "", "kubectl_exec", "gateway's new connection (new pod) / `kubectl exec` (running pod)"),
            ("ssh_mux", "", "kubectl_exec", "second command, new CLI process: ssh through a ControlMaster / "
                                            "`kubectl exec`"),
            ("gateway", "second_exec_", "kubectl_exec", "second command: asyncssh on the open connection / "
                                                        "`kubectl exec`")):
        cells = []
        for stat in ("median_ms", "p90_ms"):
            g, k = t[a].get(a_key + stat), t[b].get(stat)
            cells.append(f"{ratio(g, k)} ({fmt_ms(g)} / {fmt_ms(k)})")
        rows.append([label] + cells)
    return rows


def target_rows(first, throughput):
    rows = []
    t = first["targets"]
    for a, a_key, what in (("ssh_mux", "", "ssh through a ControlMaster, process start to first byte"),
                           ("gateway", "second_exec_", "asyncssh on the open connection, exec to first byte")):
        for stat, label in (("median_ms", "median"), ("p90_ms", "p90")):
            g, k = t[a].get(a_key + stat), t["kubectl_exec"].get(stat)
            value = ratio(g, k)
            met = value != "n/a" and float(value) <= SECOND_COMMAND_VS_KUBECTL_EXEC
            rows.append((f"a second command on an open connection no slower than `kubectl exec`: {what} ({label})",
                         f"{value} ({fmt_ms(g)} / {fmt_ms(k)})", "yes" if met else "no"))
    mib = throughput["bytes"] // 2 ** 20
    for direction, label in (("out", "out of the pod"), ("in", "into the pod")):
        d = throughput["directions"][direction]
        g, k = d["gateway"]["median_mb_per_s"], d["kubectl_exec"]["median_mb_per_s"]
        value = ratio(g, k)
        met = value != "n/a" and float(value) >= THROUGHPUT_VS_KUBECTL_EXEC
        rows.append((f"{mib:,} MiB {label} at least as fast as `kubectl exec`",
                     f"{value} ({g if g is not None else 'n/a'} MB/s / {k if k is not None else 'n/a'} MB/s)",
                     "yes" if met else "no"))
    return rows


THROUGHPUT_COLUMNS = (("gateway", "gateway (ssh)"), ("kubectl_exec", "`kubectl exec`"),
                      ("docker_exec", "`docker exec` alone"))


def throughput_rows(part):
    rows = []
    gib = part["bytes"] / 2 ** 30
    for direction, label in (("out", "out of the pod"), ("in", "into the pod")):
        d = part["directions"][direction]
        rows.append([f"**{label}**", "", "", "", ""])
        rows.append(rate_row(d, THROUGHPUT_COLUMNS, "gateway", "kubectl_exec"))
        if part["repeats"] > 1:
            rows.append(each_transfer_row(d, THROUGHPUT_COLUMNS))
        rows.append(whole_transfer_row("whole transfer, with login (and the pod's start, gateway)", d,
                                       THROUGHPUT_COLUMNS, "gateway", "kubectl_exec"))
        for key, what, sides in (("gateway_cpu_seconds", "gateway CPU per GiB", ("gateway",)),
                                 ("api_cpu_seconds", "API server CPU per GiB", ("gateway", "kubectl_exec")),
                                 ("client_cpu_seconds", "client CPU per GiB (ssh, kubectl, docker)",
                                  ("gateway", "kubectl_exec", "docker_exec"))):
            cpu = {n: median(d[n][key]) if n in sides else None for n, _ in THROUGHPUT_COLUMNS}
            rows.append([what] + [f"{cpu[n] / gib:.2f} s" if cpu[n] is not None else "" for n, _ in THROUGHPUT_COLUMNS]
                        + [ratio(cpu["gateway"], cpu["kubectl_exec"]) if cpu["kubectl_exec"] is not None else ""])
        path = {}
        for n, keys in (("gateway", ("client_cpu_seconds", "gateway_cpu_seconds", "api_cpu_seconds")),
                        ("kubectl_exec", ("client_cpu_seconds", "api_cpu_seconds"))):
            values = [median(d[n][k]) for k in keys]
            path[n] = sum(values) if None not in values else None
        rows.append(["client + gateway + API server CPU per GiB"]
                    + [f"{path[n] / gib:.2f} s" if path.get(n) is not None else "" for n, _ in THROUGHPUT_COLUMNS]
                    + [ratio(path["gateway"], path["kubectl_exec"])])
        rows.append(success_row(d, THROUGHPUT_COLUMNS))
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
    for part_name in ("first_byte", "throughput"):
        part = data.get(part_name)
        if part:
            found += [f"{part_name}: {line}" for line in log_problems(part.get("gateway_log", {}))]
    return found


def render_section(data, machine):
    first, throughput = data["first_byte"], data["throughput"]
    nproc = machine["nproc"]
    mib = throughput["bytes"] // 2 ** 20
    parts = [PROSE.format(
        heading=HEADING, kubectl_version=data["kubectl_version"], openssh_client=data["openssh_client"].split(",")[0],
        kex=data["kex"], host_key=data["host_key"], cipher=data["cipher"],
        engine_note=data.get("engine_note", "") or "",
        nproc=nproc, minutes=max(1, round((data["elapsed_seconds"] + 60) / 60)),
        runs=first["runs"], warmups=first["warmups"], mib=mib, repeats=throughput["repeats"],
        command=first["command"], out_command=throughput["commands"]["out"],
        in_command=throughput["commands"]["in"])]
    parts.append("### Results\n")
    busy = data["machine_busy"]
    parts.append(f"Measured {machine['date']} on {machine['cpu']} ({nproc} CPUs, {machine['memory']}), Linux "
                 f"{machine['kernel']}, gateway at commit `{machine['commit']}`, asyncssh "
                 f"{data['asyncssh_version']}, kubectl {data['kubectl_version']}. The benchmark took "
                 f"{data['elapsed_seconds']} s; the machine was busy {busy['seconds']:.0f} of the "
                 f"{busy['available_seconds']:.0f} CPU-seconds it had in that time (everything, the benchmark "
                 f"included), load average {data['load_average_before']:.1f} before and "
                 f"{data['load_average_after']:.1f} after.\n")
    if busy["seconds"] > 0.9 * busy["available_seconds"]:
        parts.append("**The machine was saturated during this run** (other work shared it with the benchmark): "
                     "every side waited for CPU, the API server (one Python process) most of all, so the "
                     "absolute figures are lower and noisier than on an idle machine; the ratios still "
                     "compare sides that ran under the same load, turn by turn.\n")
    parts.append("#### Targets\n")
    parts.append(table(["target", "measured (ratio, times)", "met"], target_rows(first, throughput)) + "\n")
    parts.append(f"#### Time to the first byte of `{first['command']}`\n")
    parts.append(table([""] + [label for _, label in FIRST_BYTE_COLUMNS], first_byte_rows(first)) + "\n")
    parts.append(table(["ratio", "median", "p90"], ratio_rows(first)) + "\n")
    parts.append(f"#### Throughput, {mib:,} MiB per transfer\n")
    parts.append(table([""] + [label for _, label in THROUGHPUT_COLUMNS] + ["gateway / `kubectl exec`"],
                       throughput_rows(throughput)) + "\n")
    parts += problems_part(problems(data),
                           "None: every login, command and transfer succeeded, and the gateway logged nothing "
                           "at warning level or above.\n")
    return "\n".join(parts)


def replace_section(page, text):
    """The page with this section (from its heading to the next `## ` heading, or the end)
    replaced by text, or text appended when the page has none."""
    start = page.find("\n" + HEADING + "\n")
    if start < 0:
        return page.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    start += 1
    end = page.find("\n## ", start + len(HEADING))
    rest = "" if end < 0 else page[end:]
    return page[:start] + text.rstrip("\n") + "\n" + rest


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", required=True, help="holds kubernetes.json and machine.json")
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    def load(name):
        with open(os.path.join(args.results, name)) as source:
            return json.load(source)

    text = render_section(load("kubernetes.json"), load("machine.json"))
    page = open(args.output).read() if os.path.exists(args.output) else ""
    with open(args.output + ".tmp", "w") as out:
        out.write(replace_section(page, text))
    os.replace(args.output + ".tmp", args.output)


if __name__ == "__main__":
    main()
