"""The "Several replicas behind HAProxy" section of docs/performance.md.

bench/render_report calls render_section with what bench/scale_out/scale_out wrote
(scale_out.json) and machine.json; only figures from those files appear, the prose is fixed here.
"""

from markdown import fmt_ms, log_problems, measured_line, median, problems_part, ratio, table

HEADING = "## Several replicas behind HAProxy"

WAYS = [("direct", "one replica, directly", 1), ("lb1", "HAProxy → 1 replica", 1),
        ("lb2", "HAProxy → 2 replicas", 2), ("lb3", "HAProxy → 3 replicas", 3)]
HEADER_WAYS = [("header_on", "PROXY header on (HAProxy `send-proxy-v2`)"),
               ("header_off", "PROXY header off (HAProxy, no header)"),
               ("header_direct", "no HAProxy (direct)")]
# Above this share of the machine's CPU time in use during the bursts, the machine is called saturated.
SATURATED = 0.9

PROSE = """{heading}

How the gateway scales out (issue 17): several replicas of the gateway behind a TCP load
balancer, side by side in one run (`bench/scale_out`). Three gateways with the Docker backend
in connection mode, configured as the [Docker benchmark](#sessions-in-docker-containers)'s
connection-mode gateway (same image, engine, key and algorithms: key exchange `{kex}`, host key
`{host_key}`, cipher `{cipher}`), **sharing one host key**, each with the PROXY protocol on for
HAProxy's address (`ssh.proxyProtocolAllowedCIDRs: [127.0.0.2/32]`, `proxyProtocolRequired`
at its default `true`, `proxyProtocolHeaderTimeout: 5s`; [SSH server](ssh-server.md#behind-a-load-balancer-proxy-protocol)).
In front of them, Debian's HAProxy {haproxy} in TCP mode, one front end per way in,
`balance roundrobin`, `server ... send-proxy-v2 source 127.0.0.2`, no health checks. The
client (asyncssh {asyncssh}) connects from 127.0.0.1, which is not in the list: a connection
straight to a replica is served as a direct client, so the same replica serves both the
balanced and the direct logins. The engine is Docker {docker_version} with the `{storage_driver}`
storage driver{engine_note}. The engine, the replicas, HAProxy, the client and everything else
running on the machine share its {nproc} CPUs: compare the columns of one run, not figures from
different runs.

Run only this benchmark, and rewrite only this section, with `CSH_BENCH_ONLY=scale_out ./bench/run`
(as root; about {minutes} minutes on {nproc} CPUs). It installs Debian's `haproxy` when missing,
builds the Docker benchmark's targets, uses the engine as the Docker benchmark does, starts the
gateways and HAProxy on free loopback ports and stops them, and every container, at the end.
`CSH_BENCH_SCALE_CONCURRENCY` ({concurrency} logins per burst), `CSH_BENCH_SCALE_ROUNDS`
({rounds} bursts per way in, after one warm-up round), `CSH_BENCH_SCALE_RUNS` ({runs} rounds of
the PROXY header's cost) and `CSH_BENCH_SCALE_WARMUPS` ({warmups}) change the defaults.

### What is measured

**Logins per second into fresh containers.** A burst starts {concurrency} logins at the same
moment; each connects, authenticates with the key, runs `true` in a session (in connection mode
the first session waits for the connection's new container), reads its exit status and
disconnects. A login that fails or does not finish in 120 s is counted as failed. *Logins/s* is
the successful logins of a burst over its wall time (start of the burst to the last
disconnect); the table gives the median over the bursts and the lowest and highest. Four ways
in: one replica reached directly, and HAProxy in front of one, two and three replicas. A round
runs one burst each way, the way that starts a round turning by one each round; one warm-up
round is not counted. Between two bursts the engine is polled until every container of the run
is gone (the stop and removal of one burst's containers never runs during the next burst).
HAProxy's counters (`show stat` on its stats socket) give how many connections each replica
got. CPU time is read from `/proc` before each burst and after its containers are gone (so
it includes stopping and removing them): every replica, HAProxy, and {engine_parts}; the
per-container `containerd-shim` and `runc` processes are not counted, as they are not below the
engine's process, but are in the machine's CPU in use, which is read from `/proc/stat` over the
burst itself. Before the measurements, one login through each way in runs `echo
$SSH_CLIENT`: through HAProxy the session must see the client's address (127.0.0.1, from the
header), not HAProxy's (127.0.0.2).

**The cost of the PROXY header on connect and exec.** One gateway with the `local` backend
(the test plugin: the command is a child process of the gateway, so no container start hides
the header's cost), the same configuration and host key, the PROXY protocol on for 127.0.0.2.
HAProxy reaches it two ways: *header on*, `send-proxy-v2` from 127.0.0.2; *header off*, no
header, from 127.0.0.3 (not in the list, so served as a direct client: the same gateway process
and the same HAProxy hop, with and without the header). The third column connects directly,
without HAProxy. One login at a time: asyncssh connects, authenticates with the key, runs
`true`, reads its exit status and disconnects, timed from before the TCP connect to after the
disconnect. {warmups} warm-up rounds, then {runs} measured rounds, each running the three once,
the one that starts a round turning. The header's cost is the median over the rounds of *header
on − header off* in the same round, with a 95 % interval of that median (bootstrap: the
differences resampled 2,000 times, seeded) and the quartiles of the differences: when the
interval contains 0, the cost is within the noise of this measurement.
"""


