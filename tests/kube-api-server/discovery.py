"""Discovery documents: /version, /api, /apis and the resource lists. Only
the legacy (unaggregated) forms are served: clients that ask for aggregated
discovery (Accept ...;g=apidiscovery.k8s.io;v=v2) fall back to these when
the answer is plain application/json, as they do with older servers."""

VERSION = {"major": "1", "minor": "33", "gitVersion": "v1.33.0-kube-api-test", "gitCommit": "0" * 40,
           "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.24.0",
           "compiler": "gc", "platform": "linux/amd64"}

_POD_VERBS = ["create", "delete", "get", "list", "patch", "watch"]


def api_versions(address):
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}]}


def core_v1():
    return {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": "namespaces", "singularName": "namespace", "namespaced": False, "kind": "Namespace",
         "verbs": ["get", "list"], "shortNames": ["ns"]},
        {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod", "verbs": _POD_VERBS,
         "shortNames": ["po"], "categories": ["all"]},
        {"name": "pods/attach", "singularName": "", "namespaced": True, "kind": "PodAttachOptions",
         "verbs": ["create", "get"]},
        {"name": "pods/exec", "singularName": "", "namespaced": True, "kind": "PodExecOptions",
         "verbs": ["create", "get"]},
        {"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]},
    ]}


def api_groups():
    version = {"groupVersion": "coordination.k8s.io/v1", "version": "v1"}
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": "coordination.k8s.io", "versions": [version], "preferredVersion": version}]}


def coordination_v1():
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "coordination.k8s.io/v1", "resources": [
        {"name": "leases", "singularName": "lease", "namespaced": True, "kind": "Lease",
         "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}]}
