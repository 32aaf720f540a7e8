"""The GraphQL operation steps' sentences, pinned whole.

The waits (:mod:`wsbdd.expect.operations`) are fed inboxes of the values the GraphQL
codecs decode; the facade's and the steps' own sentences go through a Session against
the Strawberry test app (tests/graphql_apps) in tests/test_graphql_session.py and here.
"""

# ruff: noqa: E501  (whole sentences, one string each)
from __future__ import annotations

from typing import Any

import pytest

from tests.sentences import assert_failure, assert_met, assert_raises_sentence, run_step
from wsbdd.expect.operations import (
    Completes,
    Fails,
    LastResult,
    NoResult,
    OneResult,
    ResultMatcher,
    Results,
    error_messages,
    last_result_verdict,
    result_conditions,
    result_label,
    result_of,
)
from wsbdd.model.errors import FeatureMistake
from wsbdd.model.failures import render
from wsbdd.model.inbox import Inbox

NAME = "counter"


def inbox(*values: dict[str, Any]) -> Inbox:
    box = Inbox()
    for at, value in enumerate(values, 1):
        value = {"operation": NAME, "id": "1", **value}
        box.append_value("text", "{}", value, float(at), protocol=value["type"] == "complete")
    return box


def nxt(count: int, op_id: str = "1") -> dict[str, Any]:
    return {"type": "next", "id": op_id, "payload": {"data": {"count": count}}}


def err(message: str) -> dict[str, Any]:
    return {"type": "error", "payload": [{"message": message}]}


DONE = {"type": "complete"}


def run(wait: Any, box: Inbox, *, expire: bool = True) -> Any:
    wait.start(box, 0.0)
    outcome = wait.feed(box, 0.0)
    if outcome is None and expire:
        outcome = wait.expire(box, 10.0)
    return outcome


# -- $ is the result ---------------------------------------------------------------------------


def test_the_result_is_the_payload_and_an_error_message_reads_as_errors():
    assert result_of(nxt(2)) == {"data": {"count": 2}}
    assert result_of(err("no")) == {"errors": [{"message": "no"}]}
    assert error_messages(err("no")) == ["no"]
    assert error_messages(nxt(1)) == []
    assert result_label(err("no")) == 'the error "no"'
    assert result_label(nxt(1)) == '{"data": {"count": 1}}'


def test_a_condition_without_a_path_says_what_dollar_is():
    with pytest.raises(FeatureMistake) as raised:
        result_conditions("count is 2")
    assert str(raised.value) == (
        'The condition "count is 2" does not start with a path; in an operation step $ is the '
        'result: write e.g. $.data.count is 2, or $.errors[0].message contains "…".'
    )


# -- gives N results, then completes -------------------------------------------------------------


def results(n: int = 3, *, then_complete: bool = True) -> Results:
    return Results("Alice", NAME, "1", n, 2.0, 0, then_complete=then_complete)


def test_three_results_then_complete_is_met_and_claims_them():
    box = inbox(nxt(0), nxt(1), nxt(2), DONE)
    outcome = run(results(), box)
    assert_met(outcome)
    assert len(outcome.messages) == 3
    assert box.first_unconsumed == len(box)


def test_another_operations_messages_are_not_counted():
    assert_met(run(results(1), inbox(nxt(0, "2"), nxt(1), DONE)))


def test_completing_early_says_after_how_many():
    assert_failure(
        'Alice expected "counter" to give 3 results, then complete within 2.0 s, but it '
        "completed after 2 results.\n"
        '  #1 HH:MM:SS.mmm {"data": {"count": 0}}\n'
        '  #2 HH:MM:SS.mmm {"data": {"count": 1}}',
        run(results(), inbox(nxt(0), nxt(1), DONE)),
    )


def test_one_result_too_many():
    assert_failure(
        'Alice expected "counter" to give 1 result, then complete within 2.0 s, but it gave 2 '
        "results.\n"
        '  #1 HH:MM:SS.mmm {"data": {"count": 0}}\n'
        '  #2 HH:MM:SS.mmm {"data": {"count": 1}}',
        run(results(1), inbox(nxt(0), nxt(1), DONE)),
    )


