"""The load path against real servers on 127.0.0.1: delivery, loss, slowness, saturation."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback import sync_server
from test_behave_runs import behave, make_project
from websockets.sync.server import ServerConnection

from wsbdd.facade.session import Run, Session
from wsbdd.load.driver import SENTINEL, LoadDriver
from wsbdd.load.schedule import count_offsets
from wsbdd.match import where
from wsbdd.model.errors import ExpectationFailed
from wsbdd.settings.config import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def run() -> Iterator[Run]:
    with Run.start(Settings(timeout=10.0, ignore=('$.type is "welcome"',))) as run:
        yield run


def _join(s: Session, names: list[str], room: str) -> None:
    s.send_each(names, [json.dumps({"type": "join", "room": room})] * len(names))
    s.receive_each(names, [where('$.type is "joined"')] * len(names))


def _chat(load: LoadDriver, names: list[str], room: str) -> list[str]:
    text = json.dumps({"type": "message", "room": room, "content": f"load {SENTINEL}"})
    return load.payloads(names, [text] * len(names))


def test_every_message_reaches_every_member_and_each_delivery_is_timed(run: Run):
    with run.session() as s:
        load = LoadDriver.of(s)
        names = [f"fan{i}" for i in range(1, 51)]
        connected = load.connect("crowd", names, rate=500)
        assert (connected.connect_attempts, connected.connected) == (50, 50)
        assert len(connected.connect_times) == 50
        _join(s, names, "stage")
        sent = load.send("crowd", names, _chat(load, names, "stage"), count_offsets(3, 5.0))
        assert sent.sent == 150
        metrics = load.expect_delivered("crowd")
        assert (metrics.expected, metrics.delivered, metrics.lost) == (7500, 7500, 0)
        assert (metrics.duplicates, metrics.unexpected) == (0, 0)
        # each message reached its 49 other members (delivery) and its sender (round trip)
        assert (len(metrics.delivery), len(metrics.round_trip)) == (150 * 49, 150)
        assert 0 < metrics.delivery.percentile(50) <= metrics.delivery.percentile(99)
        # three sends per client at 5 per second: the schedule spans at least 0.4 s
        assert metrics.sending_took >= 0.4
        load.expect_percentile("delivery", 95, 60.0)
        # load traffic is counted, not left behind for functional steps or strict mode
        assert "wsbdd-" not in (s.strict_problems() or "")
        received = [e.payload for e in s.transcript() if e.kind == "received"]
        assert received and not [p for p in received if "wsbdd-" in str(p)]


def test_lost_messages_fail_the_step_with_the_numbers(run: Run):
    with run.session() as s:
        load = LoadDriver.of(s)
        names = [f"m{i}" for i in range(1, 11)]
        load.connect("crowd", names)
        _join(s, names[:5], "half")  # m6 … m10 never join: nothing reaches them
        load.send("crowd", names, _chat(load, names, "half"), count_offsets(2, 10.0))
        started = time.monotonic()
        with pytest.raises(ExpectationFailed) as info:
            load.expect_delivered("crowd", timeout=1.0)
        assert time.monotonic() - started < 30  # the deadline ends the wait, not a hang
    text = str(info.value)
    # 20 messages x 10 members = 200 expected; the 10 sent by members in the room reach 5 each
    assert text.startswith(
        'Expected every message to reach every client in group "crowd" within 1.00 s, but only '
        "25% (50 of 200) of the deliveries arrived (150 lost); e.g. "
    ), text
    assert "\nmessages " in text and "lost 150" in text
    assert "Traceback" not in text


def _slow_echo(ws: ServerConnection) -> None:
    for message in ws:
        time.sleep(0.3)  # a server that takes its time with every request
        ws.send(message)


@pytest.fixture(scope="module")
def slow_server() -> Iterator[str]:
    with sync_server(_slow_echo) as url:
        yield url


def test_a_slow_server_fails_the_latency_bound_with_numbers_not_a_hang(slow_server: str):
    with Run.start(Settings(url=slow_server, timeout=10.0)) as run, run.session() as s:
        load = LoadDriver.of(s)
        names = [f"e{i}" for i in range(1, 6)]
        load.connect("echoers", names)
        texts = load.payloads(names, [json.dumps({"echo": f"x {SENTINEL}"})] * 5)
        load.send("echoers", names, texts, count_offsets(2, 20.0))
        load.expect_delivered(None)  # every request is answered, just slowly
        with pytest.raises(ExpectationFailed) as info:
            load.expect_percentile("round-trip", 50, 0.1)
    text = str(info.value)
    assert text.startswith("Expected the median round-trip latency below 100 ms, but it was ")
    assert "over 10 samples." in text
    assert "round trip" in text and "saturated" not in text.lower()


def test_a_saturated_test_client_is_blamed_instead_of_the_server(run: Run):
    with run.session() as s:
        load = LoadDriver.of(s)
        names = [f"s{i}" for i in range(1, 6)]
        load.connect("busy", names)
        _join(s, names, "busy")
        loop = run.loop_thread.loop
        # Something hogs wsbdd's own event loop for 300 ms while the step sends.
        loop.call_soon_threadsafe(loop.call_later, 0.1, time.sleep, 0.3)
        load.send("busy", names, _chat(load, names, "busy"), count_offsets(5, 10.0))
        with pytest.raises(ExpectationFailed) as info:
            load.expect_percentile("delivery", 99, 0.000001)
    text = str(info.value)
    assert "The test client was saturated" in text
    assert "not trustworthy" in text
    assert "SATURATED" in text


def test_connection_ratio_counts_rejected_handshakes(run: Run):
    with run.session() as s:
        load = LoadDriver.of(s)
        metrics = load.connect("door", [f"d{i}" for i in range(1, 5)], "/secure", require=False)
        assert (metrics.connect_attempts, metrics.connected) == (4, 0)
        with pytest.raises(ExpectationFailed) as info:
            load.expect_connections(99.9)
    assert str(info.value).startswith(
        "Expected at least 99.9% of connections to succeed, but 0% (0 of 4) did; "
        "the first to fail was d1: the server rejected the handshake with HTTP 401"
    )


def test_a_connection_ramp_spreads_the_handshakes_over_time(run: Run):
    with run.session() as s:
        names = [f"r{i}" for i in range(1, 11)]
        LoadDriver.of(s).connect("ramp", names, rate=20.0)
        starts = sorted(s.client(n).outcome.started_at for n in names)  # type: ignore[union-attr]
    # 10 clients at 20 per second: the last handshake starts 9/20 s after the first
    assert starts[-1] - starts[0] >= 0.45 - 0.01


PROGRESS_SCRIPT = """
from wsbdd.settings.config import Settings
from wsbdd.load.driver import LoadDriver, SENTINEL
from wsbdd.load.schedule import count_offsets
from wsbdd.facade.session import Run
with Run.start(Settings(timeout=10.0)) as run, run.session() as s:
    load = LoadDriver.of(s)
    names = [f"p{i}" for i in range(1, 11)]
    load.connect("crowd", names)
    texts = load.payloads(names, ['{"type": "echo", "content": "%s"}' % SENTINEL] * 10)
    load.send("crowd", names, texts, count_offsets(12, 8.0))
    load.expect_delivered(None)
