"""Objects of one resource with resourceVersions, list and watch. One counter
of revisions is shared by all resources (as etcd's is); watches replay the
retained history after a given resourceVersion and then follow changes."""

import asyncio
import collections
import copy
import json
import os
import time

from aiohttp import web

from api_status import ApiError, status_body

HISTORY_LIMIT = 4096


def write_json_atomically(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


class Revisions:
    """The resourceVersion counter, kept in a file so a restarted server
    never hands out a version it handed out before."""

    def __init__(self, path):
        self.path = path
        self.value = 0
        if path and os.path.exists(path):
            with open(path) as f:
                self.value = int(f.read().strip() or 0)
        # Watches from a version before this one cannot be replayed.
        self.first = self.value + 1

    def next(self):
        self.value += 1
        if self.path:
            tmp = self.path + ".tmp"
            with open(tmp, "w") as f:
                f.write(str(self.value))
            os.replace(tmp, self.path)
        return self.value

    def bump_to(self, value):
        self.value = max(self.value, value)


Event = collections.namedtuple("Event", "rv type obj prev")


class ObjectStore:
    """`fields(obj)` gives the field-selector values of an object."""

    def __init__(self, revisions, kind, api_version, fields):
        self.revisions = revisions
        self.kind = kind
        self.api_version = api_version
        self.fields = fields
        self.objects = {}  # (namespace, name) -> object (with kind and apiVersion)
        self.history = collections.deque(maxlen=HISTORY_LIMIT)
        self.watchers = set()

    def get(self, namespace, name):
        return self.objects.get((namespace, name))

    def put(self, obj, event_type):
        """Stores a new version of obj (ADDED or MODIFIED) and tells watchers."""
        rv = self.revisions.next()
        obj["metadata"]["resourceVersion"] = str(rv)
        key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        prev = self.objects.get(key)
        self.objects[key] = obj
        self._record(Event(rv, event_type, copy.deepcopy(obj), prev and copy.deepcopy(prev)))
        return obj

    def remove(self, obj):
        rv = self.revisions.next()
        obj["metadata"]["resourceVersion"] = str(rv)
        key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        self.objects.pop(key, None)
        self._record(Event(rv, "DELETED", copy.deepcopy(obj), None))

    def _record(self, event):
        self.history.append(event)
        for queue in self.watchers:
            queue.put_nowait(event)

    def matcher(self, namespace, label_match, field_match):
        def match(obj):
            if obj is None:
                return False
            if namespace and obj["metadata"].get("namespace") != namespace:
                return False
            return label_match(obj["metadata"].get("labels")) and field_match(self.fields(obj))
        return match

    def list(self, match, list_kind):
        items = []
        for key in sorted(self.objects):
            obj = self.objects[key]
            if match(obj):
                item = copy.deepcopy(obj)
                # Items of a real list carry no kind/apiVersion of their own.
                item.pop("kind", None)
                item.pop("apiVersion", None)
                items.append(item)
        return {"kind": list_kind, "apiVersion": self.api_version,
                "metadata": {"resourceVersion": str(self.revisions.value)}, "items": items}

    async def watch(self, request, match, resource_version, timeout_seconds, encode=None):
        """Serves a watch: a chunked stream of {"type", "object"} lines."""
        queue = asyncio.Queue()
        self.watchers.add(queue)
        try:
            response = web.StreamResponse(headers={"Content-Type": "application/json",
                                                   "Cache-Control": "no-cache, private"})
            response.enable_chunked_encoding()
            await response.prepare(request)
            deadline = time.monotonic() + timeout_seconds if timeout_seconds else None

            async def send(event_type, obj):
                body = encode(event_type, obj) if encode else {"type": event_type, "object": obj}
                await response.write(json.dumps(body).encode() + b"\n")

            if resource_version in (None, "", "0"):
                # "Start at most recent": the current state as ADDED, then changes.
                sent = self.revisions.value
                for key in sorted(self.objects):
                    if match(self.objects[key]):
                        await send("ADDED", copy.deepcopy(self.objects[key]))
            else:
                try:
                    sent = int(resource_version)
                except ValueError:
                    raise ApiError(400, "BadRequest", f'invalid resource version: "{resource_version}"')
                oldest = self.history[0].rv if self.history else self.revisions.value + 1
                if sent + 1 < min(oldest, self.revisions.first):
                    gone = status_body(410, "Expired", f"too old resource version: {sent} ({oldest - 1})")
                    await response.write(json.dumps({"type": "ERROR", "object": gone}).encode() + b"\n")
                    return response
                for event in list(self.history):
                    if event.rv > sent:
                        translated = self._translate(event, match)
                        if translated:
                            await send(*translated)
                sent = max(sent, self.revisions.value)
            while True:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                try:
                    event = await asyncio.wait_for(queue.get(), remaining)
                except asyncio.TimeoutError:
                    break
                if event.rv <= sent:
                    continue
                sent = event.rv
                translated = self._translate(event, match)
                if translated:
                    await send(*translated)
            return response
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        finally:
            self.watchers.discard(queue)

    @staticmethod
    def _translate(event, match):
        """What a filtered watcher sees: an object that stops matching is
        DELETED for it, one that starts matching is ADDED."""
        now = match(event.obj)
        if event.type == "MODIFIED":
            before = match(event.prev)
            if now and before:
                return "MODIFIED", event.obj
            if now:
                return "ADDED", event.obj
            if before:
                gone = copy.deepcopy(event.prev)
                gone["metadata"]["resourceVersion"] = str(event.rv)
                return "DELETED", gone
            return None
        return (event.type, event.obj) if now else None
