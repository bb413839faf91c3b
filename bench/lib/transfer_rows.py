"""Rows of the throughput tables the Docker and Kubernetes sections share, from one direction's
figures as stream_transfer.py collects them (per side: median_mb_per_s, mb_per_s, whole_seconds,
failures). `columns` are (side, label) pairs; `ours` and `theirs` name the two sides the ratio
column compares."""

from markdown import median, ratio


def rate_row(d, columns, ours, theirs):
    def rate(name):
        return d[name]["median_mb_per_s"]

    return (["MB/s"] + [f"{rate(n):,.1f}" if rate(n) is not None else "n/a" for n, _ in columns]
            + [ratio(rate(ours), rate(theirs))])


def each_transfer_row(d, columns):
    return (["MB/s, each transfer"]
            + [" / ".join(f"{v:,.1f}" for v in d[n]["mb_per_s"]) or "n/a" for n, _ in columns] + [""])


def whole_transfer_row(label, d, columns, ours, theirs):
    return ([label]
            + [f"{median(d[n]['whole_seconds']):.2f} s" if d[n]["whole_seconds"] else "n/a" for n, _ in columns]
            + [ratio(median(d[ours]["whole_seconds"]), median(d[theirs]["whole_seconds"]))])


def success_row(d, columns):
    return (["successful transfers"]
            + [f"{len(d[n]['mb_per_s'])} of {len(d[n]['mb_per_s']) + d[n]['failures']}" for n, _ in columns]
            + [""])
