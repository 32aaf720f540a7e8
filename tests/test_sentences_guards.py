"""The sentences behind wsbdd's guards, pinned whole by calling the code in the wrong state.

Most of these are refused first by a step or a setting with a sentence of its own; what
is left is what a Python user (a step of their own, a plugin, a script using the load
engine or the report) meets when they call wsbdd the wrong way: a percentile out of
range, a phase that lasts no time, the bridge to the loop used from the loop itself, a
loop kind that does not exist, a settings file that cannot be read.  Each is reached
with real objects (a real LoopThread, real pipes, a real file), never a stand-in.
"""

# ruff: noqa: E501  (whole sentences, one string each)
from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.sentences import assert_config_sentence, assert_raises_sentence, clock, step_context
from wsbdd.codec import WebSocketCodec, refused_intent
from wsbdd.crowd.plan import wait_for_plan
from wsbdd.io import runtime
from wsbdd.io.runtime import LoopThread, new_event_loop, on_ws_loop
from wsbdd.load import shard
from wsbdd.load.correlate import Ledger
from wsbdd.load.driver import CHANNEL_VARIABLE, LoadDriver
from wsbdd.load.engine import LoopLag
from wsbdd.load.metrics import HdrLatencies, Latencies, LoadMetrics
from wsbdd.load.schedule import Phase
from wsbdd.model.errors import ConnectionProblem, FeatureMistake
from wsbdd.model.response import Response
from wsbdd.report.merge import merge_runs
from wsbdd.settings.config import load_settings


def raised_text(kind: type[BaseException], call: Callable[..., Any], *args: Any) -> str:
    """The whole text of the ``kind`` that ``call(*args)`` raises (clock times masked)."""
    with pytest.raises(kind) as raised:
        call(*args)
    assert type(raised.value) is kind, f"{type(raised.value).__name__}: {raised.value}"
    return clock(str(raised.value))


# -- the Python API's own refusals ---------------------------------------------------------


def test_merging_no_runs():
    assert raised_text(ValueError, merge_runs, []) == (
        "merge_runs needs at least one run to merge, and was given none."
    )


@pytest.mark.parametrize("kind", [Latencies, HdrLatencies])
def test_a_percentile_out_of_range(kind):
    latencies = kind([0.001, 0.002])
    assert raised_text(ValueError, latencies.percentile, 101) == (
        "A percentile is a number from 0 to 100, not 101."
    )
    assert raised_text(ValueError, latencies.percentile, -0.5) == (
        "A percentile is a number from 0 to 100, not -0.5."
    )
    assert latencies.percentile(100) == pytest.approx(0.002, rel=0.01)  # no refusal at the edge


def test_a_histogram_of_no_bins():
    assert raised_text(ValueError, Latencies([0.001]).histogram, 0) == (
        "A histogram needs at least one bin, not 0."
    )
    assert Latencies([0.001]).histogram(1) == [(0.001, 0.001, 1)]


def test_a_phase_that_lasts_no_time_or_sends_at_no_rate():
    assert raised_text(ValueError, Phase, "warm-up", 0.0, 1.0, 1.0) == (
        'The phase "warm-up" must last more than 0 seconds, not 0.0.'
    )
    assert raised_text(ValueError, Phase, "warm-up", float("inf"), 1.0, 1.0) == (
        'The phase "warm-up" must last more than 0 seconds, not inf.'
    )
    assert raised_text(ValueError, Phase, "ramp", 10.0, 1.0, -2.0) == (
        'The phase "ramp" sends at -2.0 messages a second: a rate is a number of 0 or more.'
    )
    assert raised_text(ValueError, Phase, "ramp", 10.0, float("nan"), 1.0) == (
        'The phase "ramp" sends at nan messages a second: a rate is a number of 0 or more.'
    )
    assert Phase("ramp", 10.0, 0.0, 2.0).sends == pytest.approx(10.0)


def test_the_json_of_a_body_that_is_not_json():
    assert raised_text(ValueError, lambda: Response(200, body=b"<html>").json) == (
        "The response's body is not JSON; ask Response.is_json first, or read Response.text."
    )
    assert Response(200, body=b'{"a": 1}').json == {"a": 1}