print("done")
"""


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "WSBDD_PROGRESS")}
    env.update(extra)
    return env


def test_progress_is_drawn_on_a_terminal():
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", PROGRESS_SCRIPT],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=_environment(),
        cwd=ROOT,
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
            elif proc.poll() is not None:
                break
    finally:
        proc.kill() if proc.poll() is None else None
        proc.wait(30)
        os.close(leader)
    text = output.decode(errors="replace")
    assert "done" in text, text
    assert 'group "crowd": 10/10 connected · sent ' in text, text
    assert "received " in text


def test_progress_stays_silent_when_not_on_a_terminal():
    for env in (_environment(), _environment(CI="true", WSBDD_PROGRESS="")):
        result = subprocess.run(
            [sys.executable, "-c", PROGRESS_SCRIPT],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == "done\n"
        assert "connected" not in result.stderr


FAILING_LOAD = """\
    Feature: A room under load
      Scenario: Half the crowd never joined
        Given 6 clients in group "crowd" are connected at 100 per second
        When every client in group "crowd" joins room "lobby"
        And 4 clients in group "late" are connected
        When every client in group "crowd" sends {"type": "message", "room": "lobby", "content": "hey ${correlation_id}"} 2 times at 10 per second
        Then every message is delivered to every client in group "late" within 1 second

      Scenario: The next scenario starts clean
        Given Alice is connected
        When Alice sends {"type": "ping"}
        Then Alice receives a message where $.type is "pong"
