"""A send step does not wait for its frame to be written; nothing about it is lost or misplaced.

The loop thread writes the frame while behave moves on to the next step.  These
tests pin down what that must not change: frames go out in order, the
transcript puts each under the step that sent it, and a send that fails (the
connection ended between the step's check and the write) is reported, naming
the step, by the next step or at the end of the scenario.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from behave.model_core import Status

from wsbdd.environment import after_scenario
from wsbdd.errors import ConnectionProblem
from wsbdd.match import where
from wsbdd.session import Run, Session


def send_after_it_closed(s: Session, name: str, step: str) -> None:
    """Post a send for a client whose connection has ended, as if the step's check had
    passed a moment before the end: the race a real send step can lose."""
    client = s.client(name)
    s.begin_step(step)
    s._sends_posted = True
    s.loop_thread.post(s._start_send, (client, '{"type": "echo"}', 1, step, time.monotonic()))


def test_frames_from_many_send_steps_go_out_in_order(s):
    s.connect_all(["Alice", "Bob"])
    for n in range(40):
        s.send("Alice", f'{{"type": "echo", "content": "a{n}"}}')
        s.send("Bob", f'{{"type": "echo", "content": "b{n}"}}')
    for n in range(40):
        assert s.receive("Alice", where('$.type is "echo"')).json["content"] == f"a{n}"
        assert s.receive("Bob", where('$.type is "echo"')).json["content"] == f"b{n}"


def test_a_frame_is_shown_under_the_step_that_sent_it_even_if_written_later(s):
    s.connect("Alice")
    gate = threading.Event()
    s.loop_thread.post(gate.wait, 10)  # the loop is busy: the frame cannot go out yet
    s.begin_step('When Alice sends {"type": "echo", "content": "late"}')
    s.send("Alice", '{"type": "echo", "content": "late"}')
    s.begin_step('Then Alice receives a message where $.content is "late"')
    gate.set()
    s.receive("Alice", where('$.content is "late"'))
    sent = [e for e in s.transcript() if e.kind == "sent"]
    assert [e.step.text for e in sent] == ['When Alice sends {"type": "echo", "content": "late"}']
    received = [e for e in s.transcript() if e.kind == "received" and "late" in str(e.payload)]
    assert received[0].step.text == 'Then Alice receives a message where $.content is "late"'


def test_a_failed_send_fails_the_next_step_naming_the_send_step(s):
    s.connect_all(["Alice", "Bob"])
    s.disconnect("Alice")
    send_after_it_closed(s, "Alice", 'When Alice sends {"type": "echo"}')
    with pytest.raises(ConnectionProblem) as failure:
        s.receive("Bob", where('$.type is "echo"'), timeout=0.2)
    assert str(failure.value) == (
        'Alice could not send (in the step "When Alice sends {"type": "echo"}"): '
        f"the connection {s.client('Alice').how_it_ended()}."
    )
    s.send("Bob", '{"type": "echo", "content": "after"}')  # reported once; the session goes on
    assert s.receive("Bob", where('$.type is "echo"')).json["content"] == "after"


def failed_last_send(run: Run) -> tuple[Session, SimpleNamespace]:
    """A scenario whose last step's send failed, and the behave context that ends it."""
    session = run.session()
    session.connect("Alice")
    session.disconnect("Alice")
    send_after_it_closed(session, "Alice", 'When Alice sends {"type": "echo"}')
    return session, SimpleNamespace(wsbdd=session, config=SimpleNamespace(junit=False))


def test_a_failed_send_in_the_last_step_fails_the_scenario(run):
    session, context = failed_last_send(run)
    with pytest.raises(AssertionError, match=r'Alice could not send \(in the step "When Alice'):
        after_scenario(context, SimpleNamespace(status=Status.passed))
    assert all(c.finished for c in session.pool)  # and its clients are closed all the same


def test_a_scenario_that_failed_already_is_not_blamed_twice(run):
    session, context = failed_last_send(run)
    after_scenario(context, SimpleNamespace(status=Status.failed))  # does not raise
    assert all(c.finished for c in session.pool)
