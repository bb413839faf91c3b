"""The Docker Engine API over its unix socket: JSON calls through aiohttp's
UnixConnector, and the hijacked raw streams of exec and attach through a
plain asyncio connection (aiohttp's client cannot hand over a 101 stream)."""

import asyncio
import json
import urllib.parse

import aiohttp

API = "/v1.41"  # Docker 20.10; newer engines still accept it


class DockerError(Exception):
    def __init__(self, status, message):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class Docker:
    def __init__(self, host):
        if not host.startswith("unix://"):
            raise ValueError(f"only unix:// Docker hosts are supported, not {host}")
        self.socket_path = host[len("unix://"):]
        self._session = None

    def session(self):
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.UnixConnector(path=self.socket_path),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=10))
        return self._session

    async def close(self):
        if self._session is not None:
            await self._session.close()

    async def call(self, method, path, params=None, body=None, timeout=120):
        """The decoded JSON answer (None when empty); DockerError on >= 400."""
        async with self.session().request(method, "http://docker" + API + path, params=params,
                                          json=body, timeout=aiohttp.ClientTimeout(total=timeout)) as r:
            data = await r.read()
            if r.status >= 400:
                raise DockerError(r.status, _message(data))
            if not data:
                return None
            try:
                return json.loads(data)
            except ValueError:
                return data.decode(errors="replace")

    async def pull(self, reference):
        """Pulls an image; the engine reports failures inside a 200 stream of
        progress objects, so the stream is read to its end."""
        params = {"fromImage": reference}
        name, tag = split_reference(reference)
        if tag is None:
            params = {"fromImage": name, "tag": "latest"}
        async with self.session().post("http://docker" + API + "/images/create", params=params,
                                       timeout=aiohttp.ClientTimeout(total=600)) as r:
            if r.status >= 400:
                raise DockerError(r.status, _message(await r.read()))
            error = None
            async for line in r.content:
                try:
                    item = json.loads(line)
                except ValueError:
                    continue
                if "error" in item:
                    error = item.get("error")
            if error:
                raise DockerError(500, error)

    async def events(self, filters):
        """The engine's event stream, one dict per event, until it ends."""
        params = {"filters": json.dumps(filters)}
        async with self.session().get("http://docker" + API + "/events", params=params) as r:
            if r.status >= 400:
                raise DockerError(r.status, _message(await r.read()))
            async for line in r.content:
                line = line.strip()
                if line:
                    try:
                        yield json.loads(line)
                    except ValueError:
                        pass

    async def hijack(self, path, params=None, body=None):
        """POSTs with `Upgrade: tcp` and returns (reader, writer) on the raw
        stream after the engine's 101 answer. Half-closing the writer
        (write_eof) closes the program's stdin."""
        query = "?" + urllib.parse.urlencode(params, doseq=True) if params else ""
        payload = json.dumps(body if body is not None else {}).encode()
        reader, writer = await asyncio.open_unix_connection(self.socket_path, limit=1 << 20)
        writer.write((f"POST {API}{path}{query} HTTP/1.1\r\nHost: docker\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                      f"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n").encode() + payload)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status_line = head.split(b"\r\n", 1)[0].decode(errors="replace")
        code = int(status_line.split()[1])
        if code not in (101, 200):
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            data = await reader.readexactly(length) if length else b""
            writer.close()
            raise DockerError(code, _message(data))
        return reader, writer


def _message(data):
    try:
        return json.loads(data).get("message", data.decode(errors="replace"))
    except (ValueError, AttributeError):
        return data.decode(errors="replace").strip()


def split_reference(reference):
    """(name, tag or None); a digest reference counts as tagged."""
    if "@" in reference:
        return reference, "digest"
    last = reference.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = reference.rsplit(":", 1)
        return name, tag
    return reference, None
