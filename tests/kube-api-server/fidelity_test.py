#!/usr/bin/python3
"""Fidelity of the test Kubernetes API server against the real clients: the
oldest kubectl that speaks WebSocket exec (1.29, with
KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true), the newest (1.33), and
python3-kubernetes. Each case asserts the bytes, exit codes and JSON the
clients see. Run by ctest (integration_kube_api_fidelity) on the shared
Docker engine of the docker_engine fixture."""

import argparse
import hashlib
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "kube_api_server.py")
IMAGE = "containerssh-test-guest:latest"
KUBECTL = "/usr/lib/google-cloud-sdk/bin/kubectl.{}"
# (version, extra environment): the oldest kubectl with WebSocket exec and the newest.
KUBECTLS = [("1.29", {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": "true"}), ("1.33", {})]
INSTANCE_LABEL = "io.containerssh.kube-api-server/instance"

ENV = {}  # docker_host, dir, port, token, instance, process


def start_server():
    log = open(os.path.join(ENV["dir"], "server.log"), "ab")
    ENV["process"] = subprocess.Popen(
        ["/usr/bin/python3", SERVER, "--pki", os.path.join(ENV["dir"], "pki"), "--state",
         os.path.join(ENV["dir"], "state"), "--docker-host", ENV["docker_host"], "--token", ENV["token"],
         "--instance", ENV["instance"], "--port", str(ENV.get("port", 0)), "--verbose"],
        stdout=subprocess.PIPE, stderr=log)
    line = ENV["process"].stdout.readline().decode()
    if not line.startswith("READY https://127.0.0.1:"):
        raise RuntimeError("server did not start: " + line + open(os.path.join(ENV["dir"], "server.log")).read())
    ENV["port"] = int(line.strip().rsplit(":", 1)[1])


def stop_server():
    ENV["process"].send_signal(signal.SIGTERM)
    ENV["process"].wait(60)


def docker(*args):
    return subprocess.run(["docker", *args], env={**os.environ, "DOCKER_HOST": ENV["docker_host"]},
                          capture_output=True, text=True, timeout=120)


def our_containers():
    r = docker("ps", "-aq", "--no-trunc", "--filter", f"label={INSTANCE_LABEL}={ENV['instance']}")
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def kubeconfig(token=False):
    return os.path.join(ENV["dir"], "pki", "kubeconfig-token" if token else "kubeconfig")


def kubectl(version, *args, input=None, env=None, timeout=60, config=None):
    full_env = {**os.environ, "KUBECONFIG": config or kubeconfig(), "KUBECACHEDIR": os.path.join(ENV["dir"], "cache"),
                **(env or {})}
    return subprocess.run([KUBECTL.format(version), *args], input=input, capture_output=True, env=full_env,
                          timeout=timeout)


def api(method, path, body=None, token=None, content_type="application/json"):
    """(code, decoded JSON) of one request with the client certificate (or a token)."""
    ctx = ssl.create_default_context(cafile=os.path.join(ENV["dir"], "pki", "ca.crt"))
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    else:
        ctx.load_cert_chain(os.path.join(ENV["dir"], "pki", "client.crt"), os.path.join(ENV["dir"], "pki", "client.key"))
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"https://127.0.0.1:{ENV['port']}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def pod_manifest(name, command, **container):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"suite": "fidelity"}},
            "spec": {"terminationGracePeriodSeconds": 1, "restartPolicy": "Never", "containers": [
                {"name": "main", "image": IMAGE, "imagePullPolicy": "Never", "command": command, **container}]}}


def wait_pod(name, predicate, timeout=30):
    deadline = time.time() + timeout
    pod = None
    while time.time() < deadline:
        code, pod = api("GET", f"/api/v1/namespaces/default/pods/{name}")
        if code == 200 and predicate(pod):
            return pod
        time.sleep(0.1)
    raise AssertionError(f"pod {name} did not get there: {json.dumps(pod)}")


def running(pod):
    return pod["status"].get("phase") == "Running"


class KubectlCases:
    """Mixed into one TestCase class per kubectl version."""
    version = None
    env = None

    @classmethod
    def setUpClass(cls):
        cls.pod = "sleeper-" + cls.version.replace(".", "")
        manifest = pod_manifest(cls.pod, ["sleep", "3600"])
        r = kubectl(cls.version, "create", "-f", "-", input=json.dumps(manifest).encode())
        assert r.returncode == 0, r.stderr
        assert r.stdout == f"pod/{cls.pod} created\n".encode(), r.stdout
        wait_pod(cls.pod, running)

    @classmethod
    def tearDownClass(cls):
        r = kubectl(cls.version, "delete", "pod", cls.pod, "--grace-period=0", env=cls.env)
        assert r.returncode == 0, r.stderr

    def k(self, *args, **kw):
        return kubectl(self.version, *args, env=self.env, **kw)

    def test_get_pods_json_shows_it_running(self):
        r = self.k("get", "pods", "-o", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        pods = {p["metadata"]["name"]: p for p in json.loads(r.stdout)["items"]}
        pod = pods[self.pod]
        self.assertEqual(pod["status"]["phase"], "Running")
        self.assertEqual(pod["spec"]["nodeName"], "kube-api-test-node")
        status = pod["status"]["containerStatuses"][0]
        self.assertTrue(status["ready"])
        self.assertIn("running", status["state"])
        self.assertEqual({c["type"]: c["status"] for c in pod["status"]["conditions"]},
                         {"PodScheduled": "True", "Initialized": "True", "ContainersReady": "True", "Ready": "True"})
        cid = status["containerID"].removeprefix("docker://")
        self.assertIn(cid, our_containers())

    def test_exec_stdin_round_trip_and_exit_code(self):
        data = os.urandom(4 << 20)
        r = self.k("exec", "-i", self.pod, "--", "sh", "-c", "cat; exit 3", input=data)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(hashlib.sha256(r.stdout).hexdigest(), hashlib.sha256(data).hexdigest())
        self.assertEqual(len(r.stdout), len(data))
        self.assertIn(b"command terminated with exit code 3", r.stderr)

    def test_exec_separates_stdout_and_stderr(self):
        r = self.k("exec", self.pod, "--", "sh", "-c", "echo out; echo err >&2")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, b"out\n", b"err\n"))

    def test_exec_of_a_missing_command_fails(self):
        r = self.k("exec", self.pod, "--", "no-such-command")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"no-such-command", r.stderr)
        self.assertIn(b"executable file not found", r.stderr)

    def test_exec_tty_sees_a_terminal_and_its_size(self):
        kubectl_cmd = (f"stty cols 91 rows 33; {KUBECTL.format(self.version)} exec -it {self.pod} -- "
                       "sh -c 'tty; sleep 0.5; stty size; exit 7'")
        env = {**os.environ, "KUBECONFIG": kubeconfig(), "KUBECACHEDIR": os.path.join(ENV["dir"], "cache"),
               **self.env}
        # The size arrives as a resize message after the program started (the
        # kubelet applies it the same way): the program looks after a moment.
        # script's stdin stays open until the end: at its EOF kubectl would
        # close the program's stdin (the terminal) before stty runs.
        p = subprocess.Popen(["script", "-qec", kubectl_cmd, "/dev/null"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        try:
            p.wait(60)
        finally:
            p.stdin.close()
        out = p.stdout.read().replace(b"\r", b"")
        self.assertRegex(out, rb"/dev/pts/\d+\n33 91\n", out)
        self.assertEqual(p.returncode, 7, out)

    def test_attach_to_a_stdin_program(self):
        name = "attach-" + self.version.replace(".", "")
        manifest = pod_manifest(name, ["sh", "-c", 'while read l; do echo "got $l"; done; echo bye'],
                                stdin=True, stdinOnce=True)
        self.assertEqual(self.k("create", "-f", "-", input=json.dumps(manifest).encode()).returncode, 0)
        wait_pod(name, running)
        r = self.k("attach", "-i", name, input=b"one\ntwo\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"got one\ngot two\nbye\n")
        pod = wait_pod(name, lambda p: p["status"]["phase"] != "Running")
        self.assertEqual(pod["status"]["phase"], "Succeeded")
        terminated = pod["status"]["containerStatuses"][0]["state"]["terminated"]
        self.assertEqual((terminated["exitCode"], terminated["reason"]), (0, "Completed"))
        self.assertEqual(self.k("delete", "pod", name).returncode, 0)

    def test_delete_removes_the_containers(self):
        name = "deleted-" + self.version.replace(".", "")
        manifest = pod_manifest(name, ["sleep", "3600"])
        self.assertEqual(self.k("create", "-f", "-", input=json.dumps(manifest).encode()).returncode, 0)
        pod = wait_pod(name, running)
        cid = pod["status"]["containerStatuses"][0]["containerID"].removeprefix("docker://")
        r = self.k("delete", "pod", name)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, f'pod "{name}" deleted\n'.encode())
        self.assertNotIn(cid, our_containers())
        r = self.k("get", "pod", name)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, f'Error from server (NotFound): pods "{name}" not found\n'.encode())

    def test_get_missing_pod_is_not_found(self):
        r = self.k("get", "pod", "missing")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, b'Error from server (NotFound): pods "missing" not found\n')

    def test_bad_token_is_unauthorized(self):
        r = self.k("--token", "wrong", "get", "pods", config=kubeconfig(token=True))
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"Unauthorized", r.stderr)
        r = self.k("get", "pods", "-o", "name", config=kubeconfig(token=True))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"pod/{self.pod}\n".encode(), r.stdout)


