"""The demo chat over Socket.IO: rooms, acknowledgements both ways, a namespace with auth.

A python-socketio ``AsyncServer`` (the library real Socket.IO apps in Python are
built on) on an aiohttp web server beside the WebSocket demo, on a port of its own.
It speaks the chat in Socket.IO's terms rather than in ``{"type": …}`` frames:
events with arguments, the server's answers as acknowledgements, rooms, and a
``/secure`` namespace that wants a token.  docs/demo-protocol.md lists every
event ("The chat over Socket.IO").
"""

from __future__ import annotations

import asyncio
import logging
import socket
from contextlib import suppress
from typing import Any
from uuid import uuid4

import socketio
from aiohttp import web

from .protocol import MAX_NAME, ChatError, timestamp
from .rooms import check_room_name
from .sanitize import strip_html

__all__ = ["SocketIOChat"]

logger = logging.getLogger("wsbdd.demo.socketio")

_MAX_UPDATES = 50
_POLL_TIMEOUT = 5.0


def _fail(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


class SocketIOChat:
    """The Socket.IO chat: python-socketio's server attached to an aiohttp application."""

    def __init__(
        self, *, tokens: dict[str, str], max_content: int = 2000, ping_interval: float = 25.0
    ) -> None:
        self.tokens = tokens
        self.max_content = max_content
        self.sio = socketio.AsyncServer(
            async_mode="aiohttp",
            cors_allowed_origins="*",
            ping_interval=ping_interval,
            logger=False,
            engineio_logger=False,
        )
        self.app = web.Application()
        self.sio.attach(self.app, socketio_path="socket.io")
        self.names: dict[str, str] = {}  # sid -> name, on "/"
        self.rooms: dict[str, set[str]] = {}  # sid -> rooms it joined (its own room aside)
        self.updates: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._register()

    # -- serving ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host``:``port`` (0: a free port), in the running loop."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # handle_signals=False: SIGINT and SIGTERM belong to whoever runs the demo.
        runner = web.AppRunner(self.app, handle_signals=False, access_log=None)
        await runner.setup()
        try:
            await web.SockSite(runner, sock).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = sock.getsockname()[1]

    @property
    def port(self) -> int:
        return self._port

    async def stop(self) -> None:
        """Stop the updates, drop every client and stop listening. Safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        for task in list(self.updates.values()):
            task.cancel()
        for sid in list(self.names):
            with suppress(Exception):
                await self.sio.disconnect(sid)
        await runner.cleanup()

    # -- events ----------------------------------------------------------------------------

    def _register(self) -> None:
        sio = self.sio
        sio.on("connect", self.connect)
        sio.on("disconnect", self.disconnect)
        for event, handler in {
            "join": self.join,
            "leave": self.leave,
            "message": self.message,
            "echo": self.echo,
            "whoami": self.whoami,
            "subscribe": self.subscribe,
            "poll": self.poll,
            "goodbye": self.goodbye,
        }.items():
            sio.on(event, self._answering(handler))
        sio.on("connect", self.connect_secure, namespace="/secure")
        sio.on("whoami", self.whoami_secure, namespace="/secure")

    def _answering(self, handler: Any) -> Any:
        """Turn a :class:`ChatError` into the acknowledgement ``{"ok": false, "error": …}``.

        Only the acknowledgement says what went wrong, the Socket.IO way: a client that
        asked for none hears nothing back (python-socketio does not tell a handler whether
        an acknowledgement was asked for, so an extra ``error`` event would reach every
        client that did ask, too)."""

        async def answer(sid: str, *args: Any) -> Any:
            try:
                return await handler(sid, *args)
            except ChatError as error:
                return _fail(error.code, error.message)

        return answer

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        name = auth.get("name") if isinstance(auth, dict) else None
        if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME:
            name = f"guest-{sid[:6]}"
        self.names[sid] = name
        self.rooms[sid] = set()

    async def disconnect(self, sid: str, reason: Any = None) -> None:
        name = self.names.pop(sid, sid)
        for room in sorted(self.rooms.pop(sid, ())):
            await self.sio.emit(
                "user_left", {"room": room, "user": name, "reason": "disconnected"}, to=room
            )
        for key in [key for key in self.updates if key[0] == sid]:
            self.updates.pop(key).cancel()

    def _args(self, data: Any, event: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise ChatError("invalid_message", f'"{event}" takes one object as its argument')
        return data

    async def join(self, sid: str, data: Any = None) -> dict[str, Any]:
        data = self._args(data, "join")
        room = check_room_name(data.get("room"))
        rename = data.get("name")
        if rename is not None:  # as on the WebSocket chat, joining may rename you
            if not isinstance(rename, str) or not 1 <= len(rename) <= MAX_NAME:
                raise ChatError("invalid_message", f"name is 1 to {MAX_NAME} characters")
            self.names[sid] = rename
        name = self.names[sid]
        if room not in self.rooms[sid]:
            await self.sio.emit("user_joined", {"room": room, "user": name}, to=room)
            await self.sio.enter_room(sid, room)
            self.rooms[sid].add(room)
        members = sorted(self.names[other] for other, rooms in self.rooms.items() if room in rooms)
        return {"ok": True, "room": room, "members": members}

    async def leave(self, sid: str, data: Any = None) -> dict[str, Any]:
        room = self._in_room(sid, self._args(data, "leave").get("room"))
        await self.sio.leave_room(sid, room)
        self.rooms[sid].discard(room)
        await self.sio.emit(
            "user_left", {"room": room, "user": self.names[sid], "reason": "left"}, to=room
        )
        return {"ok": True, "room": room}

    def _in_room(self, sid: str, room: Any) -> str:
        room = check_room_name(room)
        if room not in self.rooms[sid]:
            raise ChatError("not_in_room", f'You are not in room "{room}"')
        return room

    async def message(self, sid: str, data: Any = None) -> dict[str, Any]:
        data = self._args(data, "message")
        room = self._in_room(sid, data.get("room"))
        content = data.get("content")
        if not isinstance(content, str):
            raise ChatError("invalid_message", "content must be text")
        if len(content) > self.max_content:
            raise ChatError(
                "message_too_long", f"content is longer than {self.max_content} characters"
            )
        text = strip_html(content).strip()
        if not text:
            raise ChatError("empty_message", "content is empty once HTML is removed")
        chat = {
            "room": room,
            "from": self.names[sid],
            "content": text,
            "id": str(uuid4()),
            "sent_at": timestamp(),
        }
        skip = sid if data.get("exclude_sender") is True else None
        await self.sio.emit("chat", chat, to=room, skip_sid=skip)
        return {"ok": True, "id": chat["id"]}

    async def echo(self, sid: str, *args: Any) -> Any:
        """Emit ``echo`` back with the same arguments, and acknowledge with them too."""
        await self.sio.emit("echo", args if len(args) != 1 else args[0], to=sid)
        return args

    async def whoami(self, sid: str, *args: Any) -> dict[str, Any]:
        return {"sid": sid, "name": self.names[sid]}

    async def subscribe(self, sid: str, data: Any = None) -> dict[str, Any]:
        data = self._args(data, "subscribe")
        topic = data.get("topic")
        count = data.get("count", 3)
        interval_ms = data.get("interval_ms", 50)
        if not isinstance(topic, str) or not topic:
            raise ChatError("invalid_message", "topic must be non-empty text")
        if not isinstance(count, int) or not 1 <= count <= _MAX_UPDATES:
            raise ChatError("invalid_message", f"count is 1 to {_MAX_UPDATES}")
        if not isinstance(interval_ms, int) or not 10 <= interval_ms <= 1000:
            raise ChatError("invalid_message", "interval_ms is 10 to 1000")
        previous = self.updates.pop((sid, topic), None)
        if previous is not None:
            previous.cancel()
        self.updates[(sid, topic)] = asyncio.create_task(
            self._send_updates(sid, topic, count, interval_ms / 1000)
        )
        return {"ok": True, "topic": topic}

    async def _send_updates(self, sid: str, topic: str, count: int, interval: float) -> None:
        try:
            for n in range(1, count + 1):
                await asyncio.sleep(interval)  # the server's own pace, not a test's wait
                update = {"topic": topic, "n": n, "last": n == count, "server_time": timestamp()}
                await self.sio.emit("update", update, to=sid)
        finally:
            if self.updates.get((sid, topic)) is asyncio.current_task():
                del self.updates[(sid, topic)]

    async def poll(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Ask every other member of a room a question, each with an acknowledgement request;
        when all have answered (or 5 s have passed) the asker gets ``poll_result``."""
        data = self._args(data, "poll")
        room = self._in_room(sid, data.get("room"))
        question = data.get("question")
        if not isinstance(question, str) or not question:
            raise ChatError("invalid_message", "question must be non-empty text")
        voters = [other for other, rooms in self.rooms.items() if room in rooms and other != sid]
        asyncio.create_task(self._collect_votes(sid, room, question, voters))
        return {"ok": True, "asked": sorted(self.names[voter] for voter in voters)}

    async def _collect_votes(self, sid: str, room: str, question: str, voters: list[str]) -> None:
        ask = {"room": room, "question": question, "from": self.names.get(sid, sid)}

        async def vote(voter: str) -> tuple[str, Any]:
            try:
                answer = await self.sio.call("vote", ask, to=voter, timeout=_POLL_TIMEOUT)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.SocketIOError):
                answer = None
            return self.names.get(voter, voter), answer

        answers = await asyncio.gather(*(vote(voter) for voter in voters))
        votes = {name: answer for name, answer in answers}
        if sid in self.names:
            result = {"room": room, "question": question, "votes": votes}
            await self.sio.emit("poll_result", result, to=sid)

    async def goodbye(self, sid: str, *args: Any) -> None:
        """The server ends the client's session: it sees "io server disconnect"."""
        await self.sio.disconnect(sid)

    async def connect_secure(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        user = self.tokens.get(token) if isinstance(token, str) else None
        if user is None:
            raise socketio.exceptions.ConnectionRefusedError("invalid token")
        async with self.sio.session(sid, namespace="/secure") as session:
            session["user"] = user

    async def whoami_secure(self, sid: str, *args: Any) -> dict[str, Any]:
        session = await self.sio.get_session(sid, namespace="/secure")
        return {"user": session["user"]}
