"""The python-socketio test server: the same behaviour as node/server.js (see README.md).

An ``AsyncServer(async_mode="asgi")`` on uvicorn, listening on 127.0.0.1 port 0; once it
listens it prints the port it got on stdout (one line, the number alone).

    python python_app.py [--ping-interval MS] [--ping-timeout MS] [--polling-only]
                         [--until-stdin-closes]

``--recovery`` (connection-state recovery) is refused with one sentence: python-socketio
does not offer it; the Node server does.  ``--ping-interval`` must be whole seconds (in
ms): python-engineio announces the interval rounded down to seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: asgi_serving
from asgi_serving import serve as serve_app  # noqa: E402

NAMESPACES = ("/", "/admin")
ADMIN = {"username": "admin", "password": "secret"}


def attachments(value: Any) -> int:
    """How many binary attachments a value holds, however deep (what the ``binary`` ack says)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return 1
    if isinstance(value, list | tuple):
        return sum(attachments(item) for item in value)
    if isinstance(value, dict):
        return sum(attachments(item) for item in value.values())
    return 0


def first(args: tuple[Any, ...]) -> dict[str, Any]:
    """The first argument when it is an object, else an empty one (as the Node server reads it)."""
    return args[0] if args and isinstance(args[0], dict) else {}


def build(options: argparse.Namespace) -> socketio.AsyncServer:
    sio = socketio.AsyncServer(
        async_mode="asgi",
        ping_interval=options.ping_interval / 1000,
        ping_timeout=options.ping_timeout / 1000,
        transports=["polling"] if options.polling_only else ["polling", "websocket"],
        # The Node server's default; python-socketio's own is CORS for the same origin only,
        # which does not matter to a client that is not a browser.
        cors_allowed_origins="*",
    )
    for namespace in NAMESPACES:
        serve(sio, namespace)
    return sio


def serve(sio: socketio.AsyncServer, namespace: str) -> None:
    """Every event of README.md on one namespace; a handler's return value is its ack."""

    async def name_of(sid: str) -> str | None:
        session = await sio.get_session(sid, namespace=namespace)
        name = session.get("name")
        return name if isinstance(name, str) else None

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        auth = auth if isinstance(auth, dict) else {}
        if namespace == "/admin":
            if (
                auth.get("username") != ADMIN["username"]
                or auth.get("password") != (ADMIN["password"])
            ):
                raise socketio.exceptions.ConnectionRefusedError("authentication failed")
            name = auth["username"]
        else:
            name = auth.get("name")
        await sio.save_session(sid, {"name": name}, namespace=namespace)

    async def join(sid: str, *args: Any) -> dict[str, Any]:
        room = first(args).get("room")
        await sio.enter_room(sid, room, namespace=namespace)
        return {"ok": True, "room": room}

    async def chat(sid: str, *args: Any) -> dict[str, Any]:
        data = first(args)
        name = await name_of(sid)
        message = {"room": data.get("room"), "text": data.get("text"), "from": name or sid}
        await sio.emit("chat", message, room=data.get("room"), skip_sid=sid, namespace=namespace)
        return {"ok": True}

    async def echo(sid: str, *args: Any) -> tuple[Any, ...]:
        # A tuple is several arguments, both for emit and for the ack.
        await sio.emit("echo", args, to=sid, namespace=namespace)
        return args

    async def binary(sid: str, *args: Any) -> dict[str, Any]:
        reply = ({"data": bytes([0, 1, 2, 255])}, *args)
        await sio.emit("binary", reply, to=sid, namespace=namespace)
        return {"ok": True, "attachments": attachments(args)}

    async def ask(sid: str, *args: Any) -> dict[str, Any]:
        async def answered(*answer: Any) -> None:
            await sio.emit("answered", answer, to=sid, namespace=namespace)

        question = {"question": first(args).get("question")}
        await sio.emit("question", question, to=sid, namespace=namespace, callback=answered)
        return {"ok": True}

    async def kick(sid: str, *args: Any) -> dict[str, Any]:
        # The ack goes out first, then the namespace's DISCONNECT ("io server disconnect"),
        # the way a python-socketio app does it: python-socketio leaves the Engine.IO
        # connection open for the client to close (socket.io's clients close it once no
        # namespace is left; the Node server closes it itself).
        sio.start_background_task(sio.disconnect, sid, namespace=namespace)
        return {"ok": True}

    async def drop(sid: str, *args: Any) -> None:
        # The transport closes with neither a Socket.IO DISCONNECT nor an Engine.IO CLOSE
        # first, as the Node server's socket.conn.close() does: "transport close".
        # python-engineio's public disconnect() sends a CLOSE and waits for the client;
        # abort=True and the queue's end mark (which makes its writer close the WebSocket)
        # are on the socket object, kept in a private table.
        eio_sid = sio.manager.eio_sid_from_sid(sid, namespace)
        with contextlib.suppress(KeyError):
            eio_socket = sio.eio._get_socket(eio_sid)

            async def close() -> None:
                await eio_socket.close(wait=False, abort=True)
                await eio_socket.queue.put(None)

            sio.start_background_task(close)

    async def whoami(sid: str, *args: Any) -> dict[str, Any]:
        # python-socketio offers no connection-state recovery: never recovered.
        return {"sid": sid, "name": await name_of(sid), "recovered": False}

    async def count(sid: str, *args: Any) -> dict[str, Any]:
        # The namespace's clients are its room None in python-socketio's manager.
        clients = sum(1 for _ in sio.manager.get_participants(namespace, None))
        return {"clients": clients}

    async def fanout(sid: str, *args: Any) -> dict[str, Any]:
        try:
            count = int(first(args).get("count") or 0)
        except (TypeError, ValueError):
            count = 0
        for n in range(1, count + 1):
            await sio.emit("tick", {"n": n}, namespace=namespace)
        return {"ok": True, "sent": count}

    sio.on("connect", connect, namespace=namespace)
    for handler in (join, chat, echo, binary, ask, kick, drop, whoami, count, fanout):
        sio.on(handler.__name__, handler, namespace=namespace)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ping-interval", type=int, default=25_000, metavar="MS")
    parser.add_argument("--ping-timeout", type=int, default=20_000, metavar="MS")
    parser.add_argument("--polling-only", action="store_true")
    parser.add_argument("--recovery", action="store_true")
    parser.add_argument("--until-stdin-closes", action="store_true")
    options = parser.parse_args(argv)
    if options.recovery:
        parser.exit(
            2,
            "python-socketio offers no connection-state recovery; use the Node server "
            "(node/server.js --recovery) for it.\n",
        )
    if options.ping_interval <= 0 or options.ping_timeout <= 0:
        parser.exit(2, "--ping-interval and --ping-timeout want milliseconds above 0.\n")
    if options.ping_interval % 1000:
        # python-engineio announces the interval in whole seconds (a 200 ms interval would
        # be announced as 0 while the pings come every 200 ms).
        parser.exit(
            2,
            "python-engineio announces the ping interval in whole seconds: give "
            "--ping-interval in multiples of 1000 ms.\n",
        )
    return options


def main(argv: list[str]) -> None:
    options = parse(argv)
    app = socketio.ASGIApp(build(options))
    serve_app(
        app,
        until_stdin_closes=options.until_stdin_closes,
        # Only Engine.IO's own ping, as on the Node server (uvicorn pings every 20 s too).
        ws_ping_interval=None,
        ws_ping_timeout=None,
        backlog=4096,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