def test_the_raw_codec_refuses_what_is_not_text_or_bytes():
    codec = WebSocketCodec()
    with pytest.raises(TypeError) as raised:
        codec.encode({"type": "hello"})
    assert refused_intent(codec.name, {"type": "hello"}, raised.value) == (
        "The websocket codec cannot send a dict: it sends text or bytes, not dict; choose a "
        "codec that knows this kind of message in the codec setting."
    )
    assert codec.encode(bytearray(b"ok")) == (b"ok",)


def test_sending_what_the_raw_codec_refuses_through_a_session(s):
    s.connect("Alice")
    assert_raises_sentence(
        "The websocket codec cannot send a dict: it sends text or bytes, not dict; choose a "
        "codec that knows this kind of message in the codec setting.",
        s.send,
        "Alice",
        {"type": "hello"},
        kind=FeatureMistake,
    )


# -- the loop: its kind, and the bridge used the wrong way -----------------------------------


def test_a_loop_kind_that_does_not_exist():
    assert_config_sentence(
        'The setting loop must be "asyncio" or "uvloop", not "trio".', new_event_loop, "trio"
    )
    assert_config_sentence(
        'The setting loop must be "asyncio" or "uvloop", not "trio".', LoopThread, loop="trio"
    )


def test_uvloop_chosen_where_it_is_not_installed(monkeypatch, tmp_path):
    import uvloop  # noqa: F401  (the test extra installs it: both branches run here)

    (tmp_path / "wsbdd.toml").write_text('loop = "uvloop"\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings(".").loop == "uvloop"
    new_event_loop("uvloop").close()
    monkeypatch.setitem(sys.modules, "uvloop", None)  # an import of it fails, as if absent
    assert_config_sentence(
        'wsbdd.toml loop is "uvloop": needs the uvloop package, which is not installed here: '
        'install it (pip install uvloop, or wsbdd[uvloop]) or set loop = "asyncio".',
        load_settings,
        ".",
    )
    assert_config_sentence(
        'The setting loop = "uvloop" needs the uvloop package, which is not installed here: '
        'install it (pip install uvloop, or wsbdd[uvloop]) or set loop = "asyncio".',
        new_event_loop,
        "uvloop",
    )


async def _done(value: Any = None) -> Any:
    """A coroutine that finishes at once with ``value``."""
    return value


async def _never() -> None:
    """A coroutine that never finishes (nothing sets its event): the bridge's nets fire."""
    await asyncio.Event().wait()


@pytest.fixture
def loop_thread():
    thread = LoopThread("wsbdd-test-guards").start()
    try:
        yield thread
    finally:
        thread.stop()


def test_the_bridge_called_from_the_loop_thread_itself(loop_thread):
    async def nested_run() -> None:
        loop_thread.run(_done())

    async def nested_callback() -> None:
        loop_thread.run_callback(lambda deliver: deliver((1,)), None)

    assert raised_text(RuntimeError, loop_thread.run, nested_run()) == (
        "LoopThread.run() was called from the loop's own thread: await the coroutine instead."
    )
    assert raised_text(RuntimeError, loop_thread.run, nested_callback()) == (
        "LoopThread.run_callback() was called from the loop's own thread: call it from another."
    )
    assert loop_thread.run(_done("still fine")) == "still fine"


def test_the_bridge_called_after_the_loop_stopped():
    thread = LoopThread("wsbdd-test-stopped").start()
    thread.stop()
    stopped = "wsbdd's event loop is not running: its run was closed, or before_all never ran."
    coro = _done()
    assert raised_text(RuntimeError, thread.run, coro) == stopped
    assert coro.cr_frame is None  # closed, so no "never awaited" warning is left behind
    assert raised_text(RuntimeError, thread.run_callback, lambda deliver: None, None) == stopped
    # call_in_turn takes the loop's turn itself: it finds the loop stopped too.
    assert raised_text(RuntimeError, thread.call_in_turn, len, ()) == stopped


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_loop_that_never_starts_and_a_call_that_never_ends(loop_thread):
    # Both safety nets wait for real (10 s and 5 s): they run side by side.
    dead = LoopThread("wsbdd-test-dead")
    dead.loop.close()  # its thread dies at once, before the loop could say it runs
    said: list[str] = []
    starting = threading.Thread(
        target=lambda: said.append(raised_text(RuntimeError, dead.start)), daemon=True
    )
    starting.start()
    # The same net on the plain road (uvloop's), where the loop's own thread does the work.
    plain = LoopThread("wsbdd-test-plain", turns=False).start()
    plain_said: list[str] = []
    overrunning = threading.Thread(
        target=lambda: plain_said.append(raised_text(TimeoutError, plain.run, _never(), 0)),
        daemon=True,
    )
    overrunning.start()
    overrun = raised_text(TimeoutError, loop_thread.run, _never(), 0)
    starting.join(20)
    overrunning.join(20)
    plain.stop()
    assert overrun == "A wsbdd operation did not finish within 5.0 s and was cancelled."
    assert plain_said == [overrun]
    assert said == ["the wsbdd event loop did not start within 10 s"]
    assert loop_thread.run(_done("after")) == "after"  # the overrun was cancelled


def test_a_wait_that_gave_the_turn_to_another_caller_and_never_ends(loop_thread, monkeypatch):
    # A waits and runs the loop; B takes a turn meanwhile, so A waits for the loop's own
    # thread instead, and nothing ever answers A: the same safety net, from that wait.
    monkeypatch.setattr(runtime, "_SAFETY_MARGIN", 0.0)
    waiting = threading.Event()
    said: list[str] = []

    def begin(deliver: Any) -> None:
        waiting.set()

    a = threading.Thread(
        target=lambda: said.append(raised_text(TimeoutError, loop_thread.run_callback, begin, 1)),
        daemon=True,
    )
    a.start()
    assert waiting.wait(10)
    assert loop_thread.call_in_turn(lambda: "B's turn") == "B's turn"
    a.join(20)
    assert said == ["A wsbdd operation did not finish within 1.0 s and was cancelled."]


def test_an_async_step_without_wsbdds_loop(monkeypatch):
    @on_ws_loop(timeout=1)
    async def step(context: Any) -> None:
        pass

    monkeypatch.setattr(runtime, "_current", None)  # no before_all ran: no loop was started
    assert raised_text(RuntimeError, step, step_context(None)) == (
        "wsbdd's event loop is not running: add `from wsbdd.environment import *` to your environment.py."
    )


def test_an_async_step_that_outlasts_its_timeout(loop_thread):
    @on_ws_loop(timeout=0.05)
    async def step(context: Any) -> None:
        await _never()

    @on_ws_loop(timeout=1)
    async def quick(context: Any) -> str:
        return "done"

    context = step_context(type("S", (), {"loop_thread": loop_thread})())
    assert raised_text(AssertionError, step, context) == "The step did not finish within 0.05 s."
    assert quick(context) == "done"


# -- a settings file that cannot be read ------------------------------------------------------


def test_a_settings_file_that_cannot_be_read(monkeypatch, tmp_path):
    # Root reads any file; no process reads /proc/self/mem from offset 0 (nothing is mapped
    # there), so the read fails for real, after the file was found and opened.
    (tmp_path / "wsbdd.toml").symlink_to("/proc/self/mem")
    monkeypatch.chdir(tmp_path)
    assert_config_sentence("wsbdd.toml cannot be read: Input/output error", load_settings, ".")


# -- a share of a crowd (wsbdd crowd), on real pipes -------------------------------------------


def test_a_share_of_a_crowd_without_its_channel(monkeypatch):
    monkeypatch.setattr(shard, "_channel", None)
    monkeypatch.delenv(CHANNEL_VARIABLE, raising=False)
    assert raised_text(RuntimeError, shard.channel) == (
        "WSBDD_CROWD_CHANNEL is not set, so this process is no share of a crowd: run the "
        "feature with wsbdd load, which starts the shares."
    )


@pytest.fixture
def pipes():
    """A share's two pipes: it reads ``answers`` and writes ``asks``."""
    answers_r, answers_w = os.pipe()
    asks_r, asks_w = os.pipe()
    try:
        yield answers_r, answers_w, asks_r, asks_w
    finally:
        for fd in (answers_r, answers_w, asks_r, asks_w):
            try:
                os.close(fd)
            except OSError:
                pass


def test_a_share_whose_worker_is_gone_or_silent(pipes):
    answers_r, answers_w, asks_r, asks_w = pipes
    line = shard.Channel(answers_r, asks_w, 1, 2, "run")
    import time

    assert_raises_sentence(
        "The Locust master did not answer this share of the crowd in time.",
        line._line,
        time.monotonic(),
        kind=ConnectionProblem,
    )
    os.close(answers_w)  # the worker is gone: the share reads the end of its pipe
    assert_raises_sentence(
        "The Locust worker that ran this share has gone.",
        line.meet,
        ["f.feature", 3, 1],
        "connecting",
        {"members": 1},
        kind=ConnectionProblem,
    )
    said = json.loads(os.read(asks_r, 65536))
    assert said["op"] == "meet" and said["kind"] == "connecting"


def test_a_crowd_smaller_than_its_workers(monkeypatch, pipes, s):
    answers_r, _, _, asks_w = pipes
    monkeypatch.setattr(shard, "_channel", None)
    spec = {"in": answers_r, "out": asks_w, "worker": 1, "workers": 3, "scope": "run"}
    monkeypatch.setenv(CHANNEL_VARIABLE, json.dumps(spec))
    driver = shard.ShardDriver(s)
    assert_raises_sentence(
        'A crowd spread over 3 Locust workers needs at least 3 clients; group "crowd" has 2: '
        "connect more clients, or use fewer workers.",
        driver.connect,
        "crowd",
        ["c1", "c2"],
        kind=FeatureMistake,
    )


# -- wsbdd load when the bundled demo server cannot start ---------------------------------------


def test_wsbdd_load_when_the_demo_server_does_not_start(tmp_path, monkeypatch, capsys):
    from wsbdd.cli import main

    (tmp_path / "crowd.feature").write_text("@load\nFeature: f\n  Scenario: s\n    Given x\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WSBDD_URL", raising=False)
    # A Python that cannot start (its standard library is not where PYTHONHOME says) runs
    # the demo server: it prints nothing on stdout, its complaint goes to the log.
    monkeypatch.setenv("PYTHONHOME", str(tmp_path / "no-python-here"))
    assert main(["load", "crowd.feature", "--logs", "logs"]) == 2
    said = capsys.readouterr()
    assert said.out == ""
    assert said.err == (
        "wsbdd load: the bundled demo server did not start (it printed nothing); see "
        "logs/server.log, or give the URL of your own server (url in wsbdd.toml, -D "
        "wsbdd.url=…, or WSBDD_URL).\n"
    )
    assert "Fatal Python error" in (tmp_path / "logs" / "server.log").read_text()


# -- what a caller words -------------------------------------------------------------------------


def test_waiting_for_a_pong_without_a_ping(s):
    # Session.expect_pong refuses first with a sentence of its own (test_sentences_session.py):
    # this is Client's word for a caller of its own.
    s.connect("Alice")
    client = s.client("Alice")
    assert raised_text(LookupError, s._run, client.wait_pong(1.0), 2.0) == "no ping"


def test_a_long_polling_payload_that_is_not_engine_io_4():
    from wsbdd.io.polling import decode_payload

    # Ends "a poll's answer is not Engine.IO 4 (unknown packet type 7)" on the connection.
    assert raised_text(ValueError, decode_payload, "4hi\x1e7x") == "unknown packet type 7"
    assert decode_payload("4hi\x1e4ho") == [(4, "4hi"), (4, "4ho")]


def test_an_empty_url_setting(monkeypatch, tmp_path):
    (tmp_path / "wsbdd.toml").write_text('url = "  "\n')
    monkeypatch.chdir(tmp_path)
    assert_config_sentence(
        'wsbdd.toml url is "  ": must be a WebSocket URL such as "ws://localhost:8000/ws"; '
        "leave it out to test the bundled demo server.",
        load_settings,
        ".",
    )


# -- intents the codec refuses, sent by a group or a load step ---------------------------------


class JsonOnly(WebSocketCodec):
    """A project's codec that sends Python values as JSON, and refuses raw text."""

    name = "json-only"

    def encode(self, intent: Any) -> Any:
        if isinstance(intent, str):
            raise TypeError("it sends Python values as JSON, not text")
        return (json.dumps(intent),)


def test_a_group_sends_what_the_codec_refuses(s):
    s.connect_all(["Ann", "Ben"])
    s.begin_step("When everyone sends a set")
    assert_raises_sentence(
        'In the step "When everyone sends a set": The websocket codec cannot send a dict: it '
        "sends text or bytes, not dict; choose a codec that knows this kind of message in the "
        "codec setting.",
        s.send_each,
        ["Ann", "Ben"],
        [{"to": "Ann"}, {"to": "Ben"}],
        kind=FeatureMistake,
    )
    s.send_each(["Ann", "Ben"], ['{"type": "echo", "content": "a"}'] * 2)  # text goes out


def test_a_load_step_sends_text_the_codec_refuses():
    from tests.sentences import run_step
    from wsbdd.facade.session import Run
    from wsbdd.settings.config import Settings

    with Run.start(Settings(timeout=2.0, codec=f"{__name__}:JsonOnly")) as run:
        with run.session() as session:
            run_step(session, 'Given 2 clients in group "crowd" are connected')
            line = (
                'When every client in group "crowd" sends {"type": "echo", "content": "x"} 2 times'
            )
            assert_raises_sentence(
                f'In the step "{line}": The json-only codec cannot send text: it sends Python '
                "values as JSON, not text.",
                run_step,
                session,
                line,
                kind=FeatureMistake,
            )
            session.send("crowd1", {"type": "echo", "content": "y"})  # what it knows goes out
            session.receive("crowd1")


def test_nan_or_infinity_in_a_bracketed_value():
    from wsbdd.match import where
    from wsbdd.match.values import parse_value

    sentence = (
        "The value [NaN] is not valid JSON (NaN is not a JSON value); check its brackets, "
        'quotes and commas, e.g. {"name": "alice", "tags": ["a", "b"]}.'
    )
    assert_raises_sentence(sentence, parse_value, "[NaN]", kind=FeatureMistake)
    assert_raises_sentence(sentence, where, "$.a is [NaN]", kind=FeatureMistake)
    assert parse_value("[1.5]") == [1.5]
    assert parse_value("Infinity") == "Infinity"  # unbracketed: the text it reads as


def test_a_load_step_none_of_whose_messages_went_out(s):
    # Every send failed: the step's sends began while the crowd was connected (they are
    # only started for members still open), and each connection closed before its first
    # frame left.  That moment cannot be arranged with a real server, so the step's last
    # part is called with the ledger such a step leaves: no send time recorded.
    driver = LoadDriver(s)
    s.begin_step("When every client in group crowd sends {} 5 times at 2 per second")
    finish = driver._finish_sending

    def finished(ledger: Ledger, failed: int) -> LoadMetrics:
        metrics = LoadMetrics(clients=1, lag_threshold=driver.lag_threshold)
        finish("crowd", [], ledger, metrics, time.monotonic(), 0.0, LoopLag(), failed)
        return metrics

    nothing_sent = Ledger(["Ann"])
    assert raised_text(ConnectionProblem, finished, nothing_sent, 1) == (
        'No message could be sent: the connections of group "crowd" had closed.'
    )
    one_sent = Ledger(["Ann"])
    one_sent.sent_at.append(time.monotonic())
    assert finished(one_sent, 1).sent == 1  # some went out: the verdict steps judge them
    assert finished(Ledger(["Ann"]), 0).sent == 0  # nothing failed: nothing to say here


def test_a_locust_worker_whose_master_sends_no_plan():
    never = threading.Event()
    assert raised_text(RuntimeError, wait_for_plan, never, 0.01) == (
        "The Locust master sent no wsbdd plan within 0.01 s: start it with wsbdd's locustfile "
        'and the feature (locust -f "$(python -m wsbdd.crowd.where)" --master --wsbdd-feature '
        "FEATURE), or let wsbdd load --workers N start it."
    )
    planned = threading.Event()
    planned.set()
    wait_for_plan(planned, 0.01)  # the plan came: nothing to say