def test_an_error_instead_of_results():
    assert_failure(
        'Alice expected "counter" to give 3 results, then complete within 2.0 s, but it failed '
        "with the error \"Cannot query field 'nope'\".",
        run(results(), inbox(err("Cannot query field 'nope'"))),
    )


def test_no_complete_in_time():
    assert_failure(
        'Alice expected "counter" to give 1 result, then complete within 2.0 s, but it gave 1 '
        "result and has not completed.\n"
        '  #1 HH:MM:SS.mmm {"data": {"count": 0}}',
        run(results(1), inbox(nxt(0))),
    )


def test_too_few_in_time():
    assert_failure(
        'Alice expected "counter" to give 3 results within 2.0 s, but it gave 1 result so far:\n'
        '  #1 HH:MM:SS.mmm {"data": {"count": 0}}',
        run(results(then_complete=False), inbox(nxt(0))),
    )
    assert_failure(
        'Alice expected "counter" to give 3 results within 2.0 s, but it gave no result in '
        "that time.",
        run(results(then_complete=False), inbox()),
    )


def test_at_least_n_results_without_complete():
    assert_met(run(results(2, then_complete=False), inbox(nxt(0), nxt(1), nxt(2))))


# -- gives a result where … ------------------------------------------------------------------------


def one(where: str | None = None) -> OneResult:
    return OneResult("Alice", ResultMatcher(NAME, "1", result_conditions(where)), 2.0, 0)


def test_a_result_where_claims_the_first_that_matches():
    box = inbox(nxt(0), nxt(1))
    outcome = run(one("$.data.count is 1"), box)
    assert_met(outcome)
    assert outcome.messages[0].seq == 2
    # Claimed: the next step does not get it again.
    assert_failure(
        'Alice expected "counter" to give a result where $.data.count is 1 within 2.0 s, but '
        "it gave 1 result not claimed yet, it did not match:\n"
        '  #1 HH:MM:SS.mmm {"data": {"count": 0}}   ($.data.count was 0)',
        run(one("$.data.count is 1"), box),
    )


def test_a_result_where_ended_by_complete_or_error():
    assert_failure(
        'Alice expected "counter" to give a result where $.data.count is 9 within 2.0 s, but '
        "it completed after 1 result:\n"
        '  #1 HH:MM:SS.mmm {"data": {"count": 0}}   ($.data.count was 0)',
        run(one("$.data.count is 9"), inbox(nxt(0), DONE)),
    )
    assert_failure(
        'Alice expected "counter" to give a result within 2.0 s, but it failed with the error '
        '"boom".',
        run(one(), inbox(err("boom"))),
    )


def test_no_result_in_time_and_results_claimed_before():
    assert_failure(
        'Alice expected "counter" to give a result within 2.0 s, but it gave no result in that '
        "time.",
        run(one(), inbox()),
    )
    box = inbox(nxt(0))
    box.consume(next(iter(box)))
    assert_failure(
        'Alice expected "counter" to give a result within 2.0 s, but it gave 1 result, each '
        "claimed by an earlier step.",
        run(one(), box),
    )


def test_an_error_result_reads_as_errors_in_a_where():
    box = inbox({"type": "next", "payload": {"data": None, "errors": [{"message": "x"}]}})
    assert_met(run(one('$.errors[0].message is "x"'), box))


# -- the last result ---------------------------------------------------------------------------------


def test_the_last_result_is_the_newest():
    box = inbox(nxt(0), nxt(1), nxt(2), DONE)
    outcome = run(LastResult("Alice", NAME, "1", 2.0, 0), box)
    assert_met(outcome)
    conditions = result_conditions("$.data.count is 2")
    assert last_result_verdict("Alice", NAME, outcome.messages[0], conditions) is None
    why = last_result_verdict(
        "Alice", NAME, outcome.messages[0], result_conditions("$.data.count is 3")
    )
    assert render(why) == (
        'Alice expected the last result of "counter" to be where $.data.count is 3, but it was '
        '{"data": {"count": 2}}: $.data.count was 2.'
    )


