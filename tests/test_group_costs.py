"""What a crowd costs: the work a group step does grows with its size, never with its square.

These tests count operations (comparisons, matcher builds, timers), not time, so
they hold on a busy machine.  bench/bench_groups.py measures the time.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from types import SimpleNamespace

import pytest
from loopback import ThreadedServer
from websockets.asyncio.server import ServerConnection

from wsbdd.expect import Receive
from wsbdd.facade.groups import decide_each, join_group, send_all
from wsbdd.facade.session import Run
from wsbdd.glue import environment as wsbdd_environment
from wsbdd.io import client as client_module
from wsbdd.io import pool as pool_module
from wsbdd.io.client import ConnectOptions
from wsbdd.io.pool import ClientPool
from wsbdd.match.grammar import differs_per_member, per_member
from wsbdd.match.messages import AnyMessage
from wsbdd.model.variables import Variables
from wsbdd.report.collect import ReportRecorder, conversation_of, start_recording
from wsbdd.report.cucumber import CucumberJsonFormatter
from wsbdd.report.html import HtmlFormatter
from wsbdd.settings.config import Settings
from wsbdd.steps import groups as group_steps

# -- membership ------------------------------------------------------------------------------


class _Budget(Exception):
    pass


class CountedName(str):
    """A member name that counts how often it is compared, and stops a runaway search."""

    comparisons = 0
    budget = 0

    def __eq__(self, other: object) -> bool:
        CountedName.comparisons += 1
        if CountedName.comparisons > CountedName.budget:
            raise _Budget(f"more than {CountedName.budget} name comparisons")
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_a_group_of_10000_joins_with_a_linear_number_of_name_comparisons():
    names = [CountedName(f"member{i}") for i in range(1, 10_001)]
    CountedName.comparisons = 0
    CountedName.budget = 2 * len(names)  # a search through the list per name: ~50 million
    members: dict[str, None] = {}
    join_group(members, names)
    join_group(members, names[:5_000])  # joining again adds nobody
    assert list(members) == names
    assert CountedName.comparisons <= CountedName.budget


def test_members_keep_the_order_they_joined_in_and_join_once():
    members: dict[str, None] = {}
    join_group(members, ["b", "a", "b"])
    join_group(members, ["c", "a"])
    assert list(members) == ["b", "a", "c"]


# -- one matcher for a group when the step names no member --------------------------------------


def counting_build():
    built: list[str | None] = []

    def build(text: str | None, variables: Variables) -> str:
        rendered = variables.render_text(text) if text else ""
        built.append(rendered)
        return rendered

    return build, built


def test_a_group_receive_without_member_placeholders_builds_one_matcher_for_5000():
    names = [f"member{i}" for i in range(1, 5_001)]
    build, built = counting_build()
    matchers = per_member(names, '$.type is "${kind}"', Variables({"kind": "news"}), build)
    assert len(built) == 1
    assert matchers == ['$.type is "news"'] * 5_000


@pytest.mark.parametrize(
    "text",
    [
        '$.to is "${client}"',
        "$.n is ${index}",
        '$.colour is "${cycle:red,green,blue}"',
        '$.token is "${tokens.${client}}"',
        '$.id is "${uuid}"',  # made fresh on every use: each member had its own before
    ],
)
def test_a_member_placeholder_still_gives_each_member_its_own_value(text):
    names = ["p1", "p2", "p3"]
    build, built = counting_build()
    variables = Variables({"tokens": {"p1": "t1", "p2": "t2", "p3": "t3"}})
    per_member(names, text, variables, build)
    assert len(built) == 3
    if "uuid" not in text:
        assert len(set(built)) == 3


def test_table_cells_decide_for_a_table_step():
    assert not differs_per_member([None, "path", "value", "$.type", "news"])
    assert differs_per_member([None, "$.to", "${client}"])


def test_the_every_receives_step_hands_one_shared_matcher_to_all_5000(monkeypatch):
    names = [f"member{i}" for i in range(1, 5_001)]
    builds = []
    real = group_steps.conditions

    def conditions(text, variables):
        builds.append(text)
        return real(text, variables)

    monkeypatch.setattr(group_steps, "conditions", conditions)
    received = {}

    def receive_each(who, matchers, timeout, **words):
        received.update(who=who, matchers=matchers)

    session = SimpleNamespace(
        current_step="",
        vars=Variables(),
        group_members=lambda group: list(names),
        receive_each=receive_each,
    )
    group_steps.every_receives(
        SimpleNamespace(wsbdd=session),
        group="crowd",
        others=None,
        where='$.type is "news"',
        amount=None,
        unit=None,
    )
    assert len(builds) == 1
    assert received["who"] == names
    assert len(received["matchers"]) == 5_000
    assert len({id(m) for m in received["matchers"]}) == 1


# -- closing a crowd: one deadline, not a timer (and a shield) per client -----------------------


class CountingLoop(asyncio.SelectorEventLoop):
    """An event loop that notes every timer armed on it (``call_later`` arms through here)."""

    def __init__(self) -> None:
        super().__init__()
        self.timers: list[float] = []

    def call_at(self, when, callback, *args, context=None):  # type: ignore[override]
        self.timers.append(when - self.time())
        return super().call_at(when, callback, *args, context=context)


class PoliteServer(ThreadedServer):
    """Answers the closing handshake, as websockets does."""

    serve_options = {"ping_interval": None}

    async def handler(self, ws: ServerConnection) -> None:
        await ws.wait_closed()


class StalledServer(ThreadedServer):
    """Reads nothing once a connection is open: a close frame is never answered."""

    serve_options = {"ping_interval": None, "close_timeout": 0.2}

    def __init__(self, expected: int) -> None:
        super().__init__()
        self.expected = expected
        self.stalled = 0
        self.all_stalled = threading.Event()

    async def handler(self, ws: ServerConnection) -> None:
        ws.transport.pause_reading()
        self.stalled += 1
        if self.stalled == self.expected:
            self.all_stalled.set()
        await ws.wait_closed()


def connect_then_close(port: int, count: int, close_timeout: float, ready=None):
    """Connect ``count`` clients on a counting loop, close them all; return the timers armed
    while closing, and the clients."""

    async def scenario():
        pool = ClientPool(ConnectOptions(close_timeout=close_timeout, ping_interval=None))
        url = f"ws://127.0.0.1:{port}/"
        await pool.each([f"m{i}" for i in range(count)], lambda n: _connect(pool, n, url))
        if ready is not None:
            assert await asyncio.to_thread(ready.wait, 10)
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(30):  # a safety net, armed before the count starts
            before = len(loop.timers)
            await pool.close_all()
        return loop.timers[before:], list(pool)

    with asyncio.Runner(loop_factory=CountingLoop) as runner:
        return runner.run(scenario())


async def _connect(pool: ClientPool, name: str, url: str) -> None:
    outcome = await pool.new(name).connect(url)
    assert outcome.opened_at is not None, outcome.error


def test_closing_150_clients_arms_one_timer_and_every_close_is_clean():
    with PoliteServer() as server:
        timers, clients = connect_then_close(server.port, 150, close_timeout=5.0)
    assert len(timers) <= 1  # before: three per client (450)
    for client in clients:
        assert client.finished
        outcome = client.outcome
        assert (outcome.clean, outcome.closed_by, outcome.close_code) == (True, "client", 1000)


def test_a_stalled_server_still_has_its_connections_aborted_at_the_one_deadline():
    with StalledServer(expected=20) as server:
        timers, clients = connect_then_close(
            server.port, 20, close_timeout=0.3, ready=server.all_stalled
        )
    # One timer, due at the close timeout: when it fired, everyone still closing was dropped.
    assert len(timers) == 1
    assert timers[0] == pytest.approx(0.3, abs=0.05)
    for client in clients:
        assert client.finished
        outcome = client.outcome
        assert (outcome.clean, outcome.closed_by) == (False, "client")


# -- the transcript at scenario end: built only when something reads it ------------------------


class TranscriptSession:
    """What ``ReportRecorder.keep`` reads of a session, counting transcripts built."""

    def __init__(self) -> None:
        self.built = 0
        self.vars = Variables()
        self.settings = None
        self.step_marks: list = []

    def transcript(self) -> list:
        self.built += 1
        return []


def recorder_for(formatters: list, junit: bool = False) -> ReportRecorder:
    runner = SimpleNamespace(formatters=formatters, features=[])
    return start_recording(
        None, "", SimpleNamespace(_runner=runner, config=SimpleNamespace(junit=junit))
    )


def test_no_transcript_is_built_when_no_formatter_reads_it():
    recorder = recorder_for([SimpleNamespace(stream=None)])  # e.g. behave's own pretty
    session, scenario = TranscriptSession(), SimpleNamespace()
    assert recorder.keep(scenario, session) is None
    assert session.built == 0
    assert conversation_of(scenario) is None


@pytest.mark.parametrize(
    "formatters, junit",
    [([SimpleNamespace(stream=None, reads_conversations=True)], False), ([], True)],
)
def test_a_report_formatter_or_junit_still_gets_every_conversation(formatters, junit):
    recorder = recorder_for(formatters, junit)
    session, scenario = TranscriptSession(), SimpleNamespace()
    recorder.keep(scenario, session, print_text=junit)
    assert session.built == 1
    assert conversation_of(scenario) is not None


def test_wsbdds_report_formatters_say_they_read_conversations():
    assert HtmlFormatter.reads_conversations and CucumberJsonFormatter.reads_conversations


def test_the_transcript_makes_each_event_once(monkeypatch):
    from wsbdd.model import transcript
    from wsbdd.model.inbox import Inbox

    made = []

    class CountedEvent(transcript.Event):
        __slots__ = ()

        def __init__(self, *args, **kwargs):
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(transcript, "Event", CountedEvent)
    clients = []
    for i in range(100):
        inbox = Inbox()
        for k in range(3):
            inbox.append("text", "{}", 2.0 + k + i / 1000)
        outcome = SimpleNamespace(
            started_at=1.0, opened_at=1.5, url="ws://x/", status=101, subprotocol=None,
            closed_at=9.0, close_code=1000, close_reason="", clean=True, closed_by="client",
            lost=False,
        )  # fmt: skip
        clients.append(SimpleNamespace(name=f"m{i}", outcome=outcome, sent=[], inbox=inbox))
    marks = [transcript.StepMark(float(at), at, f"step {at}") for at in range(4)]
    events = transcript.build_transcript(clients, marks)
    assert len(events) == 100 * 6
    assert len(made) == len(events)  # before: twice, the second time with its step
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert events[0].kind == "connecting" and events[0].step == marks[1]


# -- every member disconnects: all at once, not one closing handshake after another -------------


def test_every_member_disconnects_in_one_call_for_the_whole_group():
    closed = []
    session = SimpleNamespace(
        current_step="",
        group_members=lambda group: ["p1", "p2", "p3"],
        client=lambda name: None,
        disconnect=lambda name: closed.append([name]),
        disconnect_each=lambda names: closed.append(list(names)),
    )
    group_steps.every_disconnects(SimpleNamespace(wsbdd=session), group="team", others="Alice")
    assert closed == [["p1", "p2", "p3", "Alice"]]


def test_a_disconnected_group_closed_cleanly_from_the_client_side(s):
    names = [f"p{i}" for i in range(1, 31)]
    s.connect_group("team", names)
    s.disconnect_each(names)
    for name in names:
        outcome = s.client(name).outcome
        assert (outcome.clean, outcome.closed_by, outcome.close_code) == (True, "client", 1000)


# -- the garbage collector and a crowd ---------------------------------------------------------


class EchoServer(ThreadedServer):
    serve_options = {"ping_interval": None}

    async def handler(self, ws: ServerConnection) -> None:
        async for text in ws:
            await ws.send(text)


class Collections:
    """Counts the garbage collector's runs (any generation, any thread) while installed."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.runs += 1

    def __enter__(self) -> Collections:
        # A collection after every 50 new objects: a step that lets the collector run
        # certainly meets one; never the older generations, so each run is cheap.
        self.thresholds = gc.get_threshold()
        gc.set_threshold(50, 1_000_000, 1_000_000)
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)
        gc.set_threshold(*self.thresholds)


