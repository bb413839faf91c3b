"""A verifying S3 front for s3rver, for tests of S3 clients.

s3rver stores objects faithfully but checks signatures only for its own
fixed key and does not implement ListMultipartUploads or
AbortMultipartUpload. This proxy sits in front of it and

  - recomputes every request's AWS Signature V4 with botocore's signer
    (canonical query, headers and scope from botocore; the headers are
    exactly those the request lists in SignedHeaders; the payload hash is
    the request's x-amz-content-sha256, which must be UNSIGNED-PAYLOAD or
    the SHA-256 of the body actually received) and refuses a request that
    does not verify with S3's own 403 answers (SignatureDoesNotMatch,
    InvalidAccessKeyId) before s3rver sees it;
  - accepts path-style (/bucket/key) and virtual-host (Host:
    bucket.<base domain>) addressing and forwards path-style;
  - tracks the multipart uploads it has seen created, completed and
    aborted (kept in a JSON file so a restart on the same directory keeps
    them) and answers ListMultipartUploads and AbortMultipartUpload itself;
    parts and completions of an unknown upload get NoSuchUpload, as on S3;
  - obeys a fault switch: the file <state dir>/fault holding "503"
    (answer 503 ServiceUnavailable, as S3 does when overloaded) or "drop"
    (close the connection without an answer) or "hang" (read the request,
    then answer nothing until the switch changes); empty or absent means serve
    normally (read at every request, so a test flips it at any time);
  - appends one JSON line per request to <state dir>/requests.jsonl (method,
    path, query, bucket, key, the verdict, the status and the headers a
    test may check, never the Authorization header).
"""

import datetime
import hashlib
import hmac
import http.client
import http.server
import json
import os
import re
import socket
import threading
import time
import urllib.parse
from xml.sax.saxutils import escape

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
ALGORITHM = "AWS4-HMAC-SHA256"
# S3 refuses requests whose x-amz-date is further than this from its clock.
MAX_SKEW = datetime.timedelta(minutes=15)
# Headers a test may want to see in the request log.
LOGGED_HEADERS = ("content-type", "content-length", "x-amz-acl", "x-amz-content-sha256", "host")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate"}

AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]+)\s*$")


class S3Error(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_xml(code, message, resource=""):
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
            "<Resource>%s</Resource><RequestId>verifying-proxy</RequestId></Error>"
            % (escape(code), escape(message), escape(resource))).encode()


