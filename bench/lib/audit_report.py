"""The "Audit recording" section of docs/performance.md.

bench/render_report calls render_section with what bench/audit_recording wrote
(audit_recording.json) and machine.json; only figures from those files appear,
the prose is fixed here.
"""

from markdown import median, log_problems, problems_part, ratio, table

HEADING = "## Audit recording"

# The issue's target: a recording gateway at most 10 % slower than the same gateway without audit.
RECORDING_VS_OFF = 0.9

# What the S3 uploader holds per request in flight (docs/audit.md: parts are read from the
# spool file by libcurl's read callback): libcurl 7.88's upload buffer (64 KiB,
# CURLOPT_UPLOAD_BUFFERSIZE's default) and receive buffer (16 KiB, CURLOPT_BUFFERSIZE's
# default), the stdio buffer of the spool file opened for the part (4 KiB), and the easy
# handle with its headers and signature (a few KiB, counted as 4).
PER_REQUEST_KIB = 64 + 16 + 4 + 4
# Per recording, file and S3 alike: ISA-L's deflate state (isal_zstream, 80 KiB, and the level-1
# buffer ISAL_DEF_LVL1_SMALL, 84 KiB: 165 KiB, the encoder's comment), and two buffers that keep
# the capacity of the largest io message the recording had: the CBOR message (CborBuffer, grown
# by doubling from 4 KiB) and its encoded bytes (a std::string resized to the message's bound,
# grown by doubling): each up to twice it.
ZLIB_KIB = 165
BUFFERS_PER_MESSAGE = 2 * 2
# The ceiling of one io message: what the core offers the backend at once, at most what libssh
# 0.10 holds for a channel, about two of its windows (1,280,000 bytes each; session_channel.cpp).
LIBSSH_WINDOW_BYTES = 1280000
MESSAGE_CEILING_BYTES = 2 * LIBSSH_WINDOW_BYTES

DIRECTIONS = (("out", "out of the container (zeros)"), ("in", "into the container (zeros)"),
              ("out_random", "out of the container (/dev/urandom: incompressible)"))
COLUMNS = (("off", "audit off"), ("file", "binary to file"), ("s3", "binary to S3"))

