#!/usr/bin/python3
"""A small Kubernetes API server for the tests: pods (as containers of a real
Docker engine) with exec/attach over WebSocket, leases, discovery. See
README.md for what it covers. Prints `READY https://127.0.0.1:<port>` once
it serves."""

import argparse
import asyncio
import base64
import json
import logging
import os
import secrets
import signal
import ssl
import sys

import yaml
from aiohttp import web

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import discovery  # noqa: E402
import openapi  # noqa: E402
import pki  # noqa: E402
import streams  # noqa: E402
from api_status import (ApiError, bad_request, invalid, json_response, method_not_allowed,  # noqa: E402
                        path_not_found, unauthorized, unsupported_media_type)
from docker_api import Docker  # noqa: E402
from kube_selectors import parse_field_selector, parse_label_selector  # noqa: E402
from leases import FIELDS as LEASE_FIELDS, LeaseManager  # noqa: E402
from pods import POD_FIELDS, PodManager  # noqa: E402
from store import Revisions  # noqa: E402
from tables import table_for_list, table_for_object, wants_table  # noqa: E402

log = logging.getLogger("kube-api-server")

MERGE_PATCH_TYPES = ("application/merge-patch+json", "application/strategic-merge-patch+json")


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch (strategic merge patch is the same for the
    maps of labels and annotations, the only fields patched here)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class Server:
    def __init__(self, args):
        self.args = args
        self.address = ""
        self.docker = Docker(args.docker_host)
        state = args.state
        os.makedirs(state, exist_ok=True)
        instance_file = os.path.join(state, "instance")
        if args.instance:
            self.instance = args.instance
        elif os.path.exists(instance_file):
            with open(instance_file) as f:
                self.instance = f.read().strip()
        else:
            self.instance = "kapi-" + secrets.token_hex(6)
        with open(instance_file, "w") as f:
            f.write(self.instance)
        self.revisions = Revisions(os.path.join(state, "revision"))
        self.pods = PodManager(self.docker, self.revisions, self.instance, state)
        self.leases = LeaseManager(self.revisions, state)
        self.basic = args.basic

    # ---- authentication

    def authenticated(self, request):
        cert = request.transport.get_extra_info("peercert") if request.transport else None
        if cert:
            return True  # the TLS layer verified it against the CA
        header = request.headers.get("Authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "bearer" and self.args.token and secrets.compare_digest(
                credentials.strip(), self.args.token):
            return True
        if scheme.lower() == "basic" and self.basic:
            try:
                decoded = base64.b64decode(credentials.strip()).decode()
            except ValueError:
                return False
            return secrets.compare_digest(decoded, self.basic)
        return False

    @web.middleware
    async def middleware(self, request, handler):
        if self.args.verbose:
            log.info("%s %s %s", request.method, request.path_qs, request.headers.get("Accept", ""))
        if not self.authenticated(request):
            return unauthorized().response()
        try:
            return await handler(request)
        except ApiError as e:
            if self.args.verbose:
                log.info("-> %d %s", e.code, e.message)
            return e.response()
        except web.HTTPMethodNotAllowed:
            return method_not_allowed(request.method).response()
        except web.HTTPNotFound:
            return path_not_found().response()

    # ---- helpers

    @staticmethod
    async def body(request):
        data = await request.read()
        if not data:
            return {}
        try:
            if "yaml" in request.content_type:
                return yaml.safe_load(data)
            return json.loads(data)
        except (ValueError, yaml.YAMLError) as e:
            raise bad_request(f"the request body could not be decoded: {e}")

    @staticmethod
    def answer(request, obj, code=200):
        if wants_table(request):
            return json_response(table_for_object(obj), code)
        return json_response(obj, code)

    async def list_or_watch(self, request, store, namespace, list_kind, supported_fields):
        q = request.query
        match = store.matcher(namespace, parse_label_selector(q.get("labelSelector")),
                              parse_field_selector(q.get("fieldSelector"), supported_fields))
        if q.get("watch", "").lower() in ("true", "1"):
            try:
                timeout = int(q.get("timeoutSeconds") or 0)
            except ValueError:
                raise bad_request("timeoutSeconds: invalid value")
            encode = None
            if wants_table(request):
                encode = lambda t, o: {"type": t, "object": table_for_object(o, watch=True)}  # noqa: E731
            return await store.watch(request, match, q.get("resourceVersion"), timeout, encode)
        result = store.list(match, list_kind)
        if wants_table(request):
            return json_response(table_for_list(result))
        return json_response(result)

    async def delete_options(self, request):
        body = await self.body(request)
        grace = request.query.get("gracePeriodSeconds")
        if grace is None and body.get("gracePeriodSeconds") is not None:
            grace = body["gracePeriodSeconds"]
        try:
            grace = None if grace is None else int(grace)
        except ValueError:
            raise bad_request("gracePeriodSeconds: invalid value")
        return grace, body.get("preconditions") or {}

    # ---- discovery

    async def version(self, request):
        return json_response(discovery.VERSION)

    async def api(self, request):
        return json_response(discovery.api_versions(self.address))

    async def api_v1(self, request):
        return json_response(discovery.core_v1())

    async def apis(self, request):
        return json_response(discovery.api_groups())

    async def apis_group(self, request):
        return json_response(discovery.api_groups()["groups"][0] | {"kind": "APIGroup", "apiVersion": "v1"})

    async def apis_coordination(self, request):
        return json_response(discovery.coordination_v1())

    async def openapi_root(self, request):
        return json_response(openapi.root())

    async def openapi_group_version(self, request):
        document = openapi.group_version_document(request.match_info["gv"])
        if document is None:
            raise path_not_found()
        return json_response(document)

    # ---- namespaces: every namespace exists (pods may be created in any)

    def namespace(self, name):
        return {"kind": "Namespace", "apiVersion": "v1",
                "metadata": {"name": name, "uid": "00000000-0000-0000-0000-" + name.encode().hex()[:12].ljust(12, "0"),
                             "resourceVersion": "1", "creationTimestamp": "2025-01-01T00:00:00Z",
                             "labels": {"kubernetes.io/metadata.name": name}},
                "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}

    async def namespaces(self, request):
        names = {"default", "kube-system", "kube-public", "kube-node-lease"}
        names |= {ns for ns, _ in self.pods.store.objects} | {ns for ns, _ in self.leases.store.objects}
        items = [self.namespace(n) for n in sorted(names)]
        for item in items:
            item.pop("kind")
            item.pop("apiVersion")
        return json_response({"kind": "NamespaceList", "apiVersion": "v1",
                              "metadata": {"resourceVersion": str(self.revisions.value)}, "items": items})

    async def get_namespace(self, request):
        return json_response(self.namespace(request.match_info["ns"]))

    # ---- pods

    async def pods_all(self, request):
        return await self.list_or_watch(request, self.pods.store, None, "PodList", POD_FIELDS)

    async def pods_list(self, request):
        return await self.list_or_watch(request, self.pods.store, request.match_info["ns"], "PodList", POD_FIELDS)

    async def pods_create(self, request):
        return self.answer(request, self.pods.create(request.match_info["ns"], await self.body(request)), 201)

    async def pod_get(self, request):
        return self.answer(request, self.pods.get(request.match_info["ns"], request.match_info["name"]))

    async def pod_delete(self, request):
        grace, preconditions = await self.delete_options(request)
        return self.answer(request, self.pods.delete(request.match_info["ns"], request.match_info["name"],
                                                     grace, preconditions))

    async def pod_patch(self, request):
        ns, name = request.match_info["ns"], request.match_info["name"]
        if request.content_type not in MERGE_PATCH_TYPES:
            raise unsupported_media_type(request.content_type)
        patch = await self.body(request)
        current = self.pods.get(ns, name)
        merged = merge_patch(current, patch)
        changed_meta = {k for k in set(current["metadata"]) | set(merged.get("metadata") or {})
                        if current["metadata"].get(k) != (merged.get("metadata") or {}).get(k)}
        if merged.get("spec") != current.get("spec") or changed_meta - {"labels", "annotations"}:
            raise invalid("Pod", name, [("spec", "FieldValueForbidden",
                                         "Forbidden: this test API server patches only metadata.labels and "
                                         "metadata.annotations of a pod")])
        return self.answer(request, self.pods.patch_metadata(ns, name, merged))

    async def pod_exec(self, request):
        return await streams.serve_exec(request, self.pods, request.match_info["ns"], request.match_info["name"])

    async def pod_attach(self, request):
        return await streams.serve_attach(request, self.pods, request.match_info["ns"], request.match_info["name"])

    async def pod_log(self, request):
        rec, spec, cid = self.pods.container_id(request.match_info["ns"], request.match_info["name"],
                                                request.query.get("container"))
        if cid is None:
            raise bad_request(f'container "{spec["name"]}" in pod "{request.match_info["name"]}" is waiting to '
                              "start: ContainerCreating")
        follow = streams.flag(request, "follow")
        params = {"stdout": "1", "stderr": "1", "follow": "1" if follow else "0",
                  "timestamps": "1" if streams.flag(request, "timestamps") else "0"}
        if request.query.get("tailLines"):
            params["tail"] = request.query["tailLines"]
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        demux = None if spec.get("tty") else streams.Demux()
        url = "http://docker/v1.41/containers/" + cid + "/logs"
        async with self.docker.session().get(url, params=params) as r:
            async for data in r.content.iter_any():
                if demux is None:
                    await response.write(data)
                else:
                    for _, payload in demux.feed(data):
                        await response.write(payload)
        return response

    # ---- leases

    async def leases_all(self, request):
        return await self.list_or_watch(request, self.leases.store, None, "LeaseList", LEASE_FIELDS)

    async def leases_list(self, request):
        return await self.list_or_watch(request, self.leases.store, request.match_info["ns"], "LeaseList",
                                        LEASE_FIELDS)

    async def leases_create(self, request):
        return self.answer(request, self.leases.create(request.match_info["ns"], await self.body(request)), 201)

    async def lease_get(self, request):
        return self.answer(request, self.leases.get(request.match_info["ns"], request.match_info["name"]))

    async def lease_put(self, request):
        obj, code = self.leases.update(request.match_info["ns"], request.match_info["name"], await self.body(request))
        return self.answer(request, obj, code)

    async def lease_patch(self, request):
        ns, name = request.match_info["ns"], request.match_info["name"]
        if request.content_type not in MERGE_PATCH_TYPES:
            raise unsupported_media_type(request.content_type)
        merged = merge_patch(self.leases.get(ns, name), await self.body(request))
        obj, _ = self.leases.update(ns, name, merged)
        return self.answer(request, obj)

    async def lease_delete(self, request):
        _, preconditions = await self.delete_options(request)
        self.leases.delete(request.match_info["ns"], request.match_info["name"], preconditions)
        return json_response({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                              "details": {"name": request.match_info["name"], "group": "coordination.k8s.io",
                                          "kind": "leases", "uid": ""}})

    def app(self):
        app = web.Application(middlewares=[self.middleware], client_max_size=16 << 20)
        r = app.router
        pods = "/api/v1/namespaces/{ns}/pods"
        leases = "/apis/coordination.k8s.io/v1/namespaces/{ns}/leases"
        for path, handler in [("/version", self.version), ("/api", self.api), ("/api/v1", self.api_v1),
                              ("/apis", self.apis), ("/apis/coordination.k8s.io", self.apis_group),
                              ("/apis/coordination.k8s.io/v1", self.apis_coordination),
                              ("/openapi/v3", self.openapi_root), ("/openapi/v3/{gv:.+}", self.openapi_group_version),
                              ("/api/v1/namespaces", self.namespaces), ("/api/v1/namespaces/{ns}", self.get_namespace),
                              ("/api/v1/pods", self.pods_all), (pods, self.pods_list), (pods + "/{name}", self.pod_get),
                              (pods + "/{name}/log", self.pod_log),
                              ("/apis/coordination.k8s.io/v1/leases", self.leases_all),
                              (leases, self.leases_list), (leases + "/{name}", self.lease_get)]:
            r.add_get(path, handler, allow_head=False)
        r.add_post(pods, self.pods_create)
        r.add_delete(pods + "/{name}", self.pod_delete)
        r.add_patch(pods + "/{name}", self.pod_patch)
        for sub, handler in (("exec", self.pod_exec), ("attach", self.pod_attach)):
            r.add_get(f"{pods}/{{name}}/{sub}", handler, allow_head=False)
            r.add_post(f"{pods}/{{name}}/{sub}", handler)
        r.add_post(leases, self.leases_create)
        r.add_put(leases + "/{name}", self.lease_put)
        r.add_patch(leases + "/{name}", self.lease_patch)
        r.add_delete(leases + "/{name}", self.lease_delete)
        return app


def tls_context(pki_dir):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(pki_dir, "server.crt"), os.path.join(pki_dir, "server.key"))
    ctx.load_verify_locations(os.path.join(pki_dir, "ca.crt"))
    # A client certificate is one way in among others: asked for, not required.
    ctx.verify_mode = ssl.CERT_OPTIONAL
    ctx.set_alpn_protocols(["http/1.1"])  # aiohttp speaks no HTTP/2
    return ctx