class Kubectl129(KubectlCases, unittest.TestCase):
    version, env = KUBECTLS[0]


class Kubectl133(KubectlCases, unittest.TestCase):
    version, env = KUBECTLS[1]


class OlderKubectls(unittest.TestCase):
    def test_spdy_only_kubectl_gets_a_clear_refusal(self):
        """kubectl 1.28 (and 1.29 without the variable) speak only SPDY for exec."""
        name = "spdy"
        api("POST", "/api/v1/namespaces/default/pods", pod_manifest(name, ["sleep", "3600"]))
        wait_pod(name, running)
        for version, env in (("1.28", {}), ("1.29", {})):
            r = kubectl(version, "exec", name, "--", "true", env=env)
            self.assertEqual(r.returncode, 1)
            self.assertIn(b"Error from server (BadRequest): SPDY is not supported", r.stderr)
        api("DELETE", f"/api/v1/namespaces/default/pods/{name}?gracePeriodSeconds=0")
        wait_gone(name)


class PythonClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from kubernetes import client, config
        config.load_kube_config(kubeconfig())
        cls.core = client.CoreV1Api()
        cls.coordination = client.CoordinationV1Api()
        cls.client = client

    def test_exec_stream_stdin_stdout_stderr_returncode(self):
        from kubernetes.stream import stream
        self.core.create_namespaced_pod("default", pod_manifest("py-exec", ["sleep", "3600"]))
        wait_pod("py-exec", running)
        r = stream(self.core.connect_get_namespaced_pod_exec, "py-exec", "default",
                   command=["sh", "-c", "read l; echo \"out $l\"; echo err >&2; exit 4"],
                   stdin=True, stdout=True, stderr=True, tty=False, _preload_content=False)
        r.write_stdin("hello\n")
        out, err = "", ""
        deadline = time.time() + 20
        while r.is_open() and time.time() < deadline:
            r.update(timeout=1)
            if r.peek_stdout():
                out += r.read_stdout()
            if r.peek_stderr():
                err += r.read_stderr()
        self.assertEqual((out, err), ("out hello\n", "err\n"))
        self.assertEqual(r.returncode, 4)
        r = stream(self.core.connect_get_namespaced_pod_exec, "py-exec", "default", command=["echo", "simple"],
                   stdin=False, stdout=True, stderr=True, tty=False)
        self.assertEqual(r, "simple\n")
        self.core.delete_namespaced_pod("py-exec", "default", grace_period_seconds=0)
        wait_gone("py-exec")

    def test_watch_sees_added_modified_deleted(self):
        from kubernetes import watch
        events = []
        w = watch.Watch()

        def follow():
            for event in w.stream(self.core.list_namespaced_pod, "default", field_selector="metadata.name=py-watch",
                                  timeout_seconds=30):
                events.append((event["type"], event["object"].status.phase))
                if event["type"] == "DELETED":
                    w.stop()

        thread = threading.Thread(target=follow)
        thread.start()
        time.sleep(0.5)
        self.core.create_namespaced_pod("default", pod_manifest("py-watch", ["sleep", "3600"]))
        wait_pod("py-watch", running)
        self.core.delete_namespaced_pod("py-watch", "default", grace_period_seconds=0)
        thread.join(30)
        types = [t for t, _ in events]
        self.assertEqual(types[0], "ADDED", events)
        self.assertIn(("MODIFIED", "Running"), events)
        self.assertEqual(types[-1], "DELETED", events)

    def test_leases_with_optimistic_concurrency(self):
        body = {"metadata": {"name": "gw-1", "labels": {"app": "gateway"}},
                "spec": {"holderIdentity": "gw-1", "leaseDurationSeconds": 15}}
        lease = self.coordination.create_namespaced_lease("default", body)
        with self.assertRaises(self.client.ApiException) as e:
            self.coordination.create_namespaced_lease("default", body)
        self.assertEqual((e.exception.status, json.loads(e.exception.body)["reason"]), (409, "AlreadyExists"))
        lease.spec.lease_duration_seconds = 20
        renewed = self.coordination.replace_namespaced_lease("gw-1", "default", lease)
        self.assertGreater(int(renewed.metadata.resource_version), int(lease.metadata.resource_version))
        lease.spec.lease_duration_seconds = 25  # still the old resourceVersion
        with self.assertRaises(self.client.ApiException) as e:
            self.coordination.replace_namespaced_lease("gw-1", "default", lease)
        self.assertEqual((e.exception.status, json.loads(e.exception.body)["reason"]), (409, "Conflict"))
        names = [x.metadata.name for x in
                 self.coordination.list_namespaced_lease("default", label_selector="app in (gateway)").items]
        self.assertEqual(names, ["gw-1"])
        self.assertEqual(self.coordination.list_namespaced_lease("default", label_selector="app=other").items, [])
        self.coordination.delete_namespaced_lease("gw-1", "default")
        with self.assertRaises(self.client.ApiException) as e:
            self.coordination.read_namespaced_lease("gw-1", "default")
        self.assertEqual(e.exception.status, 404)


