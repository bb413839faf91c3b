"""The Table form kubectl asks for when it prints columns (Accept:
application/json;as=Table;v=v1;g=meta.k8s.io): NAME, READY, STATUS,
RESTARTS, AGE for pods, NAME, HOLDER, AGE for leases."""

import datetime


def wants_table(request):
    return "as=Table" in request.headers.get("Accept", "")


def _age(timestamp):
    try:
        created = datetime.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return "<unknown>"
    seconds = int((datetime.datetime.now(datetime.timezone.utc) - created).total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


def _pod_status(pod):
    if pod["metadata"].get("deletionTimestamp"):
        return "Terminating"
    reason = pod.get("status", {}).get("phase", "Pending")
    for s in pod.get("status", {}).get("containerStatuses") or []:
        state = s.get("state", {})
        if "waiting" in state and state["waiting"].get("reason"):
            reason = state["waiting"]["reason"]
        elif "terminated" in state and state["terminated"].get("reason"):
            reason = state["terminated"]["reason"]
    return reason


def _columns(kind):
    name = {"name": "Name", "type": "string", "format": "name", "description": "Name", "priority": 0}
    age = {"name": "Age", "type": "string", "format": "", "description": "Age", "priority": 0}
    if kind == "Lease":
        return [name, {"name": "Holder", "type": "string", "format": "", "description": "Holder", "priority": 0}, age]
    return [name, {"name": "Ready", "type": "string", "format": "", "description": "Ready", "priority": 0},
            {"name": "Status", "type": "string", "format": "", "description": "Status", "priority": 0},
            {"name": "Restarts", "type": "string", "format": "", "description": "Restarts", "priority": 0}, age]


def _row(obj, kind, api_version):
    meta = obj["metadata"]
    if kind == "Lease":
        cells = [meta["name"], (obj.get("spec") or {}).get("holderIdentity", "<none>"),
                 _age(meta.get("creationTimestamp"))]
    else:
        statuses = obj.get("status", {}).get("containerStatuses") or []
        ready = sum(1 for s in statuses if s.get("ready"))
        restarts = sum(s.get("restartCount", 0) for s in statuses)
        cells = [meta["name"], f"{ready}/{len(obj['spec']['containers'])}", _pod_status(obj), str(restarts),
                 _age(meta.get("creationTimestamp"))]
    return {"cells": cells, "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                       "metadata": meta}}


def table_for_object(obj, watch=False):
    kind = obj.get("kind", "Pod")
    if kind == "Status":
        return obj
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": obj["metadata"].get("resourceVersion", "")},
            "columnDefinitions": _columns(kind), "rows": [_row(obj, kind, obj.get("apiVersion"))]}


def table_for_list(result):
    kind = result["kind"][:-len("List")]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": result["metadata"],
            "columnDefinitions": _columns(kind),
            "rows": [_row(item, kind, result["apiVersion"]) for item in result["items"]]}
