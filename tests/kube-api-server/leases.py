"""coordination.k8s.io/v1 Leases, the gateway replicas' heartbeats: create,
get, list, update with resourceVersion optimistic concurrency, patch, delete.
Kept in memory and in the state directory, so they survive a restart."""

import copy
import json
import os
import uuid

import pod_spec
from api_status import ApiError, already_exists, invalid, not_found, stale
from pods import now_rfc3339
from store import ObjectStore, write_json_atomically

GROUP = "coordination.k8s.io"
API_VERSION = GROUP + "/v1"
FIELDS = {"metadata.name", "metadata.namespace"}


def lease_fields(lease):
    return {"metadata.name": lease["metadata"]["name"], "metadata.namespace": lease["metadata"].get("namespace", "")}


class LeaseManager:
    def __init__(self, revisions, state_dir):
        self.store = ObjectStore(revisions, "Lease", API_VERSION, lease_fields)
        self.state_file = os.path.join(state_dir, "leases.json") if state_dir else None
        if self.state_file and os.path.exists(self.state_file):
            with open(self.state_file) as f:
                for lease in json.load(f):
                    key = (lease["metadata"]["namespace"], lease["metadata"]["name"])
                    self.store.objects[key] = lease
                    revisions.bump_to(int(lease["metadata"].get("resourceVersion") or 0))

    def persist(self):
        if self.state_file:
            write_json_atomically(self.state_file, list(self.store.objects.values()))

    def get(self, namespace, name):
        lease = self.store.get(namespace, name)
        if lease is None:
            raise not_found("leases", name, GROUP)
        return lease

    def _check(self, namespace, body, name=None):
        if not isinstance(body, dict) or body.get("kind", "Lease") != "Lease":
            raise ApiError(400, "BadRequest", "the body is not a coordination.k8s.io/v1 Lease")
        obj = copy.deepcopy(body)
        meta = obj.setdefault("metadata", {})
        if meta.get("namespace") and meta["namespace"] != namespace:
            raise ApiError(400, "BadRequest",
                           "the namespace of the provided object does not match the namespace sent on the request")
        if name is not None and meta.get("name") and meta["name"] != name:
            raise ApiError(400, "BadRequest", "the name of the object "
                           f"({meta['name']}) does not match the name on the URL ({name})")
        if name is not None:
            meta["name"] = name
        meta["namespace"] = namespace
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = pod_spec.generate_name(meta["generateName"])
        causes = pod_spec.name_causes(meta.get("name", ""))
        duration = (obj.get("spec") or {}).get("leaseDurationSeconds")
        if duration is not None and (not isinstance(duration, int) or duration <= 0):
            causes.append(("spec.leaseDurationSeconds", "FieldValueInvalid",
                           f"Invalid value: {duration}: must be greater than 0"))
        if causes:
            raise invalid("Lease", meta.get("name", ""), causes, GROUP)
        obj["kind"], obj["apiVersion"] = "Lease", API_VERSION
        obj.setdefault("spec", {})
        return obj

    def create(self, namespace, body):
        obj = self._check(namespace, body)
        meta = obj["metadata"]
        if self.store.get(namespace, meta["name"]) is not None:
            raise already_exists("leases", meta["name"], GROUP)
        meta.pop("resourceVersion", None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now_rfc3339()
        self.store.put(obj, "ADDED")
        self.persist()
        return copy.deepcopy(obj)

    def update(self, namespace, name, body):
        """PUT: the body's resourceVersion must be the stored one (409
        Conflict otherwise); a missing lease is created, as for the real one."""
        obj = self._check(namespace, body, name)
        current = self.store.get(namespace, name)
        if current is None:
            return self.create(namespace, obj), 201
        rv = obj["metadata"].get("resourceVersion")
        if not rv:
            raise invalid("Lease", name, [("metadata.resourceVersion", "FieldValueInvalid",
                                           "Invalid value: 0x0: must be specified for an update")], GROUP)
        if rv != current["metadata"]["resourceVersion"]:
            raise stale("leases", name, GROUP)
        for key in ("uid", "creationTimestamp"):
            obj["metadata"][key] = current["metadata"][key]
        if obj == current:
            return copy.deepcopy(current), 200  # a no-op update keeps its resourceVersion
        self.store.put(obj, "MODIFIED")
        self.persist()
        return copy.deepcopy(obj), 200

    def delete(self, namespace, name, preconditions):
        lease = self.get(namespace, name)
        if preconditions.get("resourceVersion") and preconditions["resourceVersion"] != lease["metadata"]["resourceVersion"]:
            raise stale("leases", name, GROUP)
        self.store.remove(lease)
        self.persist()
        return copy.deepcopy(lease)
