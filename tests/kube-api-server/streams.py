"""exec and attach over WebSocket, the channel protocols of the kubelet's
streaming server: each binary message starts with its channel (0 stdin,
1 stdout, 2 stderr, 3 error, 4 resize); v4 and v5 send a Status JSON on the
error channel at the end, v5 adds the close message [255, channel] that
closes the program's stdin. The other end is a hijacked Docker stream."""

import asyncio
import json
import logging

from aiohttp import WSMsgType, web

from api_status import ApiError, status_body
from docker_api import DockerError

log = logging.getLogger("kube-api-server.streams")

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io",
             "channel.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
READ_SIZE = 256 * 1024


def flag(request, name, default=False):
    value = request.query.get(name)
    if value is None:
        return default
    return value.lower() in ("true", "1", "yes")


def check_upgrade(request):
    """Only WebSocket upgrades are served; SPDY (kubectl before 1.29, or 1.29
    without KUBECTL_REMOTE_COMMAND_WEBSOCKETS) gets a clear refusal."""
    upgrade = request.headers.get("Upgrade", "").lower()
    if upgrade == "websocket":
        return
    if upgrade.startswith("spdy"):
        raise ApiError(400, "BadRequest",
                       "SPDY is not supported by this test API server: use the WebSocket protocol "
                       "v5.channel.k8s.io or v4.channel.k8s.io (kubectl 1.30+, or 1.29 with "
                       "KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true)")
    raise ApiError(400, "BadRequest", "Upgrade request required")


class Demux:
    """Splits Docker's multiplexed stream (8-byte header: stream, 0, 0, 0,
    big-endian length) into (stream, payload) runs, joining adjacent frames
    of one stream so big transfers become few messages."""

    def __init__(self):
        self.buffer = bytearray()

    def feed(self, data):
        self.buffer += data
        runs = []  # [stream, [payload pieces]]
        buf, offset, size = self.buffer, 0, len(self.buffer)
        view = memoryview(buf)
        try:
            while size - offset >= 8:
                length = int.from_bytes(view[offset + 4:offset + 8], "big")
                if size - offset - 8 < length:
                    break
                stream = buf[offset]
                piece = view[offset + 8:offset + 8 + length]
                offset += 8 + length
                if runs and runs[-1][0] == stream:
                    runs[-1][1].append(piece)
                else:
                    runs.append([stream, [piece]])
            out = [(stream, b"".join(pieces)) for stream, pieces in runs]
        finally:
            for _, pieces in runs:
                for piece in pieces:
                    piece.release()
            view.release()
        del buf[:offset]
        return out


class Session:
    def __init__(self, ws, protocol, reader, writer):
        self.ws = ws
        self.protocol = protocol
        self.reader = reader
        self.writer = writer
        self.version = {"v5.channel.k8s.io": 5, "v4.channel.k8s.io": 4, "v3.channel.k8s.io": 3,
                        "v2.channel.k8s.io": 2}.get(protocol, 1)

    async def send(self, channel, data):
        await self.ws.send_bytes(bytes((channel,)) + data)

    async def send_status(self, body):
        if self.version >= 4:
            await self.send(ERROR, json.dumps(body).encode())
        elif body.get("status") != "Success":
            await self.send(ERROR, body.get("message", "").encode())

    async def pump_input(self, resize, pending=()):
        """Client to program: stdin, resize, close. Ends with the WebSocket.
        `pending`: messages received before the program started."""
        stdin_open = True
        pending = list(pending)
        while True:
            msg = pending.pop(0) if pending else await self.ws.receive()
            if msg.type == WSMsgType.BINARY:
                data = msg.data
            elif msg.type == WSMsgType.TEXT:  # python-kubernetes writes str as text frames
                data = msg.data.encode("utf-8")
                if data:
                    data = bytes((ord(msg.data[0]),)) + msg.data[1:].encode("utf-8")
            else:
                break
            if not data:
                continue
            channel = data[0]
            if channel == STDIN and stdin_open:
                if len(data) > 1:
                    self.writer.write(data[1:])
                    await self.writer.drain()
            elif channel == RESIZE and self.version >= 3:
                try:
                    size = json.loads(data[1:])
                    await resize(int(size.get("Width", 0)), int(size.get("Height", 0)))
                except (ValueError, DockerError) as e:
                    log.info("resize failed: %s", e)
            elif channel == CLOSE and self.version >= 5 and data[1:2] == bytes((STDIN,)):
                if stdin_open:
                    stdin_open = False
                    if self.writer.can_write_eof():
                        self.writer.write_eof()

    async def pump_output(self, tty, hold_start_error=False):
        """Program to client until the Docker stream ends. With
        hold_start_error, a first stdout run that is Docker's own "exec
        failed" message is returned rather than sent (the command did not start)."""
        demux = None if tty else Demux()
        first = True
        held = None
        while True:
            data = await self.reader.read(READ_SIZE)
            if not data:
                break
            runs = [(STDOUT, data)] if demux is None else demux.feed(data)
            for stream, payload in runs:
                if first and hold_start_error and payload.startswith(b"OCI runtime exec failed"):
                    held = payload
                    first = False
                    continue
                first = False
                if held is not None:
                    await self.send(STDOUT, held)
                    held = None
                await self.send(STDOUT if stream in (0, 1) else STDERR, payload)
        return held


async def open_websocket(request):
    ws = web.WebSocketResponse(protocols=PROTOCOLS, max_msg_size=0, autoping=True, compress=False,
                               timeout=5)
    await ws.prepare(request)
    return ws