async def serve(args):
    pki.ensure(args.pki)
    server = Server(args)
    await server.pods.recover()
    runner = web.AppRunner(server.app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", args.port, ssl_context=tls_context(args.pki), reuse_address=True,
                       shutdown_timeout=0.5)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    server.address = f"127.0.0.1:{port}"
    url = f"https://127.0.0.1:{port}"
    with open(os.path.join(args.pki, "kubeconfig"), "w") as f:
        f.write(pki.kubeconfig(args.pki, url))
    if args.token:
        with open(os.path.join(args.pki, "kubeconfig-token"), "w") as f:
            f.write(pki.kubeconfig(args.pki, url, args.token))
    follower = asyncio.ensure_future(server.pods.follow_engine())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {url}", flush=True)
    log.info("instance %s serving on %s against %s", server.instance, url, args.docker_host)
    await stop.wait()
    follower.cancel()
    await server.pods.settle()
    if args.cleanup_on_exit:
        await server.pods.cleanup_all()
    await runner.cleanup()
    await server.docker.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--pki", required=True, help="directory of the CA and certificates (made when missing)")
    parser.add_argument("--state", help="directory of the state kept across restarts (default: PKI/state)")
    parser.add_argument("--docker-host", default=os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"))
    parser.add_argument("--token", help="bearer token accepted besides client certificates")
    parser.add_argument("--basic", help="user:password accepted with basic auth")
    parser.add_argument("--instance", help="label value marking this server's containers (default: kept in STATE)")
    parser.add_argument("--cleanup-on-exit", action="store_true", help="remove all pods' containers on exit")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args()
    args.state = args.state or os.path.join(args.pki, "state")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