PROSE = """{heading}

The cost of recording sessions ([audit recording](audit.md), the `audit-s3` plugin): three
gateways with the Docker backend in connection mode, configured as the [Docker
benchmark](#sessions-in-docker-containers)'s connection-mode gateway and differing only in their
`audit` section, side by side in one run (`bench/audit_recording`):

- **audit off**: no `audit` section;
- **binary to file**: `audit.enable: true`, `format: binary`, `storage: file`, `intercept:
  {{stdin: true, stdout: true, stderr: true}}`, `file.directory` in the work directory;
- **binary to S3**: the same with `storage: s3`, the spool (`s3.local`) in the work directory,
  uploaded to the project's S3 test server (`tests/support/s3/s3-test-server`: s3rver 3.7.1
  behind the Python proxy that checks every request's SigV4 signature, on loopback, on the same
  machine), `pathStyleAccess: true`, `uploadPartSize: {part_size}` ({part_mib:g} MiB) and
  `parallelUploads: {parallel}`.

All three log at `info` (the S3 gateway's `AUDIT_S3_UPLOAD_COMPLETE` line, with the bytes it
uploaded, is an info line) and use the image, key, key exchange (`{kex}`), host key
(`{host_key}`) and cipher (`{cipher}`) of the Docker benchmark; the engine, the gateways, the S3
server, the client and everything else running on the machine share its {nproc} CPUs.

Run only this benchmark, and rewrite only this section, with `CSH_BENCH_ONLY=audit ./bench/run`
(as root; about {minutes} minutes on {nproc} CPUs). It builds `csh_plugin_audit_s3` besides the
Docker benchmark's targets, installs s3rver into `build/s3rver` with npm on first use, and uses
the engine as the Docker benchmark does. `CSH_BENCH_AUDIT_MIB` ({mib} MiB per transfer; else
`CSH_BENCH_DOCKER_MIB`), `CSH_BENCH_AUDIT_REPEATS` ({repeats} per gateway and direction),
`CSH_BENCH_AUDIT_RANDOM=0` (zeros only), `CSH_BENCH_AUDIT_PART_SIZE` and
`CSH_BENCH_AUDIT_PARALLEL` change the defaults.

### What is measured

**Throughput.** The Docker benchmark's transfers (`bench/lib/stream_transfer.py`), with the
OpenSSH client through each gateway: *out*, `{out_command}` in the container, read from the
client's stdout; *in*, `{in_command}` fed {mib} MiB of zeros; and *out, incompressible*,
`{random_command}`. The rate is {mib} MiB over the time from the first to the last byte; MB is
10⁶ bytes. The three gateways take turns, the one that goes first turning each round, {repeats}
rounds per direction; the tables give the median and each transfer. Zeros are what the Docker
benchmark sends, and they are the cheapest case for a recording: the binary encoder compresses
with ISA-L's igzip at level 1 and zeros shrink to a small fraction (the recording sizes below),
while random bytes do not shrink, so the recording is as large as the stream and the S3 gateway
uploads it in parts while the session runs.

**Memory.** Just before each transfer the gateway's peak resident memory is reset (`echo 5 >
/proc/PID/clear_refs`); after it, for S3 after the upload too, `VmHWM` is read (and `VmRSS` is
sampled every 20 ms as a cross-check; the larger is given). *Growth* is that peak minus the
RSS just before the transfer: what the transfer, its recording and its upload took. *Above audit
off's* is a recording gateway's median growth minus the audit-off gateway's, in the same
direction: the memory recording adds, which the bound below is about. Memory a gateway kept from
an earlier transfer (the allocator's free lists) is in its *before* figure and not counted again.

**Recordings and uploads.** For the file gateway, the size of the recording the transfer left,
and the recording read back (the gzip stream inflated, the CBOR messages parsed): the bytes of its
io messages of the transferred stream must be the {mib} MiB sent, and the largest message is
noted; then it is removed. For the S3 gateway, the spool directory is watched every 20 ms: the *upload lag*
is the time from the transfer's last byte (the client's side) until the spool is empty, that is,
until the recording is complete in the bucket and removed from the spool (`AUDIT_S3_UPLOAD_COMPLETE`).
Then the bucket is listed with awscli
(`aws s3api list-objects-v2`, the test server's keys): the object must be there with the size the
gateway logged, and the proxy's request log must show that many bytes stored by PUT requests
(parts or one PUT); the object is then downloaded (`get-object`) and read back as the file
recordings are, and deleted. *Gateway CPU* covers the transfer and, for S3,
the upload. *S3 test server CPU* is that of the server's processes (the Python proxy and s3rver
under node) over the same time: on the same CPUs as everything else, the server competes with
the transfer it receives, which a bucket on another machine would not.
"""



def each(values, fmt):
    shown = [fmt(v) if v is not None else "n/a" for v in values]
    return " / ".join(shown) if shown else "n/a"


def mib(value):
    return f"{value / 2 ** 20:,.1f} MiB" if value is not None else "n/a"


def kib_as_mib(value):
    return f"{value / 1024:,.1f} MiB" if value is not None else "n/a"


def rate(figures):
    return figures.get("median_mb_per_s")


def target_rows(data):
    rows = []
    for direction, label in DIRECTIONS:
        d = data["directions"].get(direction)
        if not d:
            continue
        for name in ("file", "s3"):
            value = ratio(rate(d[name]), rate(d["off"]))
            met = value != "n/a" and float(value) >= RECORDING_VS_OFF
            rows.append((f"{dict(COLUMNS)[name]}, {label}: at least {RECORDING_VS_OFF} of audit off",
                         f"{value} ({fmt_rate(rate(d[name]))} / {fmt_rate(rate(d['off']))})",
                         "yes" if met else "no"))
    for direction, label in DIRECTIONS:
        d = data["directions"].get(direction)
        if not d:
            continue
        bound = memory_bound_kib(data, d)
        above = growth_above_off(d, "s3")
        rows.append((f"binary to S3, {label}: memory growth during transfer and upload, above audit off's, "
                     f"within the bound ({kib_as_mib(bound)}, see below)", kib_as_mib(above),
                     "yes" if above is not None and bound is not None and above <= bound else "no"))
    return rows


