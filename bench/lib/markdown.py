"""Small Markdown helpers the report sections share: numbers, tables, what the gateways logged."""


def fmt_ms(value):
    return f"{value:,.1f} ms" if value is not None else "n/a"


def ratio(a, b):
    return f"{a / b:.3g}" if a is not None and b else "n/a"


def median(values):
    """The median of the values that are not None; None when there are none."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def log_problems(logs):
    """Lines for stream_transfer.log_summary's figures: codes at warning level or above, and
    the first lines at error level or above, per gateway."""
    found = []
    for name, log in logs.items():
        if log["codes"]:
            found.append(f"gateway {name} logged at warning level or above: "
                         + ", ".join(f"{count} × `{code}`" for code, count in sorted(log["codes"].items())))
        if log["errors"]:
            found.append(f"gateway {name}, first lines at error level or above: "
                         + " / ".join(f"`{line}`" for line in log["first_errors"]))
    return found


def problems_part(found, nothing):
    """A section's "Problems seen during this benchmark": the list, or `nothing` when empty."""
    return ["#### Problems seen during this benchmark\n",
            "\n".join(f"- {p}" for p in found) + "\n" if found else nothing]


def measured_line(machine, data):
    """A section's first line of results: when and where, how long, how busy the machine was."""
    busy = data["machine_busy"]
    return (f"Measured {machine['date']} on {machine['cpu']} ({machine['nproc']} CPUs, {machine['memory']}), Linux "
            f"{machine['kernel']}, gateway at commit `{machine['commit']}`. The benchmark took "
            f"{data['elapsed_seconds']} s; the machine was busy {busy['seconds']:.0f} of the "
            f"{busy['available_seconds']:.0f} CPU-seconds it had in that time (everything, the benchmark "
            f"included), load average {data['load_average_before']:.1f} before and "
            f"{data['load_average_after']:.1f} after.\n")
