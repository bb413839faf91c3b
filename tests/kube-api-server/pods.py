"""Pods as Docker containers: each container of spec.containers is one
container of the engine, labelled with the pod, and the pod's status is
reconstructed from what the engine says about them. The pod objects are
also kept in the state directory, so a restarted server finds them again
(the Docker labels carry them too, for a state directory that was lost)."""

import asyncio
import copy
import datetime
import json
import logging
import os
import uuid

import pod_spec
from api_status import ApiError, already_exists, conflict, not_found
from docker_api import DockerError
from store import ObjectStore, write_json_atomically

log = logging.getLogger("kube-api-server.pods")

LABEL_PREFIX = "io.containerssh.kube-api-server/"
LABEL_INSTANCE = LABEL_PREFIX + "instance"
LABEL_UID = LABEL_PREFIX + "pod-uid"
LABEL_CONTAINER = LABEL_PREFIX + "container"
LABEL_INDEX = LABEL_PREFIX + "container-index"
LABEL_POD = LABEL_PREFIX + "pod"

NODE_NAME = "kube-api-test-node"
NODE_LABELS = {"kubernetes.io/hostname": NODE_NAME, "kubernetes.io/os": "linux"}
# How long ErrImagePull shows before the back-off (as the kubelet's next sync).
ERR_IMAGE_PULL_SHOWN = 3.0
PULL_BACKOFF_START, PULL_BACKOFF_MAX = 10.0, 300.0

POD_FIELDS = {"metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
              "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP",
              "status.nominatedNodeName"}


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def docker_time(text):
    """Docker's nanosecond timestamps as the seconds-precision RFC 3339 of the API."""
    if not text or text.startswith("0001-"):
        return None
    return text.split(".")[0].rstrip("Z") + "Z"


def pod_fields(pod):
    spec, status = pod.get("spec", {}), pod.get("status", {})
    return {"metadata.name": pod["metadata"]["name"], "metadata.namespace": pod["metadata"].get("namespace", ""),
            "spec.nodeName": spec.get("nodeName", ""), "spec.restartPolicy": spec.get("restartPolicy", ""),
            "spec.schedulerName": spec.get("schedulerName", ""),
            "spec.serviceAccountName": spec.get("serviceAccountName", ""),
            "spec.hostNetwork": "true" if spec.get("hostNetwork") else "false",
            "status.phase": status.get("phase", ""), "status.podIP": status.get("podIP", ""),
            "status.nominatedNodeName": status.get("nominatedNodeName", "")}


class PodRecord:
    """A pod and what the server knows of its containers."""

    def __init__(self, obj):
        self.obj = obj
        self.container_ids = {}  # container name -> Docker id
        self.inspects = {}  # container name -> Docker inspect (None: gone)
        self.waiting = {}  # container name -> (reason, message) before it exists
        self.unschedulable = None  # message when no node fits
        self.condition_times = {}
        self.task = None
        self.deleting = False
        self.removing = False
        self.refresh_pending = False
        self.creating = None  # the container creation under way

    @property
    def uid(self):
        return self.obj["metadata"]["uid"]

    @property
    def containers(self):
        return self.obj["spec"]["containers"]


