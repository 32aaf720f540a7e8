"""A real Starlette app for the tests that point wsbdd at something other than the demo.

Served by uvicorn on 127.0.0.1 port 0 in a thread of its own (:class:`StarletteServer`),
so wsbdd's run, its loop thread and the app never share an event loop.

Routes used by the tests:

- ``/ws`` and any path under ``/ws/``: a WebSocket that greets each client with what
  its handshake carried (``{"type": "hello", "path", "query", "headers", "cookies"}``)
  and then echoes every text frame back as ``{"type": "echo", "text": …}``.
- ``/secure``: a WebSocket that wants ``?token=good`` (or ``Authorization: Bearer good``);
  anything else is refused with HTTP 401, a text body ``Invalid token`` and a
  ``WWW-Authenticate: Basic realm="chat"`` header.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

__all__ = ["StarletteServer", "build_app", "handshake_facts"]


def handshake_facts(websocket: WebSocket) -> dict[str, Any]:
    """What a client's handshake carried, as the app saw it."""
    return {
        "type": "hello",
        "path": websocket.url.path,
        "raw_path": websocket.scope.get("raw_path", b"").decode("latin-1"),
        "query": websocket.url.query,
        "params": dict(websocket.query_params),
        "headers": {k.lower(): v for k, v in websocket.headers.items()},
        "cookies": dict(websocket.cookies),
        "subprotocols": list(websocket.scope.get("subprotocols", [])),
    }


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json(handshake_facts(websocket))
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_json({"type": "echo", "text": text})
    except WebSocketDisconnect:
        pass


async def secure(websocket: WebSocket) -> None:
    token = websocket.query_params.get("token") or websocket.headers.get(
        "authorization", ""
    ).removeprefix("Bearer ")
    if token != "good":
        await websocket.send_denial_response(
            PlainTextResponse(
                "Invalid token", status_code=401, headers={"WWW-Authenticate": 'Basic realm="chat"'}
            )
        )
        return
    await echo(websocket)


def base_routes() -> list[BaseRoute]:
    return [
        WebSocketRoute("/ws", echo),
        WebSocketRoute("/ws/{rest:path}", echo),
        WebSocketRoute("/secure", secure),
    ]


def build_app(extra_routes: list[BaseRoute] | None = None, **options: Any) -> Starlette:
    """The test app: the base routes plus ``extra_routes``; ``options`` go to Starlette."""
    return Starlette(routes=[*base_routes(), *(extra_routes or [])], **options)


class StarletteServer:
    """An ASGI app served by uvicorn on 127.0.0.1 port 0 in a thread; a context manager.

    ``url`` is ``http://127.0.0.1:PORT`` and ``ws_url`` the same with ``ws://``.
    Extra keyword arguments go to :class:`uvicorn.Config` (``ssl_certfile``, …).
    """

    def __init__(self, app: Callable[..., Any] | None = None, **config: Any) -> None:
        self.app = app or build_app()
        self.config = config
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._started = threading.Event()
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.config.get("ssl_certfile") else "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return self.url.replace("http", "ws", 1)

    def __enter__(self) -> StarletteServer:
        # IPPROTO_TCP named, not 0: asyncio turns Nagle off only on sockets that say they are
        # TCP, and without that every answer written in two parts waits 40 ms for an ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._socket = sock
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
            **self.config,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, daemon=True, name="starlette-app")
        self._thread.start()
        if not self._started.wait(15) or not self._server.started:
            raise RuntimeError("the Starlette test app did not start within 15 s")
        return self

    def _serve(self) -> None:
        """uvicorn's own start-up, main loop and shutdown, with the start told to the test
        as it happens (``Server.serve`` would only say so through a polled flag)."""

        async def main() -> None:
            server, sock = self._server, self._socket
            assert server is not None and sock is not None
            config = server.config
            if not config.loaded:
                config.load()
            server.lifespan = config.lifespan_class(config)
            try:
                await server.startup(sockets=[sock])
            finally:
                self._started.set()
            if not server.should_exit:
                await server.main_loop()
            await server.shutdown(sockets=[sock])

        try:
            asyncio.run(main())
        finally:
            self._started.set()

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(15)
        if self._socket is not None:
            self._socket.close()


# -- A Django-like chat: a form login with a CSRF token, a session cookie, a signed-in
# -- WebSocket, and a REST call that pushes to a room.  Plus redirects, same and other origin.