async def serve_exec(request, pods, namespace, name):
    commands = request.query.getall("command", [])
    stdin, stdout, stderr, tty = (flag(request, n) for n in ("stdin", "stdout", "stderr", "tty"))
    rec, spec, cid = pods.container_id(namespace, name, request.query.get("container"))
    phase = rec.obj.get("status", {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise ApiError(400, "BadRequest", f"cannot exec into a container in a completed pod; current phase is {phase}")
    if not commands:
        raise ApiError(400, "BadRequest", "you must specify at least one command for the container")
    if not (stdin or stdout or stderr):
        raise ApiError(400, "BadRequest", "you must specify at least 1 of stdin, stdout, stderr")
    if cid is None or not await pods.is_running(cid):
        raise ApiError(400, "BadRequest", f'container {spec["name"]} is not running in pod {name}: '
                                          f'unable to upgrade connection: container not found ("{spec["name"]}")')
    check_upgrade(request)
    ws = await open_websocket(request)
    pending = []
    try:
        exec_id = (await pods.docker.call("POST", f"/containers/{cid}/exec", body={
            "AttachStdin": stdin, "AttachStdout": stdout, "AttachStderr": stderr and not tty, "Tty": tty,
            "Cmd": commands}))["Id"]
        reader, writer = await pods.docker.hijack(f"/exec/{exec_id}/start", body={"Detach": False, "Tty": tty})
    except DockerError as e:
        await Session(ws, ws.ws_protocol, None, None).send_status(status_body(
            500, "InternalError", f"Internal error occurred: error executing command in container: {e.message}"))
        await ws.close()
        return ws
    session = Session(ws, ws.ws_protocol, reader, writer)

    async def resize(width, height):
        await pods.docker.call("POST", f"/exec/{exec_id}/resize", params={"h": str(height), "w": str(width)})

    async def exit_status(start_error):
        info = {}
        for _ in range(500):
            info = await pods.docker.call("GET", f"/exec/{exec_id}/json")
            if not info.get("Running"):
                break
            await asyncio.sleep(0.01)
        code = info.get("ExitCode")
        if start_error is not None and code:
            message = start_error.decode(errors="replace").strip()
            return status_body(500, "InternalError",
                               f"Internal error occurred: error executing command in container: {message}",
                               {"causes": [{"message": message}]})
        if code == 0:
            return {"metadata": {}, "status": "Success"}
        return status_body(None, "NonZeroExitCode",
                           f"command terminated with non-zero exit code: error executing command "
                           f"[{' '.join(commands)}], exit code {code}",
                           {"causes": [{"reason": "ExitCode", "message": str(code)}]})

    await bridge(session, tty, stdin, stdout, stderr, resize, exit_status, hold_start_error=True, pending=pending)
    return ws


async def serve_attach(request, pods, namespace, name):
    stdin, stdout, stderr, tty = (flag(request, n) for n in ("stdin", "stdout", "stderr", "tty"))
    rec, spec, cid = pods.container_id(namespace, name, request.query.get("container"))
    if not (stdin or stdout or stderr):
        raise ApiError(400, "BadRequest", "you must specify at least 1 of stdin, stdout, stderr")
    if tty and not spec.get("tty"):
        raise ApiError(400, "BadRequest", "tty requested but the container was not created with tty: true")
    if stdin and not spec.get("stdin"):
        raise ApiError(400, "BadRequest", f"stdin requested but container {spec['name']} was not created with stdin: true")
    if cid is None or not await pods.is_running(cid):
        raise ApiError(400, "BadRequest", f'container {spec["name"]} is not running in pod {name}: '
                                          f'unable to upgrade connection: container not found ("{spec["name"]}")')
    check_upgrade(request)
    container_tty = bool(spec.get("tty"))
    reader, writer = await pods.docker.hijack(f"/containers/{cid}/attach", params={
        "stream": "1", "logs": "0", "stdin": "1" if stdin else "0", "stdout": "1" if stdout else "0",
        "stderr": "1" if stderr else "0"})
    ws = await open_websocket(request)
    session = Session(ws, ws.ws_protocol, reader, writer)

    async def resize(width, height):
        await pods.docker.call("POST", f"/containers/{cid}/resize", params={"h": str(height), "w": str(width)})

    async def exit_status(_):
        return {"metadata": {}, "status": "Success"}

    await bridge(session, container_tty, stdin, stdout, stderr, resize, exit_status)
    return ws


async def bridge(session, tty, stdin, stdout, stderr, resize, exit_status, hold_start_error=False, pending=()):
    """Runs both directions; when the program's output ends, the exit status
    goes on the error channel and the WebSocket closes."""
    # The kubelet's first message: an empty one on the lowest output channel,
    # telling the client the streams are ready.
    first = STDOUT if stdout else STDERR if stderr else ERROR
    try:
        await session.send(first, b"")
    except ConnectionError:
        pass
    input_task = asyncio.ensure_future(session.pump_input(resize, pending))
    output_task = asyncio.ensure_future(session.pump_output(tty, hold_start_error))
    try:
        done, _ = await asyncio.wait({input_task, output_task}, return_when=asyncio.FIRST_COMPLETED)
        if output_task in done:
            start_error = output_task.result()
            try:
                await session.send_status(await exit_status(start_error))
            except (ConnectionError, DockerError) as e:
                log.info("cannot send the exit status: %s", e)
            await session.ws.close()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        for task in (input_task, output_task):
            task.cancel()
        await asyncio.gather(input_task, output_task, return_exceptions=True)
        session.writer.close()
        if not session.ws.closed:
            await session.ws.close()
