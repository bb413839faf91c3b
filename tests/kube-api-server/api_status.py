"""Kubernetes `Status` objects: every error the server answers is one, with
the reason and code a real kube-apiserver uses, because clients (kubectl,
client-go, python-kubernetes, the gateway) branch on reason and code."""

import json

from aiohttp import web


def status_body(code, reason, message, details=None, status="Failure"):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": status}
    if message:
        body["message"] = message
    if reason:
        body["reason"] = reason
    if details is not None:
        body["details"] = details
    if code:
        body["code"] = code
    return body


class ApiError(Exception):
    """Raised anywhere in a handler; the middleware turns it into a response."""

    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def body(self):
        return status_body(self.code, self.reason, self.message, self.details)

    def response(self):
        return json_response(self.body(), self.code)


def json_response(obj, code=200):
    return web.Response(status=code, body=json.dumps(obj).encode(), content_type="application/json")


def _details(name, resource, group):
    details = {"name": name, "kind": resource}
    if group:
        details["group"] = group
    return details


def _qualified(resource, group):
    return f"{resource}.{group}" if group else resource


def not_found(resource, name, group=""):
    return ApiError(404, "NotFound", f'{_qualified(resource, group)} "{name}" not found',
                    _details(name, resource, group))


def already_exists(resource, name, group=""):
    return ApiError(409, "AlreadyExists", f'{_qualified(resource, group)} "{name}" already exists',
                    _details(name, resource, group))


def conflict(resource, name, group, why):
    return ApiError(409, "Conflict", f'Operation cannot be fulfilled on {_qualified(resource, group)} "{name}": {why}',
                    _details(name, resource, group))


def stale(resource, name, group=""):
    return conflict(resource, name, group,
                    "the object has been modified; please apply your changes to the latest version and try again")


def invalid(kind, name, causes, group=""):
    """causes: [(field, reason, message)], reason e.g. FieldValueRequired."""
    text = "; ".join(f"{field}: {message}" for field, _, message in causes)
    details = {"name": name or "", "kind": kind,
               "causes": [{"reason": r, "message": m, "field": f} for f, r, m in causes]}
    if group:
        details["group"] = group
    return ApiError(422, "Invalid", f'{kind}{"." + group if group else ""} "{name or ""}" is invalid: {text}', details)


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def path_not_found():
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def method_not_allowed(method):
    return ApiError(405, "MethodNotAllowed", f"the server does not allow this method on the requested resource", {})


def unauthorized():
    return ApiError(401, "Unauthorized", "Unauthorized")


def unsupported_media_type(content_type):
    return ApiError(415, "UnsupportedMediaType", f'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json', {})