LOGIN_PAGE = """<!doctype html>
<html><head><title>Sign in</title></head><body>
<form method="post" action="/accounts/login/">
<input type="hidden" name="csrfmiddlewaretoken" value="{token}">
<label>Username <input name="username"></label>
<label>Password <input type="password" name="password"></label>
{error}<button type="submit">Sign in</button>
</form></body></html>
"""


def build_chat_app(
    *,
    users: dict[str, str] | None = None,
    api_key: str = "k3y-for-tests",
    other_origin: str = "",
    secret_key: str = "a-secret-for-signing-session-cookies",
) -> Starlette:
    """The base routes plus a chat behind a Django-like form login.

    - ``GET /accounts/login/``: the form, with a ``csrfmiddlewaretoken`` hidden input equal
      to the ``csrftoken`` cookie it sets;
    - ``POST /accounts/login/``: 403 when the field and the cookie differ; the form again
      (200, "Please enter a correct username and password") for a wrong password; else the
      user is signed in (a signed ``session`` cookie) and redirected (302) to ``/chat/``;
    - ``GET /chat/``: ``Hello, alice`` when signed in, else 302 to the login page;
    - ``GET /api/me``: ``{"user": "alice"}``, or 401 ``{"detail": …}``;
    - ``/chat/stream/``: a WebSocket for signed-in users only (else HTTP 403);
      ``{"command": "join", "room": 1}`` → ``{"type": "joined", "room": 1}``;
    - ``POST /api/rooms/{id}/announce`` with ``X-Api-Key``: 202 ``{"queued": true}``, and
      every socket in room ``id`` gets ``{"type": "announcement", "room": id, "message": text}``;
    - ``/api/echo`` (any method): what the request carried, as JSON; ``/api/slow?s=3``
      answers after 3 s;
    - ``/go/same`` → 302 ``/api/echo?from=same``; ``/go/loop`` → itself; ``/go/away`` →
      302 to ``other_origin`` + ``/stolen``; the WebSockets ``/ws-moved`` (302 to ``/ws``)
      and ``/ws-away`` (302 to ``other_origin`` as ``ws://…/ws``); ``/ws-cookie`` accepts
      with a ``Set-Cookie: seen=yes`` header.
    """
    import secrets as _secrets

    from starlette.middleware import Middleware
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
    from starlette.routing import Route

    accounts = users if users is not None else {"alice": "wonderland", "bob": "builder"}
    rooms: dict[int, set[WebSocket]] = {}

    def login_page(token: str, error: str = "", status: int = 200) -> HTMLResponse:
        page = LOGIN_PAGE.format(token=token, error=error)
        response = HTMLResponse(page, status_code=status)
        response.set_cookie("csrftoken", token, samesite="lax")
        return response

    async def login(request: Request) -> Response:
        token = request.cookies.get("csrftoken") or _secrets.token_urlsafe(24)
        if request.method == "GET":
            return login_page(token)
        form = await request.form()
        sent = form.get("csrfmiddlewaretoken")
        if not request.cookies.get("csrftoken") or sent != request.cookies.get("csrftoken"):
            return HTMLResponse(
                "<h1>Forbidden (403)</h1><p>CSRF verification failed. Request aborted.</p>",
                status_code=403,
            )
        user = str(form.get("username", ""))
        if accounts.get(user) != form.get("password"):
            error = "<p class=error>Please enter a correct username and password.</p>"
            return login_page(token, error)
        request.session["user"] = user
        return RedirectResponse("/chat/", status_code=302)

    async def chat_page(request: Request) -> Response:
        user = request.session.get("user")
        if not user:
            return RedirectResponse("/accounts/login/?next=/chat/", status_code=302)
        return HTMLResponse(f"<h1>Hello, {user}</h1>")

    async def me(request: Request) -> Response:
        user = request.session.get("user")
        if not user:
            return JSONResponse({"detail": "Authentication credentials were not provided."}, 401)
        return JSONResponse({"user": user})

    async def stream(websocket: WebSocket) -> None:
        user = websocket.session.get("user")
        if not user:
            await websocket.send_denial_response(
                PlainTextResponse("Sign in first", status_code=403)
            )
            return
        await websocket.accept()
        joined: set[int] = set()
        try:
            while True:
                frame = await websocket.receive_json()
                if frame.get("command") == "join":
                    room = int(frame["room"])
                    rooms.setdefault(room, set()).add(websocket)
                    joined.add(room)
                    await websocket.send_json({"type": "joined", "room": room, "user": user})
        except WebSocketDisconnect:
            pass
        finally:
            for room in joined:
                rooms.get(room, set()).discard(websocket)

    async def announce(request: Request) -> Response:
        if request.headers.get("x-api-key") != api_key:
            return JSONResponse(
                {"detail": "Invalid API key"},
                status_code=401,
                headers={"WWW-Authenticate": 'ApiKey realm="rooms"'},
            )
        room = int(request.path_params["room"])
        text = (await request.json()).get("text", "")
        for socket_ in list(rooms.get(room, ())):
            await socket_.send_json({"type": "announcement", "room": room, "message": text})
        return JSONResponse({"queued": True, "room": room}, status_code=202)

    async def echo_request(request: Request) -> Response:
        body = await request.body()
        return JSONResponse(
            {
                "method": request.method,
                "path": request.url.path,
                "query": dict(request.query_params),
                "headers": {k.lower(): v for k, v in request.headers.items()},
                "cookies": dict(request.cookies),
                "body": body.decode("utf-8", "replace"),
            },
            headers={"X-Echo": "yes"},
        )

    async def slow(request: Request) -> Response:
        # Holds its answer until the client gives up (its disconnect), at most s seconds:
        # a test of wsbdd's timeout that ends when the client does.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(float(request.query_params.get("s", "3"))):
                while (await request.receive())["type"] != "http.disconnect":
                    pass
        return JSONResponse({"slow": True})

    async def go_same(request: Request) -> Response:
        return RedirectResponse("/api/echo?from=same", status_code=302)

    async def go_loop(request: Request) -> Response:
        return RedirectResponse("/go/loop", status_code=302)

    async def go_away(request: Request) -> Response:
        return RedirectResponse(f"{other_origin}/stolen", status_code=302)

    async def ws_cookie(websocket: WebSocket) -> None:
        await websocket.accept(headers=[(b"set-cookie", b"seen=yes; Path=/")])
        await websocket.send_json(handshake_facts(websocket))
        await websocket.close()

    async def ws_moved(websocket: WebSocket) -> None:
        await websocket.send_denial_response(RedirectResponse("/ws", status_code=302))

    async def ws_away(websocket: WebSocket) -> None:
        target = other_origin.replace("http", "ws", 1) + "/ws"
        await websocket.send_denial_response(RedirectResponse(target, status_code=302))

    routes: list[BaseRoute] = [
        Route("/accounts/login/", login, methods=["GET", "POST"]),
        Route("/chat/", chat_page),
        Route("/api/me", me),
        WebSocketRoute("/chat/stream/", stream),
        Route("/api/rooms/{room:int}/announce", announce, methods=["POST"]),
        Route(
            "/api/echo",
            echo_request,
            methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
        ),
        Route("/api/slow", slow),
        Route("/go/same", go_same),
        Route("/go/loop", go_loop),
        Route("/go/away", go_away, methods=["GET", "POST"]),
        WebSocketRoute("/ws-moved", ws_moved),
        WebSocketRoute("/ws-cookie", ws_cookie),
        WebSocketRoute("/ws-away", ws_away),
    ]
    return build_app(routes, middleware=[Middleware(SessionMiddleware, secret_key=secret_key)])


def build_recorder() -> tuple[Starlette, list[dict[str, Any]]]:
    """An app that answers everything and records what each request carried: the
    "other origin" a test proves no credential reaches."""
    from starlette.requests import Request
    from starlette.routing import Route

    seen: list[dict[str, Any]] = []

    async def record(request: Request) -> PlainTextResponse:
        seen.append(
            {
                "path": request.url.path,
                "headers": {k.lower(): v for k, v in request.headers.items()},
            }
        )
        return PlainTextResponse("recorded")

    async def record_ws(websocket: WebSocket) -> None:
        seen.append(
            {
                "path": websocket.url.path,
                "headers": {k.lower(): v for k, v in websocket.headers.items()},
            }
        )
        await websocket.accept()
        await websocket.close()

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return (
        Starlette(
            routes=[
                Route("/{rest:path}", record, methods=methods),
                WebSocketRoute("/{rest:path}", record_ws),
            ]
        ),
        seen,
    )
