"""The GraphQL test server of ``tests/graphql_apps/``, started for a test and stopped after.

:func:`graphql_server` starts ``tests/graphql_apps/app.py`` (Strawberry on uvicorn) as a
subprocess on 127.0.0.1 port 0, waits (with a deadline) for the port it prints, yields a
:class:`GraphQLServer` (``.url`` is ``ws://127.0.0.1:<port>/graphql``, ``.http_url`` its
HTTP twin), and at exit stops it and reaps it.  A server that does not come up raises
:class:`GraphQLServerError`: one sentence with what it printed on stderr (the fixtures in
``tests/conftest.py`` turn that into a failure, never a skip).

Options (the app's own, see its docstring): ``token`` (the one it accepts),
``require_token``, ``never_ack``, ``ping_interval`` (ms between the server's pings on
graphql-transport-ws) and ``keep_alive`` (ms between legacy ``ka`` messages).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from socketio_servers import SocketIOServerError, _read_port, _stop

__all__ = ["APP", "TOKEN", "GraphQLServer", "GraphQLServerError", "graphql_server"]

APP = Path(__file__).resolve().parent / "graphql_apps" / "app.py"
TOKEN = "secret-token"
"""The token the server accepts unless told another."""


class GraphQLServerError(RuntimeError):
    """The test server could not start; the message is one sentence."""


@dataclass(frozen=True)
class GraphQLServer:
    """A running GraphQL test server: where, the token it accepts, and its process."""

    port: int
    token: str
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The WebSocket address of both subprotocols."""
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def http_url(self) -> str:
        """GraphQL over HTTP (POST a JSON body ``{"query", "variables"}``)."""
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def base_url(self) -> str:
        """The server with no path (the codec adds ``/graphql``)."""
        return f"ws://127.0.0.1:{self.port}"


@contextlib.contextmanager
def graphql_server(
    *,
    token: str = TOKEN,
    require_token: bool = False,
    never_ack: bool = False,
    ping_interval: int | None = None,
    keep_alive: int | None = None,
) -> Iterator[GraphQLServer]:
    """``tests/graphql_apps/app.py`` with these options, for the ``with`` block."""
    command = [sys.executable, str(APP), "--until-stdin-closes", "--token", token]
    if require_token:
        command.append("--require-token")
    if never_ack:
        command.append("--never-ack")
    if ping_interval:
        command += ["--ping-interval", str(int(ping_interval))]
    if keep_alive:
        command += ["--keep-alive", str(int(keep_alive))]
    with tempfile.TemporaryDirectory(prefix="wsbdd-gql-") as folder:
        stderr = Path(folder) / "stderr.txt"
        with open(stderr, "wb") as errors:
            process = subprocess.Popen(
                command,
                cwd=APP.parent,
                stdin=subprocess.PIPE,  # closed at exit: the server's lifeline
                stdout=subprocess.PIPE,
                stderr=errors,
                env={k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")},
            )
        try:
            try:
                port = _read_port(process, "Strawberry GraphQL", stderr)
            except SocketIOServerError as error:
                raise GraphQLServerError(str(error)) from None
            yield GraphQLServer(port, token, process)
        finally:
            _stop(process)