def bursts(data, name):
    return data["logins"]["ways"][name]["bursts"]


def logins_per_second(data, name):
    return median([b["logins_per_second"] for b in bursts(data, name)])


def rate_text(data, name):
    rates = [b["logins_per_second"] for b in bursts(data, name) if b["logins_per_second"] is not None]
    if not rates:
        return "n/a"
    return f"{median(rates):.2f} ({min(rates):.2f}–{max(rates):.2f})"


def per_login(data, name, key):
    """CPU seconds of `key` (a replica name, "replicas", "haproxy" or "engine") per successful
    login over every burst of one way in, in ms."""
    entries = bursts(data, name)
    logins = sum(b["succeeded"] for b in entries)
    if not logins:
        return None
    if key == "replicas":
        seconds = sum(v for b in entries for k, v in b["cpu_seconds"].items() if k.startswith("r"))
    else:
        seconds = sum(b["cpu_seconds"].get(key, 0) for b in entries)
    return 1000 * seconds / logins


def per_login_values(data, name, key):
    """The same, burst by burst, in ms."""
    values = []
    for entry in bursts(data, name):
        if entry["succeeded"]:
            seconds = (sum(v for k, v in entry["cpu_seconds"].items() if k.startswith("r")) if key == "replicas"
                       else entry["cpu_seconds"].get(key, 0))
            values.append(1000 * seconds / entry["succeeded"])
    return values


def per_login_bursts(data, name, key):
    """"median (lowest–highest)" of per_login_values."""
    values = per_login_values(data, name, key)
    if not values:
        return "n/a"
    return f"{median(values):,.1f} ms ({min(values):,.1f}–{max(values):,.1f})"


def spread_text(data, name):
    totals = {}
    for entry in bursts(data, name):
        for replica, count in entry["connections_per_replica"].items():
            totals[replica] = totals.get(replica, 0) + count
    return " / ".join(f"{replica} {count}" for replica, count in sorted(totals.items()))


def busy_share(data, name):
    entries = bursts(data, name)
    available = sum(b["machine_available_seconds"] for b in entries)
    return sum(b["machine_busy_seconds"] for b in entries) / available if available else None


