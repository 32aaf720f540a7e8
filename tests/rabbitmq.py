"""A private RabbitMQ node with Web-STOMP, started for the tests and stopped after.

RabbitMQ comes from Debian's ``rabbitmq-server`` package (the README's test command
installs it without starting its system service).  :func:`rabbitmq_broker` never touches
that service nor ``/etc/rabbitmq`` nor ``/var/lib/rabbitmq``: it runs a node of its own from
a temporary folder, with

- its own ``rabbitmq.conf`` (AMQP and plain STOMP listeners off, Web-STOMP on 127.0.0.1
  port 0: the port the system gives is read back from the node with ``erl_call``),
  ``enabled_plugins`` (``rabbitmq_web_stomp``), definitions (the users below), data and
  log folders;
- its own node name (``wsbdd-<pid>-<n>@localhost``) and Erlang cookie (``$HOME`` is the
  folder), its own epmd on a socket bound here to 127.0.0.1 port 0 and handed to it
  (epmd's ``-systemd`` socket activation: no port is chosen in advance), and Erlang
  distribution on 127.0.0.1 only, on a port the system gave a probe just before (RabbitMQ
  refuses port 0 for it);
- two users: ``guest``/``guest`` (RabbitMQ lets it in from loopback only) and ``stomper``,
  whose passcode is its login (for the tests that check a login stays readable when the
  passcode that equals it is masked).

It waits for the node with a deadline (the log's "Server startup complete", or the node
exiting), and at exit stops the node (SIGTERM: RabbitMQ's own clean stop), then its epmd,
and removes the folder.  A node that does not start raises :class:`BrokerUnavailable`:
one sentence with what the log said (the fixture in tests/conftest.py makes it a failure,
never a skip).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Broker", "BrokerUnavailable", "rabbitmq_broker", "SERVER", "INSTALL"]

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
"""The package's start script itself (``/usr/sbin/rabbitmq-server`` switches to the
``rabbitmq`` user and the system's folders)."""
INSTALL = (
    "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "
    "rabbitmq-server"
)
START_DEADLINE = 120.0  # seconds: a first boot on a busy, shared machine
STOP_DEADLINE = 30.0
READY = "Server startup complete"
FAILED = ("BOOT FAILED", "init terminating")
_counter = itertools.count()


class BrokerUnavailable(RuntimeError):
    """The private RabbitMQ node could not start; the message is one sentence."""


