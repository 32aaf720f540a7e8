"""The README's test command installs the browsers lightly, and says in one sentence when it can't.

The same for the npm packages of the Socket.IO test servers (tests/socketio_apps/node):
installed from their lock file, and one sentence when npm cannot.

Its first part (everything before ``python3 -m venv``) is run here in bash, as
written in the README, on a PATH without the browsers: once with no apt-get at
all, and (as root, as CI runs) once with apt-get whose lock another process
holds. Nothing is installed: the lock is taken on a private copy of apt's lists
folder (``APT_CONFIG`` points apt-get at it), so apt-get fails before it asks
the network or dpkg for anything.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from test_report_tools import _readme_test_command

ROOT = Path(__file__).resolve().parent.parent

PACKAGES = "chromium firefox-esr npm"


def _install_part() -> str:
    """The command up to the virtual environment: what checks and installs the system tools."""
    command = _readme_test_command()
    head, found, _ = command.partition(" && python3 -m venv ")
    assert found, "the test command no longer makes .venv after installing the tools"
    return head


def _run(bin_dir: Path, tmp: Path, extra_env: dict[str, str] | None = None):
    """The install part in bash with only ``bin_dir`` on PATH; REACHED means it let the rest run."""
    return subprocess.run(
        ["/bin/bash", "-c", _install_part() + " && echo REACHED"],
        env={"PATH": str(bin_dir), "TMPDIR": str(tmp), **(extra_env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def _bin(tmp_path: Path, *tools: str) -> Path:
    """A PATH folder holding only these tools (the browsers and npm are missing from it)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in tools:
        found = shutil.which(tool)
        assert found, f"{tool} is not installed"
        (folder / tool).symlink_to(found)
    return folder


def test_the_browsers_come_without_the_packages_they_only_recommend():
    command = _install_part()
    assert "apt-get install -y --no-install-recommends " in command
    # sudo drops the caller's environment, so the variable is set on apt-get's side of it.
    assert "$s env DEBIAN_FRONTEND=noninteractive apt-get install" in command


def test_without_apt_get_the_command_stops_with_one_sentence(tmp_path: Path):
    done = _run(_bin(tmp_path, "id"), tmp_path)
    assert done.returncode != 0
    assert "REACHED" not in done.stdout
    assert done.stderr == (
        f"The tests need {PACKAGES}, and apt-get could not install them (this is not Debian "
        "or Ubuntu, another install holds apt's lock, or you are neither root nor a sudoer; "
        f"apt's output is in {tmp_path}/wsbdd-apt.log): install them by hand, then run this "
        "command again.\n"
    )


def test_when_everything_is_there_apt_is_not_asked(tmp_path: Path):
    tools = [*PACKAGES.split(), "id"]
    if not all(shutil.which(tool) for tool in tools):
        pytest.fail(f"install {PACKAGES} (the README's test command does)", pytrace=False)
    done = _run(_bin(tmp_path, *tools), tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "REACHED\n", "")
    assert not (tmp_path / "wsbdd-apt.log").exists()


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("apt-get") is None,
    reason="as a user the command asks sudo, which drops APT_CONFIG; CI runs it as root",
)
def test_a_locked_apt_is_one_sentence_not_apt_output(tmp_path: Path):
    lists = tmp_path / "lists"
    (lists / "partial").mkdir(parents=True)
    (tmp_path / "cache").mkdir()
    config = tmp_path / "apt.conf"
    config.write_text(f'Dir::State::Lists "{lists}/";\nDir::Cache "{tmp_path / "cache"}/";\n')
    with open(lists / "lock", "w") as lock:
        fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another install holds apt's lock
        done = _run(_bin(tmp_path, "id", "apt-get", "env"), tmp_path, {"APT_CONFIG": str(config)})
    assert done.returncode != 0
    assert "REACHED" not in done.stdout
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"The tests need {PACKAGES}, and apt-get could not install")
    assert "Could not get lock" in (tmp_path / "wsbdd-apt.log").read_text()


