"""``wsbdd load FEATURE [--workers N]``: a feature's ``@load`` scenarios on a Locust cluster here.

Starts a Locust master and N workers as processes on 127.0.0.1 (headless, the
master's port probed free just before), waits for the master to end the run
(it does once every worker is done or gone), then prints each scenario's
verdict, judged by the workers on the merged numbers, and exits 0 when every
scenario passed, 1 when one failed or a worker was lost, 2 when the run could
not be made.  Locust itself runs in those processes only: this module never
imports it.  When no server URL is configured it starts the bundled demo server
first, as ``wsbdd run`` does, so every worker talks to the same server.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

__all__ = ["add_parser", "run", "LOCUSTFILE"]

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
"""The locustfile ``wsbdd load`` runs; give it to ``locust -f`` to use Locust's own command."""

RUN_LIMIT = 3600 + 300
"""The longest a run may take: a load step may last an hour, plus connecting and waiting."""


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "load",
        help="run a feature's @load scenarios over Locust workers on this machine",
        description="Starts a Locust master and N workers on 127.0.0.1; each worker runs its "
        "share of every crowd, the verdict steps judge the merged result. Extra arguments go to "
        "behave (-D name=value, -n NAME, --tags=…). See docs/locust.md.",
    )
    parser.add_argument("feature", help="the feature file (or folder) whose @load scenarios run")
    parser.add_argument("--workers", type=int, default=2, help="Locust workers (default: 2)")
    parser.add_argument("--csv", metavar="PREFIX", help="write Locust's CSV statistics (PREFIX_*)")
    parser.add_argument(
        "--logs",
        default="reports/locust",
        help="folder for the master's and workers' logs (default: reports/locust)",
    )
    parser.set_defaults(func=run)
    return parser


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _configured_url(extra: list[str]) -> str:
    """The server URL the settings, ``-D wsbdd.url=…`` or ``WSBDD_URL`` give, or ""."""
    from wsbdd.settings.config import load_settings

    userdata: dict[str, str] = {}
    for flag, value in zip(extra, [*extra[1:], ""], strict=False):
        text = value if flag == "-D" else flag[2:] if flag.startswith("-D") else ""
        if "=" in text:
            name, _, given = text.partition("=")
            userdata[name] = given
    settings = load_settings(Path.cwd(), userdata=userdata, environ=os.environ)
    return str(settings.url or "")


class DemoServerDown(RuntimeError):
    """The bundled demo server did not say it listens: the end of a sentence, lower case."""


@contextmanager
def _demo_server(log: IO[str]) -> Iterator[str]:
    """The bundled demo server in a process of its own; yields its URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "wsbdd.demo", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # the server prints it once it listens, or exits
        found = re.search(r"listening on (\S+)", line)
        if not found:
            said = f"it said: {line.strip()}" if line.strip() else "it printed nothing"
            raise DemoServerDown(f"the bundled demo server did not start ({said})")
        yield found[1]
    finally:
        _stop(server, grace=0)


def _stop(process: subprocess.Popen[Any], grace: float) -> None:
    """Let ``process`` end by itself for ``grace`` seconds, then terminate it, then kill it."""
    if process.poll() is None:
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    if process.poll() is None:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def _cluster(
    ns: argparse.Namespace, behave: list[str], env: dict[str, str], logs: Path, summary: Path
) -> int | None:
    """One try at the cluster: the master's exit status, or None when its port was taken."""
    port = _free_port()
    locust = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE)]
    master_args = [
        *locust,
        "--master",
        "--headless",
        "--master-bind-host=127.0.0.1",
        f"--master-bind-port={port}",
        f"--expect-workers={ns.workers}",
        "--expect-workers-max-wait=60",
        f"--users={ns.workers}",
        f"--spawn-rate={ns.workers}",
        f"--run-time={RUN_LIMIT}s",
        "--only-summary",
        f"--wsbdd-feature={ns.feature}",
        f"--wsbdd-behave={shlex.join(behave)}",
        f"--wsbdd-summary={summary}",
    ]
    if ns.csv:
        master_args.append(f"--csv={ns.csv}")
    worker_args = [*locust, "--worker", "--master-host=127.0.0.1", f"--master-port={port}"]
    master_log = (logs / "master.log").open("w", encoding="utf-8")
    master = subprocess.Popen(master_args, stdout=master_log, stderr=subprocess.STDOUT, env=env)
    workers = []
    try:
        for number in range(1, ns.workers + 1):
            log = (logs / f"worker-{number}.log").open("w", encoding="utf-8")
            own = {**env, "WSBDD_LOCUST_WORKER": str(number)}
            worker = subprocess.Popen(worker_args, stdout=log, stderr=subprocess.STDOUT, env=own)
            workers.append(worker)
            log.close()
            # Who is who, for an operator (or a test) that must stop one worker on purpose.
            (logs / f"worker-{number}.pid").write_text(f"{worker.pid}\n", encoding="utf-8")
        try:
            status = master.wait(timeout=RUN_LIMIT + 120)
        except subprocess.TimeoutExpired:
            print(f"wsbdd load: the run passed its {RUN_LIMIT} s limit; stopped.", file=sys.stderr)
            _stop(master, 0)
            return 2
    finally:
        for worker in workers:
            _stop(worker, 15)
        _stop(master, 0)
        master_log.close()
    text = (logs / "master.log").read_text(encoding="utf-8", errors="replace")
    if status != 0 and "Address already in use" in text:
        return None
    return status


