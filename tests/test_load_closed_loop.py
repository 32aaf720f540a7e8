"""The closed-loop load step: each client sends, waits for its reply, then sends the next."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from loopback import sync_server
from test_behave_runs import behave, failures, make_project
from websockets.sync.server import ServerConnection

from wsbdd.facade.session import Run
from wsbdd.load.correlate import Ledger
from wsbdd.load.driver import SENTINEL, LoadDriver
from wsbdd.match import where
from wsbdd.model.errors import ExpectationFailed, FeatureMistake
from wsbdd.model.message import Message
from wsbdd.settings.config import Settings

ECHO = json.dumps({"type": "echo", "content": f"ping {SENTINEL}"})


@pytest.fixture(scope="module")
def run() -> Iterator[Run]:
    with Run.start(Settings(timeout=10.0, ignore=('$.type is "welcome"',))) as run:
        yield run


def _in_flight_at_most_one(ledger: Ledger) -> None:
    """Each client's next send went only after the reply to its previous one had arrived."""
    for client in range(len(ledger.clients)):
        replies = dict(zip(ledger._got_ids[client], ledger._got_at[client], strict=True))
        mine = [n for n in range(len(ledger.sender)) if ledger.sender[n] == client]
        for before, after in zip(mine, mine[1:], strict=False):
            assert before in replies, f"{ledger.clients[client]} sent again without a reply"
            assert ledger.sent_at[after] >= replies[before]


def test_every_client_waits_for_each_reply_before_its_next_send(run: Run):
    with run.session() as s:
        load = LoadDriver.of(s)
        names = [f"c{i}" for i in range(1, 6)]
        load.connect("crowd", names)
        texts = load.payloads(names, [ECHO] * 5)
        sent = load.send_closed("crowd", names, texts, 20, reply=where('$.type is "echo"').matches)
        assert sent.sent == 100
        metrics = load.expect_delivered(None)
        assert (metrics.expected, metrics.delivered, metrics.lost) == (100, 100, 0)
        assert len(metrics.round_trip) == 100 and metrics.duplicates == 0
        assert load.last is not None
        _in_flight_at_most_one(load.last.ledger)


def test_a_closed_loop_finds_every_reply_in_a_bounded_inbox():
    """With inbox_limit, the closed loop still sees every reply and the deliveries are
    counted once the old claimed frames have been dropped."""
    settings = Settings(timeout=10.0, ignore=('$.type is "welcome"',), inbox_limit=2)
    with Run.start(settings) as run, run.session() as s:
        load = LoadDriver.of(s)
        names = [f"b{i}" for i in range(1, 4)]
        load.connect("crowd", names)
        texts = load.payloads(names, [ECHO] * 3)
        sent = load.send_closed("crowd", names, texts, 30, reply=where('$.type is "echo"').matches)
        assert sent.sent == 90
        metrics = load.expect_delivered(None)
        assert (metrics.expected, metrics.delivered, metrics.lost) == (90, 90, 0)
        assert all(s.client(name).inbox.dropped > 0 for name in names)


def _silent(ws: ServerConnection) -> None:
    for _ in ws:
        pass  # takes every request, answers none


@pytest.fixture(scope="module")
def silent_server() -> Iterator[str]:
    with sync_server(_silent) as url:
        yield url


def test_a_missing_reply_stops_that_client_after_one_send(silent_server: str):
    with Run.start(Settings(url=silent_server, timeout=10.0)) as run, run.session() as s:
        load = LoadDriver.of(s)
        names = [f"q{i}" for i in range(1, 4)]
        load.connect("quiet", names)
        texts = load.payloads(names, [ECHO] * 3)
        sent = load.send_closed("quiet", names, texts, 50, wait=0.2)
        assert sent.sent == 3  # one each: nobody sends again without a reply
        with pytest.raises(ExpectationFailed) as info:
            load.expect_delivered(None, timeout=0.2)
    assert str(info.value).startswith(
        "None of the 3 messages came back within 200 ms, and the server sent nothing else"
    )


def test_a_reply_must_match_the_condition_as_well_as_carry_the_id(run: Run):
    with run.session() as s:
        load = LoadDriver.of(s)
        names = ["r1", "r2"]
        load.connect("crowd", names)
        texts = load.payloads(names, [ECHO] * 2)
        wrong = where('$.type is "pong"').matches  # the demo's echo is type "echo"
        sent = load.send_closed("crowd", names, texts, 10, reply=wrong, wait=0.3)
        assert sent.sent == 2


def test_an_id_is_told_apart_from_a_longer_one():
    ledger = Ledger(["a"], scope="abc")
    message = Message(1, 0.0, "text", '{"content": "wsbdd-abc-12"}')
    assert ledger.carries(message, 12)
    assert not ledger.carries(message, 1)
    assert not ledger.carries(Message(2, 0.0, "text", "wsbdd-xyz-12"), 12)


CLOSED_LOOP = """\
    Feature: Request and reply
      Scenario: Each client waits for its echo before the next request
        Given 4 clients in group "crowd" are connected
        When every client in group "crowd" sends {"type": "echo", "content": "hi ${correlation_id}"} 25 times, each waiting for its reply where $.type is "echo"
        Then every message comes back to its sender
        And the 99th percentile round-trip latency is below 10 seconds

      Scenario: The same with the message in a docstring and a wait for each reply
        Given 2 clients in group "crowd" are connected
        When every client in group "crowd" sends 5 times, each waiting for its reply within 5 seconds:
          \"\"\"
          {"type": "echo", "content": "${correlation_id}"}
          \"\"\"
        Then every message comes back to its sender
"""  # noqa: E501


def test_the_closed_loop_step_reads_in_plain_words(tmp_path: Path):
    result = behave(make_project(tmp_path, CLOSED_LOOP), "-f", "plain")
    assert result.returncode == 0, failures(result.stdout + result.stderr)
    assert "2 scenarios passed, 0 failed" in result.stdout


def test_a_closed_loop_arms_no_timeout_per_message(run: Run, monkeypatch: pytest.MonkeyPatch):
    # Each reply used to be awaited under its own asyncio.timeout (a timer in the loop's
    # heap, armed and cancelled per message); the deadline is now one timer per client.
    armed = {"timeouts": 0}
    for name in ("timeout", "timeout_at"):
        real = getattr(asyncio, name)

        def counting(*args: Any, _real: Any = real) -> Any:
            armed["timeouts"] += 1
            return _real(*args)

        monkeypatch.setattr(asyncio, name, counting)
    with run.session() as s:
        load = LoadDriver.of(s)
        names = [f"t{i}" for i in range(1, 5)]
        load.connect("crowd", names)
        texts = load.payloads(names, [ECHO] * 4)
        armed["timeouts"] = 0
        sent = load.send_closed("crowd", names, texts, 50)
        during = armed["timeouts"]
        assert sent.sent == 200
        assert load.expect_delivered(None).delivered == 200
    assert during < len(names), f"{during} timeouts armed for 200 messages"


def test_a_closed_loop_count_has_the_same_bound_as_a_paced_one(run: Run):
    with run.session() as s:
        load = LoadDriver.of(s)
        load.connect("crowd", ["b1"])
        with pytest.raises(FeatureMistake) as info:
            load.send_closed("crowd", ["b1"], load.payloads(["b1"], [ECHO]), 100_001)
    assert "100,001 messages per client; at most 100,000 are allowed" in str(info.value)
