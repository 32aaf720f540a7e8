"""A Socket.IO scenario longer than 60 s keeps its clients, against both real servers at
their DEFAULT keep-alive timings (tests/features/socketio_long): a client that did not
answer pings between steps would be dropped after 45 s.  The two runs go side by side, so
the suite spends one minute on this, not two.  (tests/features/socketio/keepalive.feature
proves the same at short timings, in seconds.)

The minute runs in the background from the moment the test is collected (tests/conftest.py
calls :func:`start`), beside the rest of the suite: the scenario mostly waits, and the test
only collects its verdict."""

from __future__ import annotations

import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from subprocesses import behave
from test_behave_runs import failures

FEATURES = Path(__file__).resolve().parent / "features" / "socketio_long"


def _took(output: str) -> float:
    """Seconds from behave's "Took 1min 1.234s" line."""
    took = re.search(r"Took (\d+)min (\d+(?:\.\d+)?)s", output)
    assert took, output[-2000:]
    return int(took[1]) * 60 + float(took[2])


_RUN: Future[list[str] | str] | None = None


def start() -> None:
    """Begin the two runs in a thread of their own (once)."""
    global _RUN
    if _RUN is None:
        _RUN = ThreadPoolExecutor(1, thread_name_prefix="socketio-long").submit(_both)


def _both() -> list[str] | str:
    """Both servers' behave outputs, or the sentence of a server that could not start."""
    from socketio_servers import (
        SocketIOServerError,
        node_socketio_server,
        python_socketio_server,
    )

    def run(url: str) -> str:
        result = behave(FEATURES, "-f", "plain", "-D", f"wsbdd.url={url}")
        return result.stdout + result.stderr

    try:
        with python_socketio_server() as python, node_socketio_server() as node:
            with ThreadPoolExecutor(2) as pool:
                return list(pool.map(run, [python.url, node.url]))
    except SocketIOServerError as error:
        return str(error)


def test_a_scenario_longer_than_a_minute_keeps_its_clients_on_both_servers() -> None:
    start()
    assert _RUN is not None
    outputs: Any = _RUN.result(timeout=600)
    if isinstance(outputs, str):
        pytest.fail(outputs, pytrace=False)
    for kind, output in zip(("python-socketio", "Node socket.io"), outputs, strict=True):
        assert "1 scenario passed, 0 failed" in output, f"{kind}: {failures(output)}"
        assert _took(output) > 60, f"{kind}: the scenario was shorter than a minute"