def crowd_steps(port: int, count: int) -> dict[str, object]:
    """Connect ``count`` clients, have each receive its echo, close them: the collector's
    runs during each part, and whether the crowd was frozen in between."""

    async def scenario() -> dict[str, object]:
        pool = ClientPool(ConnectOptions(ping_interval=None))
        url = f"ws://127.0.0.1:{port}/"
        names = [f"m{i}" for i in range(count)]
        seen: dict[str, object] = {}
        with Collections() as collections:
            await pool.each(names, lambda n: _connect(pool, n, url))
            seen["connect"] = collections.runs
            seen["frozen"] = gc.get_freeze_count() > pool_module.FROZEN_AT_START and pool.froze
            clients = list(pool)
            assert not await send_all(clients, ["hello"] * count, 60.0)
            expectations = [Receive(c.name, AnyMessage(), 10.0) for c in clients]
            before = collections.runs
            outcomes = await decide_each(clients, expectations, "every", 0, 0.0)
            seen["receive"] = collections.runs - before
            assert all(o is not None and o.met for o in outcomes)
            before = collections.runs
            await pool.close_all()
            seen["close"] = collections.runs - before
        # Still frozen after closing (the scenario's transcript and report read the crowd),
        # until the next scenario's pool is made.
        seen["frozen after close"] = gc.get_freeze_count() > pool_module.FROZEN_AT_START
        ClientPool()
        seen["frozen after the next pool"] = gc.get_freeze_count() > pool_module.FROZEN_AT_START
        seen["collector on"] = gc.isenabled()
        return seen

    with asyncio.Runner() as runner:
        return runner.run(scenario())