class Verifier:
    """Checks one request's SigV4 Authorization header with botocore."""

    def __init__(self, access_key, secret_key, region):
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region

    def verify(self, method, host, raw_path, raw_query, headers, body):
        authorization = headers.get("authorization")
        if not authorization:
            raise S3Error(403, "AccessDenied", "Anonymous requests are not accepted here")
        match = AUTH_RE.match(authorization)
        if not match:
            raise S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed")
        credential, signed_list, signature = match.groups()
        parts = credential.split("/")
        if len(parts) != 5 or parts[4] != "aws4_request":
            raise S3Error(400, "AuthorizationHeaderMalformed", "The credential scope is malformed")
        access_key, day, region, service = parts[0:4]
        if access_key != self.access_key:
            raise S3Error(403, "InvalidAccessKeyId",
                          "The AWS Access Key Id you provided does not exist in our records.")
        if region != self.region or service != "s3":
            raise S3Error(400, "AuthorizationHeaderMalformed",
                          "the region '%s' or service '%s' is wrong; expecting '%s' and 's3'"
                          % (region, service, self.region))
        timestamp = headers.get("x-amz-date", "")
        try:
            when = datetime.datetime.strptime(timestamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            raise S3Error(403, "AccessDenied", "x-amz-date is missing or malformed")
        if day != timestamp[0:8]:
            raise S3Error(403, "SignatureDoesNotMatch", "the credential date is not the x-amz-date day")
        if abs(datetime.datetime.now(datetime.timezone.utc) - when) > MAX_SKEW:
            raise S3Error(403, "RequestTimeTooSkewed",
                          "The difference between the request time and the current time is too large.")

        signed = signed_list.split(";")
        if "host" not in signed:
            raise S3Error(403, "SignatureDoesNotMatch", "the host header is not signed")
        payload_hash = headers.get("x-amz-content-sha256")
        if payload_hash is None:
            raise S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
        if "x-amz-content-sha256" not in signed:
            raise S3Error(403, "SignatureDoesNotMatch", "x-amz-content-sha256 is not signed")
        if payload_hash != UNSIGNED_PAYLOAD:
            if not re.fullmatch(r"[0-9a-f]{64}", payload_hash):
                raise S3Error(400, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a SHA-256")
            if hashlib.sha256(body).hexdigest() != payload_hash:
                raise S3Error(400, "XAmzContentSHA256Mismatch",
                              "The provided 'x-amz-content-sha256' header does not match what was computed.")

        # botocore builds the canonical request from its own pieces; only
        # the header set is taken from SignedHeaders (not botocore's default
        # choice of headers), as S3 does.
        to_sign = HTTPHeaders()
        for name in signed:
            if name not in headers.names:
                raise S3Error(403, "SignatureDoesNotMatch", "the signed header '%s' is missing" % name)
            for value in headers.all(name):
                to_sign[name] = value
        request = AWSRequest(method=method, url="http://%s%s" % (host, raw_path), headers=to_sign)
        request.params = urllib.parse.parse_qsl(raw_query, keep_blank_values=True)
        request.context["timestamp"] = timestamp
        signer = S3SigV4Auth(Credentials(self.access_key, self.secret_key), "s3", self.region)
        canonical = "\n".join([
            method.upper(),
            signer._normalize_url_path(raw_path),
            signer.canonical_query_string(request),
            signer.canonical_headers(to_sign) + "\n",
            signer.signed_headers(to_sign),
            payload_hash,
        ])
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if not hmac.compare_digest(expected, signature):
            raise S3Error(403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided.")
        return {"payload": payload_hash, "signed_headers": signed}


class RequestHeaders:
    """Lower-cased request headers with repeats kept."""

    def __init__(self, message):
        self._items = [(k.lower(), v) for k, v in message.items()]
        self.names = {k for k, _ in self._items}

    def get(self, name, default=None):
        for key, value in self._items:
            if key == name:
                return value
        return default

    def all(self, name):
        return [v for k, v in self._items if k == name]

    def items(self):
        return list(self._items)


class UploadTracker:
    """The multipart uploads seen through the proxy, persisted as JSON."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.uploads = {}
        if os.path.exists(path):
            with open(path) as f:
                self.uploads = json.load(f)

    def _save(self):
        tmp = self.path + ".new"
        with open(tmp, "w") as f:
            json.dump(self.uploads, f)
        os.replace(tmp, self.path)

    def add(self, bucket, key, upload_id):
        with self.lock:
            self.uploads[upload_id] = {"bucket": bucket, "key": key,
                                       "initiated": datetime.datetime.now(datetime.timezone.utc)
                                       .strftime("%Y-%m-%dT%H:%M:%S.000Z")}
            self._save()

    def known(self, bucket, key, upload_id):
        with self.lock:
            entry = self.uploads.get(upload_id)
            return entry is not None and entry["bucket"] == bucket and entry["key"] == key

    def remove(self, upload_id):
        with self.lock:
            self.uploads.pop(upload_id, None)
            self._save()

    def listing(self, bucket, prefix):
        with self.lock:
            found = [(v["key"], k, v["initiated"]) for k, v in self.uploads.items()
                     if v["bucket"] == bucket and v["key"].startswith(prefix)]
        return sorted(found)


class Config:
    def __init__(self, verifier, upstream_port, state_dir, base_domains):
        self.verifier = verifier
        self.upstream_port = upstream_port
        self.state_dir = state_dir
        self.base_domains = base_domains
        self.tracker = UploadTracker(os.path.join(state_dir, "uploads.json"))
        self.log_lock = threading.Lock()

    def fault(self):
        try:
            with open(os.path.join(self.state_dir, "fault")) as f:
                return f.read().strip()
        except FileNotFoundError:
            return ""

    def log(self, entry):
        with self.log_lock:
            with open(os.path.join(self.state_dir, "requests.jsonl"), "a") as f:
                f.write(json.dumps(entry) + "\n")


def list_uploads_xml(bucket, prefix, uploads):
    out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
           "<ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
           "<Bucket>%s</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>" % escape(bucket),
           "<NextKeyMarker></NextKeyMarker><NextUploadIdMarker></NextUploadIdMarker>",
           "<Prefix>%s</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>" % escape(prefix)]
    for key, upload_id, initiated in uploads:
        out.append("<Upload><Key>%s</Key><UploadId>%s</UploadId>"
                   "<Initiator><ID>verifying-proxy</ID><DisplayName>test</DisplayName></Initiator>"
                   "<Owner><ID>verifying-proxy</ID><DisplayName>test</DisplayName></Owner>"
                   "<StorageClass>STANDARD</StorageClass><Initiated>%s</Initiated></Upload>"
                   % (escape(key), escape(upload_id), initiated))
    out.append("</ListMultipartUploadsResult>")
    return "".join(out).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    config = None  # set by make_server

    def log_message(self, fmt, *args):  # the JSON request log replaces stderr noise
        pass

    def do_GET(self):
        self.serve()

    do_PUT = do_POST = do_DELETE = do_HEAD = do_GET

    def send_answer(self, status, body=b"", headers=(), entry=None):
        # Logged before answering, so a client that got the answer finds it logged.
        if entry is not None:
            entry["status"] = status
            self.config.log(entry)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if not any(name.lower() == "content-type" for name, _ in headers) and body:
            self.send_header("Content-Type", "application/xml")
        if self.command != "HEAD" or not any(name.lower() == "content-length" for name, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def address(self, headers, raw_path):
        """(bucket, key) from virtual-host or path-style addressing."""
        host = headers.get("host", "")
        hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        for domain in self.config.base_domains:
            if hostname.endswith("." + domain):
                bucket = hostname[: -len(domain) - 1]
                return bucket, urllib.parse.unquote(raw_path[1:]), True
        segments = raw_path[1:].split("/", 1)
        bucket = urllib.parse.unquote(segments[0])
        key = urllib.parse.unquote(segments[1]) if len(segments) > 1 else ""
        return bucket, key, False

    def serve(self):
        config = self.config
        fault = config.fault()
        if fault == "drop":
            # As if the server died mid-request: no answer at all.
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        headers = RequestHeaders(self.headers)
        length = int(headers.get("content-length", "0") or "0")
        body = self.rfile.read(length) if length > 0 else b""
        if len(body) < length:
            # The client went away mid-body: S3 stores nothing then.
            self.config.log({"method": self.command, "path": self.path, "verdict": "incomplete-body",
                             "body_bytes": len(body), "status": 0})
            self.close_connection = True
            return
        raw_path, _, raw_query = self.path.partition("?")
        bucket, key, virtual = self.address(headers, raw_path)
        query = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
        entry = {"method": self.command, "path": raw_path, "query": raw_query, "bucket": bucket, "key": key,
                 "virtual_host": virtual, "body_bytes": len(body),
                 "headers": {k: v for k, v in headers.items()
                             if k in LOGGED_HEADERS or k.startswith("x-amz-meta-")}}
        if fault == "hang":
            # A server that accepted the request and never answers.
            deadline = time.monotonic() + 120
            while config.fault() == "hang" and time.monotonic() < deadline:
                time.sleep(0.05)
            self.close_connection = True
            return
        if fault == "503":
            entry["verdict"] = "fault:503"
            self.send_answer(503, error_xml("ServiceUnavailable", "Please reduce your request rate."),
                             entry=entry)
            return
        try:
            checked = config.verifier.verify(self.command, headers.get("host", ""), raw_path, raw_query, headers,
                                             body)
            entry["verdict"] = "verified"
            entry["payload"] = checked["payload"]
            entry["signed_headers"] = checked["signed_headers"]
        except S3Error as e:
            entry["verdict"] = "refused:" + e.code
            self.send_answer(e.status, error_xml(e.code, e.message, raw_path), entry=entry)
            return
        try:
            self.dispatch(bucket, key, query, headers, body, entry)
        except S3Error as e:
            self.send_answer(e.status, error_xml(e.code, e.message, raw_path), entry=entry)

    def dispatch(self, bucket, key, query, headers, body, entry):
        tracker = self.config.tracker
        if "uploads" in query and self.command == "GET" and not key:
            uploads = tracker.listing(bucket, query.get("prefix", ""))
            self.send_answer(200, list_uploads_xml(bucket, query.get("prefix", ""), uploads), entry=entry)
            return
        if "uploadId" in query:
            upload_id = query["uploadId"]
            if not tracker.known(bucket, key, upload_id):
                raise S3Error(404, "NoSuchUpload", "The specified upload does not exist.")
            if self.command == "DELETE":
                tracker.remove(upload_id)
                self.send_answer(204, entry=entry)
                return
        status, answer_headers, answer = self.forward(bucket, key, query, headers, body)
        if status == 200 and self.command == "POST" and "uploads" in query:
            match = re.search(rb"<UploadId>([^<]+)</UploadId>", answer)
            if match:
                tracker.add(bucket, key, match.group(1).decode())
        if status == 200 and self.command == "POST" and "uploadId" in query:
            tracker.remove(query["uploadId"])
        self.send_answer(status, answer, answer_headers, entry=entry)

    def forward(self, bucket, key, query, headers, body):
        """Sends the verified request to s3rver, path-style and anonymous
        (s3rver would check the signature against its own fixed key)."""
        path = "/" + urllib.parse.quote(bucket) + ("/" + urllib.parse.quote(key) if key else "")
        if query:
            path += "?" + urllib.parse.urlencode(query)
        upstream = http.client.HTTPConnection("127.0.0.1", self.config.upstream_port, timeout=60)
        try:
            forwarded = {k: v for k, v in headers.items()
                         if k not in HOP_BY_HOP and k not in ("authorization", "host", "x-amz-date",
                                                              "x-amz-content-sha256", "expect")}
            forwarded["content-length"] = str(len(body))
            upstream.request(self.command, path, body=body, headers=forwarded)
            response = upstream.getresponse()
            answer = response.read()
            answer_headers = [(k, v) for k, v in response.getheaders()
                              if k.lower() not in HOP_BY_HOP
                              and (k.lower() != "content-length" or self.command == "HEAD")]
            return response.status, answer_headers, answer
        finally:
            upstream.close()


def make_server(port, config):
    handler = type("BoundHandler", (Handler,), {"config": config})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server
