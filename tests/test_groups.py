"""Groups: the verdict over many clients (pure), its wording, and real group steps."""

from __future__ import annotations

import json
import re

import pytest

from wsbdd.expect import Receive, group_verdict
from wsbdd.facade.open_files import ensure_open_files
from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.match.grammar import expand_cycles
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake
from wsbdd.model.inbox import Inbox
from wsbdd.settings.config import Settings


def waited(name: str, *payloads: dict, matcher=None, timeout: float = 1.0):
    """A Receive that has looked at the given messages, and its outcome."""
    matcher = matcher or where("$.correct is true")
    inbox = Inbox()
    for payload in payloads:
        inbox.append("text", json.dumps(payload), 0.0)
    receive = Receive(name, matcher, timeout)
    receive.start(inbox, 0.0)
    outcome = receive.feed(inbox, 0.0) or receive.expire(inbox, timeout)
    return name, receive, outcome


def no_times(text: str) -> str:
    return re.sub(r"\d\d:\d\d:\d\d\.\d{3}", "T", text)


def test_every_member_must_receive_and_the_failure_names_who_did_not():
    results = [
        waited("player1", {"correct": True}),
        waited("player2", {"correct": False, "n": 2}),
        waited("player3"),
    ]
    outcome = group_verdict(
        'client in group "players"', "every", 0, where("$.correct is true"), 2.0, results
    )
    assert not outcome.met
    assert outcome.failure == (
        'Every client in group "players" was expected to receive a message where $.correct is '
        "true within 2.0 s, but 2 of 3 did not:\n"
        '  player2: 1 unread message, closest #1 {"correct": false, "n": 2} ($.correct was false)\n'
        "  player3: received no message in that time"
    )
    assert [m.json for m in outcome.messages] == [{"correct": True}]


def test_a_long_list_of_failures_is_summarised_beyond_ten():
    results = [waited(f"p{i}") for i in range(1, 26)]
    failure = group_verdict('client in group "crowd"', "every", 0, None, 1.0, results).failure
    lines = failure.splitlines()
    assert len(lines) == 12
    assert lines[-1].startswith("  … and 15 more: p11, p12, p13")


def test_exactly_n_counts_the_members_that_matched():
    right = [waited(f"p{i}", {"correct": True}) for i in (1, 2)]
    wrong = [waited(f"p{i}", {"correct": False}) for i in (3, 4, 5)]
    assert group_verdict("client", "exactly", 2, None, 1.0, right + wrong).met
    assert group_verdict("client", "at least", 1, None, 1.0, right + wrong).met
    assert group_verdict("client", "at most", 2, None, 1.0, right + wrong).met
    outcome = group_verdict(
        'client in group "players"', "exactly", 3, where("$.correct is true"), 1.0, right + wrong
    )
    assert outcome.failure.splitlines()[0] == (
        "Exactly 3 of the 5 clients were expected to receive a message where $.correct is true "
        "within 1.0 s, but 2 of 5 did (p1, p2)."
    )
    assert "Those that did not:" in outcome.failure
    too_many = group_verdict("client", "at most", 1, None, 1.0, right + wrong)
    assert too_many.failure.startswith("At most 1 of the 5 clients were expected")


def test_a_member_still_waiting_when_the_step_was_decided_counts_as_not_received():
    name, receive, _ = waited("p1")
    assert not group_verdict("client", "every", 0, None, 1.0, [(name, receive, None)]).met


def test_cycle_values_rotate_through_members():
    assert [expand_cycles("a=${cycle:0,1,2,3}", i) for i in range(1, 7)] == [
        "a=0",
        "a=1",
        "a=2",
        "a=3",
        "a=0",
        "a=1",
    ]


def test_the_open_file_limit_is_checked_before_connecting(monkeypatch):
    import resource

    monkeypatch.setattr(resource, "getrlimit", lambda which: (256, 256))
    with pytest.raises(ConnectionProblem) as info:
        ensure_open_files(5000, in_process_server=True)
    assert re.fullmatch(
        r"Connecting 5000 clients needs about \d+ open files, but this process may open only "
        r"256 \(the hard limit of ulimit -n\)\. Raise it, e\.g\. `ulimit -n \d+` as root, or use "
        r"fewer clients\.",
        str(info.value),
    )


@pytest.fixture(scope="module")
def run():
    with Run.start(Settings(timeout=5.0, ignore=('$.type is "welcome"',))) as run:
        yield run


def test_group_receive_failure_names_each_client_and_what_it_got(run):
    with run.session() as s:
        names = [f"p{i}" for i in range(1, 5)]
        s.connect_group("players", names)
        s.send_each(names, [json.dumps({"type": "echo", "content": n}) for n in names])
        with pytest.raises(ExpectationFailed) as info:
            s.receive_each(
                names,
                [where('$.content is "p1"')] * 4,
                timeout=0.5,
                subject='client in group "players"',
            )
        text = no_times(str(info.value))
        assert text.startswith(
            'Every client in group "players" was expected to receive a message where $.content '
            'is "p1" within 500 ms, but 3 of 4 did not:\n'
        )
        assert '  p2: 2 unread messages, closest #2 {"type":"echo","content":"p2","n":1}' in text


def test_group_sends_are_concurrent_and_everyone_gets_their_own(run):
    with run.session() as s:
        names = [f"c{i}" for i in range(1, 31)]
        s.connect_group("crowd", names)
        assert s.group_members("crowd") == names
        s.send_each(names, [json.dumps({"type": "echo", "content": n}) for n in names])
        got = s.receive_each(names, [where(f'$.content is "{n}"') for n in names])
        assert sorted(m.json["content"] for m in got) == sorted(names)


def test_unknown_group_is_a_feature_mistake(run):
    with run.session() as s, pytest.raises(FeatureMistake) as info:
        s.group_members("ghosts")
    assert str(info.value) == (
        'There is no group called "ghosts" in this scenario. Create it first, e.g. '
        '"Given 5 clients in group "ghosts" are connected" (groups so far: none yet).'
    )


def test_exactly_n_does_not_wait_for_the_full_timeout(run):
    import time

    with run.session() as s:
        names = [f"v{i}" for i in range(1, 9)]
        s.connect_group("voters", names)
        votes = ["yes", "no", "no", "no"] * 2
        s.send_each(names, [json.dumps({"type": "echo", "content": v}) for v in votes])
        started = time.monotonic()
        s.receive_each(names, [where('$.content is "yes"')] * 8, timeout=60, op="exactly", n=2)
        assert time.monotonic() - started < 30  # settled, not the 60 s deadline