def login_rows(data):
    direct = logins_per_second(data, "direct")
    rows = [("logins/s, median (lowest–highest)", *(rate_text(data, n) for n, _, _ in WAYS)),
            ("ratio to one replica reached directly (medians)",
             *(ratio(logins_per_second(data, n), direct) for n, _, _ in WAYS)),
            ("logins/s per replica (median / replicas)",
             *(f"{logins_per_second(data, n) / count:.2f}" if logins_per_second(data, n) else "n/a"
               for n, _, count in WAYS)),
            ("wall time of a burst, median",
             *(f"{median([b['wall_seconds'] for b in bursts(data, n)]):.2f} s" for n, _, _ in WAYS)),
            ("per-login time, p50 (median over the bursts)",
             *(fmt_ms(median([b["login_p50_ms"] for b in bursts(data, n)])) for n, _, _ in WAYS)),
            ("per-login time, p90 (median over the bursts)",
             *(fmt_ms(median([b["login_p90_ms"] for b in bursts(data, n)])) for n, _, _ in WAYS)),
            ("successful logins", *(sum(b["succeeded"] for b in bursts(data, n)) for n, _, _ in WAYS)),
            ("failed logins", *(sum(b["failed"] for b in bursts(data, n)) for n, _, _ in WAYS)),
            ("connections each replica got", *(spread_text(data, n) for n, _, _ in WAYS)),
            ("gateway CPU per login (all replicas), over every burst", *(fmt_ms(per_login(data, n, "replicas")) for n, _, _ in WAYS)),
            ("the same, burst by burst: median (lowest–highest)",
             *(per_login_bursts(data, n, "replicas") for n, _, _ in WAYS)),
            ("HAProxy CPU per login", "", *(fmt_ms(per_login(data, n, "haproxy")) for n, _, _ in WAYS[1:]))]
    if data["engine_cpu_counted"]:
        rows.append(("engine CPU per login (`dockerd`, `containerd`)",
                     *(fmt_ms(per_login(data, n, "engine")) for n, _, _ in WAYS)))
    rows.append(("machine CPU in use during the bursts (everything)",
                 *(f"{100 * busy_share(data, n):.0f} %" if busy_share(data, n) is not None else "n/a"
                   for n, _, _ in WAYS)))
    rows.append(("clean-up after the burst (containers gone), median",
                 *(f"{median([b['cleanup_seconds'] for b in bursts(data, n)]):.2f} s" for n, _, _ in WAYS)))
    return rows


def interval_text(values):
    return f"{values[0]:,.2f} – {values[1]:,.2f} ms" if values else "n/a"


def header_rows(data):
    ways = data["header"]["ways"]
    rows = []
    for label, key in (("median", "median_ms"), ("p90", "p90_ms"), ("min", "min_ms"), ("max", "max_ms")):
        rows.append((label, *(fmt_ms(ways[n].get(key)) for n, _ in HEADER_WAYS)))
    rows.append(("95 % interval of the median", *(interval_text(ways[n].get("median_interval_ms")) for n, _ in HEADER_WAYS)))
    rows.append(("quartiles (p25 – p75)", *(interval_text(ways[n].get("quartiles_ms")) for n, _ in HEADER_WAYS)))
    rows.append(("successful runs", *(f"{ways[n]['runs']} of {ways[n]['runs'] + ways[n]['failures']}"
                                      for n, _ in HEADER_WAYS)))
    return rows


def header_verdict(data):
    paired = data["header"].get("paired_difference")
    if not paired or not paired["median_interval_ms"]:
        return None, "n/a"
    low, high = paired["median_interval_ms"]
    return low <= 0 <= high, (f"{paired['median_ms']:+.2f} ms per login (95 % interval {low:+.2f} to {high:+.2f} ms, "
                              f"quartiles of the differences {paired['quartiles_ms'][0]:+.2f} to "
                              f"{paired['quartiles_ms'][1]:+.2f} ms, {paired['rounds']} rounds)")


def difference_rows(data):
    ways = data["header"]["ways"]
    on, off, direct = (ways[n].get("median_ms") for n, _ in HEADER_WAYS)
    within, text = header_verdict(data)
    rows = [("header on − header off, median of the per-round differences", text),
            ("header on − header off, difference of the medians",
             f"{on - off:+.2f} ms ({100 * (on - off) / off:+.1f} % of header off)" if on and off else "n/a"),
            ("header on / header off (medians)", ratio(on, off)),
            ("HAProxy's hop: header off − direct (medians)", f"{off - direct:+.2f} ms" if off and direct else "n/a")]
    return rows, within


