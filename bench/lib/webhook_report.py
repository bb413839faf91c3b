"""The "Logins through the auth webhook" section of docs/performance.md.

bench/render_report calls render_section with what bench/webhook_logins and
bench/run wrote; only figures from those files appear, the prose is fixed here.
"""

import statistics

from markdown import fmt_ms, ratio, table

HEADING = "## Logins through the auth webhook"

PROSE = """{heading}

The gateway asking an HTTP server about every password (`auth.password.method: webhook`, the
`auth-http` plugin) against the same gateway deciding it from its configuration file
(`auth-static` test plugin), side by side in one run (`bench/webhook_logins`). Both gateways run
the `local` backend (`backend-local` test plugin), load the test plugins from `build/test-plugins`
(`plugins.path`) and the shipped ones from beside the binary (`build/lib/containerssh/plugins`), log at `notice`, and use the host key, key exchange
(`{kex}`) and cipher (`{cipher}`) of the benchmarks above. The user `bench` logs in with
a password made for the run. The webhook gateway asks the
[example auth server](../examples/auth-config-server/README.md)
(`containerssh-auth-config-server`), which the benchmark starts on a loopback port the kernel
picks, with a users file that holds `bench` with an `openssl passwd -6` hash (SHA-512 crypt,
5000 rounds, computed again for every request, as it is for a real login). The webhook's
settings are the defaults: plain HTTP on loopback, `timeout: 2s` per attempt, `authTimeout:
60s`, connections kept alive and reused. The auth server, both gateways, the programs they
start and the client share the machine's {nproc} CPUs, and other work may be running on it:
compare the two columns of one run, not figures taken from different runs.

Run only this benchmark, and rewrite only this section, with
`CSH_BENCH_ONLY=webhook_logins ./bench/run` (as root; about 2 minutes on 2 CPUs).
`CSH_BENCH_WEBHOOK_CONCURRENCY` ({sizes}: logins per burst, one size after the other),
`CSH_BENCH_WEBHOOK_BURSTS` ({bursts} per gateway and size), `CSH_BENCH_RUNS` and
`CSH_BENCH_WARMUPS` (as above) change the defaults. It needs the Debian package `curl` and
builds `csh_plugin_auth_http` and `containerssh-auth-config-server` as well.

### What is measured

**Bursts.** A Python client (asyncssh) starts N password logins at the same moment. Each one
connects, does the key exchange, authenticates with the password, runs `{command}` in a session,
reads its exit status and disconnects; a login that fails, or does not finish in 60 s, is counted
as failed. *Wall time* runs from the start of the burst to the last disconnect, and
*logins/s* is the number of successful logins divided by it. *Per-login time* runs from a
login's start to its disconnect. All logins start together, so most of that time is spent
waiting behind the others: a burst's p50 is about half its wall time. {bursts} bursts per
gateway and size, the gateway that goes first alternating from burst to burst; the tables give
the median over the bursts (logins/s: median, and the lowest and highest), CPU time summed over
them and divided by the logins, and the other figures as the largest seen.

*Threads.* While a burst runs, a separate process reads `Threads:` in `/proc/PID/status` of the
gateway every {interval:.0f} ms (`bench/lib/thread_sampler.py`) and lists `/proc/PID/task`.
*Distinct threads seen* counts every thread id that any sample found. A thread that starts and
ends between two samples (about {mean_interval} ms apart in practice) would be missed. The
gateway's fixed pool is its main thread plus one event-loop thread per CPU, with at least two:
{pool} on this machine.

*CPU.* User plus system time from `/proc/PID/stat` of the gateway; of the programs the gateway
started and reaped (the `sh -c {command}` of each session: `cutime` + `cstime`); of the auth
server; and of the client. The gateway's own figure includes starting each session's program.
`backend-local` forks the gateway for that, and the page-table copies and copy-on-write faults
that follow cost more the more memory the gateway is writing at the time.

*Connections to the auth server*: the most established TCP connections to the auth server's
port seen during a burst (sampled every tenth sample). Idle connections kept alive from an
earlier burst are counted too. The gateway's log lines at warning level or above during each
burst are counted, and listed by code and reason under *Problems*.

A burst of 200 saturates this machine: 200 key exchanges, 200 SHA-512 crypt checks in the auth
server and 200 session programs share 2 CPUs. The gateway keeps at most 32 connections to one
webhook server; further requests wait in libcurl for a free one, and that wait counts against
the 2 s attempt timeout. Requests that wait longer end with `HTTP_CLIENT_CONNECTION_FAILED`
("Failed to resolve host ... with timeout" while still queued, "Operation timed out" once sent)
and are retried about 200 ms later ([webhooks](webhooks.md)); every login of the burst still
succeeds, as the table shows. (An earlier run without the connection cap, against the example
server with 64 threads and Poco's default queue of 64, saw the server drop the connections beyond
its queue as well.) A burst of 50 logins stays below these limits and shows what the webhook
costs when nothing waits.

**One login at a time.** Password logins running `{command}`, one after the other,
alternating between the two gateways run by run: {warmups} warm-up runs, then {runs} measured
runs per gateway. This is done twice. First with the OpenSSH client (`ssh -T -o
PreferredAuthentications=password`, the password supplied through `SSH_ASKPASS` with
`SSH_ASKPASS_REQUIRE=force`), timed from process start to exit. Then with asyncssh in one
Python process, timed from connect to disconnect. The OpenSSH client leaves Nagle's algorithm on
during the key exchange, so its 48-byte `KEX_ECDH_INIT` waits until the server has acknowledged
the client's `KEXINIT`. The gateway asks Linux for immediate ACKs (`TCP_QUICKACK`) until the login
is done. Before it did, a delayed ACK of about 40 ms put the OpenSSH logins into two groups
40 ms apart. asyncio sets `TCP_NODELAY` on its sockets, so asyncssh never waited like this. By the measured runs the
webhook gateway has kept-alive connections to the auth server, so a login reuses one. The
*extra login time* is the median webhook login minus the median static login. The median of the
differences between the two runs of each round is given as well. *Gateway CPU per login* is the
gateway's CPU time over the measured runs divided by the runs. Each gateway is idle while the
other one is measured.

**The raw request.** `curl` posts the JSON the gateway would send for this login (user name,
remote address, connection id, client version, `passwordBase64`) to the auth server's
`/password` and reports `-w '%{{time_total}}'`. It does this in two ways. First, one curl process
per request, {curl_runs} requests after {warmups} warm-ups. Keep-alive cannot span curl processes,
so every request opens a new TCP connection: `time_total` covers the TCP connect (its median is
shown too), sending the request, the server's crypt check and the answer. It does not cover
curl's process start; the whole process's median is shown apart. Second, one curl process with
{runs_plus_one} transfers (a config file with `next` between them), all on one kept-alive
connection (`num_connects` adds up to the connections opened). The first transfer, which opens
the connection, is left out. This second way is what the gateway does. The *added latency* is
the extra login time minus the raw request over a kept-alive connection: the gateway's own part
of a webhook round trip (building the request, libcurl on the event loop, parsing the answer,
returning to the connection's strand) plus any difference in how the auth server answers the
two clients. The static login's own check (a constant-time comparison) is inside the static
login's time and is not subtracted.
"""