@dataclass(frozen=True)
class Broker:
    """A running private node: where its Web-STOMP listens and who may log in."""

    port: int
    folder: Path
    node: str
    started_in: float
    """Seconds from starting the node to its Web-STOMP listening."""
    login: str = "guest"
    passcode: str = "guest"
    same_login: str = "stomper"
    """A second user whose passcode is its login."""

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _epmd_socket() -> socket.socket:
    """A listening socket on 127.0.0.1 port 0 for the private epmd (which has no port 0 of
    its own): bound here, its port read back, handed to epmd as systemd would."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    return listener


def _start_epmd(epmd_tool: str, listener: socket.socket, env: dict[str, str]) -> Any:
    """epmd on ``listener`` (fd 3, ``LISTEN_FDS``/``LISTEN_PID`` as systemd sets them)."""
    fd = listener.fileno()
    return subprocess.Popen(
        # bash, not sh: dash reads only one-digit descriptors in a redirection.
        ["bash", "-c", f'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" -systemd 3<&{fd}', epmd_tool],
        env=env,
        pass_fds=[fd],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _password_hash(password: str) -> str:
    """RabbitMQ's ``rabbit_password_hashing_sha256``: base64(salt + sha256(salt + password))."""
    salt = secrets.token_bytes(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def _write_files(folder: Path) -> None:
    cookie = folder / ".erlang.cookie"
    cookie.write_text("".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(20)))
    cookie.chmod(0o400)
    users = [("guest", "guest"), ("stomper", "stomper")]
    definitions = {
        "users": [
            {
                "name": name,
                "password_hash": _password_hash(password),
                "hashing_algorithm": "rabbit_password_hashing_sha256",
                "tags": [],
            }
            for name, password in users
        ],
        "vhosts": [{"name": "/"}],
        "permissions": [
            {"user": name, "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}
            for name, _ in users
        ],
    }
    (folder / "definitions.json").write_text(json.dumps(definitions))
    (folder / "rabbitmq.conf").write_text(
        "listeners.tcp = none\n"
        "stomp.listeners.tcp = none\n"
        "web_stomp.tcp.ip = 127.0.0.1\n"
        "web_stomp.tcp.port = 0\n"
        "loopback_users.guest = true\n"
        f"load_definitions = {folder / 'definitions.json'}\n"
        "log.console = true\n"
        "log.console.level = info\n"
        "log.file = false\n"
    )
    (folder / "enabled_plugins").write_text("[rabbitmq_web_stomp].\n")
    (folder / "rabbitmq-env.conf").write_text("")


def _environment(folder: Path, node: str, epmd_port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RABBITMQ_", "ERL_", "WSBDD_")) and k != "HOME"
    }
    env.update(
        HOME=str(folder),  # the Erlang cookie: $HOME/.erlang.cookie
        ERL_EPMD_PORT=str(epmd_port),
        ERL_EPMD_ADDRESS="127.0.0.1",
        RABBITMQ_NODENAME=node,
        RABBITMQ_CONF_ENV_FILE=str(folder / "rabbitmq-env.conf"),
        RABBITMQ_CONFIG_FILE=str(folder / "rabbitmq.conf"),
        RABBITMQ_ADVANCED_CONFIG_FILE=str(folder / "advanced.config"),
        RABBITMQ_ENABLED_PLUGINS_FILE=str(folder / "enabled_plugins"),
        RABBITMQ_MNESIA_BASE=str(folder / "mnesia"),
        RABBITMQ_LOG_BASE=str(folder / "log"),
        RABBITMQ_PID_FILE=str(folder / "rabbitmq.pid"),
        # RabbitMQ refuses 0 here ("Invalid Erlang distribution TCP port"): a port the
        # system gave a probe a moment ago, the only fixed number the node is given.
        RABBITMQ_DIST_PORT=str(_free_port()),
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
    )
    return env


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path("/usr/lib/erlang/bin") / name)
    if not Path(found).is_file():
        raise BrokerUnavailable(
            f"The STOMP tests need Erlang's {name} (from Debian's erlang-base, which "
            f"rabbitmq-server brings), and it is not here: run the README's test command, or "
            f"`{INSTALL}`."
        )
    return found


def _wait_for_epmd(
    epmd_tool: str, process: subprocess.Popen[bytes], env: dict[str, str], deadline: float
) -> None:
    """Until epmd answers a names request on its port (the socket accepts before epmd runs)."""
    port = env["ERL_EPMD_PORT"]
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            raise BrokerUnavailable(
                f"epmd could not serve on 127.0.0.1:{port} (exit code {code}); the STOMP tests "
                "need an epmd with -systemd (Debian's erlang-base has it)."
            )
        with contextlib.suppress(subprocess.TimeoutExpired):
            answer = subprocess.run(
                [epmd_tool, "-names"], env=env, capture_output=True, timeout=2, check=False
            )
            if answer.returncode == 0:
                return
    raise BrokerUnavailable(f"epmd did not answer on 127.0.0.1:{port} within its deadline.")


_STAMP = re.compile(r"^\d{4}-\d\d-\d\d \S+ \[(\w+)\] <[^>]*> ?")
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def _said(log: Path) -> str:
    """What the log says went wrong: its error lines (without their time stamps), else its
    last lines; on one line."""
    errors: list[str] = []
    lines: list[str] = []
    for raw in log.read_text(errors="replace").splitlines() if log.exists() else ():
        raw = _COLOUR.sub("", raw)
        stamp = _STAMP.match(raw)
        text = (raw[stamp.end() :] if stamp else raw).strip()
        if not text.strip("="):
            continue
        lines.append(text)
        if stamp and stamp.group(1) in ("error", "critical", "alert", "emergency"):
            if text not in errors:
                errors.append(text)
    return " | ".join(errors[:10] or lines[-8:]) or "nothing"


