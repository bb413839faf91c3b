"""Just enough OpenAPI v3 for `kubectl create/apply`: kubectl (1.27+) looks
in /openapi/v3/<group-version> for a PATCH operation of the object's kind
that takes the `fieldValidation` query parameter; finding it, kubectl leaves
validation to the server (sending fieldValidation=Strict) instead of
downloading /openapi/v2 for client-side validation. The documents carry no
schemas: the server does not check unknown fields (see README)."""

import hashlib
import json

_GROUP_VERSIONS = {
    "api/v1": ("", "v1", [("Pod", "/api/v1/namespaces/{namespace}/pods/{name}")]),
    "apis/coordination.k8s.io/v1": ("coordination.k8s.io", "v1",
                                    [("Lease", "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}")]),
}


def group_version_document(path):
    """The OpenAPI v3 document of one group-version, or None."""
    if path not in _GROUP_VERSIONS:
        return None
    group, version, kinds = _GROUP_VERSIONS[path]
    paths = {}
    for kind, url in kinds:
        parameters = [{"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
                      for n in ("dryRun", "fieldManager", "fieldValidation", "force")]
        paths[url] = {"patch": {
            "operationId": f"patch{kind}",
            "parameters": parameters,
            "responses": {"200": {"description": "OK"}},
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": kind},
        }}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.33.0-kube-api-test"}, "paths": paths}


def root():
    paths = {}
    for path in _GROUP_VERSIONS:
        digest = hashlib.sha512(json.dumps(group_version_document(path), sort_keys=True).encode()).hexdigest()
        paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest.upper()}"}
    return {"paths": paths}