def sizing_rows(data, machine):
    direct = logins_per_second(data, "direct")
    cpu = per_login(data, "direct", "replicas")
    at_rest = data["rss_at_rest_kib"]
    after = data["rss_after_kib"]
    replicas = data["replicas"]
    rows = [("logins/s into fresh containers, one replica with the engine on the same "
             f"{machine['nproc']} CPUs (direct, median)", f"{direct:.2f}" if direct else "n/a"),
            ("gateway CPU per login, one replica reached directly: over every burst; burst by burst, median "
             "(lowest–highest)", f"{fmt_ms(cpu)}; {per_login_bursts(data, 'direct', 'replicas')}"),
            ("the same, one replica behind HAProxy",
             f"{fmt_ms(per_login(data, 'lb1', 'replicas'))}; {per_login_bursts(data, 'lb1', 'replicas')}")]
    if cpu:
        rows.append(("logins/s one CPU could carry for the gateway alone (1 s / gateway CPU per login reached "
                     "directly, over every burst; the engine elsewhere)", f"{1000 / cpu:,.0f}"))
    if data["engine_cpu_counted"]:
        engine = per_login(data, "direct", "engine")
        rows.append(("engine CPU per login (the share the engine's machine must carry)", fmt_ms(engine)))
    rows.append(("gateway RSS at rest, each replica", " / ".join(f"{at_rest[r]['VmRSS'] / 1024:.1f} MiB" for r in replicas)))
    rows.append(("gateway RSS after the run, peak during it, each replica",
                 " / ".join(f"{after[r]['VmRSS'] / 1024:.1f} MiB, {after[r]['VmHWM'] / 1024:.1f} MiB"
                            for r in replicas)))
    rows.append(("distinct host keys the client saw through HAProxy", data["logins"]["distinct_host_keys"]))
    return rows


def problems(data):
    found = []
    for name, title, _ in WAYS:
        for number, entry in enumerate(bursts(data, name), 1):
            if entry["failed"]:
                found.append(f"burst {number}, {title}: {entry['failed']} failed logins: " + "; ".join(
                    f"`{e}`" for e in entry["errors"]))
            if entry["cleanup_seconds"] is None:
                found.append(f"burst {number}, {title}: containers still there 120 s after the burst")
    for name, title in HEADER_WAYS:
        figures = data["header"]["ways"][name]
        if figures["failures"]:
            found.append(f"{title}: {figures['failures']} failed runs: " + "; ".join(
                f"`{e}`" for e in figures["errors"]))
    for name, title, _ in WAYS:
        values = per_login_values(data, name, "replicas")
        if values and median(values) and max(values) > 3 * median(values):
            found.append(f"{title}: the gateway's CPU per login varied from {min(values):,.1f} to "
                         f"{max(values):,.1f} ms between bursts (median {median(values):,.1f} ms); this benchmark "
                         "does not say why")
    expected = {"direct": "127.0.0.1", "lb1": "127.0.0.1", "lb2": "127.0.0.1", "lb3": "127.0.0.1",
                "header_on": "127.0.0.1", "header_off": "127.0.0.3", "header_direct": "127.0.0.1"}
    for name, seen in data["client_address_seen"].items():
        if seen != expected[name]:
            found.append(f"`echo $SSH_CLIENT` through {name} showed `{seen}`, not {expected[name]}")
    if data["logins"]["distinct_host_keys"] != 1:
        found.append(f"the client saw {data['logins']['distinct_host_keys']} host keys, not one")
    return found + log_problems(data["gateway_log"])


