#!/usr/bin/python3
"""The Kubernetes manifests of packaging/kubernetes, checked offline.

  kustomize_test.py --manifests DIR --kubectl KUBECTL --gateway CONTAINERSSH --docs DOCS
                    [--docker-host-file FILE --api-server kube_api_server.py]

Without --docker-host-file (ctest packaging_kustomize):
  1. `kubectl kustomize` renders the base and every overlay;
  2. every rendered object goes through its python3-kubernetes model and must
     come back whole (the models drop unknown fields without a word, so a
     misspelt, misplaced or mistyped field shows up as a difference); the
     ServiceMonitor, which has no model, is held to a small schema;
  3. the ConfigMap's config.yaml is accepted by the real gateway
     (--dump-config for the core's sections, and a real start with a
     simulated in-cluster service account for the plugins' sections, which
     only the plugins check), and the Deployment agrees with it: ports,
     probes, mounts, the Secret, the Role's namespace and rules.

With --docker-host-file (ctest packaging_kustomize_apply, on the docker_engine
fixture): 4. the tests' Kubernetes API server (tests/kube-api-server), which
serves pods and leases only, takes the Deployment's pod template as a Pod,
and the gateway, started with the base's configuration as if in the cluster
(the server's CA and token as its service account), keeps its lease there;
every request it makes is one the Role allows.

Exits 1 with the list of failures, 0 when all passed.
"""

import argparse
import copy
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml
import kubernetes.client

FAILURES = []
# Fields the gateway's configuration gets from the PROXY protocol component
# on top of the base (components/proxy-protocol/config.yaml).
PROXY_KEYS = {"proxyProtocolAllowedCIDRs", "proxyProtocolRequired", "proxyProtocolHeaderTimeout"}
# What the gateway takes from SIGTERM to exit at most (docs/ssh-server.md,
# "Shutting down": the drain, ssh.drainTimeout 20 s by default, then up to
# 20 s for the backends to remove their pods), and the margin the grace
# period must leave on top of the preStop hook and that.
GATEWAY_STOP_SECONDS = 40
MARGIN_SECONDS = 10
SECRET_NAME = "containerssh-host-keys"


def fail(what):
    FAILURES.append(what)
    print("FAIL:", what, flush=True)


def ok(what):
    print("ok:", what, flush=True)


def check(condition, what):
    if condition:
        ok(what)
    else:
        fail(what)
    return condition


# ---------------------------------------------------------------- rendering

