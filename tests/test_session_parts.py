"""The parts Session delegates to, on data: groups, open-file limits, strict mode, cookies.

Each part is pure where it can be; the loop-side halves (a whole group waiting at
once, strict mode's wait for stragglers) run against real servers in
tests/test_groups.py, tests/test_group_costs.py and tests/test_session.py.
"""

from __future__ import annotations

import resource
from types import SimpleNamespace

import pytest

from wsbdd.expect import Outcome, Receive
from wsbdd.facade.groups import join_group, judge_quiet, judge_receives, members_of, refuse_unopened
from wsbdd.facade.open_files import ensure_open_files, files_needed
from wsbdd.facade.strict import strict_sentence
from wsbdd.io.http import ANONYMOUS, HttpClients
from wsbdd.match import AnyMessage, where
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake
from wsbdd.model.failures import Failure
from wsbdd.model.message import Message

# -- groups ---------------------------------------------------------------------------------


def test_a_groups_members_come_in_the_order_they_joined():
    groups: dict[str, dict[str, None]] = {"team": {}}
    join_group(groups["team"], ["p2", "p1"])
    assert members_of(groups, "team") == ["p2", "p1"]
    members_of(groups, "team").append("intruder")  # a copy: the group is not changed
    assert list(groups["team"]) == ["p2", "p1"]


def test_an_unknown_group_is_named_with_the_groups_there_are():
    with pytest.raises(FeatureMistake) as info:
        members_of({"red": {}, "blue": {}}, "green")
    assert str(info.value) == (
        'There is no group called "green" in this scenario. Create it first, e.g. "Given 5 '
        'clients in group "green" are connected" (groups so far: "red", "blue").'
    )
    with pytest.raises(FeatureMistake, match=r"\(groups so far: none yet\)\.$"):
        members_of({}, "green")


def client(name: str, opened: bool) -> SimpleNamespace:
    outcome = SimpleNamespace(
        opened_at=1.0 if opened else None, describe_failure=lambda: "HTTP 403 Forbidden"
    )
    return SimpleNamespace(name=name, outcome=outcome)


def test_a_member_whose_handshake_failed_is_the_reason_not_a_timeout():
    refuse_unopened([client("p1", True), SimpleNamespace(name="p2", outcome=None)])
    with pytest.raises(ConnectionProblem) as info:
        refuse_unopened([client("p1", True), client("p2", False), client("p3", False)])
    assert str(info.value) == "p2 is not connected: HTTP 403 Forbidden."


def message(seq: int, text: str) -> Message:
    return Message(seq, float(seq), "text", text)


def test_a_group_receive_returns_what_every_member_claimed_or_names_who_did_not():
    matcher = where('$.type is "news"')
    got = message(1, '{"type": "news"}')
    results = [
        ("p1", Receive("p1", matcher, 1.0), Outcome(True, [got])),
        ("p2", Receive("p2", matcher, 1.0), Outcome(True, [got])),
    ]
    assert judge_receives("member", "every", 0, [matcher], 1.0, results) == [got, got]
    results[1] = ("p2", Receive("p2", matcher, 1.0), None)
    with pytest.raises(ExpectationFailed, match=r"^Every member was expected .*1 of 2 did not:"):
        judge_receives("member", "every", 0, [matcher], 1.0, results)
    assert judge_receives("member", "at most", 1, [AnyMessage()], 1.0, results) == [got]


def test_quiet_members_pass_and_the_loud_ones_are_shown_ten_at_most():
    judge_quiet([Outcome(True)] * 3)
    loud = [Outcome(False, why=Failure(sentence=f"p{i} received 1 message")) for i in range(1, 13)]
    with pytest.raises(ExpectationFailed) as info:
        judge_quiet([Outcome(True), *loud])
    lines = str(info.value).splitlines()
    assert lines[0] == "p1 received 1 message" and lines[9] == "p10 received 1 message"
    assert lines[10:] == ["… and 2 more clients"]


# -- open files -----------------------------------------------------------------------------


def test_the_files_a_crowd_needs_count_the_demo_servers_side_too():
    assert files_needed(100, 30, in_process_server=False) == 30 + 100 + 64
    assert files_needed(100, 30, in_process_server=True) == 30 + 200 + 64


@pytest.fixture
def restored_limit():
    limits = resource.getrlimit(resource.RLIMIT_NOFILE)
    yield limits
    resource.setrlimit(resource.RLIMIT_NOFILE, limits)


def test_a_low_soft_limit_is_raised_for_a_crowd(restored_limit):
    soft, hard = restored_limit
    if hard != resource.RLIM_INFINITY and hard < 2_000:
        pytest.skip(f"the hard open-file limit ({hard}) leaves no room to raise to")
    resource.setrlimit(resource.RLIMIT_NOFILE, (512, hard))
    ensure_open_files(1_000, in_process_server=False)
    assert 1_064 < resource.getrlimit(resource.RLIMIT_NOFILE)[0] <= 2_000


# -- strict mode -----------------------------------------------------------------------------


def test_strict_mode_has_nothing_to_say_when_nothing_was_left_over():
    assert strict_sentence([]) is None


def test_strict_mode_names_each_client_and_its_unexpected_messages():
    sentence = strict_sentence(
        [("Alice", [message(1, '{"a": 1}')]), ("Bob", [message(1, "x"), message(2, "y")])]
    )
    assert sentence is not None
    assert sentence.startswith("Strict mode: Alice received 1 message nobody expected:\n")
    assert "\nBob received 2 messages nobody expected:\n" in sentence
    assert '{"a": 1}' in sentence and "y" in sentence.splitlines()[-1]


# -- cookies on the handshake ----------------------------------------------------------------


@pytest.fixture
def http():
    clients = HttpClients()
    yield clients
    clients.close()


def test_a_handshakes_set_cookie_goes_with_the_next_handshake_after_a_given_cookie(http):
    http.keep_cookies("Alice", "ws://h/ws", [("Set-Cookie", "sid=1; Path=/"), ("X", "y")])
    headers = {"X-A": "1"}
    assert http.with_cookies("Bob", "ws://h/ws", headers) is headers  # Bob has no cookies
    assert http.with_cookies("Alice", "ws://h/ws", headers) == {"X-A": "1", "Cookie": "sid=1"}
    given = {"cookie": "theme=dark"}
    assert http.with_cookies("Alice", "wss://h/", given) == {"cookie": "theme=dark; sid=1"}
    assert http.with_cookies("Alice", "ws://elsewhere/ws", headers) is headers


def test_a_missing_cookie_is_a_sentence_naming_the_cookies_there_are(http):
    http.keep_cookies("Alice", "ws://h/ws", [("Set-Cookie", "sid=1"), ("Set-Cookie", "b=2")])
    assert http.need_cookie("Alice", "sid") == "1"
    with pytest.raises(ExpectationFailed) as info:
        http.need_cookie("Alice", "token", 'Then Alice has the cookie "token"')
    assert str(info.value) == (
        'In the step "Then Alice has the cookie "token"": '
        'Alice has no cookie "token" (cookies: b, sid).'
    )
    with pytest.raises(ExpectationFailed, match=r'^I have no cookie "sid" \(cookies: none\)\.$'):
        http.need_cookie(ANONYMOUS, "sid")