def fmt_rate(value):
    return f"{value:,.1f} MB/s" if value is not None else "n/a"


def growths(figures):
    """Per transfer: the gateway's peak RSS minus its RSS just before."""
    return [peak - before for peak, before in zip(figures.get("peak_rss_kib", []), figures.get("rss_before_kib", []))]


def growth_above_off(d, name):
    """How much more a recording gateway grew during a transfer than audit off did (medians)."""
    mine, off = median(growths(d[name])), median(growths(d["off"]))
    return mine - off if mine is not None and off is not None else None


def run_peak(data, name):
    peaks = [p for d in data["directions"].values() for p in d[name].get("peak_rss_kib", [])]
    return max(peaks) if peaks else None


def uploader_bound_kib(data):
    return data["parallel_uploads"] * PER_REQUEST_KIB


def largest_message(d):
    """The largest io message of the recordings of one direction (read back), in bytes."""
    sizes = [stream["largest"] for name in ("file", "s3") for io in d[name].get("recording_io", [])
             for stream in io["streams"].values()]
    return max(sizes) if sizes else None


def recording_state_kib(largest):
    return ZLIB_KIB + BUFFERS_PER_MESSAGE * largest / 1024


def memory_bound_kib(data, d):
    """Uploader plus one recording's state with the largest message this direction had."""
    largest = largest_message(d)
    return uploader_bound_kib(data) + recording_state_kib(largest) if largest is not None else None


def recorded(d, direction, name="file"):
    stream = "0" if direction == "in" else "1"
    return [io["streams"].get(stream, {}).get("bytes", 0) for io in d[name].get("recording_io", [])]


def direction_rows(data, direction):
    d = data["directions"][direction]
    gib = data["bytes"] / 2 ** 30
    rows = [["MB/s, median"] + [fmt_rate(rate(d[n])) for n, _ in COLUMNS],
            ["MB/s, each transfer"] + [each(d[n]["mb_per_s"], lambda v: f"{v:,.1f}") for n, _ in COLUMNS],
            ["ratio to audit off (medians)", ""] + [ratio(rate(d[n]), rate(d["off"])) for n in ("file", "s3")],
            ["whole transfer with login, median"]
            + [f"{median(d[n]['whole_seconds']):.2f} s" if d[n]["whole_seconds"] else "n/a" for n, _ in COLUMNS],
            ["gateway CPU per GiB, median"]
            + [f"{median(d[n]['server_cpu_seconds']) / gib:.2f} s" if d[n]["server_cpu_seconds"] else "n/a"
               for n, _ in COLUMNS],
            ["S3 test server CPU per GiB (same machine), median", "", "",
             f"{median(d['s3']['s3_server_cpu_seconds']) / gib:.2f} s" if d["s3"].get("s3_server_cpu_seconds")
             else "n/a"],
            ["gateway RSS before the transfer, median"]
            + [kib_as_mib(median(d[n].get("rss_before_kib", []))) for n, _ in COLUMNS],
            ["gateway peak RSS, median"] + [kib_as_mib(median(d[n].get("peak_rss_kib", []))) for n, _ in COLUMNS],
            ["growth during the transfer (peak − before), each transfer"]
            + [each(growths(d[n]), kib_as_mib) for n, _ in COLUMNS],
            ["growth above audit off's (medians)", ""]
            + [kib_as_mib(growth_above_off(d, n)) for n in ("file", "s3")],
            ["recording size, each transfer", "", each(d["file"].get("recording_bytes", []), mib),
             each(d["s3"].get("object_bytes", []), mib)],
            ["the stream's bytes in the recording (read back), each transfer", "",
             each(recorded(d, direction), lambda v: f"{v:,}"), each(recorded(d, direction, "s3"), lambda v: f"{v:,}")],
            ["io messages in the recording, largest, each transfer", ""]
            + [each([sum(st["messages"] for st in io["streams"].values()) for io in d[n].get("recording_io", [])],
                    lambda v: f"{v:,}") + ", largest "
               + each([max(st["largest"] for st in io["streams"].values()) for io in d[n].get("recording_io", [])],
                      lambda v: f"{v / 1024:,.0f} KiB") for n in ("file", "s3")],
            ["upload lag after the last byte, each transfer", "", "",
             each(d["s3"].get("upload_lag_seconds", []), lambda v: f"{v:.2f} s")],
            ["requests that stored it (parts + single PUTs), each transfer", "", "",
             each([f"{p} + {s}" for p, s in zip(d["s3"].get("parts", []), d["s3"].get("single_puts", []))], str)],
            ["successful transfers"]
            + [f"{len(d[n]['mb_per_s'])} of {len(d[n]['mb_per_s']) + d[n]['failures']}" for n, _ in COLUMNS]]
    return rows