def _wait_for_node(process: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    """Until the log says the node started; a failure or an exit raises with the log."""
    while True:
        text = log.read_text(errors="replace") if log.exists() else ""
        if READY in text:
            return
        if any(mark in text for mark in FAILED):
            raise BrokerUnavailable(
                f"The private RabbitMQ node did not start; its log said: {_said(log)}"
            )
        if time.monotonic() >= deadline:
            raise BrokerUnavailable(
                f"The private RabbitMQ node did not start within {START_DEADLINE:.0f} s; its "
                f"log said: {_said(log)}"
            )
        try:  # the wait between two looks at the log is a wait on the node's exit
            code = process.wait(0.1)
        except subprocess.TimeoutExpired:
            continue
        raise BrokerUnavailable(
            f"The private RabbitMQ node exited with code {code} while starting; its log "
            f"said: {_said(log)}"
        )


_PORT = re.compile(r"port => (\d+), protocol => rabbit_web_stomp_connection_sup")


def _web_stomp_port(env: dict[str, str], node: str, cookie: str) -> int:
    """The port the system gave Web-STOMP's listener (configured as 0), asked of the node's
    Ranch over Erlang distribution."""
    command = [_tool("erl_call"), "-n", node, "-c", cookie, "-a", "ranch info []"]
    try:
        answer = subprocess.run(command, env=env, capture_output=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        raise BrokerUnavailable(
            "erl_call did not answer with the Web-STOMP port in 30 s."
        ) from None
    found = _PORT.search(answer.stdout.decode(errors="replace"))
    if found is None:
        said = (answer.stdout + answer.stderr).decode(errors="replace").strip()[:300]
        raise BrokerUnavailable(
            f"The private RabbitMQ node started, but its Web-STOMP port could not be read "
            f"(erl_call said: {said or 'nothing'})."
        )
    return int(found.group(1))


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM to the process group (RabbitMQ stops cleanly on it), then SIGKILL."""
    if process is None:
        return
    for sig, wait in ((signal.SIGTERM, STOP_DEADLINE), (signal.SIGKILL, STOP_DEADLINE)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)  # our own child's group: the node and its helpers
        try:
            process.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def rabbitmq_broker() -> Iterator[Broker]:
    """A private RabbitMQ node with Web-STOMP on 127.0.0.1 (see the module docstring)."""
    if not SERVER.is_file():
        raise BrokerUnavailable(
            "The STOMP tests need RabbitMQ from Debian's rabbitmq-server package, and "
            f"{SERVER} is not here: run the README's test command, or `{INSTALL}`."
        )
    epmd_tool = _tool("epmd")
    folder = Path(tempfile.mkdtemp(prefix="wsbdd-rabbitmq-"))
    node = f"wsbdd-{os.getpid()}-{next(_counter)}@localhost"
    epmd: subprocess.Popen[bytes] | None = None
    server: subprocess.Popen[bytes] | None = None
    try:
        _write_files(folder)
        with _epmd_socket() as listener:
            env = _environment(folder, node, listener.getsockname()[1])
            started = time.monotonic()
            deadline = started + START_DEADLINE
            epmd = _start_epmd(epmd_tool, listener, env)
        _wait_for_epmd(epmd_tool, epmd, env, deadline)
        log = folder / "server.log"
        with open(log, "wb") as output:
            server = subprocess.Popen(
                [str(SERVER)],
                cwd=folder,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_for_node(server, log, deadline)
        cookie = (folder / ".erlang.cookie").read_text().strip()
        port = _web_stomp_port(env, node, cookie)
        yield Broker(port, folder, node, time.monotonic() - started)
    finally:
        _stop(server)
        _stop(epmd)
        shutil.rmtree(folder, ignore_errors=True)