class WireLevel(unittest.TestCase):
    def test_unauthorized_status(self):
        code, body = api("GET", "/api/v1/pods", token="wrong")
        self.assertEqual(code, 401)
        self.assertEqual(body, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": "Unauthorized", "reason": "Unauthorized", "code": 401})

    def test_create_errors(self):
        code, body = api("POST", "/api/v1/namespaces/default/pods",
                         {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "empty"}, "spec": {}})
        self.assertEqual((code, body["reason"], body["details"]["causes"][0]["field"]),
                         (422, "Invalid", "spec.containers"))
        manifest = pod_manifest("", ["sleep", "3600"])
        manifest["metadata"] = {"generateName": "gen-", "labels": {"suite": "fidelity"}}
        code, pod = api("POST", "/api/v1/namespaces/default/pods", manifest)
        self.assertEqual(code, 201)
        self.assertRegex(pod["metadata"]["name"], r"^gen-[a-z0-9]{5}$")
        self.assertTrue(pod["metadata"]["uid"] and pod["metadata"]["resourceVersion"])
        manifest["metadata"] = {"name": pod["metadata"]["name"]}
        code, body = api("POST", "/api/v1/namespaces/default/pods", manifest)
        self.assertEqual((code, body["reason"]), (409, "AlreadyExists"))
        code, body = api("PATCH", f"/api/v1/namespaces/default/pods/{pod['metadata']['name']}",
                         {"metadata": {"labels": {"patched": "yes"}}}, content_type="application/merge-patch+json")
        self.assertEqual((code, body["metadata"]["labels"]), (200, {"suite": "fidelity", "patched": "yes"}))
        code, body = api("GET", "/api/v1/namespaces/default/pods?labelSelector=patched%3Dyes")
        self.assertEqual([p["metadata"]["name"] for p in body["items"]], [pod["metadata"]["name"]])
        code, body = api("DELETE", f"/api/v1/namespaces/default/pods/{pod['metadata']['name']}",
                         {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0})
        self.assertEqual((code, body["kind"], body["metadata"]["deletionGracePeriodSeconds"]), (200, "Pod", 0))
        self.assertIn("deletionTimestamp", body["metadata"])
        code, body = api("DELETE", "/api/v1/namespaces/default/pods/never-was")
        self.assertEqual((code, body["reason"], body["message"]), (404, "NotFound", 'pods "never-was" not found'))
        wait_gone(pod["metadata"]["name"])