def run(ns: argparse.Namespace, extra: list[str]) -> int:
    feature = Path(ns.feature)
    if not feature.exists():
        print(f"wsbdd load: there is no feature file or folder {ns.feature}.", file=sys.stderr)
        return 2
    if ns.workers < 1:
        print(
            f"wsbdd load: --workers must be 1 or more, not {ns.workers}: it is how many "
            "Locust worker processes share the crowd.",
            file=sys.stderr,
        )
        return 2
    missing = [name for name in ("locust", "hdrh") if importlib.util.find_spec(name) is None]
    if missing:  # looked up, never imported: Locust patches whatever process imports it
        print(
            "wsbdd load needs Locust and HdrHistogram: pip install 'wsbdd[locust]'.",
            file=sys.stderr,
        )
        return 2
    behave = list(extra)
    if not any(arg.startswith(("--tags", "-t")) for arg in behave):
        behave.insert(0, "--tags=@load")
    logs = Path(ns.logs)
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with (
        tempfile.TemporaryDirectory(prefix="wsbdd-load-") as folder,
        (logs / "server.log").open("w", encoding="utf-8") as server_log,
    ):
        summary = Path(folder) / "summary.json"
        url = _configured_url(extra)
        try:
            with _maybe_demo(url, server_log) as served:
                if served:
                    env["WSBDD_URL"] = served
                    # What `wsbdd run` ignores from its own demo server, the shares ignore too.
                    behave = [*behave, "-D", 'wsbdd.ignore=$.type is "welcome"']
                started = time.monotonic()
                status = _cluster(ns, behave, env, logs, summary)
                if status is None:  # the probed port was taken meanwhile: once more
                    status = _cluster(ns, behave, env, logs, summary)
                took = time.monotonic() - started
        except DemoServerDown as down:
            print(
                f"wsbdd load: {down}; see {logs / 'server.log'}, or give the URL of your own "
                "server (url in wsbdd.toml, -D wsbdd.url=…, or WSBDD_URL).",
                file=sys.stderr,
            )
            return 2
        return _report(summary, status, logs, ns.workers, took)


@contextmanager
def _maybe_demo(url: str, log: IO[str]) -> Iterator[str]:
    if url:
        yield ""
        return
    with _demo_server(log) as served:
        yield served


def _report(summary: Path, status: int | None, logs: Path, workers: int, took: float) -> int:
    try:
        result = json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print(
            f"wsbdd load: the Locust master ended (exit {status}) without verdicts; "
            f"see {logs / 'master.log'} and the workers' logs beside it.",
            file=sys.stderr,
        )
        return 2
    failed = 0
    for scenario in result["scenarios"]:
        mark = "passed" if scenario["status"] == "passed" else scenario["status"].upper()
        print(f"{mark}: {scenario['name']}  ({scenario['location']})")
        if scenario["status"] != "passed":
            failed += 1
            where = scenario.get("failed_on")
            if where:
                print(f"  on worker {where}:")
            for line in scenario["error"].splitlines():
                print(f"    {line}")
    for number in result["gone"]:
        print(
            f"Locust worker {number} stopped answering during the run: its clients count as "
            "lost connections and what was due to them as lost messages."
        )
    crashed = [n for n, code in result["status"].items() if code not in (0, 1)]
    for number in crashed:
        print(f"Locust worker {number}'s share ended with exit status {result['status'][number]}.")
    count = len(result["scenarios"])
    print(
        f"{count - failed} of {count} load scenarios passed on {workers} Locust workers "
        f"in {took:.1f} s; logs in {logs}."
    )
    return 0 if not failed and not result["gone"] and not crashed and count else 1