def render_section(data, machine):
    nproc = machine["nproc"]
    logins, header = data["logins"], data["header"]
    data = dict(data, nproc=nproc)
    parts = [PROSE.format(
        heading=HEADING, kex=data["kex"], host_key=data["host_key"], cipher=data["cipher"],
        haproxy=data["haproxy_version"], asyncssh=data["asyncssh_version"],
        docker_version=data["docker_version"], storage_driver=data["storage_driver"],
        engine_note=data["engine_note"], nproc=nproc,
        engine_parts="the engine (`dockerd` and the processes below it, `containerd` among them)"
        if data["engine_cpu_counted"] else "not the engine (the benchmark did not start it and does not know its processes)",
        minutes=max(1, round((data["elapsed_seconds"] + 60) / 60)), concurrency=logins["concurrency"],
        rounds=logins["rounds"], runs=header["runs"], warmups=header["warmups"])]
    parts.append("### Results\n")
    busy = data["machine_busy"]
    parts.append(measured_line(machine, data))
    others = data.get("other_processes")
    if others:
        parts.append(f"Processes other than the benchmark's used at least {others['seconds']:.0f} CPU-seconds of "
                     "those (told apart by name, so other work running a gateway, HAProxy or an engine is not "
                     "counted; `bench/lib/other_load.py`)"
                     + (": " + ", ".join(f"`{name}` {seconds:.0f} s" for name, seconds in others["top"]) if others["top"]
                        else "") + ". The machine was shared with other work; every way in ran under it, turn by "
                     "turn, so the ratios hold.\n")
    if busy["available_seconds"] and busy["seconds"] / busy["available_seconds"] > SATURATED:
        parts.append("**The machine was saturated during this run**: every side waited for CPU. The absolute "
                     "figures are lower and noisier than on an idle machine; the ratios compare ways in that ran "
                     "under the same load, turn by turn.\n")
    within, verdict = header_verdict(data)
    parts.append("#### Targets (issue 17)\n")
    parts.append(table(["target", "measured", "met"], [
        ("the PROXY header's cost on connect and exec within noise (the interval contains 0)", verdict,
         "n/a" if within is None else ("yes" if within else "no")),
        ("every login through HAProxy succeeds", f"{sum(sum(b['failed'] for b in bursts(data, n)) for n, _, _ in WAYS)} failed",
         "yes" if not any(b["failed"] for n, _, _ in WAYS for b in bursts(data, n)) else "no"),
        ("one host key for every replica", f"{logins['distinct_host_keys']} seen",
         "yes" if logins["distinct_host_keys"] == 1 else "no")]) + "\n")
    parts.append(f"#### Bursts of {logins['concurrency']} logins into fresh containers\n")
    parts.append(table([""] + [title for _, title, _ in WAYS], login_rows(data)) + "\n")
    parts.append(scaling_note(data))
    parts.append("#### The PROXY header on connect and exec (`local` backend, one login at a time)\n")
    parts.append(table([""] + [title for _, title in HEADER_WAYS], header_rows(data)) + "\n")
    rows, _ = difference_rows(data)
    parts.append(table(["", ""], rows) + "\n")
    parts.append("#### For sizing\n")
    parts.append(table(["per replica", ""], sizing_rows(data, machine)) + "\n")
    parts.append(SIZING_NOTE)
    parts += problems_part(problems(data),
                           "None: every login and run succeeded, every way in showed the client's address, the "
                           "client saw one host key, and the gateways logged nothing at warning level or above.\n")
    return "\n".join(parts)


def scaling_note(data):
    """What the bursts say about replicas on one machine, from this run's figures."""
    direct = logins_per_second(data, "direct")
    three = logins_per_second(data, "lb3")
    engine = per_login(data, "direct", "engine") if data["engine_cpu_counted"] else None
    gateway = per_login(data, "direct", "replicas")
    share = (f": here {engine:,.0f} ms of engine CPU per login against {gateway:,.0f} ms of the gateway's"
             if engine and gateway else " (the engine's CPU was not counted in this run: it ran outside the benchmark)")
    rates = {n: [b["logins_per_second"] for b in bursts(data, n) if b["logins_per_second"]] for n in ("direct", "lb3")}
    overlap = (rates["direct"] and rates["lb3"] and min(rates["lb3"]) <= max(rates["direct"])
               and min(rates["direct"]) <= max(rates["lb3"]))
    spread = " (the two ranges over the bursts overlap: the difference is within this run's spread)" if overlap else ""
    return f"""Three replicas behind HAProxy did {ratio(three, direct)} times the logins per second of one
replica reached directly{spread}. Little gain is what this machine allows: the replicas share its
{data.get("nproc", 2)} CPUs with each other and with the engine, and creating, starting, stopping and
removing a container per login costs the engine far more CPU than the gateway's part of the
login{share}; see the machine's CPU in use during the bursts in the table. A second or
third replica on the same CPUs cannot make the engine faster. What the columns do show is the
cost of HAProxy and the PROXY header per login (the ratio of *HAProxy → 1 replica* to *one
replica, directly*), how evenly HAProxy spread the connections, and whether any login failed.
Replicas pay off when each has CPUs, and with the Docker backend an engine, of its own.
"""


SIZING_NOTE = """The capacity of one replica on a machine of its own is the *direct* figure above, measured
here with the engine on the same CPUs: with an engine per replica host, N replicas give about N
times it, HAProxy in front costing what the *HAProxy CPU per login* row says. The gateway's own
share is the *gateway CPU per login*; the rest of a login's cost is the engine's, which sizes the
engine's machine (or, with Kubernetes, the cluster). Memory per connection is measured by the
idle-connections benchmark at the top of this page (*RSS per connection* under
[Results](#results)): it is per replica, as each replica holds only its own connections.
"""