class SpecialStatuses(unittest.TestCase):
    def test_missing_image_is_err_image_pull(self):
        manifest = pod_manifest("no-image", ["sleep", "1"])
        manifest["spec"]["containers"][0].update(image="127.0.0.1:1/does-not-exist:v1", imagePullPolicy="IfNotPresent")
        self.assertEqual(api("POST", "/api/v1/namespaces/default/pods", manifest)[0], 201)
        pod = wait_pod("no-image", lambda p: "waiting" in (p["status"].get("containerStatuses") or [{}])[0].get(
            "state", {}) and p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] != "ContainerCreating")
        waiting = pod["status"]["containerStatuses"][0]["state"]["waiting"]
        self.assertEqual(pod["status"]["phase"], "Pending")
        self.assertEqual(waiting["reason"], "ErrImagePull")
        self.assertIn("127.0.0.1:1/does-not-exist:v1", waiting["message"])
        api("DELETE", "/api/v1/namespaces/default/pods/no-image")
        wait_gone("no-image")

    def test_unsatisfiable_node_selector_is_unschedulable(self):
        manifest = pod_manifest("no-node", ["sleep", "1"])
        manifest["spec"]["nodeSelector"] = {"disktype": "ssd"}
        self.assertEqual(api("POST", "/api/v1/namespaces/default/pods", manifest)[0], 201)
        pod = wait_pod("no-node", lambda p: p["status"].get("conditions"))
        self.assertEqual(pod["status"]["phase"], "Pending")
        self.assertEqual(pod["status"]["conditions"][0]["type"], "PodScheduled")
        self.assertEqual(pod["status"]["conditions"][0]["status"], "False")
        self.assertEqual(pod["status"]["conditions"][0]["reason"], "Unschedulable")
        self.assertNotIn("nodeName", pod["spec"])
        api("DELETE", "/api/v1/namespaces/default/pods/no-node")
        wait_gone("no-node")

    def test_restarted_server_keeps_pods_listed_and_exec_able(self):
        name = "survivor"
        api("POST", "/api/v1/namespaces/default/pods", pod_manifest(name, ["sleep", "3600"]))
        before = wait_pod(name, running)
        stop_server()
        start_server()
        after = wait_pod(name, running)
        self.assertEqual(after["metadata"]["uid"], before["metadata"]["uid"])
        self.assertEqual(after["status"]["containerStatuses"][0]["containerID"],
                         before["status"]["containerStatuses"][0]["containerID"])
        r = kubectl("1.33", "exec", "-i", name, "--", "cat", input=b"still here\n")
        self.assertEqual((r.returncode, r.stdout), (0, b"still here\n"), r.stderr)
        api("DELETE", f"/api/v1/namespaces/default/pods/{name}?gracePeriodSeconds=0")
        wait_gone(name)


