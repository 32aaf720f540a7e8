"""tests/features/reconnection run by behave, as a user runs it, against both Socket.IO test
servers (python-socketio and Node socket.io 4, started on 127.0.0.1 port 0 and named with
``-D wsbdd.url=…``): the reconnection steps through their words, and the transcript lines
and the failure sentence a tester reads."""

from __future__ import annotations

import re
from pathlib import Path

from test_behave_runs import behave, failures

FEATURES = Path(__file__).resolve().parent / "features" / "reconnection"


def test_a_dropped_client_reconnects_with_a_new_session(socketio_app, tmp_path):
    result = behave(
        FEATURES,
        "--tags=not @fails",
        "--tags=not @recovery",
        "-f",
        "plain",
        "-D",
        f"wsbdd.url={socketio_app.url}",
        "--junit",
        "--junit-directory",
        str(tmp_path),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, failures(output)
    assert re.search(r"2 scenarios passed, 0 failed", output)
    junit = "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.xml"))
    assert "Alice  lost the connection (transport close)" in junit
    assert re.search(r"Alice  reconnected \(attempt 1, new sid [\w-]+\)", junit)


def test_recovery_asked_of_a_server_without_it_fails_in_one_sentence(socketio_app):
    result = behave(
        FEATURES,
        "--tags=@fails",
        "--tags=not @recovery",
        "-f",
        "plain",
        "-D",
        f"wsbdd.url={socketio_app.url}",
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output
    assert re.search(
        r"Alice's connection was not recovered: the server does not offer connection-state "
        r"recovery, so it started a new session \(sid [\w-]+\)\.",
        output,
    ), failures(output)


def test_a_recovered_session_replays_what_the_client_missed_once():
    """Against Node's socket.io with connection-state recovery; the reconnection waits
    0.6 s, so Bob's event goes out while Alice is away (were she back first, she would
    get it live and the scenario would pass all the same: no verdict hangs on timing)."""
    from socketio_sessions import recovering_node_server

    with recovering_node_server() as server:
        result = behave(
            FEATURES,
            "--tags=@recovery",
            "-f",
            "plain",
            "-D",
            f"wsbdd.url={server.url}",
            "-D",
            "wsbdd.reconnection.delay=600 ms",
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, failures(output)
    assert "1 scenario passed, 0 failed" in output
