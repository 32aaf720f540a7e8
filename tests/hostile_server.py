"""A hostile WebSocket server on loopback, written on raw asyncio streams so that it can do
what no well-behaved library lets a server do: never answer the handshake, answer it one
byte at a time, send invalid UTF-8 or an oversized frame, reset the connection in the
middle of a frame, close without a close frame, never answer a ping, answer with HTTP 500.

The request's path chooses the behaviour (``ws://127.0.0.1:<port>/invalid-utf8``); the
path ``/echo`` is a polite echo server, for the scenario after each hostile one.  Started
on 127.0.0.1 port 0 in a thread of its own; every connection it holds is dropped at exit.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import socket
import struct
import threading
from collections.abc import Awaitable, Callable

__all__ = ["HostileServer", "BEHAVIOURS"]

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked, final frame from the server."""
    head = bytes([0x80 | opcode])
    size = len(payload)
    if size < 126:
        head += bytes([size])
    elif size < 65536:
        head += bytes([126]) + struct.pack("!H", size)
    else:
        head += bytes([127]) + struct.pack("!Q", size)
    return head + payload


def _accept(key: str) -> str:
    return base64.b64encode(hashlib.sha1(key.encode() + _GUID).digest()).decode()


def _switching(request: bytes) -> bytes:
    key = ""
    for line in request.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "sec-websocket-key":
            key = value.strip()
    return (
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {_accept(key)}\r\n\r\n"
    ).encode()


Behaviour = Callable[
    ["HostileServer", bytes, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]
]


async def _forever(server: HostileServer, reader: asyncio.StreamReader) -> None:
    """Hold the connection open, reading nothing, until the client drops it or the server
    stops."""
    await server.stopping.wait()


async def never_answers(server, request, reader, writer) -> None:
    await _forever(server, reader)


async def slowloris(server, request, reader, writer) -> None:
    answer = _switching(request)
    for byte in answer[:-1]:  # never the last byte: the handshake never completes
        writer.write(bytes([byte]))
        await writer.drain()
        try:
            await asyncio.wait_for(server.stopping.wait(), 0.2)
            return
        except TimeoutError:
            pass


def _status(code: int, reason: str, extra: str = "", body: str = "") -> Behaviour:
    async def answer(server, request, reader, writer) -> None:
        writer.write(
            f"HTTP/1.1 {code} {reason}\r\n{extra}Content-Length: {len(body)}\r\n"
            f"Content-Type: text/plain\r\n\r\n{body}".encode()
        )
        await writer.drain()
        writer.close()

    return answer


def _accepted(then: Callable[..., Awaitable[None]]) -> Behaviour:
    async def behaviour(server, request, reader, writer) -> None:
        writer.write(_switching(request))
        await writer.drain()
        await then(server, reader, writer)

    return behaviour


async def _silent(server, reader, writer) -> None:
    await _forever(server, reader)


async def _half_open(server, reader, writer) -> None:
    # Reads what comes (so the client's writes succeed) but answers nothing, pings included.
    while not server.stopping.is_set():
        if not await reader.read(65536):
            return


async def _reset_mid_frame(server, reader, writer) -> None:
    writer.write(bytes([0x81, 126]) + struct.pack("!H", 1000) + b'{"type": "hal')
    await writer.drain()
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()  # RST, in the middle of the frame


async def _invalid_utf8(server, reader, writer) -> None:
    writer.write(frame(0x1, b"\xff\xfe"))
    await _forever(server, reader)


async def _too_big(server, reader, writer) -> None:
    writer.write(frame(0x1, b'"' + b"x" * 4096 + b'"'))
    await _forever(server, reader)


async def _bad_close_code(server, reader, writer) -> None:
    writer.write(frame(0x8, struct.pack("!H", 999)))
    await _forever(server, reader)


async def _no_close_frame(server, reader, writer) -> None:
    writer.write(frame(0x1, b'{"type": "bye"}'))
    await writer.drain()
    writer.close()  # FIN, and no close frame


async def _tiny_frames(server, reader, writer) -> None:
    for n in range(10_000):
        writer.write(frame(0x1, b'{"n": %d}' % n))
    await writer.drain()
    await _forever(server, reader)


async def _echo(server, reader, writer) -> None:
    """A polite peer: echoes text frames, answers pings and closes."""
    while True:
        head = await reader.readexactly(2)
        size = head[1] & 0x7F
        if size == 126:
            size = struct.unpack("!H", await reader.readexactly(2))[0]
        elif size == 127:
            size = struct.unpack("!Q", await reader.readexactly(8))[0]
        mask = await reader.readexactly(4)
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(await reader.readexactly(size)))
        opcode = head[0] & 0x0F
        if opcode == 0x8:
            writer.write(frame(0x8, data[:2]))
            await writer.drain()
            writer.close()
            return
        writer.write(frame(0xA if opcode == 0x9 else opcode, data))
        await writer.drain()


BEHAVIOURS: dict[str, Behaviour] = {
    "/never-answers": never_answers,
    "/slowloris": slowloris,
    "/http-500": _status(500, "Internal Server Error", body="upstream exploded"),
    "/http-200": _status(200, "OK", body="<html>hello</html>"),
    "/http-301": _status(301, "Moved Permanently", "Location: /echo\r\n"),
    "/cross-origin": _status(302, "Found", "Location: ws://example.com/echo\r\n"),
    "/silent": _accepted(_silent),
    "/half-open": _accepted(_half_open),
    "/reset-mid-frame": _accepted(_reset_mid_frame),
    "/invalid-utf8": _accepted(_invalid_utf8),
    "/too-big": _accepted(_too_big),
    "/bad-close-code": _accepted(_bad_close_code),
    "/no-close-frame": _accepted(_no_close_frame),
    "/tiny-frames": _accepted(_tiny_frames),
    "/echo": _accepted(_echo),
}


class HostileServer:
    """``with HostileServer() as server:`` → ``server.url("/silent")``."""

    def __init__(self) -> None:
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.stopping = asyncio.Event()
        self._done: asyncio.Future[None] | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self._writers: set[asyncio.StreamWriter] = set()

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            request = await reader.readuntil(b"\r\n\r\n")
            path = request.split(b" ", 2)[1].decode("latin-1")
            behaviour = BEHAVIOURS.get(path.split("?", 1)[0], _status(404, "Not Found"))
            await behaviour(self, request, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.stopping = asyncio.Event()
        self._done = self._loop.create_future()
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._done
            self.stopping.set()
            for writer in list(self._writers):
                writer.transport.abort()

    def __enter__(self) -> HostileServer:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._done is not None
        self._loop.call_soon_threadsafe(self._done.set_result, None)
        self._thread.join(10)