def test_a_crowd_connects_receives_and_closes_with_the_collector_paused(monkeypatch):
    monkeypatch.setattr(pool_module, "CROWD", 20)
    assert gc.get_freeze_count() <= pool_module.FROZEN_AT_START
    with EchoServer() as server:
        seen = crowd_steps(server.port, 30)
    # At most one run each, as the step starts (the youngest generation may be nearly
    # full already); before: one every 50 new objects, dozens to hundreds per part.
    assert seen["connect"] <= 1 and seen["receive"] <= 1 and seen["close"] <= 1, seen
    del seen["connect"], seen["receive"], seen["close"]
    assert seen == {
        "frozen": True,
        "frozen after close": True,
        "frozen after the next pool": False,  # the old crowd is collectable again
        "collector on": True,
    }


def test_a_few_clients_leave_the_collector_alone(monkeypatch):
    monkeypatch.setattr(pool_module, "CROWD", 20)
    with EchoServer() as server:
        seen = crowd_steps(server.port, 10)
    assert seen["connect"] > 0 and seen["receive"] > 0 and seen["close"] > 0
    assert (seen["frozen"], seen["frozen after close"], seen["collector on"]) == (
        False,
        False,
        True,
    )


def test_a_program_that_froze_objects_itself_is_left_as_it_was(monkeypatch):
    monkeypatch.setattr(pool_module, "CROWD", 20)
    gc.freeze()
    try:
        with EchoServer() as server:
            seen = crowd_steps(server.port, 30)
        # wsbdd froze nothing more and unfroze nothing (the count itself may drop by an
        # object or two that reference counting freed meanwhile).
        assert seen["frozen"] is False and seen["frozen after the next pool"] is True
        assert gc.get_freeze_count() > pool_module.FROZEN_AT_START
    finally:
        gc.unfreeze()