def test_no_last_result():
    assert_failure(
        'Alice expected a result of "counter" within 2.0 s, but it gave no result in that time.',
        run(LastResult("Alice", NAME, "1", 2.0, 0), inbox()),
    )
    assert_failure(
        'Alice expected a result of "counter" within 2.0 s, but it completed after 0 results.',
        run(LastResult("Alice", NAME, "1", 2.0, 0), inbox(DONE)),
    )


# -- fails with the error … ----------------------------------------------------------------------------


def fails(text: str | None, *, contains: bool = False) -> Fails:
    return Fails("Alice", NAME, "1", text, 2.0, 0, contains=contains)


def test_fails_with_the_error_met_by_an_error_message_or_a_result_with_errors():
    assert_met(run(fails("boom"), inbox(err("boom"))))
    box = inbox({"type": "next", "payload": {"data": None, "errors": [{"message": "boom"}]}})
    assert_met(run(fails("boom"), box))
    assert_met(run(fails("oo", contains=True), inbox(err("boom"))))
    assert_met(run(fails(None, contains=True), inbox(err("boom"))))


def test_fails_with_another_error():
    assert_failure(
        'Alice expected "counter" to fail with the error "boom" within 2.0 s, but it failed '
        'with the error "bang".',
        run(fails("boom"), inbox(err("bang"))),
    )


def test_fails_but_it_completed_or_gave_results():
    assert_failure(
        'Alice expected "counter" to fail with an error containing "boom" within 2.0 s, but it '
        "completed after 1 result.\n"
        '  #1 HH:MM:SS.mmm {"data": {"count": 0}}',
        run(fails("boom", contains=True), inbox(nxt(0), DONE)),
    )
    assert_failure(
        'Alice expected "counter" to fail with an error within 2.0 s, but it gave 1 result and '
        "no error so far:\n"
        '  #1 HH:MM:SS.mmm {"data": {"count": 0}}',
        run(fails(None, contains=True), inbox(nxt(0))),
    )


# -- completes, gives no result ---------------------------------------------------------------------------


def test_completes():
    assert_met(run(Completes("Alice", NAME, "1", 2.0, 0), inbox(nxt(0), DONE)))
    assert_failure(
        'Alice expected "counter" to complete within 2.0 s, but it gave 1 result and has not '
        "completed:\n"
        '  #1 HH:MM:SS.mmm {"data": {"count": 0}}',
        run(Completes("Alice", NAME, "1", 2.0, 0), inbox(nxt(0))),
    )
    assert_failure(
        'Alice expected "counter" to complete within 2.0 s, but it gave no result and has not '
        "completed.",
        run(Completes("Alice", NAME, "1", 2.0, 0), inbox()),
    )
    assert_failure(
        'Alice expected "counter" to complete within 2.0 s, but it failed with the error "x".',
        run(Completes("Alice", NAME, "1", 2.0, 0), inbox(err("x"))),
    )


def test_gives_no_result():
    assert_met(run(NoResult("Alice", NAME, "1", 0.3, 0), inbox(nxt(0, "2"), DONE)))
    assert_failure(
        'Alice expected "counter" to give no result within 300 ms, but it gave '
        '{"data": {"count": 0}}.\n'
        '  #1 HH:MM:SS.mmm {"data": {"count": 0}}',
        run(NoResult("Alice", NAME, "1", 0.3, 0), inbox(nxt(0))),
    )
    wait = NoResult("Alice", NAME, "1", 0.3, 0)
    box = inbox()
    wait.start(box, 0.0)
    assert_failure(
        'Alice expected "counter" to give no result within 300 ms, but the connection closed '
        "after 100 ms, so the rest of the time went unwatched.",
        wait.closed(box, 0.1, "closed"),
    )
    assert_met(NoResult("Alice", NAME, "1", 0.3, 0).closed(box, -1.0, "closed"))


def test_a_wait_ended_by_the_connection_notes_it():
    wait = Completes("Alice", NAME, "1", 2.0, 0)
    box = inbox(nxt(0))
    wait.start(box, 0.0)
    assert_failure(
        'Alice expected "counter" to complete within 2.0 s, but it gave 1 result and has not '
        "completed:\n"
        '  #1 HH:MM:SS.mmm {"data": {"count": 0}}\n'
        "Alice's connection closed by the server while waiting.",
        wait.closed(box, 1.0, "closed by the server"),
    )


