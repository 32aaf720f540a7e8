"""Hard edges: no wait longer than a day, no quiet window that watches nothing, and sends
to a server that stopped reading end in a sentence within the step's time, never in a
traceback from the bridge's safety net."""

from __future__ import annotations

import json
import time

import pytest
from sentences import assert_config_sentence, assert_raises_sentence, run_step
from test_sending import BIG, StallingServer

from wsbdd.facade.session import Run
from wsbdd.match.grammar import LONGEST_WAIT, parse_duration, seconds
from wsbdd.model.errors import ConfigError, ConnectionProblem, FeatureMistake
from wsbdd.settings.config import Settings, load_settings

TOO_LONG = (
    '"99999999999 seconds" is longer than wsbdd ever waits (24 hours); write a shorter time '
    "(a soak test of days is several scenarios)."
)


def test_a_step_waiting_longer_than_a_day():
    assert_raises_sentence(TOO_LONG, seconds, "99999999999", "seconds", kind=FeatureMistake)
    assert seconds("24", "hours") == LONGEST_WAIT  # a day is still a wait


def test_a_duration_longer_than_a_day():
    assert_raises_sentence(TOO_LONG, parse_duration, " 99999999999 seconds ", kind=FeatureMistake)


def test_a_timeout_setting_longer_than_a_day(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wsbdd.toml").write_text("timeout = 99999999999\n")
    assert_config_sentence(
        "wsbdd.toml timeout is 99999999999: longer than wsbdd ever waits (24 hours); write a "
        "shorter duration.",
        load_settings,
        tmp_path,
        userdata={},
        environ={},
        kind=ConfigError,
    )


def test_a_receive_step_longer_than_a_day_fails_at_once(s):
    s.connect("Alice")
    started = time.monotonic()
    line = 'Then Alice receives a message where $.type is "never" within 99999999999 seconds'
    assert_raises_sentence(f'In the step "{line}": {TOO_LONG}', run_step, s, line)
    assert time.monotonic() - started < 2


def test_a_quiet_window_of_no_time(s):
    s.connect("Alice")
    line = "Then Alice receives no message within 0 seconds"
    assert_raises_sentence(
        f'In the step "{line}": A quiet window of 0 seconds watches nothing: write how long '
        'to watch for the message that must not come, like "within 300 ms".',
        run_step,
        s,
        line,
        kind=FeatureMistake,
    )


@pytest.fixture
def stalled():
    """A session whose clients talk to a server that reads nothing, with a 1 s timeout."""
    with StallingServer() as server:
        settings = Settings(url=f"ws://127.0.0.1:{server.port}", timeout=1.0, close_timeout=0.5)
        with Run.start(settings) as run:
            session = run.session()
            yield server, session
            session.close()


SENDS = 256


def test_a_group_send_to_a_server_that_stopped_reading_ends_in_its_time(stalled):
    server, s = stalled
    s.connect_all(["Ann", "Ben"])
    assert server.connected.wait(10)
    s.begin_step("When every client in group players sends a big message")
    started = time.monotonic()
    # Until the buffers are full; bounded.  The kernel's own buffers for one loopback
    # connection grow to about 10 MB when the machine is busy (64 sends, 8 MB, went out
    # whole under load, on this code and the code before): 256 sends are 32 MB a client.
    for _ in range(SENDS):
        try:
            s.send_each(["Ann", "Ben"], [BIG, BIG])
        except ConnectionProblem as problem:
            # Whose buffers fill first is the kernel's business: one of them, or both.
            both = (
                "Ann, Ben could not finish sending within 1.0 s: the server has stopped "
                "reading what they send (the connections' buffers are full)."
            )
            one = (
                "{0} could not finish sending within 1.0 s: the server has stopped reading "
                "what {0} sends (the connection's buffers are full)."
            )
            step = 'In the step "When every client in group players sends a big message": '
            assert str(problem) in {step + both, step + one.format("Ann"), step + one.format("Ben")}
            break
    else:
        pytest.fail(f"{SENDS} sends of 128 KB went out to a server that reads nothing")
    assert time.monotonic() - started < 1.0 + 30  # one held-up send, and the others' writes


def test_many_frames_to_a_server_that_stopped_reading_fail_the_next_step_in_its_time(stalled):
    server, s = stalled
    s.connect("Alice")
    assert server.connected.wait(10)
    line = "When Alice sends 128 messages"
    s.begin_step(line)
    started = time.monotonic()
    s.send_many("Alice", [BIG] * 128)  # the step writes what it can and ends
    assert time.monotonic() - started < 2
    s.begin_step("Then Alice receives a message where $.frames is 128")
    assert_raises_sentence(
        f'In the step "{line}": Alice could not finish sending within 1.0 s: the server has '
        "stopped reading what Alice sends (the connection's buffers are full).",
        s.receive,
        "Alice",
        None,
        kind=ConnectionProblem,
    )
    assert time.monotonic() - started < 1.0 + 1.0 + 2


def test_many_frames_still_go_out_in_order_when_the_server_reads(s):
    s.connect("Alice")
    s.begin_step("When Alice sends these messages:")
    s.send_many("Alice", [json.dumps({"type": "echo", "content": str(n)}) for n in range(50)])
    for n in range(50):
        message = s.receive("Alice")
        assert message.json["content"] == str(n)


def test_a_group_of_no_clients(s):
    line = 'Given 0 clients in group "players" are connected'
    assert_raises_sentence(
        f'In the step "{line}": A group of 0 clients checks nothing: every step about '
        '"players" would pass with no one in it; connect at least one, like: Given 3 clients '
        'in group "players" are connected.',
        run_step,
        s,
        line,
        kind=FeatureMistake,
    )


@pytest.mark.parametrize(
    ("code", "note"),
    [(99999, ""), (1005, " (it is only ever reported, never sent)"), (1004, ""), (2999, "")],
)
def test_a_close_code_no_client_may_send(s, code, note):
    s.connect("Alice")
    line = f"When Alice closes the connection with code {code}"
    started = time.monotonic()
    assert_raises_sentence(
        f'In the step "{line}": A client cannot close with code {code}{note}: write 1000 '
        "(normal), 1001 (going away), another of 1002–1003 and 1007–1014, or an app's own "
        "code from 3000 to 4999.",
        run_step,
        s,
        line,
        kind=FeatureMistake,
    )
    assert time.monotonic() - started < 1
    assert s.client("Alice").connected  # nothing was sent: the connection is as it was


def test_a_close_reason_too_long_for_a_close_frame(s):
    s.connect_all(["Alice", "Bob"])
    reason = "é" * 62  # 124 bytes of UTF-8
    assert_raises_sentence(
        "A close reason is at most 123 bytes of UTF-8, and this one has 124: write a shorter "
        "reason.",
        s.disconnect_each,
        ["Alice", "Bob"],
        4000,
        reason,
        kind=FeatureMistake,
    )


@pytest.mark.parametrize("code", [1000, 1001, 1003, 1007, 1014, 3000, 4999])
def test_a_close_code_a_client_may_send(s, code):
    s.connect("Alice")
    s.disconnect("Alice", code, "bye")
    assert not s.client("Alice").connected


@pytest.mark.parametrize(
    "line", ["When Alice sends 0 messages:", 'When Alice sends 0 messages {"a": 1}']
)
def test_sending_no_messages(s, line):
    s.connect("Alice")
    assert_raises_sentence(
        f'In the step "{line}": Sending 0 messages sends nothing, so the steps after it check '
        'nothing sent; write how many to send, like "sends 3 messages:".',
        run_step,
        s,
        line,
        text='{"type": "echo"}',
        kind=FeatureMistake,
    )


def test_an_unreachable_proxy_is_named_not_the_server():
    import socket

    spare = socket.socket()
    spare.bind(("127.0.0.1", 0))
    port = spare.getsockname()[1]
    spare.close()  # nothing listens there now
    settings = Settings(proxy=f"http://127.0.0.1:{port}", connect_timeout=2)
    with Run.start(settings) as run, run.session() as s:
        assert_raises_sentence(
            f"Alice could not connect to {run.base_url}: the proxy http://127.0.0.1:{port} "
            "could not be reached (it refused the connection); check the proxy setting, or "
            "leave it out to connect directly.",
            s.connect,
            "Alice",
            kind=ConnectionProblem,
        )