def test_after_all_thaws_the_last_scenarios_crowd(monkeypatch):
    monkeypatch.setattr(pool_module, "CROWD", 20)
    with EchoServer() as server:

        async def connect() -> None:
            pool = ClientPool(ConnectOptions(ping_interval=None))
            url = f"ws://127.0.0.1:{server.port}/"
            await pool.each([f"m{i}" for i in range(25)], lambda n: _connect(pool, n, url))
            await pool.close_all()

        asyncio.run(connect())
    assert gc.get_freeze_count() > pool_module.FROZEN_AT_START
    wsbdd_environment.after_all(SimpleNamespace(config=SimpleNamespace(paths=[], junit=False)))
    assert gc.get_freeze_count() <= pool_module.FROZEN_AT_START


def test_a_collector_turned_off_by_the_program_stays_off(monkeypatch):
    monkeypatch.setattr(pool_module, "CROWD", 20)
    gc.disable()
    try:
        with pool_module.collector_paused(100):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pool_module.collector_paused(100), pool_module.collector_paused(100):
        assert not gc.isenabled()
    assert gc.isenabled()


# -- one timer for a group receive, not one per member ----------------------------------------


def group_receive(port: int, count: int, timeout: float, send: bool):
    """Connect ``count`` clients on a counting loop; every member waits for a message
    (each sends one to the echo server once all wait, if ``send``): the timers armed
    while they waited, and the outcomes."""

    async def scenario():
        pool = ClientPool(ConnectOptions(ping_interval=None))
        url = f"ws://127.0.0.1:{port}/"
        await pool.each([f"m{i}" for i in range(count)], lambda n: _connect(pool, n, url))
        clients = list(pool)
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(30):  # a safety net, armed before the count starts
            before = len(loop.timers)
            expectations = [Receive(c.name, AnyMessage(), timeout) for c in clients]
            waiting = asyncio.ensure_future(decide_each(clients, expectations, "every", 0, 0.0))
            await asyncio.sleep(0)  # one turn: the task registers every member's watch
            assert all(c._watches for c in clients)  # so nothing is sent before they watch
            if send:
                sent_before = len(loop.timers)
                assert not await send_all(clients, ["hello"] * count, 60.0)
                # The group's send has one deadline of its own (60 s), not one per member.
                assert [round(t) for t in loop.timers[sent_before:]] in ([], [60])
                del loop.timers[sent_before:]
            outcomes = await waiting
            armed = loop.timers[before:]
        await pool.close_all()
        return armed, outcomes

    with asyncio.Runner(loop_factory=CountingLoop) as runner:
        return runner.run(scenario())