class PodManager:
    def __init__(self, docker, revisions, instance, state_dir):
        self.docker = docker
        self.instance = instance
        self.state_file = os.path.join(state_dir, "pods.json") if state_dir else None
        self.store = ObjectStore(revisions, "Pod", "v1", pod_fields)
        self.records = {}  # uid -> PodRecord
        self.tasks = set()
        self.creating = set()

    # ---- persistence and recovery

    def persist(self):
        if not self.state_file:
            return
        pods = {}
        for uid, rec in self.records.items():
            obj = {k: rec.obj[k] for k in ("metadata", "spec")}
            pods[uid] = {"pod": obj, "containers": rec.container_ids}
        write_json_atomically(self.state_file, pods)

    async def recover(self):
        """Finds the pods of a previous run: from the state file and from the
        labels of this instance's containers."""
        saved = {}
        if self.state_file and os.path.exists(self.state_file):
            with open(self.state_file) as f:
                saved = json.load(f)
        found = await self.docker.call("GET", "/containers/json", params={
            "all": "1", "filters": json.dumps({"label": [f"{LABEL_INSTANCE}={self.instance}"]})})
        by_uid = {}
        for c in found:
            labels = c.get("Labels") or {}
            uid = labels.get(LABEL_UID)
            if not uid:
                continue
            entry = by_uid.setdefault(uid, {"containers": {}, "pod": None})
            entry["containers"][labels.get(LABEL_CONTAINER)] = c["Id"]
            if labels.get(LABEL_POD) and entry["pod"] is None:
                entry["pod"] = json.loads(labels[LABEL_POD])
        for uid in set(saved) | set(by_uid):
            pod = (saved.get(uid) or {}).get("pod") or by_uid[uid]["pod"]
            if pod is None:
                continue
            obj = {"kind": "Pod", "apiVersion": "v1", **copy.deepcopy(pod), "status": {}}
            rec = PodRecord(obj)
            rec.container_ids = dict(by_uid.get(uid, {}).get("containers", {}))
            self.records[uid] = rec
            self.store.revisions.bump_to(int(obj["metadata"].get("resourceVersion") or 0))
            self.store.objects[(obj["metadata"]["namespace"], obj["metadata"]["name"])] = obj
            log.info("recovered pod %s/%s with %d containers", obj["metadata"]["namespace"],
                     obj["metadata"]["name"], len(rec.container_ids))
        for rec in list(self.records.values()):
            if rec.obj["metadata"].get("deletionTimestamp"):
                rec.deleting = True
                self._spawn(self._delete(rec, rec.obj["metadata"].get("deletionGracePeriodSeconds", 0)))
            elif all(c["name"] in rec.container_ids for c in rec.containers):
                await self._inspect_all(rec)
                self._update(rec)
            else:
                rec.task = self._spawn(self._run(rec))
        self.persist()

    def _spawn(self, coro):
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task):
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("pod task failed", exc_info=task.exception())

    # ---- the API's operations

    def get(self, namespace, name):
        obj = self.store.get(namespace, name)
        if obj is None:
            raise not_found("pods", name)
        return obj

    def record(self, namespace, name):
        return self.records[self.get(namespace, name)["metadata"]["uid"]]

    def create(self, namespace, body):
        if not isinstance(body, dict) or body.get("kind", "Pod") != "Pod":
            raise ApiError(400, "BadRequest", "the body is not a v1 Pod")
        obj = copy.deepcopy(body)
        meta = obj.setdefault("metadata", {})
        if meta.get("namespace") and meta["namespace"] != namespace:
            raise ApiError(400, "BadRequest",
                           "the namespace of the provided object does not match the namespace sent on the request")
        meta["namespace"] = namespace
        if not meta.get("name") and meta.get("generateName"):
            for _ in range(8):
                meta["name"] = pod_spec.generate_name(meta["generateName"])
                if self.store.get(namespace, meta["name"]) is None:
                    break
        pod_spec.validate_pod(obj)
        if self.store.get(namespace, meta["name"]) is not None:
            raise already_exists("pods", meta["name"])
        for key in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"):
            meta.pop(key, None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now_rfc3339()
        obj["kind"], obj["apiVersion"] = "Pod", "v1"
        obj["spec"].pop("nodeName", None) if not obj["spec"].get("nodeName") else None
        pod_spec.apply_defaults(obj)
        obj["status"] = {"phase": "Pending", "qosClass": pod_spec.qos_class(obj["spec"])}
        rec = PodRecord(obj)
        self.records[rec.uid] = rec
        self.store.put(obj, "ADDED")
        self.persist()
        rec.task = self._spawn(self._run(rec))
        return copy.deepcopy(obj)

    def patch_metadata(self, namespace, name, merged):
        """Applies a patched copy: only labels and annotations may change."""
        rec = self.record(namespace, name)
        old = rec.obj
        for key in ("labels", "annotations"):
            value = (merged.get("metadata") or {}).get(key)
            if value:
                old["metadata"][key] = value
            else:
                old["metadata"].pop(key, None)
        self.store.put(old, "MODIFIED")
        self.persist()
        return copy.deepcopy(old)

    def delete(self, namespace, name, grace, preconditions):
        rec = self.record(namespace, name)
        meta = rec.obj["metadata"]
        if preconditions.get("uid") and preconditions["uid"] != meta["uid"]:
            raise conflict("pods", name, "", f'Precondition failed: UID in precondition: {preconditions["uid"]}, '
                                             f'UID in object meta: {meta["uid"]}')
        if preconditions.get("resourceVersion") and preconditions["resourceVersion"] != meta["resourceVersion"]:
            raise conflict("pods", name, "", "Precondition failed: ResourceVersion in precondition: "
                                             f'{preconditions["resourceVersion"]}, ResourceVersion in object meta: '
                                             f'{meta["resourceVersion"]}')
        if grace is None:
            grace = rec.obj["spec"].get("terminationGracePeriodSeconds", 30)
        grace = max(0, int(grace))
        if rec.deleting:
            return copy.deepcopy(rec.obj)
        rec.deleting = True
        when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=grace)
        meta["deletionTimestamp"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        meta["deletionGracePeriodSeconds"] = grace
        self.store.put(rec.obj, "MODIFIED")
        self.persist()
        answer = copy.deepcopy(rec.obj)
        self._spawn(self._delete(rec, grace))
        return answer

    def container_id(self, namespace, name, container):
        """(record, container spec, Docker id or None) for exec/attach/log."""
        rec = self.record(namespace, name)
        names = [c["name"] for c in rec.containers]
        if not container:
            default = (rec.obj["metadata"].get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
            if len(names) == 1:
                container = names[0]
            elif default in names:
                container = default
            else:
                raise ApiError(400, "BadRequest", f"a container name must be specified for pod {name}, "
                                                  f"choose one of: [{' '.join(names)}]")
        if container not in names:
            raise ApiError(400, "BadRequest", f"container {container} is not valid for pod {name}")
        spec = next(c for c in rec.containers if c["name"] == container)
        return rec, spec, rec.container_ids.get(container)

    async def is_running(self, container_id):
        try:
            info = await self.docker.call("GET", f"/containers/{container_id}/json")
        except DockerError:
            return False
        return info["State"]["Status"] == "running"

    # ---- lifecycle

    async def _run(self, rec):
        """Schedules the pod on the one node, pulls images, creates and starts
        the containers; the kubelet's and the scheduler's part."""
        spec = rec.obj["spec"]
        selector = spec.get("nodeSelector") or {}
        if spec.get("nodeName") not in (None, "", NODE_NAME) or any(
                NODE_LABELS.get(k) != v for k, v in selector.items()):
            rec.unschedulable = ("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
                                 "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.")
            self._update(rec)
            return
        if not spec.get("nodeName"):
            spec["nodeName"] = NODE_NAME
            self.persist()
        rec.obj["status"]["startTime"] = rec.obj["status"].get("startTime") or now_rfc3339()
        for c in rec.containers:
            if c["name"] not in rec.container_ids:
                rec.waiting[c["name"]] = ("ContainerCreating", None)
        self._update(rec)
        for v in spec.get("volumes") or []:
            kind = next((k for k in v if k != "name"), None)
            if kind not in pod_spec.SUPPORTED_VOLUMES:
                for c in rec.containers:
                    rec.waiting[c["name"]] = ("CreateContainerConfigError",
                                              f'volume "{v["name"]}": {kind} volumes are not supported by the test API server')
                self._update(rec)
                return
        backoff = PULL_BACKOFF_START
        while True:
            failures = {}
            for c in rec.containers:
                if c["name"] not in rec.container_ids:
                    error = await self._ensure_image(c)
                    if error:
                        failures[c["name"]] = (c["image"], error)
            if not failures:
                break
            for cname, (image, error) in failures.items():
                never = next(c for c in rec.containers if c["name"] == cname).get("imagePullPolicy") == "Never"
                rec.waiting[cname] = ("ErrImageNeverPull" if never else "ErrImagePull", error)
            self._update(rec)
            await asyncio.sleep(ERR_IMAGE_PULL_SHOWN)
            for cname, (image, error) in failures.items():
                if rec.waiting[cname][0] == "ErrImagePull":
                    rec.waiting[cname] = ("ImagePullBackOff", f'Back-off pulling image "{image}"')
            self._update(rec)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, PULL_BACKOFF_MAX)
        for v in spec.get("volumes") or []:
            if "emptyDir" in v:
                await self.docker.call("POST", "/volumes/create", body={
                    "Name": self._volume_name(rec, v["name"]),
                    "Labels": {LABEL_INSTANCE: self.instance, LABEL_UID: rec.uid}})
        first_id = None
        for index, c in enumerate(rec.containers):
            if c["name"] in rec.container_ids:
                first_id = first_id or rec.container_ids[c["name"]]
                continue
            # Shielded: a pod deleted meanwhile must not leave behind a
            # container the engine finishes creating after we stopped
            # waiting; _delete waits for rec.creating instead.
            rec.creating = asyncio.ensure_future(self._create_container(rec, c, index, first_id))
            self.creating.add(rec.creating)
            rec.creating.add_done_callback(self.creating.discard)
            created = await asyncio.shield(rec.creating)
            if created is None:
                return
            first_id = first_id or created
        await self._inspect_all(rec)
        self._update(rec)

    async def _create_container(self, rec, c, index, first_id):
        """Creates and starts one container; its Docker id, or None (then the
        container's waiting reason says why)."""
        try:
            body = self._container_config(rec, c, index, first_id)
            created = await self.docker.call("POST", "/containers/create", params={
                "name": f"k8s_{c['name']}_{rec.obj['metadata']['name']}_{rec.obj['metadata']['namespace']}_{rec.uid}"},
                body=body)
        except DockerError as e:
            rec.waiting[c["name"]] = ("CreateContainerError", e.message)
            self._update(rec)
            return None
        rec.container_ids[c["name"]] = created["Id"]
        self.persist()
        if rec.deleting:
            return None
        try:
            await self.docker.call("POST", f"/containers/{created['Id']}/start")
        except DockerError as e:
            log.info("container %s of pod %s did not start: %s", c["name"], rec.obj["metadata"]["name"], e)
        rec.waiting.pop(c["name"], None)
        return created["Id"]

    async def _ensure_image(self, c):
        """None when the image is there (pulled if the policy says so), else
        the kubelet's message."""
        image, policy = c["image"], c.get("imagePullPolicy", "IfNotPresent")
        present = True
        try:
            await self.docker.call("GET", f"/images/{image}/json")
        except DockerError:
            present = False
        if policy == "Never":
            return None if present else (f'Container image "{image}" is not present with pull policy of Never')
        if present and policy == "IfNotPresent":
            return None
        try:
            await self.docker.pull(image)
            return None
        except DockerError as e:
            return f'failed to pull and unpack image "{image}": {e.message}'
        except Exception as e:  # the engine went away mid-pull
            return f'failed to pull image "{image}": {e}'

    def _volume_name(self, rec, volume):
        return f"kapi-{rec.uid}-{volume}"

    def _container_config(self, rec, c, index, first_id):
        meta, spec = rec.obj["metadata"], rec.obj["spec"]
        env = {e["name"]: e.get("value", "") for e in c.get("env") or [] if "name" in e}
        config = {
            "Image": c["image"],
            "Env": [f"{k}={v}" for k, v in env.items()] + [f"HOSTNAME={meta['name']}"],
            "Tty": bool(c.get("tty")),
            "OpenStdin": bool(c.get("stdin")),
            "StdinOnce": bool(c.get("stdinOnce")),
            "AttachStdin": False, "AttachStdout": False, "AttachStderr": False,
            "Labels": {LABEL_INSTANCE: self.instance, LABEL_UID: rec.uid, LABEL_CONTAINER: c["name"],
                       LABEL_INDEX: str(index),
                       LABEL_POD: json.dumps({"metadata": meta, "spec": spec}),
                       "io.kubernetes.pod.name": meta["name"], "io.kubernetes.pod.namespace": meta["namespace"],
                       "io.kubernetes.pod.uid": rec.uid, "io.kubernetes.container.name": c["name"]},
            "HostConfig": {
                "NetworkMode": "none" if first_id is None else f"container:{first_id}",
                "RestartPolicy": {"Name": {"Always": "always", "OnFailure": "on-failure"}.get(
                    spec.get("restartPolicy"), "no")},
                "Binds": [], "Mounts": [],
            },
        }
        # Kubernetes' command replaces the image's ENTRYPOINT and drops its CMD;
        # args alone replace CMD under the image's ENTRYPOINT.
        if c.get("command"):
            config["Entrypoint"] = [pod_spec.expand(a, env) for a in c["command"]]
            config["Cmd"] = [pod_spec.expand(a, env) for a in c.get("args") or []]
        elif c.get("args"):
            config["Cmd"] = [pod_spec.expand(a, env) for a in c["args"]]
        if c.get("workingDir"):
            config["WorkingDir"] = c["workingDir"]
        if first_id is None:
            config["Hostname"] = meta["name"][:63]
        # A shared process namespace: a real pod's pause container is PID 1
        # then, so no container's program is. Docker's init stands in for it
        # in the first container, and the others join its PID namespace.
        if spec.get("shareProcessNamespace"):
            if first_id is None:
                config["HostConfig"]["Init"] = True
            else:
                config["HostConfig"]["PidMode"] = f"container:{first_id}"
        security = {**(spec.get("securityContext") or {}), **(c.get("securityContext") or {})}
        if "runAsUser" in security:
            config["User"] = str(security["runAsUser"]) + (
                f":{security['runAsGroup']}" if "runAsGroup" in security else "")
        if security.get("privileged"):
            config["HostConfig"]["Privileged"] = True
        volumes = {v["name"]: v for v in spec.get("volumes") or []}
        for m in c.get("volumeMounts") or []:
            v = volumes[m["name"]]
            read_only = bool(m.get("readOnly"))
            if "hostPath" in v:
                source = v["hostPath"]["path"]
                if m.get("subPath"):
                    source = os.path.join(source, m["subPath"])
                config["HostConfig"]["Binds"].append(f"{source}:{m['mountPath']}" + (":ro" if read_only else ""))
            else:
                config["HostConfig"]["Mounts"].append({"Type": "volume", "Source": self._volume_name(rec, m["name"]),
                                                       "Target": m["mountPath"], "ReadOnly": read_only})
        return config

    async def _delete(self, rec, grace):
        if rec.task and not rec.task.done():
            rec.task.cancel()
            try:
                await rec.task
            except (asyncio.CancelledError, Exception):
                pass
        if rec.creating is not None and not rec.creating.done():
            await asyncio.wait([rec.creating])

        async def stop(cid):
            try:
                await self.docker.call("POST", f"/containers/{cid}/stop", params={"t": str(grace)},
                                       timeout=grace + 60)
            except DockerError:
                pass

        await asyncio.gather(*(stop(cid) for cid in rec.container_ids.values()))
        await self._inspect_all(rec)
        self._update(rec)
        rec.removing = True
        for cid in rec.container_ids.values():
            try:
                await self.docker.call("DELETE", f"/containers/{cid}", params={"force": "1", "v": "1"})
            except DockerError as e:
                if e.status != 404:
                    log.warning("cannot remove container %s: %s", cid, e)
        for v in rec.obj["spec"].get("volumes") or []:
            if "emptyDir" in v:
                try:
                    await self.docker.call("DELETE", f"/volumes/{self._volume_name(rec, v['name'])}")
                except DockerError:
                    pass
        self.records.pop(rec.uid, None)
        self.store.remove(rec.obj)
        self.persist()

    # ---- status from the engine

    async def follow_engine(self):
        """Refreshes a pod whenever the engine reports a change of one of its
        containers (start, die, ...), so watchers see MODIFIED events."""
        filters = {"type": ["container"], "label": [f"{LABEL_INSTANCE}={self.instance}"]}
        while True:
            try:
                async for event in self.docker.events(filters):
                    uid = ((event.get("Actor") or {}).get("Attributes") or {}).get(LABEL_UID)
                    rec = self.records.get(uid)
                    if rec and not rec.refresh_pending and not rec.removing:
                        rec.refresh_pending = True
                        self._spawn(self._refresh(rec))
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log.warning("engine events: %s", e)
            # The engine restarted or went away: look at everything again.
            await asyncio.sleep(1)
            for rec in list(self.records.values()):
                if not rec.removing:
                    self._spawn(self._refresh(rec))

    async def _refresh(self, rec):
        await asyncio.sleep(0.05)  # one refresh for a burst of events
        rec.refresh_pending = False
        if rec.removing:
            return
        await self._inspect_all(rec)
        if not rec.removing and rec.uid in self.records:
            self._update(rec)

    async def _inspect_all(self, rec):
        for name, cid in list(rec.container_ids.items()):
            try:
                rec.inspects[name] = await self.docker.call("GET", f"/containers/{cid}/json")
            except DockerError as e:
                if e.status == 404:
                    rec.inspects[name] = None

    def _update(self, rec):
        """Recomputes the status; a change is stored as MODIFIED."""
        status = self._status(rec)
        if status != rec.obj.get("status"):
            rec.obj["status"] = status
            self.store.put(rec.obj, "MODIFIED")

    def _condition(self, rec, ctype, ok, reason=None, message=None):
        value = "True" if ok else "False"
        previous = rec.condition_times.get(ctype)
        if previous is None or previous[0] != value:
            rec.condition_times[ctype] = (value, now_rfc3339())
        cond = {"type": ctype, "status": value, "lastProbeTime": None,
                "lastTransitionTime": rec.condition_times[ctype][1]}
        if reason:
            cond["reason"] = reason
        if message:
            cond["message"] = message
        return cond

    def _container_status(self, rec, c):
        name = c["name"]
        status = {"name": name, "image": c["image"], "imageID": "", "ready": False, "restartCount": 0,
                  "started": False}
        info = rec.inspects.get(name) if name in rec.container_ids else None
        if name in rec.waiting or name not in rec.container_ids:
            reason, message = rec.waiting.get(name, ("ContainerCreating", None))
            status["state"] = {"waiting": {"reason": reason, **({"message": message} if message else {})}}
            status["lastState"] = {}
            return status
        cid = rec.container_ids[name]
        status["containerID"] = f"docker://{cid}"
        if info is None:
            status["state"] = {"terminated": {
                "exitCode": 137, "reason": "ContainerStatusUnknown",
                "message": "The container could not be located when the pod was terminated"}}
            status["lastState"] = {}
            return status
        state = info["State"]
        status["imageID"] = f"docker-pullable://{info.get('Image', '')}"
        status["restartCount"] = info.get("RestartCount", 0)
        status["lastState"] = {}
        if state["Status"] == "running" and not state.get("Restarting"):
            status["state"] = {"running": {"startedAt": docker_time(state.get("StartedAt"))}}
            status["ready"] = status["started"] = True
        elif state["Status"] == "created" and not state.get("Error"):
            status["state"] = {"waiting": {"reason": "ContainerCreating"}}
        else:
            terminated = {"exitCode": state.get("ExitCode", 0), "containerID": f"docker://{cid}"}
            if state["Status"] == "created" or (state.get("Error") and not docker_time(state.get("StartedAt"))):
                terminated.update(exitCode=state.get("ExitCode") or 128, reason="StartError",
                                  message=state.get("Error", ""))
            else:
                terminated["reason"] = "OOMKilled" if state.get("OOMKilled") else (
                    "Completed" if state.get("ExitCode", 0) == 0 else "Error")
            started, finished = docker_time(state.get("StartedAt")), docker_time(state.get("FinishedAt"))
            if started:
                terminated["startedAt"] = started
            if finished:
                terminated["finishedAt"] = finished
            if state.get("Restarting"):
                status["lastState"] = {"terminated": terminated}
                status["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                               "message": f"back-off restarting failed container {name} in pod "
                                                          f"{rec.obj['metadata']['name']}"}}
            else:
                status["state"] = {"terminated": terminated}
        return status

    def _status(self, rec):
        old = rec.obj.get("status") or {}
        status = {"phase": "Pending", "qosClass": old.get("qosClass") or pod_spec.qos_class(rec.obj["spec"])}
        if rec.unschedulable:
            status["conditions"] = [self._condition(rec, "PodScheduled", False, "Unschedulable", rec.unschedulable)]
            return status
        if not rec.obj["spec"].get("nodeName"):
            return status
        statuses = [self._container_status(rec, c) for c in rec.containers]
        states = [next(iter(s["state"])) for s in statuses]
        policy = rec.obj["spec"].get("restartPolicy", "Always")
        if "waiting" in states and not any(s.get("restartCount") for s in statuses):
            phase = "Pending"
        elif all(s == "terminated" for s in states):
            codes = [s["state"]["terminated"]["exitCode"] for s in statuses]
            if policy == "Always":
                phase = "Running" if not rec.deleting else ("Succeeded" if not any(codes) else "Failed")
            elif policy == "OnFailure" and any(codes) and not rec.deleting:
                phase = "Running"
            else:
                phase = "Succeeded" if not any(codes) else "Failed"
        else:
            phase = "Running"
        status["phase"] = phase
        unready = [s["name"] for s in statuses if not s["ready"]]
        message = f"containers with unready status: [{' '.join(unready)}]" if unready else None
        reason = "ContainersNotReady" if unready else None
        if phase == "Succeeded" or phase == "Failed":
            reason = "PodCompleted"
            message = None
        status["conditions"] = [
            self._condition(rec, "Initialized", True),
            self._condition(rec, "Ready", not unready, reason, message),
            self._condition(rec, "ContainersReady", not unready, reason, message),
            self._condition(rec, "PodScheduled", True),
        ]
        status["hostIP"] = "127.0.0.1"
        status["hostIPs"] = [{"ip": "127.0.0.1"}]
        status["startTime"] = old.get("startTime") or now_rfc3339()
        status["containerStatuses"] = statuses
        return status

    async def settle(self):
        """Waits (boundedly) for container creations under way, so none
        finishes after this server is gone, unknown to the next one."""
        if self.creating:
            await asyncio.wait(list(self.creating), timeout=60)

    async def cleanup_all(self):
        """Removes every container and volume of this instance (--cleanup-on-exit)."""
        for rec in list(self.records.values()):
            for cid in rec.container_ids.values():
                try:
                    await self.docker.call("DELETE", f"/containers/{cid}", params={"force": "1", "v": "1"})
                except DockerError:
                    pass