def memory_text(data):
    parallel = data["parallel_uploads"]
    uploader = uploader_bound_kib(data)
    lines = [f"What recording adds to the gateway's memory has two parts. **The S3 uploader**: it reads each "
             f"part from the spool file when libcurl asks for it (the read callback), so no part and no "
             f"recording is held in memory; it holds at most `parallelUploads` requests in flight, each with "
             f"libcurl's buffers (64 KiB upload buffer, 16 KiB receive buffer, the spool file's 4 KiB stdio "
             f"buffer, a few KiB of handle and headers: about {PER_REQUEST_KIB} KiB), over all recordings: "
             f"with `parallelUploads: {parallel}`, **{parallel} × {PER_REQUEST_KIB} KiB = "
             f"{kib_as_mib(uploader)}**, whatever the recording's size or the upload's lag (a slow bucket makes "
             f"the spool on disk grow, not the memory). **Each recording**, file and S3 alike: ISA-L's deflate "
             f"state ({ZLIB_KIB} KiB) and two buffers sized by the largest io message the recording had, the "
             f"CBOR message and its encoded bytes, each grown by doubling (so up to twice that message) and "
             f"kept at that capacity until the connection ends: up to {ZLIB_KIB} KiB + 4 × the largest message. "
             f"A message is what the core passed on at once: on stdout a chunk of the backend's output, on "
             f"stdin what the backend took in one call; its ceiling is what libssh holds for a channel, about "
             f"two windows of {LIBSSH_WINDOW_BYTES:,} bytes, so at worst {ZLIB_KIB} KiB + 4 × "
             f"{kib_as_mib(MESSAGE_CEILING_BYTES / 1024)} per recording (on stdout the backend's chunks are far "
             f"smaller). The bound checked above is the uploader "
             f"plus one recording with the largest message its direction had in this run (read back from the "
             f"recordings). Outside it: the 8 MiB per recording held when the disk refuses writes "
             f"([audit.md](audit.md#when-things-go-wrong)), not exercised here.", ""]
    measured = []
    for direction, label in DIRECTIONS:
        d = data["directions"].get(direction)
        if not d:
            continue
        s3, file = growth_above_off(d, "s3"), growth_above_off(d, "file")
        bound, largest = memory_bound_kib(data, d), largest_message(d)
        verdict = "within" if s3 is not None and bound is not None and s3 <= bound else "above"
        measured.append(f"{label}: largest message {largest / 1024 if largest else 0:,.0f} KiB, bound "
                        f"{kib_as_mib(bound)}; binary to S3 {kib_as_mib(s3)} ({verdict}), binary to file "
                        f"{kib_as_mib(file)} (S3 minus file, the uploader's share were the two processes alike: "
                        f"{kib_as_mib(s3 - file if s3 is not None and file is not None else None)})")
    lines.append("Measured, the growth of the gateway's RSS during a transfer (and its upload) above audit "
                 "off's growth in the same direction, medians: " + "; ".join(measured) + ".")
    rest = data["rss_at_rest_kib"]
    lines.append("")
    lines.append("Over the whole run, from the same start: the largest peak RSS was "
                 + ", ".join(f"{title} {kib_as_mib(run_peak(data, n))} (at rest {kib_as_mib(rest[n])})"
                             for n, title in COLUMNS) + ".")
    return "\n".join(lines) + "\n"


