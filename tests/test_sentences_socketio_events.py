"""A Socket.IO event wait's failure, pinned whole: its first line and the event lines under it.

tests/test_sentences_socketio_steps.py pins each sentence's first line; here the whole
text, candidate lines included, as behave and the report show it (times of day read
``HH:MM:SS.mmm``), through the steps a tester writes, against python-socketio.
"""

# ruff: noqa: E501  (whole sentences, one string each)
from __future__ import annotations

import types

import pytest

from tests.sentences import assert_raises_sentence, run_step
from wsbdd.model.errors import ExpectationFailed


@pytest.fixture
def sio(sio_run):
    with sio_run.session() as session:
        session.connect_all(["Ann", "Ben"])
        session.groups["pair"] = dict.fromkeys(["Ann", "Ben"])
        run_step(session, 'When Ann emits "echo" with "hi"')
        yield session


def _table(headings, *rows):
    return types.SimpleNamespace(
        headings=headings, rows=[types.SimpleNamespace(cells=list(r)) for r in rows]
    )


def fails(expected: str, sio, line: str, table=None) -> None:
    assert_raises_sentence(expected, run_step, sio, line, table=table, kind=ExpectationFailed)


def test_an_event_that_does_not_match(sio):
    fails(
        'Ann expected the event "echo" where $ is "ho" within 300 ms, but had 1 unread '
        "message, it did not match:\n"
        '  #1 HH:MM:SS.mmm echo "hi"   ($ was "hi")',
        sio,
        'Then Ann receives the event "echo" where $ is "ho" within 300 ms',
    )
    run_step(sio, 'Then Ann receives the event "echo" where $ is "hi" within 300 ms')


def test_an_event_that_should_not_have_come(sio):
    fails(
        'Ann expected no event "echo" within 200 ms, but received:\n  #1 HH:MM:SS.mmm echo "hi"',
        sio,
        'Then Ann receives no event "echo" within 200 ms',
    )
    run_step(sio, 'Then Ann receives no event "other" within 100 ms')


def test_a_count_of_events(sio):
    fails(
        'Ann expected exactly 2 events "echo", but received 1:\n  #1 HH:MM:SS.mmm echo "hi"',
        sio,
        'Then Ann has received exactly 2 events "echo" within 200 ms',
    )
    run_step(sio, 'Then Ann has received exactly 1 event "echo" within 200 ms')


def test_events_in_order(sio):
    table = _table(["event", "$"], ["echo", "hi"], ["echo", "again"])
    fails(
        "Ann expected 2 events in this order within 200 ms:\n"
        '  1. the event "echo" where $ is "hi"\n'
        '  2. the event "echo" where $ is "again"\n'
        "but matched row 1 by #1, and nothing after #1 matched row 2.",
        sio,
        "Then Ann receives these events in order within 200 ms:",
        table,
    )
    run_step(sio, 'When Ann emits "echo" with "again"')
    run_step(sio, "Then Ann receives these events in order within 2 s:", table=table)


def test_a_group_that_gets_an_event_it_should_not(sio):
    fails(
        'Ann expected no event "echo" within 200 ms, but received:\n  #1 HH:MM:SS.mmm echo "hi"',
        sio,
        'Then no client in group "pair" receives the event "echo" within 200 ms',
    )
    run_step(sio, 'Then no client in group "pair" receives the event "other" within 100 ms')


def test_a_group_that_does_not_get_an_event(sio):
    fails(
        'Every client in group "pair" was expected to receive the event "nothing" within '
        "200 ms, but 2 of 2 did not:\n"
        '  Ann: 1 unread message, closest #1 echo "hi" (the event "echo")\n'
        "  Ben: received no message in that time",
        sio,
        'Then every client in group "pair" receives the event "nothing" within 200 ms',
    )
    run_step(sio, 'When Ben emits "echo" with "hi"')
    run_step(sio, 'Then every client in group "pair" receives the event "echo" within 2 s')