# Codes the webhook client logs for an attempt that it then retries (docs/webhooks.md).
RETRIED_CODES = ("HTTP_CLIENT_CONNECTION_FAILED", "HTTP_CLIENT_RESPONSE")


def median_of(bursts, key):
    values = [b[key] for b in bursts if b.get(key) is not None]
    return statistics.median(values) if values else None


def cpu_ms_per_login(bursts, key):
    logins = sum(b["runs"] for b in bursts)
    if not logins or any(key not in b["cpu_seconds"] for b in bursts):
        return None
    return sum(b["cpu_seconds"][key] for b in bursts) * 1000 / logins


def loud_lines(bursts):
    counts = [sum(b["gateway_log"]["codes"].values()) for b in bursts]
    return " / ".join(str(c) for c in counts)


def burst_rows(group):
    wh, st = group["webhook"], group["static"]
    rows = []

    def add(label, w, s, fmt, with_ratio=True):
        rows.append((label, fmt(w), fmt(s), ratio(w, s) if with_ratio else ""))

    def rate(bursts):
        values = [b["logins_per_second"] for b in bursts if b["logins_per_second"] is not None]
        return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})" if values else "n/a"

    rows.append(("logins/s (lowest–highest)", rate(wh), rate(st),
                 ratio(median_of(wh, "logins_per_second"), median_of(st, "logins_per_second"))))
    add("wall time of a burst", median_of(wh, "wall_seconds"), median_of(st, "wall_seconds"),
        lambda v: f"{v:.2f} s")
    add("per-login time, p50", median_of(wh, "median_ms"), median_of(st, "median_ms"), fmt_ms)
    add("per-login time, p90", median_of(wh, "p90_ms"), median_of(st, "p90_ms"), fmt_ms)
    add("successful logins", sum(b["runs"] for b in wh), sum(b["runs"] for b in st), str, with_ratio=False)
    add("failed logins", sum(b["failures"] for b in wh), sum(b["failures"] for b in st), str, with_ratio=False)

    def threads(bursts):
        return (f'{max(b["threads"]["at_rest"] for b in bursts)} / '
                f'{max(b["threads"]["during"]["max"] for b in bursts)} / '
                f'{max(b["threads"]["during"]["distinct_threads"] for b in bursts)} / '
                f'{max(b["threads"]["after"] for b in bursts)}')

    add("gateway threads: at rest / most during / distinct seen / after", threads(wh), threads(st), str,
        with_ratio=False)
    add("thread samples per burst", round(median_of([b["threads"]["during"] for b in wh], "samples")),
        round(median_of([b["threads"]["during"] for b in st], "samples")), str, with_ratio=False)
    for key, label in (("gateway", "gateway CPU per login"),
                       ("session_programs", "session programs' CPU per login"),
                       ("auth_server", "auth server CPU per login"),
                       ("client", "client CPU per login")):
        add(label, cpu_ms_per_login(wh, key), cpu_ms_per_login(st, key), fmt_ms,
            with_ratio=key not in ("auth_server",))
    add("most connections to the auth server",
        max(b["threads"]["during"].get("port_connections_max") or 0 for b in wh), "", str, with_ratio=False)
    add("gateway log lines at warning or above (per burst)", loud_lines(wh), loud_lines(st), str, with_ratio=False)
    return rows