"""  # noqa: E501

PYPROJECT = """\
    [tool.wsbdd]
    timeout = "10 s"
    [[tool.wsbdd.phrases]]
    preset = "chat"
"""


def test_a_failing_load_step_reads_as_a_sentence_with_its_metrics(tmp_path: Path):
    result = behave(make_project(tmp_path, FAILING_LOAD, PYPROJECT), "-f", "plain")
    output = result.stdout
    assert result.returncode == 1, output + result.stderr
    assert (
        'ASSERT FAILED: Expected every message to reach every client in group "late" within '
        "1.00 s, but only 0% (0 of 48) of the deliveries arrived (48 lost); e.g. late1 never got "
        "message 1 from crowd1" in output
    ), output
    assert "delivery" in output and "throughput" in output
    assert "1 scenario passed, 1 failed" in output
    assert "Traceback" not in output + result.stderr


def test_a_load_payload_without_a_place_for_the_id_is_a_mistake_named_in_words(tmp_path: Path):
    feature = """\
        Feature: Mistakes
          Scenario: Plain text with no id
            Given 2 clients in group "crowd" are connected
            When every client in group "crowd" sends {"type": "echo", "id": 7} 2 times at 9/s
    """
    result = behave(make_project(tmp_path, feature), "-f", "plain")
    assert result.returncode == 1
    assert (
        'The message already has the field "id", where wsbdd would put its correlation id: put '
        "${correlation_id} in a field the server sends back" in result.stdout
    ), result.stdout
    assert "Traceback" not in result.stdout + result.stderr


PASSING_LOAD = """\
    Feature: Crowd
      Scenario: A small crowd chats
        Given 8 clients in group "crowd" are connected at 100 per second
        When every client in group "crowd" joins room "hall"
        When every client in group "crowd" sends {"type": "message", "room": "hall", "content": "hi ${correlation_id}"} 3 times at 10 per second
        Then every message is delivered to every client in group "crowd"
        And the 99th percentile delivery latency is below 10 seconds
"""  # noqa: E501


def test_the_reports_show_each_load_steps_metrics_and_latency_histogram(tmp_path: Path):
    project = make_project(tmp_path, PASSING_LOAD, PYPROJECT)
    result = behave(
        project,
        "-f",
        "wsbdd.report.html:HtmlFormatter",
        "-o",
        "report.html",
        "--junit",
        "--junit-directory",
        "junit",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    page = (project / "report.html").read_text()
    sections = [part.split("</section>")[0] for part in page.split('<section class="load"')[1:]]
    assert len(sections) == 2  # the crowd's connection, then the paced send
    section = sections[1]
    assert "Measured: When every client in group" in section
    assert '<th scope="row">messages</th><td>24 sent · delivered 100% (192 of 192)' in section
    assert '<th scope="row">delivery</th><td>p50 ' in section
    assert 'aria-label="delivery latency histogram, 168 samples"' in section
    assert section.count('<span style="height:') >= 1
    junit = "".join(p.read_text() for p in (project / "junit").glob("*.xml"))
    assert "Load metrics of: When every client in group" in junit
    assert "delivered 100% (192 of 192)" in junit
    # the load traffic itself is summarised, not drawn frame by frame
    assert "hi wsbdd-" not in page and "hi wsbdd-" not in junit