def cpu_note(data):
    """Where the CPU went, per direction: the gateways' and the S3 test server's, per GiB."""
    gib = data["bytes"] / 2 ** 30
    said = []
    for direction, label in DIRECTIONS:
        d = data["directions"].get(direction)
        if not d:
            continue
        cpu = {n: median(d[n]["server_cpu_seconds"]) for n, _ in COLUMNS}
        server = median(d["s3"].get("s3_server_cpu_seconds", []))
        if None in cpu.values():
            continue
        said.append(f"{label}: audit off {cpu['off'] / gib:.2f} s, to file {cpu['file'] / gib:.2f} s, to S3 "
                    f"{cpu['s3'] / gib:.2f} s" + (f" plus {server / gib:.2f} s of the S3 test server"
                                                   if server is not None else ""))
    if not said:
        return ""
    return ("Where the CPU went, per GiB (medians; the gateway's own, recording included, on the session's "
            "thread for the encoder): " + "; ".join(said) + ". Everything shares the machine's CPUs, so a "
            "side's extra CPU, and the S3 server's, is time the session's own path waits for.\n")


def problems(data):
    found = list(data.get("problems", []))
    for direction, sides in data["directions"].items():
        for name, figures in sides.items():
            if figures["failures"]:
                found.append(f"{direction}, {name}: {figures['failures']} failed transfers: "
                             + "; ".join(f"`{e}`" for e in figures["errors"]))
    return found + log_problems(data.get("gateway_logs", {}))


def render_section(data, machine):
    nproc = machine["nproc"]
    mebibytes = data["bytes"] // 2 ** 20
    commands = data["commands"]
    parts = [PROSE.format(
        heading=HEADING, part_size=data["part_size"], part_mib=data["part_size"] / 2 ** 20,
        parallel=data["parallel_uploads"], kex=data["kex"], host_key=data["host_key"], cipher=data["cipher"],
        nproc=nproc, minutes=max(1, round((data["elapsed_seconds"] + 60) / 60)), mib=mebibytes,
        repeats=data["repeats"], out_command=commands["out"], in_command=commands["in"],
        random_command=commands.get("out_random", "not run"))]
    if "out_random" not in data["directions"]:
        parts.append("This run left out the incompressible transfer (`CSH_BENCH_AUDIT_RANDOM=0`): it is not "
                     "measured here.\n")
    parts.append("### Results\n")
    busy = data["machine_busy"]
    rest = data["rss_at_rest_kib"]
    parts.append(f"Measured {machine['date']} on {machine['cpu']} ({nproc} CPUs, {machine['memory']}), Linux "
                 f"{machine['kernel']}, gateway at commit `{machine['commit']}`, Docker {data.get('docker_version', '?')} "
                 f"with the `{data.get('storage_driver', '?')}` storage driver{data.get('engine_note', '')}. "
                 f"The benchmark took {data['elapsed_seconds']} s; the machine was busy {busy['seconds']:.0f} of "
                 f"the {busy['available_seconds']:.0f} CPU-seconds it had in that time (everything, the "
                 f"benchmark and the S3 server included), load average {data['load_average_before']:.1f} before "
                 f"and {data['load_average_after']:.1f} after. Gateway RSS at rest before the first transfer: "
                 f"audit off {kib_as_mib(rest['off'])}, to file {kib_as_mib(rest['file'])}, to S3 "
                 f"{kib_as_mib(rest['s3'])}.\n")
    parts.append("#### Targets\n")
    parts.append(table(["target", "measured", "met"], target_rows(data)) + "\n")
    parts.append(cpu_note(data))
    for direction, label in DIRECTIONS:
        if direction not in data["directions"]:
            continue
        parts.append(f"#### {mebibytes:,} MiB {label}\n")
        parts.append(table([""] + [title for _, title in COLUMNS], direction_rows(data, direction)) + "\n")
    parts.append("#### Memory during the upload\n")
    parts.append(memory_text(data))
    parts += problems_part(problems(data),
                           "None: every transfer succeeded, every recording arrived in the bucket with the size the "
                           "gateway logged, and no gateway logged anything at warning level or above.\n")
    return "\n".join(parts)