def retry_reasons(group):
    """Every code (with its reason) the gateways logged during the bursts of one size, counted."""
    reasons = {}
    for name in ("webhook", "static"):
        for b in group[name]:
            for reason, count in b["gateway_log"]["reasons"].items():
                reasons[(name, reason)] = reasons.get((name, reason), 0) + count
    return reasons


CLIENTS = (("openssh", "OpenSSH client (`ssh`, process start to exit)"),
           ("asyncssh", "asyncssh (connect to disconnect)"))


def sequential_rows(seq):
    wh, st = seq["targets"]["webhook"], seq["targets"]["static"]
    rows = []
    for key, label in (("median_ms", "median"), ("p90_ms", "p90"), ("min_ms", "min"), ("max_ms", "max")):
        w, s = wh.get(key), st.get(key)
        rows.append((label, fmt_ms(w), fmt_ms(s), fmt_ms(w - s) if None not in (w, s) else "n/a", ratio(w, s)))
    w, s = wh["gateway_cpu_ms_per_login"], st["gateway_cpu_ms_per_login"]
    rows.append(("gateway CPU per login", fmt_ms(w), fmt_ms(s), fmt_ms(w - s), ratio(w, s)))
    rows.append(("successful runs", wh["runs"], st["runs"], "", ""))
    return rows


def extra_login_ms(seq):
    wh, st = seq["targets"]["webhook"], seq["targets"]["static"]
    return wh["median_ms"] - st["median_ms"] if "median_ms" in wh and "median_ms" in st else None


def latency_rows(sequential, curl):
    reused, fresh = curl["reused"].get("median_ms"), curl["fresh"].get("median_ms")
    clients = [sequential[name] for name, _ in CLIENTS]
    extras = [extra_login_ms(seq) for seq in clients]
    return [
        ["extra login time with the webhook (median webhook − median static login)"] + [fmt_ms(e) for e in extras],
        ["the same, median of the per-round differences"]
        + [fmt_ms(seq.get("paired_difference_ms", {}).get("median")) for seq in clients],
        ["raw `POST /password` over a kept-alive connection (curl, median)"] + [fmt_ms(reused)] * len(clients),
        ["**added latency: extra login time − raw request**"]
        + [f"**{fmt_ms(e - reused)}**" if None not in (e, reused) else "n/a" for e in extras],
        ["extra login time / raw request (kept-alive)"] + [ratio(e, reused) for e in extras],
        ["extra login time / raw request (new connection)"] + [ratio(e, fresh) for e in extras],
    ]


def raw_request_rows(sequential, curl):
    fresh, reused = curl["fresh"], curl["reused"]
    cpu = [sequential[name].get("auth_server_cpu_ms_per_request") for name, _ in CLIENTS]
    return [
        ("one curl process, {runs} requests on one kept-alive connection (`time_total`)".format(runs=reused["runs"]),
         fmt_ms(reused.get("median_ms")), fmt_ms(reused.get("p90_ms"))),
        ("one curl process per request: new connection each time (`time_total`)",
         fmt_ms(fresh.get("median_ms")), fmt_ms(fresh.get("p90_ms"))),
        ("of which TCP connect (`time_connect`)", fmt_ms(fresh.get("connect_median_ms")), ""),
        ("whole curl process, new connection", fmt_ms(fresh.get("process_median_ms")), ""),
        ("auth server CPU per request during the one-at-a-time logins (OpenSSH / asyncssh)",
         " / ".join(fmt_ms(c) for c in cpu), ""),
        ("connections curl opened for the kept-alive series", reused.get("connections_opened", "n/a"), ""),
    ]


