"""The real Socket.IO servers of ``tests/socketio_apps/``, started for a test and stopped after.

Each context manager starts its server as a subprocess on 127.0.0.1 port 0, waits (with a
deadline) for the port it prints, yields a :class:`SocketIOServer` (``.url`` is
``http://127.0.0.1:<port>``), and at exit stops it and reaps it.  A server that does not
come up raises :class:`SocketIOServerError`: one sentence with what it printed on stderr.
A missing Node or missing npm packages raise it too, saying to run the README's test
command (the fixtures in ``tests/conftest.py`` turn that into a failure, never a skip).

Options, the same words on both servers (``tests/socketio_apps/README.md``):
``ping_interval`` and ``ping_timeout`` in milliseconds, ``polling_only``, and (Node only)
``recovery`` for connection-state recovery.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "APPS",
    "NODE_APP",
    "SocketIOServer",
    "SocketIOServerError",
    "node_socketio_server",
    "node_socketio_v2_server",
    "python_socketio_server",
]

APPS = Path(__file__).resolve().parent / "socketio_apps"
NODE_APP = APPS / "node"
START_DEADLINE = 30.0  # seconds: a shared, busy machine can take a while to start Node
STOP_DEADLINE = 10.0
INSTALL = "npm ci --prefix tests/socketio_apps/node"


class SocketIOServerError(RuntimeError):
    """A test server could not start (or its tools are missing); the message is one sentence."""


@dataclass(frozen=True)
class SocketIOServer:
    """A running test server: which one, where, and its process (for the tests that stop it)."""

    kind: str  # "python", "node" or "node-v2"
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


def _argv(
    ping_interval: int | None = None,
    ping_timeout: int | None = None,
    polling_only: bool = False,
    recovery: bool = False,
) -> list[str]:
    argv = ["--until-stdin-closes"]
    if ping_interval is not None:
        argv += ["--ping-interval", str(int(ping_interval))]
    if ping_timeout is not None:
        argv += ["--ping-timeout", str(int(ping_timeout))]
    if polling_only:
        argv.append("--polling-only")
    if recovery:
        argv.append("--recovery")
    return argv


def _node(package: str) -> str:
    """Node's path, once it and ``package`` are there; else one sentence saying how."""
    node = shutil.which("node")
    if node is None:
        raise SocketIOServerError(
            "The Socket.IO tests need Node (node is not on PATH) and the npm packages of "
            f"tests/socketio_apps/node: run the README's test command (it runs `{INSTALL}`)."
        )
    if not (NODE_APP / "node_modules" / package / "package.json").is_file():
        raise SocketIOServerError(
            f"The npm package {package} is not installed in tests/socketio_apps/node: run the "
            f"README's test command (it runs `{INSTALL}`)."
        )
    return node


def _read_port(process: subprocess.Popen[bytes], name: str, stderr: Path) -> int:
    """The port the server prints once it listens, read with a deadline."""
    assert process.stdout is not None
    deadline = time.monotonic() + START_DEADLINE
    seen = b""
    ended = False  # stdout closed: the server is exiting
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in seen and not ended:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if selector.select(left):
                chunk = os.read(process.stdout.fileno(), 4096)
                seen += chunk
                ended = not chunk
    line = seen.partition(b"\n")[0].strip()
    if line.isdigit():
        return int(line)
    if ended or process.poll() is not None:
        why = f"it exited with code {process.wait(STOP_DEADLINE)}"
    elif seen:
        why = f"it printed {line.decode(errors='replace')!r} instead of its port"
    else:
        why = f"it printed no port within {START_DEADLINE:.0f} s"
    said = stderr.read_text(errors="replace").strip() or seen.decode(errors="replace").strip()
    said = " | ".join(said.splitlines()[-8:]) or "nothing"
    raise SocketIOServerError(f"The {name} test server did not start ({why}); it said: {said}")


@contextlib.contextmanager
def _serve(kind: str, name: str, command: list[str], cwd: Path) -> Iterator[SocketIOServer]:
    with tempfile.TemporaryDirectory(prefix="wsbdd-sio-") as folder:
        stderr = Path(folder) / "stderr.txt"
        with open(stderr, "wb") as errors:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                stdin=subprocess.PIPE,  # closed at exit: the server's lifeline
                stdout=subprocess.PIPE,
                stderr=errors,
                env={k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")},
            )
        try:
            port = _read_port(process, name, stderr)
            yield SocketIOServer(kind, port, process)
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Close the lifeline, then terminate, then kill: always reaped."""
    with contextlib.suppress(OSError):
        assert process.stdin is not None
        process.stdin.close()
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(STOP_DEADLINE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_DEADLINE)
    if process.stdout is not None:
        process.stdout.close()


@contextlib.contextmanager
def python_socketio_server(
    *,
    ping_interval: int | None = None,
    ping_timeout: int | None = None,
    polling_only: bool = False,
) -> Iterator[SocketIOServer]:
    """``tests/socketio_apps/python_app.py`` (python-socketio on uvicorn)."""
    command = [sys.executable, str(APPS / "python_app.py")]
    command += _argv(ping_interval, ping_timeout, polling_only)
    with _serve("python", "python-socketio", command, APPS) as server:
        yield server


@contextlib.contextmanager
def node_socketio_server(
    *,
    ping_interval: int | None = None,
    ping_timeout: int | None = None,
    polling_only: bool = False,
    recovery: bool = False,
) -> Iterator[SocketIOServer]:
    """``tests/socketio_apps/node/server.js`` (Node socket.io 4)."""
    command = [_node("socket.io"), str(NODE_APP / "server.js")]
    command += _argv(ping_interval, ping_timeout, polling_only, recovery)
    with _serve("node", "Node socket.io", command, NODE_APP) as server:
        yield server


@contextlib.contextmanager
def node_socketio_v2_server() -> Iterator[SocketIOServer]:
    """``tests/socketio_apps/node/server_v2.js``: Socket.IO 2 on Engine.IO 3 (refusal tests)."""
    command = [_node("socket.io-v2"), str(NODE_APP / "server_v2.js"), "--until-stdin-closes"]
    with _serve("node-v2", "Node socket.io 2", command, NODE_APP) as server:
        yield server