def render(kubectl, directory):
    r = subprocess.run([kubectl, "kustomize", directory], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        fail(f"kubectl kustomize {directory} exited {r.returncode}: {r.stderr.strip()}")
        return None
    docs = [d for d in yaml.safe_load_all(r.stdout) if d is not None]
    ok(f"kubectl kustomize {directory}: {len(docs)} objects")
    return docs


# ---------------------------------------------------------- model round trip

API = kubernetes.client.ApiClient()


def model_name(obj):
    """'V1Deployment' for apps/v1 Deployment: the class python3-kubernetes has for it."""
    version = obj.get("apiVersion", "").split("/")[-1]
    return version[:1].upper() + version[1:] + obj.get("kind", "")


def differences(want, got, path="", out=None):
    """Where `got` (the model's re-serialization) differs from `want` (the rendered object)."""
    out = [] if out is None else out
    if isinstance(want, dict) and isinstance(got, dict):
        for key in want:
            if key not in got:
                out.append(f"{path}.{key}: dropped by the model (unknown or misplaced field)")
            else:
                differences(want[key], got[key], f"{path}.{key}", out)
        for key in got:
            if key not in want:
                out.append(f"{path}.{key}: added by the model")
    elif isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            out.append(f"{path}: {len(want)} items became {len(got)}")
        for i, (w, g) in enumerate(zip(want, got)):
            differences(w, g, f"{path}[{i}]", out)
    elif type(want) is not type(got) or want != got:
        out.append(f"{path}: {want!r} ({type(want).__name__}) came back as {got!r} ({type(got).__name__})")
    return out


def round_trip(data, klass):
    """(differences, error): data through the model class and back."""
    try:
        obj = API._ApiClient__deserialize(copy.deepcopy(data), klass)
    except (ValueError, TypeError, AttributeError) as e:
        # Required fields missing (the models check them) or a value of the wrong shape.
        return None, f"{type(e).__name__}: {e}"
    return differences(data, API.sanitize_for_serialization(obj)), None


def check_model(obj, where):
    name = f"{where}: {obj.get('kind')} {obj.get('metadata', {}).get('name')}"
    if obj.get("kind") == "ServiceMonitor":
        problems = servicemonitor_problems(obj)
        return check(not problems, f"{name} matches the ServiceMonitor schema" +
                     ("" if not problems else ": " + "; ".join(problems)))
    klass = model_name(obj)
    if not hasattr(kubernetes.client, klass):
        return fail(f"{name}: python3-kubernetes has no model {klass}, and the test no schema for it")
    diffs, error = round_trip(obj, klass)
    if error:
        return fail(f"{name}: the {klass} model refuses it: {error}")
    return check(not diffs, f"{name} comes back whole through {klass}" +
                 ("" if not diffs else ":\n    " + "\n    ".join(diffs)))


# The fields of monitoring.coreos.com/v1 ServiceMonitor this project may write,
# from the Prometheus Operator's API reference; a field outside them is a typo
# until someone adds it here. Values: a type, a nested schema (dict), or
# [item schema]. Label selectors and metadata go through their real models.
DURATION = re.compile(r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$")
ENDPOINT = {"port": str, "targetPort": (str, int), "path": str, "scheme": str, "interval": "duration",
            "scrapeTimeout": "duration", "honorLabels": bool, "honorTimestamps": bool,
            "relabelings": list, "metricRelabelings": list, "params": dict, "followRedirects": bool,
            "enableHttp2": bool}
SERVICEMONITOR_SPEC = {"selector": "V1LabelSelector", "endpoints": [ENDPOINT], "jobLabel": str,
                       "targetLabels": [str], "podTargetLabels": [str], "sampleLimit": int,
                       "namespaceSelector": {"any": bool, "matchNames": [str]}}


def schema_problems(value, schema, path):
    out = []
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return [f"{path}: expected a mapping"]
        for key, v in value.items():
            if key not in schema:
                out.append(f"{path}.{key}: not a field of the schema")
            else:
                out += schema_problems(v, schema[key], f"{path}.{key}")
    elif isinstance(schema, list):
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        for i, item in enumerate(value):
            out += schema_problems(item, schema[0], f"{path}[{i}]")
    elif schema == "duration":
        if not isinstance(value, str) or not DURATION.match(value):
            out.append(f"{path}: {value!r} is not a Prometheus duration")
    elif isinstance(schema, str):
        diffs, error = round_trip(value, schema)
        out += [f"{path}: {error}"] if error else [f"{path}{d}" for d in diffs]
    elif not isinstance(value, schema) or (schema is int and isinstance(value, bool)):
        out.append(f"{path}: {value!r} is not {schema}")
    return out


def servicemonitor_problems(obj):
    out = []
    if obj.get("apiVersion") != "monitoring.coreos.com/v1":
        out.append(f"apiVersion {obj.get('apiVersion')}")
    for key in obj:
        if key not in ("apiVersion", "kind", "metadata", "spec"):
            out.append(f".{key}: not a field of the schema")
    diffs, error = round_trip(obj.get("metadata", {}), "V1ObjectMeta")
    out += [f".metadata: {error}"] if error else [f".metadata{d}" for d in diffs]
    spec = obj.get("spec")
    if not isinstance(spec, dict) or "selector" not in spec or not spec.get("endpoints"):
        out.append(".spec: needs selector and endpoints")
    else:
        out += schema_problems(spec, SERVICEMONITOR_SPEC, ".spec")
    return out


# ------------------------------------------------------------- the objects

def find(objs, kind, name=None, prefix=None):
    for o in objs:
        n = o.get("metadata", {}).get("name", "")
        if o.get("kind") == kind and (name is None or n == name) and (prefix is None or n.startswith(prefix)):
            return o
    return None


def port_of(listen):
    return int(listen.rsplit(":", 1)[1])


def container_port(container, name_or_number):
    if isinstance(name_or_number, int):
        return name_or_number
    for p in container.get("ports", []):
        if p.get("name") == name_or_number:
            return p["containerPort"]
    return None


def inside(path, directory):
    return os.path.normpath(path).startswith(os.path.normpath(directory).rstrip("/") + "/")


def gateway_config(objs, deployment, where, quiet=False):
    """The config.yaml of the ConfigMap the Deployment mounts, parsed (None when missing)."""
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"].get("volumes", [])}
    names = [v["configMap"]["name"] for v in volumes.values() if "configMap" in v]
    cm = find(objs, "ConfigMap", name=names[0]) if len(names) == 1 else None
    found = cm is not None and "config.yaml" in cm.get("data", {})
    if not quiet and not check(found, f"{where}: the Deployment mounts one ConfigMap of the rendering, holding config.yaml"):
        return None, None
    if not found:
        return None, None
    return yaml.safe_load(cm["data"]["config.yaml"]), cm["data"]["config.yaml"]


def check_agreement(objs, where, docs_rbac):
    """The Deployment, Service, Role and configuration agree with each other."""
    dep = find(objs, "Deployment", name="containerssh")
    if not check(dep is not None, f"{where}: a Deployment containerssh"):
        return None
    config, text = gateway_config(objs, dep, where)
    if config is None:
        return None
    pod = dep["spec"]["template"]["spec"]
    c = pod["containers"][0]
    mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}

    ssh_port = port_of(config["ssh"]["listen"])
    health_port = port_of(config["health"]["listen"])
    metrics_port = port_of(config["metrics"]["listen"])
    check(container_port(c, "ssh") == ssh_port, f"{where}: containerPort ssh = ssh.listen's port {ssh_port}")
    check(container_port(c, "health") == health_port,
          f"{where}: containerPort health = health.listen's port {health_port}")
    check(container_port(c, "metrics") == metrics_port,
          f"{where}: containerPort metrics = metrics.listen's port {metrics_port}")
    check(config["health"].get("enable") is True and config["metrics"].get("enable") is True,
          f"{where}: health and metrics are enabled")
    for listen in ("health", "metrics"):
        host = config[listen]["listen"].rsplit(":", 1)[0]
        check(host in ("0.0.0.0", "[::]", ""), f"{where}: {listen}.listen is on every address ({host}) for the kubelet and Prometheus")
    client_url = config["health"].get("client", {}).get("url", "http://127.0.0.1:7000/")
    check(re.match(rf"^http://127\.0\.0\.1:{health_port}/", client_url) is not None,
          f"{where}: health.client.url ({client_url}) asks this replica's health port, for --healthcheck")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        p = c.get(probe)
        if not check(p is not None, f"{where}: {probe} is set"):
            continue
        if "httpGet" in p:
            check(container_port(c, p["httpGet"]["port"]) == health_port,
                  f"{where}: {probe} asks the health port {health_port}")
        else:
            check(p.get("exec", {}).get("command", [])[-1:] == ["--healthcheck"],
                  f"{where}: {probe} is an httpGet on the health port or containerssh --healthcheck")
    live = c["livenessProbe"]
    check(live.get("periodSeconds", 10) * live.get("failureThreshold", 3) > GATEWAY_STOP_SECONDS,
          f"{where}: the liveness probe outlasts a drain (its endpoint answers 503 while draining)")
    ann = dep["spec"]["template"]["metadata"].get("annotations", {})
    if "prometheus.io/scrape" in ann:
        check(ann.get("prometheus.io/port") == str(metrics_port) and
              ann.get("prometheus.io/path") == config["metrics"].get("path", "/metrics"),
              f"{where}: the scrape annotations name metrics.listen's port and metrics.path")

    # The configuration file is the ConfigMap's key, where the arguments say.
    args = c.get("args", [])
    config_path = args[args.index("--config") + 1] if "--config" in args else None
    cm_mount = next((m for m in mounts.values() if "configMap" in volumes.get(m["name"], {})), None)
    check(cm_mount is not None and config_path == os.path.join(cm_mount["mountPath"], "config.yaml"),
          f"{where}: --config {config_path} is config.yaml of the mounted ConfigMap")
    # Every host key is a file of the Secret's mount.
    secret_mounts = [m for m in mounts.values() if "secret" in volumes.get(m["name"], {})]
    check(len(secret_mounts) == 1 and
          volumes[secret_mounts[0]["name"]]["secret"]["secretName"] == SECRET_NAME,
          f"{where}: the Secret {SECRET_NAME} is mounted")
    for key in config["ssh"].get("hostkeys", []) or [None]:
        check(key is not None and secret_mounts and inside(key, secret_mounts[0]["mountPath"]),
              f"{where}: ssh.hostkeys entry {key} is inside the Secret's mount")
    # Stop: preStop, then the gateway's own drain, within the grace period.
    pre = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    pre_seconds = int(pre[1]) if len(pre) == 2 and pre[0].endswith("sleep") else 0
    check(pre_seconds > 0, f"{where}: a preStop hook ({' '.join(pre)}) gives the load balancers time")
    grace = pod.get("terminationGracePeriodSeconds", 30)
    check(grace >= pre_seconds + GATEWAY_STOP_SECONDS + MARGIN_SECONDS,
          f"{where}: terminationGracePeriodSeconds {grace} >= preStop {pre_seconds} + stop {GATEWAY_STOP_SECONDS} + {MARGIN_SECONDS}")
    # Security context.
    psc, csc = pod.get("securityContext", {}), c.get("securityContext", {})
    check(psc.get("runAsNonRoot") is True and psc.get("runAsUser") == 2222 and psc.get("fsGroup") == 2222,
          f"{where}: the pod runs as the image's uid 2222, non-root, Secret files in its group")
    check(csc.get("allowPrivilegeEscalation") is False and csc.get("readOnlyRootFilesystem") is True and
          csc.get("capabilities", {}).get("drop") == ["ALL"] and
          csc.get("seccompProfile", {}).get("type") == "RuntimeDefault",
          f"{where}: no privilege escalation, read-only root, no capabilities, RuntimeDefault seccomp")
    # The Service and the PDB select the pods.
    labels = dep["spec"]["template"]["metadata"]["labels"]
    svc = find(objs, "Service", name="containerssh")
    if check(svc is not None, f"{where}: a Service containerssh"):
        check(all(labels.get(k) == v for k, v in svc["spec"]["selector"].items()),
              f"{where}: the Service selects the gateway's pods")
        ssh = [p for p in svc["spec"]["ports"] if p["name"] == "ssh"]
        check(len(ssh) == 1 and ssh[0]["port"] == 22 and container_port(c, ssh[0]["targetPort"]) == ssh_port,
              f"{where}: the Service's port 22 goes to ssh.listen's port {ssh_port}")
        check(all(p.get("protocol", "TCP") == "TCP" for p in svc["spec"]["ports"]), f"{where}: the Service is TCP")
    pdb = find(objs, "PodDisruptionBudget")
    if check(pdb is not None, f"{where}: a PodDisruptionBudget"):
        check(all(labels.get(k) == v for k, v in pdb["spec"]["selector"]["matchLabels"].items()),
              f"{where}: the PodDisruptionBudget selects the gateway's pods")
    # RBAC: the Role is where the pods go, bound to the Deployment's account,
    # with exactly the rules of docs/kubernetes.md.
    pods_ns = config["kubernetes"]["pod"]["metadata"].get("namespace")
    role = find(objs, "Role", name="containerssh")
    binding = find(objs, "RoleBinding", name="containerssh")
    sa = find(objs, "ServiceAccount", name=pod.get("serviceAccountName"))
    check(sa is not None and sa["metadata"]["namespace"] == dep["metadata"]["namespace"],
          f"{where}: the Deployment's service account {pod.get('serviceAccountName')} is rendered beside it")
    check(pod.get("automountServiceAccountToken", True) is True,
          f"{where}: the service account's token is mounted (the backend's in-cluster credentials)")
    if check(role is not None and binding is not None, f"{where}: a Role and a RoleBinding containerssh"):
        check(role["metadata"]["namespace"] == pods_ns == binding["metadata"]["namespace"],
              f"{where}: the Role and RoleBinding are in the pods' namespace {pods_ns}")
        check(binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "containerssh"} and
              binding["subjects"] == [{"kind": "ServiceAccount", "name": pod.get("serviceAccountName"),
                                       "namespace": dep["metadata"]["namespace"]}],
              f"{where}: the RoleBinding gives the Role to the gateway's service account only")
        mine, documented = rule_set(role["rules"]), rule_set(docs_rbac["rules"])
        check(mine == documented, f"{where}: the Role's rules are docs/kubernetes.md's, no more, no less" +
              ("" if mine == documented else
               f" (more: {sorted(mine - documented)}; missing: {sorted(documented - mine)})"))
    check(find(objs, "ClusterRole") is None and find(objs, "ClusterRoleBinding") is None,
          f"{where}: no cluster-wide rights")
    for ns in {dep["metadata"]["namespace"], pods_ns}:
        check(find(objs, "Namespace", name=ns) is not None, f"{where}: namespace {ns} is rendered")
    return config, text