def test_the_facade_names_an_operation_never_started():
    from wsbdd.facade.graphql import GraphQLSession

    session = GraphQLSession()
    assert_raises_sentence(
        'There is no operation "counter" in this scenario; start it first, e.g. When Alice '
        'subscribes to "subscription { … }" as "counter".',
        session.operation,
        "counter",
    )


def test_the_last_result_of_a_running_subscription_waits_for_a_pause():
    wait = LastResult("Alice", NAME, "1", 2.0, 0, settle=0.1)
    box = inbox(nxt(0))
    wait.start(box, 0.0)
    assert wait.feed(box, 0.0) is None
    assert wait.deadline == 0.1  # the stream pauses for settle: then the newest counts
    box.append_value("text", "{}", {"operation": NAME, **nxt(1)}, 0.05)
    assert wait.feed(box, 0.05) is None and wait.deadline == 0.15000000000000002
    outcome = wait.expire(box, 0.2)
    assert_met(outcome)
    assert outcome.messages[0].value["payload"] == {"data": {"count": 1}}


# -- the steps' and the facade's own sentences (the demo: plain WebSocket) ---------------------


def test_an_operation_on_a_plain_websocket_client(s):
    s.connect("Alice")
    assert_raises_sentence(
        'In the step "When Alice subscribes to "subscription { count(target: 1) }" as "c"": '
        "Alice is connected over plain WebSocket, so there are no GraphQL operations to start "
        'or wait for: connect with "Given Alice is connected over GraphQL", or add "Given the '
        'server speaks GraphQL" before connecting.',
        run_step,
        s,
        'When Alice subscribes to "subscription { count(target: 1) }" as "c"',
        kind=FeatureMistake,
    )


def test_variables_that_are_no_object_or_no_table(s):
    assert_raises_sentence(
        'In the step "When Alice subscribes to "subscription { x }" as "c" with variables [1]": '
        'The variables are a JSON object, e.g. {"room": 1}; not [1].',
        run_step,
        s,
        'When Alice subscribes to "subscription { x }" as "c" with variables [1]',
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'In the step "When Alice subscribes to "subscription { x }" as "c" with variables:": '
        "Put the variables in a table under the step:\n"
        "  | name   | value |\n"
        "  | target | 3     |",
        run_step,
        s,
        'When Alice subscribes to "subscription { x }" as "c" with variables:',
        kind=FeatureMistake,
    )


def test_a_docstring_step_without_its_docstring(s):
    assert_raises_sentence(
        'In the step "When Alice subscribes as "c" to:": This step needs the GraphQL document '
        'in a docstring under it (between """ lines), e.g. subscription { count(target: 3) }.',
        run_step,
        s,
        'When Alice subscribes as "c" to:',
        kind=FeatureMistake,
    )


# -- against the Strawberry app (tests/graphql_apps) ----------------------------------------------

from tests.test_graphql_session import gql, gql_run  # noqa: E402,F401  (the fixtures)
from wsbdd.model.errors import ExpectationFailed  # noqa: E402


def test_the_last_result_that_differs(gql: Any) -> None:  # noqa: F811
    from wsbdd.expect.operations import result_conditions

    gql.subscribe("Alice", "counter", "subscription { count(target: 2) }")
    gql.expect_completed("counter")
    assert_raises_sentence(
        'Alice expected the last result of "counter" to be where $.data.count is 5, but it was '
        '{"data": {"count": 1}}: $.data.count was 1.',
        gql.expect_last_result,
        "counter",
        result_conditions("$.data.count is 5"),
        kind=ExpectationFailed,
    )


def test_cancelling_another_clients_operation(gql: Any) -> None:  # noqa: F811
    gql.subscribe("Alice", "room", "subscription { messages(room: 22) { text } }")
    gql.connect_graphql(["Bob"])
    assert_raises_sentence(
        '"room" is Alice\'s operation, not Bob\'s; write "Alice cancels "room"".',
        gql.cancel,
        "Bob",
        "room",
        kind=FeatureMistake,
    )


def test_gives_0_results_is_met_when_none_came():
    wait = results(0, then_complete=False)
    wait.start(inbox(), 0.0)
    assert_met(wait.feed(inbox(), 0.0))