def wait_gone(name, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if api("GET", f"/api/v1/namespaces/default/pods/{name}")[0] == 404:
            return
        time.sleep(0.1)
    raise AssertionError(f"pod {name} is still there")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docker-host-file", required=True)
    args, rest = parser.parse_known_args()
    with open(args.docker_host_file) as f:
        ENV["docker_host"] = f.read().strip()
    ENV["dir"] = tempfile.mkdtemp(prefix="kube-api-fidelity-")
    ENV["token"] = "fidelity-" + os.urandom(8).hex()
    ENV["instance"] = "kapi-fidelity-" + os.urandom(4).hex()
    start_server()
    started = time.time()
    try:
        suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
        print(f"kube-api-server fidelity: {suite.countTestCases()} cases", flush=True)
        result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    finally:
        # Every case deletes its pods: containers left now are the server's leak.
        leaked = our_containers()
        stop_server()
        ids = our_containers()
        if ids:
            docker("rm", "-f", *ids)
        vols = docker("volume", "ls", "-q", "--filter", f"label={INSTANCE_LABEL}={ENV['instance']}").stdout.split()
        if vols:
            docker("volume", "rm", *vols)
        if os.environ.get("KEEP_KUBE_API_LOG"):
            print(open(os.path.join(ENV["dir"], "server.log")).read())
        shutil.rmtree(ENV["dir"], ignore_errors=True)
    print(f"kube-api-server fidelity: {result.testsRun} run, {len(result.failures)} failed, "
          f"{len(result.errors)} errors, {time.time() - started:.1f} s", flush=True)
    if leaked:
        print(f"FAILED: deleted pods left Docker containers behind: {leaked}", flush=True)
    sys.exit(0 if result.wasSuccessful() and not leaked else 1)


if __name__ == "__main__":
    main()