def rule_set(rules):
    return {(g, r, v) for rule in rules for g in rule["apiGroups"] for r in rule["resources"] for v in rule["verbs"]}


def docs_rbac_role(docs_dir):
    """The Role of docs/kubernetes.md's "Permissions (RBAC)" section."""
    text = open(os.path.join(docs_dir, "kubernetes.md")).read()
    section = text.split("### Permissions (RBAC)", 1)[1]
    block = section.split("```yaml", 1)[1].split("```", 1)[0]
    return next(d for d in yaml.safe_load_all(block) if d and d.get("kind") == "Role")


# -------------------------------------------------------------- the gateway

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def runtime_copy(config, work, key):
    """The configuration as this machine can run it: the same keys, but the
    listen addresses on free loopback ports and the host key at a test key
    (the Secret is not mounted here). Nothing else changes."""
    c = copy.deepcopy(config)
    c["ssh"]["listen"] = f"127.0.0.1:{free_port()}"
    c["ssh"]["hostkeys"] = [key for _ in c["ssh"]["hostkeys"]]
    health = free_port()
    c["health"]["listen"] = f"127.0.0.1:{health}"
    c["health"].setdefault("client", {})["url"] = f"http://127.0.0.1:{health}/"
    c["metrics"]["listen"] = f"127.0.0.1:{free_port()}"
    # BACKEND_READY (how the backend authenticates) is an info line.
    c.setdefault("log", {})["level"] = "info"
    path = os.path.join(work, f"config-{secrets.token_hex(4)}.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(c, f)
    return c, path


def test_key(work):
    """A host key made for this run only (the real one lives in the cluster's Secret)."""
    key = os.path.join(work, "test-only-host-key")
    if not os.path.exists(key):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test only", "-f", key], check=True)
    return key


def dump_config(gateway, path, where):
    r = subprocess.run([gateway, "--config", path, "--dump-config"], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"{where}: containerssh --dump-config accepts the configuration" +
          ("" if r.returncode == 0 else f" (exit {r.returncode}): {r.stdout.strip()[-800:]} {r.stderr.strip()[-400:]}"))
    return r.stdout if r.returncode == 0 else None


def http_get(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError:
        return None, ""


def service_account_dir(work, ca_pem, token, namespace):
    """What the kubelet mounts at /var/run/secrets/kubernetes.io/serviceaccount."""
    d = os.path.join(work, f"serviceaccount-{secrets.token_hex(4)}")
    os.makedirs(d)
    for name, text in (("ca.crt", ca_pem), ("token", token), ("namespace", namespace)):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    return d


def run_gateway(gateway, config, path, sa_dir, api_host, api_port, where, on_ready=None):
    """Starts the gateway as the Deployment would (in-cluster: no credentials
    in the file, the service account directory and KUBERNETES_SERVICE_*),
    waits until its health endpoint says ok, runs on_ready, then stops it
    with SIGTERM. Returns its log lines."""
    env = {**os.environ, "CONTAINERSSH_KUBERNETES_SERVICE_ACCOUNT_DIR": sa_dir,
           "KUBERNETES_SERVICE_HOST": api_host, "KUBERNETES_SERVICE_PORT": str(api_port)}
    log_path = path + ".log"
    with open(log_path, "w") as log:
        p = subprocess.Popen([gateway, "--config", path], stdout=log, stderr=subprocess.STDOUT, env=env)
    health = f"http://{config['health']['listen']}/"
    status = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and p.poll() is None:
        status, body = http_get(health)
        if status == 200:
            break
        time.sleep(0.2)
    lines = []
    try:
        if check(status == 200, f"{where}: the gateway starts with the configuration and its health endpoint answers 200"):
            hc = subprocess.run([gateway, "--config", path, "--healthcheck"], capture_output=True, env=env, timeout=30)
            check(hc.returncode == 0, f"{where}: containerssh --healthcheck (the exec probe's way) exits 0")
            m_status, m_body = http_get(f"http://{config['metrics']['listen']}{config['metrics'].get('path', '/metrics')}")
            check(m_status == 200 and "containerssh_" in m_body, f"{where}: the metrics endpoint answers")
            if on_ready:
                on_ready()
    finally:
        if p.poll() is None:
            started = time.monotonic()
            p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(GATEWAY_STOP_SECONDS + MARGIN_SECONDS)
                check(rc == 0, f"{where}: SIGTERM: the gateway exits 0 after {time.monotonic() - started:.1f} s")
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                fail(f"{where}: the gateway did not exit within {GATEWAY_STOP_SECONDS + MARGIN_SECONDS} s of SIGTERM")
        with open(log_path) as f:
            lines = f.read().splitlines()
    if status != 200:
        print("\n".join(lines[-20:]))
    errors = [l for l in lines if '"level":"error"' in l or '"level":"critical"' in l]
    check(not errors, f"{where}: no error lines from the gateway" + ("" if not errors else ":\n" + "\n".join(errors)))
    ready = [l for l in lines if "KUBERNETES_BACKEND_READY" in l]
    check(ready and "in-cluster" in ready[0],
          f"{where}: the backend uses the in-cluster service account" + ("" if ready else " (no KUBERNETES_BACKEND_READY line)"))
    return lines


# ------------------------------------------------------------------ offline

def offline(args):
    work = args.work
    docs_rbac = docs_rbac_role(args.docs)
    rendered = {}
    directories = ["base"] + [os.path.join("overlays", d) for d in sorted(os.listdir(os.path.join(args.manifests, "overlays")))]
    for d in directories:
        objs = render(args.kubectl, os.path.join(args.manifests, d))
        if objs is not None:
            rendered[d] = objs
    for d in ("overlays/example", "overlays/proxy-protocol", "overlays/servicemonitor"):
        check(d in rendered, f"{d} exists and renders")

    for d, objs in rendered.items():
        for obj in objs:
            check_model(obj, d)
        names = [(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in objs]
        check(len(names) == len(set(names)), f"{d}: no object is rendered twice")
        check(find(objs, "Secret") is None,
              f"{d}: renders no Secret (the host keys are created with kubectl, never kept with the manifests)")

    key = test_key(work)
    base_config = None
    gateway_knows_proxy = None
    for d, objs in rendered.items():
        result = check_agreement(objs, d, docs_rbac)
        if result is None:
            continue
        config, _ = result
        _, path = runtime_copy(config, work, key)
        if d == "base":
            base_config = config
            dumped = dump_config(args.gateway, path, d)
            gateway_knows_proxy = dumped is not None and "proxyProtocolAllowedCIDRs" in dumped
            # The core does not look inside plugin sections (kubernetes): only
            # the plugin does, when it starts. So start it, as in the cluster,
            # against an API server address where nothing listens; the backend
            # keeps serving (it retries), and a wrong key stops the start.
            ca = open(os.path.join(work, "test-ca.crt")).read()
            run_gateway(args.gateway, *runtime_copy(config, work, key),
                        service_account_dir(work, ca, "test-token", "containerssh"), "127.0.0.1", free_port(), d)
        elif "proxyProtocolAllowedCIDRs" in config.get("ssh", {}):
            if gateway_knows_proxy:
                dump_config(args.gateway, path, d)
            else:
                print(f"SKIP: {d}: this gateway does not know ssh.proxyProtocol* yet (its --dump-config has no such "
                      "key), so the overlay's configuration is checked against the base's instead", flush=True)
        else:
            dump_config(args.gateway, path, d)

    # Each overlay's configuration is the base's, but for what it is there to change.
    for d, objs in rendered.items():
        dep = find(objs, "Deployment", name="containerssh")
        config, _ = gateway_config(objs, dep, d, quiet=True) if dep else (None, None)
        if config is None or base_config is None or d == "base":
            continue
        mine = copy.deepcopy(config)
        extra = {k: mine["ssh"].pop(k) for k in list(mine["ssh"]) if k in PROXY_KEYS}
        check(mine == base_config, f"{d}: the configuration is the base's" + (" plus ssh.proxyProtocol*" if extra else ""))
        if extra:
            check(set(extra) == PROXY_KEYS, f"{d}: sets all of {sorted(PROXY_KEYS)}")
            try:
                nets = [ipaddress.ip_network(n) for n in extra.get("proxyProtocolAllowedCIDRs", [])]
                check(bool(nets), f"{d}: ssh.proxyProtocolAllowedCIDRs is a non-empty list of CIDRs {nets}")
            except ValueError as e:
                fail(f"{d}: ssh.proxyProtocolAllowedCIDRs: {e}")
            svc = find(objs, "Service", name="containerssh")
            check(svc["spec"].get("externalTrafficPolicy") == "Cluster",
                  f"{d}: the Service spreads over every node (the address is in the header)")

    # What each overlay is there for.
    if "overlays/example" in rendered:
        dep = find(rendered["overlays/example"], "Deployment", name="containerssh")
        image = dep["spec"]["template"]["spec"]["containers"][0]["image"]
        check(dep["spec"]["replicas"] == 3, "overlays/example: 3 replicas")
        check(re.match(r"^[^@]+:[A-Za-z0-9_][A-Za-z0-9_.-]*$", image.split("/")[-1]) is not None and
              not image.endswith(":latest"), f"overlays/example: the image {image} has a tag")
    if "overlays/servicemonitor" in rendered:
        objs = rendered["overlays/servicemonitor"]
        sm, svc = find(objs, "ServiceMonitor"), find(objs, "Service", name="containerssh-metrics")
        dep = find(objs, "Deployment", name="containerssh")
        if check(sm is not None and svc is not None, "overlays/servicemonitor: a ServiceMonitor and a metrics Service"):
            sel = sm["spec"]["selector"]["matchLabels"]
            check(all(svc["metadata"]["labels"].get(k) == v for k, v in sel.items()) and
                  not all(find(objs, "Service", name="containerssh")["metadata"]["labels"].get(k) == v for k, v in sel.items()),
                  "overlays/servicemonitor: the ServiceMonitor selects the metrics Service and not the SSH one")
            ports = {p["name"]: p for p in svc["spec"]["ports"]}
            c = dep["spec"]["template"]["spec"]["containers"][0]
            check(all(e["port"] in ports for e in sm["spec"]["endpoints"]) and
                  container_port(c, ports["metrics"]["targetPort"]) == port_of(base_config["metrics"]["listen"]),
                  "overlays/servicemonitor: the endpoint's port reaches metrics.listen's port")
            check(not any(k.startswith("prometheus.io/") for k in
                          dep["spec"]["template"]["metadata"].get("annotations", {})),
                  "overlays/servicemonitor: no scrape annotations as well (no double scraping)")

    readme = open(os.path.join(args.manifests, "README.md")).read()
    check(f"kubectl create secret generic {SECRET_NAME}" in readme and "ssh-keygen" in readme,
          "README.md says how to create the host-key Secret")
    return rendered, base_config


# ---------------------------------------------------------- the API server

class ApiServer:
    def __init__(self, script, docker_host, work):
        self.docker_host, self.work = docker_host, work
        self.token = "kustomize-test-" + secrets.token_hex(8)
        self.instance = "kust-" + secrets.token_hex(6)
        self.pki = os.path.join(work, "pki")
        self.log_path = os.path.join(work, "api-server.log")
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            ["/usr/bin/python3", script, "--pki", self.pki, "--docker-host", docker_host, "--token", self.token,
             "--instance", self.instance, "--port", "0", "--verbose", "--cleanup-on-exit"],
            stdout=subprocess.PIPE, stderr=self.log)
        line = self.process.stdout.readline().decode()
        if not line.startswith("READY https://127.0.0.1:"):
            raise RuntimeError("the API server did not start: " + line + open(self.log_path).read()[-2000:])
        self.port = int(line.strip().rsplit(":", 1)[1])

    def kubectl(self, kubectl, *args, input=None):
        env = {**os.environ, "KUBECONFIG": os.path.join(self.pki, "kubeconfig"),
               "KUBECACHEDIR": os.path.join(self.work, "kube-cache")}
        return subprocess.run([kubectl, *args], input=input, capture_output=True, text=True, env=env, timeout=120)

    def requests_since(self, offset):
        self.log.flush()
        with open(self.log_path) as f:
            f.seek(offset)
            return re.findall(r"\b(GET|POST|PUT|DELETE|PATCH) (/\S+)", f.read())

    def log_size(self):
        return os.path.getsize(self.log_path)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        env = {**os.environ, "DOCKER_HOST": self.docker_host}
        label = f"label=io.containerssh.kube-api-server/instance={self.instance}"
        ids = subprocess.run(["docker", "ps", "-aq", "--filter", label], capture_output=True, text=True, env=env).stdout.split()
        if ids:
            subprocess.run(["docker", "rm", "-f", *ids], capture_output=True, env=env)
        vols = subprocess.run(["docker", "volume", "ls", "-q", "--filter", label], capture_output=True, text=True, env=env).stdout.split()
        if vols:
            subprocess.run(["docker", "volume", "rm", *vols], capture_output=True, env=env)


def rbac_request(method, path):
    """(namespace, apiGroup, resource, verb) of one request, as the API server's authorizer names it."""
    p, _, query = path.partition("?")
    m = re.match(r"^/api/v1/namespaces/([^/]+)/(pods)(?:/([^/]+)(?:/(exec|attach|log))?)?$", p) or \
        re.match(r"^/apis/coordination\.k8s\.io/v1/namespaces/([^/]+)/(leases)(?:/([^/]+))?()$", p)
    if not m:
        return None
    ns, resource, name, sub = m.groups()
    group = "coordination.k8s.io" if resource == "leases" else ""
    if sub:
        resource += "/" + sub
    if method == "GET":
        verb = "get" if name else ("watch" if re.search(r"(^|&)watch=(true|1)", query) else "list")
    else:
        verb = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}[method]
    return ns, group, resource, verb


def online(args, base_objs, base_config):
    with open(args.docker_host_file) as f:
        docker_host = f.read().strip()
    server = ApiServer(args.api_server, docker_host, args.work)
    try:
        ok(f"the test API server runs on port {server.port}")
        # Which rendered kinds it serves, from its own discovery.
        r = server.kubectl(args.kubectl, "api-resources", "--no-headers", "-o", "wide")
        kinds = {}
        for line in r.stdout.splitlines():
            words = line.split()
            # NAME [SHORTNAMES] APIVERSION NAMESPACED KIND VERBS [CATEGORIES]
            kind_at = next(i for i, w in enumerate(words) if w in ("true", "false")) + 1
            kinds[words[kind_at]] = words[kind_at + 1].strip("[]").split(",") if kind_at + 1 < len(words) else []
        print("the server serves:", kinds, flush=True)
        rendered_kinds = sorted({o["kind"] for o in base_objs})
        for kind in rendered_kinds:
            if kind not in kinds:
                print(f"SKIP: {kind}: not served by the test API server", flush=True)
            elif "create" not in kinds[kind]:
                # Namespaces: every name exists there and none can be created.
                for o in base_objs:
                    if o["kind"] == kind:
                        g = server.kubectl(args.kubectl, "get", kind.lower(), o["metadata"]["name"], "-o", "name")
                        check(g.returncode == 0, f"{kind} {o['metadata']['name']}: the server serves it read-only, "
                              "and it is there" + ("" if g.returncode == 0 else f": {g.stderr.strip()}"))
            else:
                fail(f"{kind}: the server can create it, and this test does not apply it yet")
        check("Pod" in kinds, "the server serves Pods: the Deployment's pod template is applied as one")

        # 4a. The Deployment's pod template, as the ReplicaSet controller would create it.
        dep = find(base_objs, "Deployment", name="containerssh")
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {**dep["spec"]["template"]["metadata"], "name": "containerssh-template-check",
                            "namespace": dep["metadata"]["namespace"]},
               "spec": dep["spec"]["template"]["spec"]}
        r = server.kubectl(args.kubectl, "create", "--validate=false", "-o", "json", "-f", "-", input=json.dumps(pod))
        if check(r.returncode == 0, "kubectl create --validate=false: the server takes the pod template as a Pod" +
                 ("" if r.returncode == 0 else f": {r.stderr.strip()}")):
            created = json.loads(r.stdout)
            lost = [d for d in differences(pod["spec"], created["spec"], ".spec") if "added by the model" not in d]
            check(not lost, "the created Pod keeps every field of the template" + ("" if not lost else ": " + "; ".join(lost)))
            d = server.kubectl(args.kubectl, "delete", "pod", "-n", pod["metadata"]["namespace"], pod["metadata"]["name"],
                               "--wait=true", "--timeout=60s")
            check(d.returncode == 0, "the Pod is deleted" + ("" if d.returncode == 0 else f": {d.stderr.strip()}"))

        # 4b. The gateway, as the Deployment runs it, against this server.
        ca = open(os.path.join(server.pki, "ca.crt")).read()
        sa = service_account_dir(args.work, ca, server.token, dep["metadata"]["namespace"])
        pods_ns = base_config["kubernetes"]["pod"]["metadata"]["namespace"]
        offset = server.log_size()
        leases = []

        def lease_is_kept():
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                r = server.kubectl(args.kubectl, "get", "leases", "-n", pods_ns, "-l",
                                   "app.kubernetes.io/managed-by=containerssh", "-o", "json")
                items = json.loads(r.stdout).get("items", []) if r.returncode == 0 else []
                if items:
                    leases.extend(items)
                    break
                time.sleep(0.5)
            check(bool(leases), f"the gateway keeps its lease in {pods_ns}, the Role's namespace: " +
                  ", ".join(l["metadata"]["name"] for l in leases))
            # Let a round of orphan collection and a renewal pass.
            time.sleep(2)

        run_gateway(args.gateway, *runtime_copy(base_config, args.work, test_key(args.work)), sa,
                    "127.0.0.1", server.port, "in the test API server", on_ready=lease_is_kept)
        role = find(base_objs, "Role", name="containerssh")
        allowed = {(role["metadata"]["namespace"], g, r, v) for g, r, v in rule_set(role["rules"])}
        made = {rbac_request(m, p) for m, p in server.requests_since(offset)}
        unknown = [x for x in made if x is None]
        made.discard(None)
        print("the gateway's requests (namespace, group, resource, verb):", sorted(made), flush=True)
        check(not unknown, "every request the gateway made is to pods or leases")
        check(made and made <= allowed, "the Role allows every request the gateway made" +
              ("" if made <= allowed else f"; not allowed: {sorted(made - allowed)}"))
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifests", required=True, help="packaging/kubernetes")
    parser.add_argument("--kubectl", default="/usr/bin/kubectl")
    parser.add_argument("--gateway", required=True, help="the containerssh binary (plugins beside it)")
    parser.add_argument("--docs", required=True, help="docs/ of the project (kubernetes.md's RBAC section)")
    parser.add_argument("--docker-host-file", help="the docker_engine fixture's host file: also step 4")
    parser.add_argument("--api-server", help="tests/kube-api-server/kube_api_server.py")
    args = parser.parse_args()
    args.work = tempfile.mkdtemp(prefix="kustomize-test-")
    try:
        # A CA for the simulated service account of the offline start.
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", os.path.join(args.work, "test-ca.key"), "-out", os.path.join(args.work, "test-ca.crt"),
                        "-days", "1", "-subj", "/CN=kustomize-test"], check=True, capture_output=True)
        rendered, base_config = offline(args)
        if args.docker_host_file:
            if "base" in rendered and base_config is not None:
                online(args, rendered["base"], base_config)
            else:
                fail("the base did not render: nothing to apply")
    finally:
        shutil.rmtree(args.work, ignore_errors=True)
    if FAILURES:
        print(f"\n{len(FAILURES)} check(s) failed:")
        for f in FAILURES:
            print(" -", f.splitlines()[0])
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