def problems(data, logs):
    """Everything that went wrong or was retried, so the figures are read with it in mind."""
    found = []
    for group in data["bursts"]:
        size = group["concurrency"]
        for name in ("webhook", "static"):
            for i, b in enumerate(group[name], 1):
                if b["failures"]:
                    found.append(f"burst of {size}, {name}, burst {i}: {b['failures']} failed logins: "
                                 + "; ".join(b["errors"]))
        for (name, reason), count in sorted(retry_reasons(group).items()):
            retried = reason.startswith(RETRIED_CODES)
            found.append(f"bursts of {size}, {name} gateway: {count} log lines `{reason}`"
                         + (" (each is one failed attempt, which the gateway retries)" if retried else ""))
    for client, seq in data["sequential"].items():
        for name, figures in seq["targets"].items():
            if figures["failures"]:
                found.append(f"one at a time ({client}), {name}: {figures['failures']} failed runs: "
                             + "; ".join(figures["errors"]))
        for reason, count in seq.get("webhook_gateway_log", {}).get("reasons", {}).items():
            found.append(f"one at a time ({client}), webhook gateway: {count} log lines `{reason}`")
    for kind, figures in data["curl"].items():
        if figures["failures"]:
            found.append(f"curl ({kind}): {figures['failures']} failed requests: " + "; ".join(figures["errors"]))
    for name, summary in logs.items():
        if summary["errors"]:
            found.append(f"{name.replace('_', ' ')}: {summary['errors']} log lines at error level or above; first: "
                         + " / ".join(f"`{line}`" for line in summary["first_errors"]))
    return found


def render_section(data, logs, machine):
    groups = data["bursts"]
    seq, curl = data["sequential"], data["curl"]
    nproc = machine["nproc"]
    mean_intervals = [b["threads"]["during"]["mean_interval_ms"] for g in groups for n in ("webhook", "static")
                      for b in g[n]]
    parts = [PROSE.format(
        heading=HEADING, kex=data["kex"], cipher=data["cipher"], command=data["command"], nproc=nproc,
        sizes=",".join(str(g["concurrency"]) for g in groups),
        bursts=data["bursts_per_gateway"], interval=data["sample_interval_ms"],
        mean_interval=round(statistics.median(mean_intervals)) if mean_intervals else "n/a",
        pool=f"1 + {max(2, nproc)} = {1 + max(2, nproc)}", warmups=seq["openssh"]["warmups"],
        runs=seq["openssh"]["runs"], curl_runs=curl["fresh"]["runs"] + curl["fresh"]["failures"],
        runs_plus_one=curl["reused"]["runs"] + curl["reused"]["failures"] + 1)]
    parts.append("### Results\n")
    other = data["other_cpu"]
    parts.append(f"Measured {machine['date']} on {machine['cpu']} ({nproc} CPUs, {machine['memory']}), "
                 f"Linux {machine['kernel']}, gateway at commit `{machine['commit']}`, curl "
                 f"{data['curl_version']}. The benchmark took {data['elapsed_seconds']} s. In that time, "
                 f"processes other than its own used about {max(0.0, other['seconds']):.0f} of the "
                 f"{other['available_seconds']:.0f} CPU-seconds the machine had (its busy time in `/proc/stat` "
                 "minus the CPU time of the servers, their children, the client and its children).\n")
    for group in groups:
        parts.append(f"#### Bursts of {group['concurrency']} concurrent logins\n")
        parts.append(table(["", "webhook", "static", "webhook / static"], burst_rows(group)) + "\n")
    for name, title in CLIENTS:
        parts.append(f"#### One login at a time: {title}\n")
        parts.append(table(["", "webhook", "static", "webhook − static", "webhook / static"],
                           sequential_rows(seq[name])) + "\n")
    parts.append("#### The raw request\n")
    parts.append(table(["`POST /password` to the example server", "median", "p90"],
                       raw_request_rows(seq, curl)) + "\n")
    parts.append("#### Added latency of one webhook round trip\n")
    parts.append(table([""] + [title.split(" (")[0] for _, title in CLIENTS], latency_rows(seq, curl)) + "\n")
    found = problems(data, logs)
    parts.append("#### Problems seen during this benchmark\n")
    parts.append("\n".join(f"- {p}" for p in found) + "\n" if found else
                 "None: every login and request succeeded at the first attempt, and no server logged "
                 "anything at warning level or above.\n")
    return "\n".join(parts)