def test_a_group_receive_of_40_members_arms_one_timer():
    with EchoServer() as server:
        armed, outcomes = group_receive(server.port, 40, 10.0, send=True)
    assert len(armed) <= 1  # before: one per member (40)
    assert all(o is not None and o.met for o in outcomes)
    assert [o.messages[0].raw for o in outcomes] == ["hello"] * 40


def test_members_that_receive_nothing_fail_at_the_one_deadline():
    with EchoServer() as server:
        armed, outcomes = group_receive(server.port, 20, 0.2, send=False)
    assert 1 <= len(armed) <= 3  # the one deadline (re-armed if it went off a hair early)
    assert all(o is not None and not o.met for o in outcomes)
    assert "received no message in that time" in str(outcomes[0].why)


def test_a_crowd_on_one_address_masks_it_once(monkeypatch):
    masked = []

    def counting(url, secrets):
        masked.append(url)
        return url

    monkeypatch.setattr(client_module, "mask_secrets", counting)
    client_module.mask_url.cache_clear()
    try:
        with EchoServer() as server:
            armed, outcomes = group_receive(server.port, 30, 5.0, send=True)
    finally:
        client_module.mask_url.cache_clear()
    assert masked == [f"ws://127.0.0.1:{server.port}/"]  # before: once per client (30)


def test_closing_a_run_thaws_its_last_crowd(monkeypatch):
    """The Python API's end (``Run.close``) unfreezes what a crowd froze, as after_all does."""
    monkeypatch.setattr(pool_module, "CROWD", 20)
    with EchoServer() as server, Run.start(Settings(url=f"ws://127.0.0.1:{server.port}/")) as run:
        session = run.session()
        session.connect_all([f"m{i}" for i in range(25)])
        assert gc.get_freeze_count() > pool_module.FROZEN_AT_START
        session.close()
    assert gc.get_freeze_count() <= pool_module.FROZEN_AT_START
