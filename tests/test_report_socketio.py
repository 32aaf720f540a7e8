"""Reports of a Socket.IO conversation read as events, not frames (pure, no sockets).

The messages are built the way the Socket.IO codec hands them to the inbox: a real
:class:`~wsbdd.model.inbox.Inbox` with decoded values (``{"type": "event", …}``) and
labels, real ``Sent`` entries with the label of the intent.  Raw WebSocket frames have
no label and keep their old rendering (tests/test_report_units.py).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from browsers.chromium import INSTALL_HINT, find_chromium, visit
from browsers.firefox import FIREFOX_HINT, find_firefox, visit_firefox
from test_report_units import Page, _events

from wsbdd.expect import Receive
from wsbdd.io.client import ConnectionOutcome, Sent
from wsbdd.match import where
from wsbdd.model.failures import render
from wsbdd.model.inbox import Inbox
from wsbdd.model.transcript import StepMark, build_transcript
from wsbdd.report.collect import Conversation
from wsbdd.report.cucumber import to_cucumber
from wsbdd.report.diagram import build_diagram
from wsbdd.report.html import render_html
from wsbdd.report.labels import link_acks
from wsbdd.report.mask import Masker
from wsbdd.report.model import FeatureReport, RunReport, ScenarioReport, StepReport
from wsbdd.report.options import ReportOptions
from wsbdd.report.text import transcript_text

T = 1000.0
CHAT_FRAME = '42["chat",{"text":"hi","from":"Alice"}]'


@dataclass
class _Client:
    """What build_transcript reads of a client: its name, what it sent, its inbox."""

    name: str
    sent: list[Sent] = field(default_factory=list)
    inbox: Inbox = field(default_factory=Inbox)
    outcome: Any = None


def _event(inbox: Inbox, at: float, raw: str, value: dict[str, Any], label: str, **kw: Any) -> None:
    inbox.append_value("text", raw, value, at, label, **kw)


def _conversation() -> Conversation:
    marks = [
        StepMark(T, 0, "Given clients Alice, Bob and Mallory are connected"),
        StepMark(T + 0.010, 1, 'When Alice emits "chat" with {"text": "hi"}'),
        StepMark(T + 0.030, 2, 'Then Bob receives the event "chat" where $.text is "hi"'),
    ]
    alice, bob, mallory = _Client("Alice"), _Client("Bob"), _Client("Mallory")
    alice.sent.append(
        Sent(T + 0.011, "text", '420["chat",{"text":"hi"}]', 'emit chat {"text": "hi"} (ack 0)')
    )
    _event(
        alice.inbox,
        T + 0.015,
        '430[{"ok":true}]',
        {"type": "ack", "namespace": "/", "ack": 0, "args": [{"ok": True}], "event": "chat"},
        'ack 0 {"ok": true}',
    )
    _event(
        bob.inbox,
        T + 0.014,
        CHAT_FRAME,
        {"type": "event", "namespace": "/", "event": "chat", "args": [{"text": "hi"}]},
        'chat {"text": "hi", "from": "Alice"}',
    )
    _event(
        alice.inbox,
        T + 0.016,
        '42/admin,["notice",{"n":1}]',
        {"type": "event", "namespace": "/admin", "event": "notice", "args": [{"n": 1}]},
        'notice {"n": 1}',
    )
    _event(
        mallory.inbox,
        T + 0.005,
        '44/admin,{"message":"authentication failed"}',
        {
            "type": "connect_error",
            "namespace": "/admin",
            "message": "authentication failed",
            "data": None,
        },
        "/admin connect_error authentication failed",
        protocol=True,
    )
    events = build_transcript([alice, bob, mallory], marks)
    return Conversation(events, marks, T)


def test_the_transcript_keeps_labels_and_marks_protocol_messages():
    events = _conversation().events
    sent = next(e for e in events if e.kind == "sent")
    assert sent.detail["label"] == 'emit chat {"text": "hi"} (ack 0)'
    refused = next(e for e in events if e.client == "Mallory")
    assert refused.detail["protocol"] is True and refused.detail["value"]["type"] == (
        "connect_error"
    )
    chat = next(e for e in events if e.client == "Bob")
    assert chat.detail["label"].startswith("chat ") and "protocol" not in chat.detail


def test_text_transcripts_say_events_then_their_frames_and_link_acks():
    conversation = _conversation()
    text = transcript_text(conversation.events, start=conversation.start)
    lines = text.splitlines()
    emit = next(line for line in lines if "->" in line)
    assert emit.split("-> ")[1].startswith('emit chat {"text": "hi"} (ack 0)')
    assert "↪ acknowledged at +15 ms" in emit
    assert emit.endswith('(frame: 420["chat",{"text":"hi"}])')
    ack = next(line for line in lines if "<- ack 0" in line)
    assert '<- ack 0 {"ok": true}  ↩ ack 0 of chat   (frame: 430[{"ok":true}])' in ack
    chat = next(line for line in lines if line.split()[3] == "Bob" and "<-" in line)
    assert chat.split("<- ")[1].startswith('chat {"text": "hi", "from": "Alice"}')
    assert '<- /admin notice {"n": 1}' in text
    assert "Mallory  namespace /admin refused the connection: authentication failed" in text
    assert "44/admin" not in text  # a connection event, not a message


def test_acks_are_linked_to_their_emit_both_ways():
    events = _conversation().events
    links = link_acks(events)
    emit = next(i for i, e in enumerate(events) if e.kind == "sent")
    ack = next(i for i, e in enumerate(events) if "ack 0 {" in str(e.detail.get("label")))
    assert (links[ack].partner, links[ack].role, links[ack].event) == (emit, "ack", "chat")
    assert (links[emit].partner, links[emit].role) == (ack, "asked")
    assert len(links) == 2


def test_a_server_ack_request_is_linked_to_the_answer():
    inbox = Inbox()
    _event(
        inbox,
        T + 0.002,
        '4213["question",{"q":"2+2"}]',
        {"type": "event", "namespace": "/", "event": "question", "args": [{"q": "2+2"}], "ack": 13},
        'question {"q": "2+2"} (ack 13)',
    )
    alice = _Client("Alice", [Sent(T + 0.004, "text", "4313[4]", "answer ack 13 4")], inbox)
    events = build_transcript([alice])
    text = transcript_text(events, start=T)
    assert "<- question" in text and "↪ answered at +4 ms" in text
    assert "-> answer ack 13 4  ↩ ack 13 of question" in text


def test_acks_in_a_namespace_are_linked_to_the_emit_in_that_namespace():
    inbox = Inbox()
    for ack, space, event in ((1, "/admin", "ban"), (1, "/", "chat")):
        value = {"type": "ack", "namespace": space, "ack": ack, "args": [], "event": event}
        where = "" if space == "/" else f"{space} "
        _event(inbox, T + 0.01, f"43{where.strip()},1[]", value, f"{where}ack 1")
    alice = _Client(
        "Alice",
        [
            Sent(T + 0.001, "text", '421["chat"]', "emit chat (ack 1)"),
            Sent(T + 0.002, "text", '42/admin,1["ban"]', "emit /admin ban (ack 1)"),
        ],
        inbox,
    )
    events = build_transcript([alice])
    links = link_acks(events)
    pairs = {
        (events[i].detail["label"], events[link.partner].detail["label"])
        for i, link in links.items()
        if link.role == "ack"
    }
    assert pairs == {("/admin ack 1", "emit /admin ban (ack 1)"), ("ack 1", "emit chat (ack 1)")}


def test_the_diagram_draws_labels_on_arrows_and_namespace_events_as_marks():
    conversation = _conversation()
    diagram = build_diagram(conversation, anchor_prefix="s1-m")
    assert diagram is not None
    arrows = [r for r in diagram.rows if r.kind == "message"]
    assert [r.text for r in arrows] == [
        'emit chat {"text": "hi"} (ack 0)',
        'chat {"text": "hi", "from": "Alice"}',
        'ack 0 {"ok": true}',
        '/admin notice {"n": 1}',
    ]
    chat = arrows[1]
    assert chat.frame_text == CHAT_FRAME and chat.value_json
    assert json.loads(chat.value)["event"] == "chat"
    emit, ack = arrows[0], arrows[2]
    assert (emit.anchor, emit.link) == (ack.link, ack.anchor) and ack.anchor.startswith("s1-m")
    assert ack.link_text == "↩ ack 0 of chat"
    assert emit.link_text == "↪ acknowledged at +15 ms"
    assert not chat.anchor and not chat.link
    refused = [r for r in diagram.rows if r.kind == "mark" and r.mark == "protocol"]
    assert [r.summary for r in refused] == [
        "namespace /admin refused the connection: authentication failed"
    ]
    assert "44/admin" in refused[0].full
    assert diagram.messages == 4  # the refusal is a connection event, not a message


def _run(conversation: Conversation) -> RunReport:
    scenario = ScenarioReport(
        number=3,
        keyword="Scenario",
        name="Room chat",
        line=2,
        filename="chat.feature",
        status="passed",
        steps=[
            StepReport("Given", "clients Alice, Bob and Mallory are connected", 3, "passed", 0.01),
            StepReport("When", 'Alice emits "chat" with {"text": "hi"}', 4, "passed", 0.02),
        ],
        conversation=conversation,
    )
    feature = FeatureReport("Feature", "Chat", 1, "chat.feature", [], [], [scenario])
    options = ReportOptions(cucumber_transcripts=True)
    return RunReport("Chat", time.time(), 1.0, "http://h", [feature], options, Masker())


def test_the_html_report_shows_events_on_arrows_and_frames_when_opened():
    html = render_html(_run(_conversation()))
    page = Page(html)
    text = "".join(page.text)
    assert 'chat {"text": "hi", "from": "Alice"}' in text
    assert "frame: " + CHAT_FRAME in text  # opened with the row
    ids = {attrs.get("id") for tag, attrs in page.tags if tag == "details"}
    links = [a["href"] for tag, a in page.tags if tag == "a" and a.get("class") == "ack"]
    assert len(links) == 2 and all(link[1:] in ids for link in links)
    assert "↩ ack 0 of chat" in text
    labelled = [a for tag, a in page.tags if tag == "details" and "data-label" in a]
    assert len(labelled) == 4
    assert "namespace /admin refused the connection: authentication failed" in text


def test_cucumber_and_junit_text_carry_the_labels():
    data = to_cucumber(_run(_conversation()))
    steps = data[0]["elements"][0]["steps"]
    attached = base64.b64decode(steps[-1]["embeddings"][0]["data"]).decode("utf-8")
    assert '-> emit chat {"text": "hi"} (ack 0)' in attached
    assert "↩ ack 0 of chat" in attached


def test_a_closest_miss_names_the_event_and_the_argument_not_the_frame():
    inbox = Inbox()
    _event(
        inbox,
        T,
        '42["chat",{"text":"hello"}]',
        {"type": "event", "namespace": "/", "event": "chat", "args": [{"text": "hello"}]},
        'chat {"text": "hello"}',
    )
    wait = Receive("Bob", where('$.args[0].text is "hi"'), 0.3)
    wait.start(inbox, T)
    assert wait.feed(inbox, T) is None
    failure = render(wait.expire(inbox, T + 0.3).why)
    assert 'chat {"text": "hello"}   (its first argument\'s $.text was "hello")' in failure
    assert '42["chat"' not in failure


# -- in real browsers ----------------------------------------------------------------------

ARROWS = "[...document.querySelectorAll('details.msg .ar > span')].map(s => s.textContent)"
# Follow the ack's link as a reader would (a click), wait for the page to move there, and
# say where it is: the emit's row is the target, opened with what holds it, and drawn
# highlighted; opening the ack shows what it decoded to, laid out.
FOLLOW_ACK = """new Promise(done => {
  const link = [...document.querySelectorAll('a.ack')].find(a => a.textContent[0] === '↩');
  const ack = link.closest('details.msg');
  const later = then => requestAnimationFrame(() => requestAnimationFrame(then));
  window.addEventListener('hashchange', () => later(() => {
    const target = document.querySelector(':target');
    // The report lays a message out when it opens (a toggle event, a task of its own).
    ack.addEventListener('toggle', () => later(() => done({
      hash: location.hash,
      href: link.getAttribute('href'),
      target: target ? target.id : null,
      label: target ? target.querySelector('.ar > span').textContent : null,
      open: target ? target.open : null,
      scenarioOpen: target ? target.closest('details.scenario').open : null,
      outline: target ? getComputedStyle(target.querySelector('summary')).outlineStyle : null,
      laidOut: (ack.querySelector('.full pre') || {}).textContent || null,
    })), {once: true});
    ack.open = true;
  }), {once: true});
  link.click();
})"""


def test_in_a_browser_the_arrows_say_events_and_the_ack_link_leads_to_its_emit(tmp_path: Path):
    page = tmp_path / "report.html"
    page.write_text(render_html(_run(_conversation())), encoding="utf-8")
    for browser in ("chromium", "firefox"):
        if browser == "chromium":
            if find_chromium() is None:
                pytest.fail(INSTALL_HINT, pytrace=False)
            seen = visit(page, evaluate=[ARROWS, FOLLOW_ACK])
        else:
            if find_firefox() is None:
                pytest.fail(FIREFOX_HINT, pytrace=False)
            seen = visit_firefox(page, workdir=tmp_path / "ff", evaluate=[ARROWS, FOLLOW_ACK])
        assert seen.evaluate_errors == {}, browser
        assert (seen.console_errors, seen.exceptions, seen.requests) == ([], [], []), browser
        assert seen.evaluated[ARROWS] == [
            'emit chat {"text": "hi"} (ack 0)',
            'chat {"text": "hi", "from": "Alice"}',
            'ack 0 {"ok": true}',
            '/admin notice {"n": 1}',
        ], browser
        followed = seen.evaluated[FOLLOW_ACK]
        assert followed["hash"] == followed["href"] == "#" + followed["target"], browser
        assert followed["label"] == 'emit chat {"text": "hi"} (ack 0)', browser
        assert followed["open"] and followed["scenarioOpen"], browser
        assert followed["outline"] == "solid", browser
        assert json.loads(followed["laidOut"])["event"] == "chat", browser


def test_a_raw_websocket_report_has_no_labels_links_or_frame_lines():
    # Raw frames are their own line: nothing of the above appears for them.
    events, marks = _events()
    conversation = Conversation(events, marks, marks[0].at)
    assert link_acks(events) == {}
    html = render_html(_run(conversation))
    page = Page(html)
    assert not [a for tag, a in page.tags if tag == "details" and "data-label" in a]
    assert not [a for tag, a in page.tags if tag == "a" and a.get("class") == "ack"]
    assert 'class="frame"' not in html
    text = transcript_text(events, start=marks[0].at)
    assert "(frame:" not in text and "↩" not in text
    assert 'Alice  -> {"type": "join"}' in text


def test_a_close_says_socketio_s_own_reason():
    inbox = Inbox()
    _event(
        inbox,
        T + 0.010,
        "41",
        {"type": "disconnect", "namespace": "/", "reason": "io server disconnect"},
        "/ disconnected by the server",
        protocol=True,
    )
    outcome = ConnectionOutcome(
        url="ws://h/socket.io/",
        started_at=T,
        opened_at=T + 0.001,
        closed_at=T + 0.011,
        close_code=1000,
        clean=True,
        closed_by="client",
        app_reason="io server disconnect",
    )
    events = build_transcript([_Client("Erin", inbox=inbox, outcome=outcome)])
    text = transcript_text(events, start=T)
    assert "Erin  disconnected from namespace / by the server (io server disconnect)" in text
    assert "Erin  closed with code 1000 by the client (io server disconnect)" in text
    diagram = build_diagram(Conversation(events, [], T))
    assert diagram is not None
    assert [r.summary for r in diagram.rows if r.kind == "mark"][-1] == (
        "closed with code 1000 by the client (io server disconnect)"
    )


def test_a_binary_emits_attachments_read_as_part_of_it():
    alice = _Client(
        "Alice",
        [
            Sent(
                T + 0.001,
                "text",
                '451-["upload",{"_placeholder":true,"num":0}]',
                "emit upload <3 bytes>",
            ),
            Sent(T + 0.001, "binary", b"\x01\x02\xff"),
            Sent(T + 0.002, "binary", b"\x00"),  # a frame of its own (the escape hatch)
        ],
    )
    events = build_transcript([alice])
    text = transcript_text(events, start=T)
    assert "-> ↳ attachment 1 of emit upload   (frame: 0x0102ff)" in text
    assert "-> 0x00" in text
    diagram = build_diagram(Conversation(events, [], T))
    assert diagram is not None
    arrows = [(r.text, r.frame_text) for r in diagram.rows if r.kind == "message"]
    assert arrows[1] == ("↳ attachment 1 of emit upload", "binary, 3 bytes: 0x0102ff")
    assert arrows[2] == ("binary, 1 byte: 0x00", "")
