"""Reports of real GraphQL and STOMP conversations: the Strawberry test server and the
private RabbitMQ node (fixtures ``graphql_app`` and ``stomp_broker``), the real codecs, a
real session; the transcript, the diagram and the HTML report built from what happened.

Each event is one line and says what the codec's label says; STOMP frames are written
``⏎``/``␀`` on one line; GraphQL ``complete`` and STOMP ``RECEIPT`` are protocol events.
"""

from __future__ import annotations

import json
from typing import Any

from test_graphql_client import completed, results
from test_graphql_client import start as graphql_start
from test_report_protocols import _run
from test_report_units import Page
from test_stomp_client import receipt, session_for, subscribe, unique

from wsbdd.codec import Operation, StompSend
from wsbdd.report.collect import Conversation
from wsbdd.report.diagram import build_diagram
from wsbdd.report.html import render_html
from wsbdd.report.mask import Masker
from wsbdd.report.text import transcript_text


def _conversation(session: Any) -> Conversation:
    marks = list(session.step_marks)
    return Conversation(session.transcript(), marks, marks[0].at if marks else None)


def test_a_real_stomp_conversation_reads_as_commands_destinations_and_bodies(stomp_broker):
    topic = unique()
    masker = Masker()
    masker.add(stomp_broker.passcode)
    run, session = session_for(stomp_broker)
    with run, session:
        session.begin_step("Given clients Ann and Ben are connected over STOMP")
        session.connect_all(["Ann", "Ben"])
        session.begin_step(f'And Ben subscribes to "{topic}"')
        subscribe(session, "Ben", topic)
        session.begin_step(f'When Ann sends {{"text": "hi"}} to "{topic}"')
        send = StompSend(
            topic, '{"text": "hi"}', {"content-type": "application/json"}, receipt=True
        )
        session.send("Ann", send)
        receipt(session, "Ann", send.receipt_id)
        session.begin_step(f'Then Ben receives a MESSAGE from "{topic}"')
        session.receive("Ben")
        conversation = _conversation(session)
    text = transcript_text(conversation.events, masker.mask, start=conversation.start)
    assert f"Ben  -> SUBSCRIBE {topic} (sub-0, receipt r-1)   (frame: SUBSCRIBE⏎" in text, text
    assert f'Ann  -> SEND {topic} {{"text": "hi"}} (receipt r-1)   (frame: SEND⏎' in text, text
    assert f'Ben  <- MESSAGE {topic} {{"text": "hi"}}   (frame: MESSAGE⏎' in text, text
    message = next(line for line in text.splitlines() if "<- MESSAGE" in line)
    assert message.endswith('{"text": "hi"}␀)'), message
    assert "Ann  RECEIPT r-1" in text and "Ben  RECEIPT r-1" in text, text
    assert "\x00" not in text and "U+0000" not in text
    for line in text.splitlines()[1:]:
        assert line.startswith(("-- ", "+")), line  # nothing broke a line
    diagram = build_diagram(conversation, mask=masker.mask)
    assert diagram is not None
    arrows = [r.text for r in diagram.rows if r.kind == "message"]
    assert arrows == [
        f"SUBSCRIBE {topic} (sub-0, receipt r-1)",
        f'SEND {topic} {{"text": "hi"}} (receipt r-1)',
        f'MESSAGE {topic} {{"text": "hi"}}',
    ]
    marks = [r.summary for r in diagram.rows if r.kind == "mark" and r.mark == "protocol"]
    assert marks == ["RECEIPT r-1", "RECEIPT r-1"]
    page = "".join(Page(render_html(_run(conversation, masker))).text)
    assert f'MESSAGE {topic} {{"text": "hi"}}' in page
    assert "frame: SEND⏎destination:" in page


def test_a_real_graphql_subscription_reads_as_its_operation(graphql_app):
    query = "subscription {\n  count(target: 2)\n}"
    run, session = graphql_start(graphql_app, "graphql-transport-ws")
    with run, session:
        session.begin_step('When Alice subscribes to "subscription { count(target: 2) }"')
        session.connect("Alice")
        session.send("Alice", Operation("counter", query))
        results(session, "Alice", "counter", 2)
        completed(session, "Alice", "counter")
        conversation = _conversation(session)
    masker = Masker(["secret-token"])
    text = transcript_text(conversation.events, masker.mask, start=conversation.start)
    assert "Alice  -> subscribe counter: subscription { count(target: 2) }   (frame: {" in text
    assert '<- counter next {"data": {"count": 0}}' in text
    assert '<- counter next {"data": {"count": 1}}' in text
    assert "Alice  counter complete" in text
    diagram = build_diagram(conversation, mask=masker.mask)
    assert diagram is not None
    arrows = [r for r in diagram.rows if r.kind == "message"]
    assert [r.text for r in arrows] == [
        "subscribe counter: subscription { count(target: 2) }",
        'counter next {"data": {"count": 0}}',
        'counter next {"data": {"count": 1}}',
    ]
    assert arrows[0].frame_json
    assert json.loads(arrows[0].frame_text)["payload"]["query"] == query
    marks = [r.summary for r in diagram.rows if r.kind == "mark" and r.mark == "protocol"]
    assert marks == ["counter complete"]
    page = "".join(Page(render_html(_run(conversation, masker))).text)
    assert "counter complete" in page and "secret-token" not in page