def _npm_part() -> str:
    """The step that installs the Socket.IO test servers' npm packages (tests/socketio_apps)."""
    command = _readme_test_command()
    found = re.search(r"\{ npm ci --prefix tests/socketio_apps/node .*?false; \}; \}", command)
    assert found, "the test command no longer installs tests/socketio_apps/node with npm ci"
    return found.group(0)


def test_the_socket_io_servers_packages_come_from_their_lock_file():
    part = _npm_part()
    assert "npm ci --prefix tests/socketio_apps/node --loglevel=error --no-audit --no-fund" in part
    assert f" && {part} && npm install --prefix .venv/node " in _readme_test_command()
    lock = json.loads((ROOT / "tests/socketio_apps/node/package-lock.json").read_text())
    packages = lock["packages"]
    assert packages["node_modules/socket.io"]["version"].startswith("4.")
    assert packages["node_modules/socket.io-v2"]["name"] == "socket.io"
    assert packages["node_modules/socket.io-v2"]["version"].startswith("2.")


def test_npm_unable_to_install_is_one_sentence_not_npm_output(tmp_path: Path):
    # Real npm, on a registry nobody listens on and an empty cache: it cannot fetch.
    node = tmp_path / "tests" / "socketio_apps" / "node"
    node.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(ROOT / "tests" / "socketio_apps" / "node" / name, node / name)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    done = subprocess.run(
        ["/bin/bash", "-c", _npm_part() + " && echo REACHED"],
        cwd=tmp_path,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "TMPDIR": str(tmp_path),
            "npm_config_registry": f"http://127.0.0.1:{port}/",
            "npm_config_cache": str(tmp_path / "npm-cache"),
            "npm_config_fetch_retries": "0",
            "npm_config_update_notifier": "false",
        },
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr == (
        "npm could not install the Socket.IO test servers' packages into "
        "tests/socketio_apps/node (no network, or the npm registry is unreachable; npm's "
        f"output is in {tmp_path}/wsbdd-npm.log): fix that, then run this command again.\n"
    )
    assert "ECONNREFUSED" in (tmp_path / "wsbdd-npm.log").read_text()


def _script(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)


def test_rabbitmq_server_is_installed_without_starting_its_service(tmp_path: Path):
    # The install part with the package's start script and policy-rc.d moved into tmp_path,
    # and apt-get, sudo and systemctl that write down what they were asked: RabbitMQ (the
    # STOMP tests' broker) comes with the others, while a policy-rc.d that denies every
    # service start is in place, and its service is not enabled at boot either.
    policy = tmp_path / "policy-rc.d"
    calls = tmp_path / "calls.txt"
    command = (
        _install_part()
        .replace("/usr/lib/rabbitmq/bin/rabbitmq-server", str(tmp_path / "no-rabbitmq"))
        .replace("/usr/sbin/policy-rc.d", str(policy))
    )
    assert command != _install_part().replace("/usr/sbin/policy-rc.d", str(policy))
    bin_dir = _bin(tmp_path, "id", "env", "tee", "chmod", "rm")
    _script(bin_dir, "sudo", 'exec "$@"\n')
    _script(
        bin_dir,
        "apt-get",
        f'echo "apt-get $*" >> {calls}\n'
        f'[ "${{*: -1}}" = update ] || {{ {policy} start; echo "policy says $?" >> {calls}; }}\n',
    )
    _script(bin_dir, "systemctl", f'echo "systemctl $*" >> {calls}\n')
    done = subprocess.run(
        ["/bin/bash", "-c", command + " && echo REACHED"],
        env={"PATH": str(bin_dir), "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "REACHED\n", "")
    lines = calls.read_text().splitlines()
    assert lines[0] == "apt-get -o DPkg::Lock::Timeout=120 update"
    assert lines[1].startswith("apt-get install -y --no-install-recommends")
    assert lines[1].endswith(f"{PACKAGES} rabbitmq-server")
    assert lines[2:] == ["policy says 101", "systemctl disable rabbitmq-server"]
    assert not policy.exists()  # the command's own guard is gone; one already there stays
