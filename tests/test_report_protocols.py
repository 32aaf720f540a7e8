"""Reports of GraphQL- and STOMP-like conversations: labels, frames on one line, and
secrets masked by field (pure, no sockets).

The codecs are the tests' own: a STOMP-like one declaring ``secret_fields`` /
``public_fields`` as the real STOMP codec does (registered for the test, so the report
layer finds it as it would a project's codec), and GraphQL-like labels.  The messages are
built the way a codec hands them to the inbox (tests/test_report_socketio.py does the
same for Socket.IO).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest
from browsers.chromium import INSTALL_HINT, find_chromium, visit
from browsers.firefox import FIREFOX_HINT, find_firefox, visit_firefox
from test_report_socketio import _Client
from test_report_units import Page

from wsbdd.codec import registry
from wsbdd.codec.websocket import BaseCodec
from wsbdd.io.client import Sent
from wsbdd.model.transcript import StepMark, build_transcript
from wsbdd.report.collect import Conversation, ReportRecorder
from wsbdd.report.cucumber import to_cucumber
from wsbdd.report.diagram import build_diagram
from wsbdd.report.html import render_html
from wsbdd.report.mask import MASK, Fields, Masker, MaskingStream, codec_fields
from wsbdd.report.model import FeatureReport, RunReport, ScenarioReport, StepReport
from wsbdd.report.options import ReportOptions
from wsbdd.report.text import frame_line, transcript_text

T = 2000.0
PASSCODE = "guest"  # the same as the login: the login must stay readable
OTHER = "s3cret-never-told"  # a passcode no step or setting names: masked by its field


class Stompish(BaseCodec):
    """A codec of the tests' own with STOMP's fields (the real one: wsbdd/codec/stomp.py)."""

    __slots__ = ()
    name: ClassVar[str] = "stompish"
    secret_fields: ClassVar[tuple[str, ...]] = (r"^passcode:(.*)$",)
    public_fields: ClassVar[tuple[str, ...]] = (r"^login:(.*)$",)


@pytest.fixture(autouse=True)
def stompish(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registered as a project would register its codec; gone after the test."""
    monkeypatch.setitem(registry._CODECS, "stompish", Stompish)


def stomp_frame(command: str, headers: dict[str, str], body: str = "") -> str:
    lines = [command, *(f"{k}:{v}" for k, v in headers.items())]
    return "\n".join(lines) + "\n\n" + body + "\x00"


CONNECT = stomp_frame(
    "CONNECT",
    {"accept-version": "1.2", "host": "/", "login": "guest", "passcode": PASSCODE},
)
CONNECT_OTHER = stomp_frame("CONNECT", {"login": "ben", "passcode": OTHER})
SEND = stomp_frame(
    "SEND",
    {"destination": "/topic/room.lobby", "content-type": "application/json", "receipt": "r-1"},
    '{"text":"hi"}',
)
MESSAGE = stomp_frame(
    "MESSAGE",
    {
        "destination": "/topic/room.lobby",
        "message-id": "m-1",
        "subscription": "sub-0",
        "content-type": "application/json",
    },
    '{"text":"hi"}',
)
RECEIPT = stomp_frame("RECEIPT", {"receipt-id": "r-1"})
LONG_QUERY = "subscription { count(target: 3) " + " ".join(["x"] * 200) + " }"
SUBSCRIBE = json.dumps(
    {"id": "1", "type": "subscribe", "payload": {"query": LONG_QUERY}}, separators=(",", ":")
)
SUBSCRIBE_LABEL = "subscribe counter: " + LONG_QUERY[:70] + "…"

LABELS = [
    "CONNECT /",
    SUBSCRIBE_LABEL,
    'SEND /topic/room.lobby {"text": "hi"}',
    'MESSAGE /topic/room.lobby {"text": "hi"}',
    'counter next {"data": {"count": 0}}',
    "a label with a newline in it",
]


def _conversation() -> Conversation:
    marks = [
        StepMark(T, 0, 'Given Ann is connected over STOMP as "guest" with passcode "guest"'),
        StepMark(T + 0.010, 1, 'When Ann sends {"text": "hi"} to "/topic/room.lobby"'),
        StepMark(T + 0.030, 2, 'Then Ben receives a MESSAGE from "/topic/room.lobby"'),
    ]
    ann, ben, alice = _Client("Ann"), _Client("Ben"), _Client("Alice")
    ann.sent.append(Sent(T + 0.001, "text", CONNECT, "CONNECT /"))
    ben.sent.append(Sent(T + 0.002, "text", CONNECT_OTHER))  # a raw frame: no label
    alice.sent.append(Sent(T + 0.003, "text", SUBSCRIBE, SUBSCRIBE_LABEL))
    ann.sent.append(Sent(T + 0.011, "text", SEND, 'SEND /topic/room.lobby {"text": "hi"}'))
    view = {
        "command": "MESSAGE",
        "headers": {"destination": "/topic/room.lobby", "message-id": "m-1"},
        "body": {"text": "hi"},
    }
    ben.inbox.append_value(
        "text", MESSAGE, view, T + 0.014, 'MESSAGE /topic/room.lobby {"text": "hi"}'
    )
    receipt = {"command": "RECEIPT", "headers": {"receipt-id": "r-1"}, "body": ""}
    ann.inbox.append_value("text", RECEIPT, receipt, T + 0.015, "RECEIPT r-1", protocol=True)
    result = {"type": "next", "operation": "counter", "id": "1", "payload": {"data": {"count": 0}}}
    alice.inbox.append_value(
        "text",
        '{"id":"1","type":"next","payload":{"data":{"count":0}}}',
        result,
        T + 0.016,
        'counter next {"data": {"count": 0}}',
    )
    done = {"type": "complete", "operation": "counter", "id": "1"}
    alice.inbox.append_value(
        "text", '{"id":"1","type":"complete"}', done, T + 0.017, "counter complete", protocol=True
    )
    # A codec of someone's own that put a newline and a NUL in a label.
    alice.inbox.append_value("text", "x", {"odd": True}, T + 0.018, "a label with\na newline in it")
    events = build_transcript([ann, ben, alice], marks)
    return Conversation(events, marks, T)


def _masker() -> Masker:
    masker = Masker()
    masker.add(PASSCODE)  # a known secret, as the step's `with passcode "…"` makes it
    return masker


def _assert_masked(text: str) -> None:
    """Login readable, both passcodes masked, in whatever spelling the output uses."""
    assert "login:guest" in text, text
    assert "login:ben" in text, text
    assert "passcode:guest" not in text and OTHER not in text, text
    assert f"passcode:{MASK}" in text, text


# -- masking by field ----------------------------------------------------------------------


def test_the_registered_codecs_fields_are_collected():
    fields = codec_fields()
    assert any(p.pattern == r"^passcode:(.*)$" for p in fields.secret)
    assert any(p.pattern == r"^login:(.*)$" for p in fields.public)
    assert BaseCodec.secret_fields == () and BaseCodec.public_fields == ()


def test_a_secret_field_is_masked_and_a_public_one_keeps_a_value_equal_to_a_secret():
    masker = _masker()
    assert masker.mask(CONNECT) == CONNECT.replace("passcode:guest", f"passcode:{MASK}")
    assert masker.mask(CONNECT_OTHER) == CONNECT_OTHER.replace(OTHER, MASK)
    # Elsewhere the known secret is still masked: only the login's own place is public.
    assert masker.mask("the passcode guest was refused") == f"the passcode {MASK} was refused"
    # A frame written on one line reads as its lines.
    one_line = frame_line(CONNECT)
    assert "⏎login:guest⏎" in one_line and one_line.endswith("␀")
    assert masker.mask(one_line) == frame_line(masker.mask(CONNECT))
    # Masking twice (a report masks, then behave's JUnit file is masked again) is the same.
    assert masker.mask(masker.mask(one_line)) == masker.mask(one_line)


def test_without_the_codec_the_login_equal_to_a_secret_is_masked_like_any_value():
    masker = Masker(["guest"], fields=Fields())
    assert "login:guest" not in masker.mask(CONNECT)


def test_the_login_in_a_stomp_step_stays_and_its_passcode_is_masked():
    masker = _masker()
    line = 'Given clients Ann and Ben are connected over STOMP as "guest" with passcode "guest"'
    assert masker.mask(line) == line.replace('passcode "guest"', f'passcode "{MASK}"')
    # A passcode nobody told the masker about: its place in the step hides it.
    other = 'Given Ann is connected over STOMP as "ann" with passcode "pw"'
    assert Masker().mask(other) == other.replace('"pw"', f'"{MASK}"')


def test_the_recorder_learns_the_passcode_of_a_step_and_of_the_settings():
    class Step:
        name = 'Ann is connected over STOMP as "ann" with passcode "${pw}"'
        table = None

    class Variables:
        def render_text(self, text: str) -> str:
            return text.replace("${pw}", "from-a-variable")

    class Stomp:
        passcode = "configured-passcode"

    class GraphQL:
        params = {"token": "graphql-token-1", "nested": {"api_key": "graphql-key-2"}}

    class Settings:
        stomp = Stomp()
        graphql = GraphQL()

    class Session:
        vars = Variables()
        settings = Settings()

    recorder = ReportRecorder()
    recorder.learn_step(Step(), Variables())
    recorder.learn_session(Session())
    said = "from-a-variable configured-passcode graphql-token-1 graphql-key-2"
    assert recorder.masker.mask(said) == " ".join([MASK] * 4)


class Keyish(BaseCodec):
    """A project's codec, named in the settings as ``module:Class`` and registered nowhere."""

    __slots__ = ()
    secret_fields: ClassVar[tuple[str, ...]] = (r"^x-door-key:(.*)$",)


def test_a_projects_codec_named_in_the_settings_is_read_too():
    class Settings:
        codec = "test_report_protocols:Keyish"

    frame = "OPEN\nx-door-key:1234-5678\n\n"
    assert Masker().mask(frame) == frame
    recorder = ReportRecorder(Settings())
    assert recorder.masker.mask(frame) == f"OPEN\nx-door-key:{MASK}\n\n"


def test_behaves_console_is_masked_by_field():
    out = io.StringIO()
    MaskingStream(out, _masker()).write(f"Assertion failed, Ann sent:\n{CONNECT}\n")
    _assert_masked(out.getvalue() + "login:ben")  # one CONNECT only here
    assert OTHER not in out.getvalue()


# -- every output --------------------------------------------------------------------------


def _run(conversation: Conversation, masker: Masker) -> RunReport:
    scenario = ScenarioReport(
        number=1,
        keyword="Scenario",
        name="A topic reaches every subscriber",
        line=2,
        filename="stomp.feature",
        status="passed",
        steps=[
            StepReport(
                "Given", 'Ann is connected over STOMP as "guest" with passcode "guest"', 3, "passed"
            ),
            StepReport("When", 'Ann sends {"text": "hi"} to "/topic/room.lobby"', 4, "passed"),
        ],
        conversation=conversation,
    )
    feature = FeatureReport("Feature", "STOMP", 1, "stomp.feature", [], [], [scenario])
    options = ReportOptions(cucumber_transcripts=True)
    return RunReport("STOMP", time.time(), 1.0, "ws://h", [feature], options, masker)


def test_the_text_transcript_says_labels_one_line_each_and_frames_readably():
    conversation = _conversation()
    text = transcript_text(conversation.events, _masker().mask, start=conversation.start)
    lines = text.splitlines()
    # One line per event, a step line per step, the heading: nothing broke a line.
    steps = {e.step for e in conversation.events}
    assert len(lines) == 1 + len(conversation.events) + len(steps)
    _assert_masked(text)
    assert (
        "Ann    -> CONNECT /   (frame: CONNECT⏎accept-version:1.2⏎host:/⏎login:guest⏎"
        f"passcode:{MASK}⏎⏎␀)"
    ) in text
    assert "Ben    -> CONNECT⏎login:ben⏎passcode:***⏎⏎␀" in text  # raw, with its NUL
    assert '-> SEND /topic/room.lobby {"text": "hi"}   (frame: SEND⏎destination:' in text
    assert '<- MESSAGE /topic/room.lobby {"text": "hi"}   (frame: MESSAGE⏎' in text
    assert '<- counter next {"data": {"count": 0}}' in text
    assert "-> " + SUBSCRIBE_LABEL in text
    assert "<- a label with a newline in it" in text
    # Protocol messages read as connection events, with no arrow.
    assert "Ann    RECEIPT r-1" in text
    assert "Alice  counter complete" in text
    assert "\x00" not in text and "U+0000" not in text


def test_the_diagram_draws_labels_on_arrows_and_protocol_messages_as_marks():
    diagram = build_diagram(_conversation(), mask=_masker().mask)
    assert diagram is not None
    arrows = [r for r in diagram.rows if r.kind == "message"]
    labelled = [r for r in arrows if r.labelled]
    assert [r.text for r in labelled] == LABELS
    assert all("\n" not in r.text and "\n" not in r.frame_text for r in arrows)
    connect = labelled[0]
    assert connect.frame_text == frame_line(_masker().mask(CONNECT))
    _assert_masked(connect.frame_text + "login:ben")
    raw = next(r for r in arrows if not r.labelled)
    assert "login:ben" in raw.text and OTHER not in raw.text
    subscribe = labelled[1]
    assert (
        subscribe.frame_json and LONG_QUERY in json.loads(subscribe.frame_text)["payload"]["query"]
    )
    message = labelled[3]
    assert not message.frame_json and message.value_json  # opened: what it decoded to
    marks = [r.summary for r in diagram.rows if r.kind == "mark" and r.mark == "protocol"]
    assert marks == ["RECEIPT r-1", "counter complete"]
    receipt = next(r for r in diagram.rows if r.kind == "mark" and r.mark == "protocol")
    assert receipt.full.startswith("frame: RECEIPT⏎receipt-id:r-1⏎⏎␀\ndecoded: ")


def test_the_html_report_masks_by_field_and_keeps_frames_on_one_line():
    html = render_html(_run(_conversation(), _masker()))
    page = Page(html)
    text = "".join(page.text)
    _assert_masked(text)
    for label in LABELS:
        assert label in text, label
    assert "frame: CONNECT⏎accept-version:1.2⏎host:/⏎login:guest⏎passcode:***⏎⏎␀" in text
    assert '"RECEIPT r-1"' not in text and "RECEIPT r-1" in text
    json_frames = [a for tag, a in page.tags if tag == "code" and "data-json" in a]
    assert json_frames  # the subscribe's frame, laid out when opened
    assert "\x00" not in html


def test_cucumber_json_and_junit_text_are_masked_by_field():
    run = _run(_conversation(), _masker())
    data = to_cucumber(run)
    steps = data[0]["elements"][0]["steps"]
    attached = base64.b64decode(steps[-1]["embeddings"][0]["data"]).decode("utf-8")
    _assert_masked(attached)
    assert 'MESSAGE /topic/room.lobby {"text": "hi"}' in attached
    assert data[0]["elements"][0]["steps"][0]["name"] == (
        f'Ann is connected over STOMP as "guest" with passcode "{MASK}"'
    )


def test_junit_system_out_is_masked_by_field_even_when_masked_again(tmp_path: Path):
    recorder = ReportRecorder()
    recorder.masker.add(PASSCODE)
    conversation = _conversation()

    class Session:
        step_marks = conversation.marks
        measurements: list[Any] = []
        vars = None

        def transcript(self) -> list[Any]:
            return conversation.events

    class Scenario:
        pass

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        recorder.keep(Scenario(), Session(), print_text=True)
    _assert_masked(printed.getvalue())
    # behave writes what was printed into the JUnit file; wsbdd masks the file afterwards.
    folder = tmp_path / "junit"
    folder.mkdir()
    xml = folder / "TESTS-stomp.xml"
    unmasked = transcript_text(conversation.events, start=conversation.start)
    escaped = (printed.getvalue() + unmasked).replace("&", "&amp;").replace("<", "&lt;")
    xml.write_text(f"<testsuite><system-out>{escaped}</system-out></testsuite>", "utf-8")
    recorder.finish(folder)
    _assert_masked(xml.read_text("utf-8"))


# -- in real browsers ----------------------------------------------------------------------

ARROWS = "[...document.querySelectorAll('details.msg .ar > span')].map(s => s.textContent)"
# Open every message as a reader would and say what each one lays out.
OPENED = """new Promise(done => {
  const rows = [...document.querySelectorAll('details.msg[data-label]')];
  const later = then => requestAnimationFrame(() => requestAnimationFrame(then));
  rows.forEach(row => { row.closest('details.scenario').open = true; row.open = true; });
  later(() => later(() => done(rows.map(row => {
    const pre = row.querySelector('.full pre');
    return pre ? pre.textContent : null;
  }))));
})"""


def test_in_a_browser_arrows_say_labels_and_opening_lays_out_frames(tmp_path: Path):
    page = tmp_path / "report.html"
    page.write_text(render_html(_run(_conversation(), _masker())), encoding="utf-8")
    for browser in ("chromium", "firefox"):
        if browser == "chromium":
            if find_chromium() is None:
                pytest.fail(INSTALL_HINT, pytrace=False)
            seen = visit(page, evaluate=[ARROWS, OPENED])
        else:
            if find_firefox() is None:
                pytest.fail(FIREFOX_HINT, pytrace=False)
            seen = visit_firefox(page, workdir=tmp_path / "ff", evaluate=[ARROWS, OPENED])
        assert seen.evaluate_errors == {}, browser
        assert (seen.console_errors, seen.exceptions, seen.requests) == ([], [], []), browser
        arrows = seen.evaluated[ARROWS]
        assert [a for a in arrows if not a.startswith("CONNECT⏎")] == LABELS, browser
        opened = seen.evaluated[OPENED]
        connect, subscribe, send = opened[0], opened[1], opened[2]
        assert connect.splitlines() == [
            "CONNECT⏎",
            "accept-version:1.2⏎",
            "host:/⏎",
            "login:guest⏎",
            f"passcode:{MASK}⏎",
            "⏎",
            "␀",
        ], browser
        assert json.loads(subscribe)["payload"]["query"] == LONG_QUERY, browser
        assert send.splitlines()[-1] == '{"text":"hi"}␀', browser
        assert json.loads(opened[3])["body"] == {"text": "hi"}, browser


def test_a_field_pattern_that_is_no_regex_or_has_no_group_is_ignored(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    class Broken(BaseCodec):
        __slots__ = ()
        secret_fields: ClassVar[tuple[str, ...]] = (r"^pass(code:(.*)$", r"^secret:.*$")

    monkeypatch.setitem(registry._CODECS, "broken", Broken)
    monkeypatch.setitem(registry._CODECS, "made", lambda: Stompish())  # a factory function
    with caplog.at_level("WARNING", logger="wsbdd.report"):
        masker = Masker()
    assert masker.mask(CONNECT_OTHER) == CONNECT_OTHER.replace(OTHER, MASK)
    assert "is not a regex" in caplog.text and "has no group 1" in caplog.text


def test_text_without_a_fields_words_is_not_searched_but_optional_letters_are_kept():
    masker = Masker(fields=Fields.of([r"^pass?code:(.*)$", r"(?i)^X-Key:(.*)$"]))
    assert masker.mask("pascode:abc\npasscode:abc") == f"pascode:{MASK}\npasscode:{MASK}"
    assert masker.mask("x-key:abc") == f"x-key:{MASK}"
    assert masker.mask("nothing here: abc") == "nothing here: abc"


# -- the real GraphQL codec ----------------------------------------------------------------

QUERY = (
    """
subscription Counter($target: Int!) {
  count(target: $target)
  # a long query: the label shows its start, the opened row all of it
  """
    + "\n  ".join(f"field{i}" for i in range(30))
    + """
}
"""
)


def _graphql_conversation() -> Conversation:
    from wsbdd.codec.graphql import GraphQLCodec, Operation

    codec = GraphQLCodec(params={"token": "gql-token-1234"})
    codec.opening("graphql-transport-ws", T)
    codec.decode('{"type":"connection_ack"}', T)
    alice = _Client("Alice")
    operation = Operation("counter", QUERY, {"target": 2})
    frames = codec.encode(operation)
    alice.sent.append(Sent(T + 0.001, "text", frames[0], codec.describe(operation)))
    answers = [
        '{"id":"1","type":"next","payload":{"data":{"count":0}}}',
        '{"id":"1","type":"next","payload":{"data":{"count":1}}}',
        '{"id":"1","type":"complete"}',
    ]
    for i, frame in enumerate(answers):
        decoded = codec.decode(frame, T + 0.01 * (i + 1))
        assert decoded is not None
        for item in decoded.messages:
            assert not isinstance(item, str | bytes)
            alice.inbox.append_value(
                "text", frame, item.value, T + 0.01 * (i + 1), item.label, item.protocol
            )
    marks = [StepMark(T, 0, 'When Alice subscribes to "…" as "counter"')]
    return Conversation(build_transcript([alice], marks), marks, T)


def test_the_real_graphql_codecs_operations_read_as_labels_in_every_output():
    conversation = _graphql_conversation()
    text = transcript_text(conversation.events, start=conversation.start)
    lines = text.splitlines()
    sent = next(line for line in lines if "->" in line)
    assert "-> subscribe counter: subscription Counter($target: Int!) { count(target:" in sent
    assert '<- counter next {"data": {"count": 0}}   (frame: {"id":"1"' in text
    assert '<- counter next {"data": {"count": 1}}' in text
    assert lines[-1].endswith("Alice  counter complete")
    diagram = build_diagram(conversation)
    assert diagram is not None
    arrows = [r for r in diagram.rows if r.kind == "message"]
    assert [r.text for r in arrows][1:] == [
        'counter next {"data": {"count": 0}}',
        'counter next {"data": {"count": 1}}',
    ]
    subscribe = arrows[0]
    assert subscribe.text.startswith("subscribe counter: subscription Counter(")
    assert subscribe.text.endswith("…") and len(subscribe.text) < 120
    assert subscribe.frame_json  # opened: the whole frame, laid out
    assert json.loads(subscribe.frame_text)["payload"]["query"] == QUERY
    marks = [r.summary for r in diagram.rows if r.kind == "mark" and r.mark == "protocol"]
    assert marks == ["counter complete"]
    assert diagram.messages == 3  # complete is a protocol event, not a message
    html = render_html(_run(conversation, Masker()))
    page_text = "".join(Page(html).text)
    assert 'counter next {"data": {"count": 0}}' in page_text
    assert "counter complete" in page_text


# -- the real STOMP codec ------------------------------------------------------------------


def _stomp_conversation() -> Conversation:
    from wsbdd.codec.stomp import StompCodec, StompSend, StompSubscribe

    ann, ben = _Client("Ann"), _Client("Ben")
    codecs = {}
    for at, client in ((T + 0.001, ann), (T + 0.002, ben)):
        codec = codecs[client.name] = StompCodec(login="guest", passcode=PASSCODE)
        connect = codec.opening("v12.stomp", at).replies[0]
        assert isinstance(connect, str | bytes)
        # The CONNECT frame as a transcript would show it, had the step sent it itself.
        client.sent.append(
            Sent(at, "text", connect if isinstance(connect, str) else connect.decode())
        )
        connected = "CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\x00"
        assert codec.decode(connected, at).ready
    subscribe = StompSubscribe("/topic/room.lobby")
    frames = codecs["Ben"].encode(subscribe)
    ben.sent.append(Sent(T + 0.005, "text", frames[0], codecs["Ben"].describe(subscribe)))
    send = StompSend(
        "/topic/room.lobby", '{"text": "hi"}', {"content-type": "application/json"}, receipt=True
    )
    frames = codecs["Ann"].encode(send)
    ann.sent.append(Sent(T + 0.011, "text", frames[0], codecs["Ann"].describe(send)))
    for client, frame, at in (
        (
            ben,
            "MESSAGE\ndestination:/topic/room.lobby\nmessage-id:m-1\nsubscription:sub-0\n"
            'content-type:application/json\n\n{"text": "hi"}\x00',
            T + 0.014,
        ),
        (ann, "RECEIPT\nreceipt-id:r-1\n\n\x00", T + 0.015),
    ):
        decoded = codecs[client.name].decode(frame, at)
        assert decoded is not None
        for item in decoded.messages:
            assert not isinstance(item, str | bytes)
            raw = item.raw if item.raw is not None else frame
            client.inbox.append_value("text", raw, item.value, at, item.label, item.protocol)
    marks = [
        StepMark(
            T,
            0,
            'Given clients Ann and Ben are connected over STOMP as "guest" with passcode "guest"',
        ),
        StepMark(T + 0.010, 1, 'When Ann sends {"text": "hi"} to "/topic/room.lobby"'),
    ]
    return Conversation(build_transcript([ann, ben], marks), marks, T)


def _assert_stomp(text: str, where: str) -> None:
    assert text.count("login:guest") >= 2, where  # Ann's and Ben's CONNECT
    assert "passcode:guest" not in text, where
    assert f"passcode:{MASK}" in text, where


def test_the_real_stomp_codecs_connect_shows_the_login_and_masks_the_passcode_everywhere(
    tmp_path: Path,
):
    conversation = _stomp_conversation()
    masker = _masker()
    text = transcript_text(conversation.events, masker.mask, start=conversation.start)
    _assert_stomp(text, "text")
    assert 'as "guest" with passcode "***"' in text
    assert '-> SEND /topic/room.lobby {"text": "hi"} (receipt r-1)   (frame: SEND⏎' in text
    assert "-> SUBSCRIBE /topic/room.lobby (sub-0)" in text
    assert '<- MESSAGE /topic/room.lobby {"text": "hi"}   (frame: MESSAGE⏎' in text
    assert text.splitlines()[-1].endswith("  Ann  RECEIPT r-1")  # a protocol event: no arrow
    diagram = build_diagram(conversation, mask=masker.mask)
    assert diagram is not None
    shown = "\n".join(f"{r.text} {r.frame_text} {r.summary} {r.full}" for r in diagram.rows)
    _assert_stomp(shown, "diagram")
    assert [r.summary for r in diagram.rows if r.mark == "protocol"] == ["RECEIPT r-1"]
    run = _run(conversation, masker)
    _assert_stomp("".join(Page(render_html(run)).text), "HTML")
    data = to_cucumber(run)
    embedded = data[0]["elements"][0]["steps"][-1]["embeddings"][0]["data"]
    _assert_stomp(base64.b64decode(embedded).decode("utf-8"), "Cucumber JSON")
    # JUnit: behave writes what wsbdd printed, unmasked frames included; the file is masked.
    folder = tmp_path / "junit"
    folder.mkdir()
    xml = folder / "TESTS-stomp.xml"
    unmasked = transcript_text(conversation.events, start=conversation.start)
    xml.write_text(f"<testsuite><system-out>{unmasked}</system-out></testsuite>", "utf-8")
    recorder = ReportRecorder()
    recorder.masker.add(PASSCODE)
    recorder.finish(folder)
    _assert_stomp(xml.read_text("utf-8"), "JUnit")
    # behave's console (a failure that quotes a frame as it was).
    out = io.StringIO()
    connect = next(e.payload for e in conversation.events if e.kind == "sent")
    MaskingStream(out, masker).write(f"Ann sent:\n{connect}\nand Ben sent the same:\n{connect}")
    _assert_stomp(out.getvalue(), "console")


def test_a_frame_quoted_indented_is_masked_by_field_too():
    # behave prints a step's doc string indented: its lines are a frame's all the same.
    masker = _masker()
    echoed = "".join(f"      {line}\n" for line in CONNECT_OTHER.split("\n")) + "\tpasscode:guest\n"
    masked = masker.mask(echoed)
    assert "      login:ben\n" in masked and f"      passcode:{MASK}\n" in masked
    assert f"\tpasscode:{MASK}\n" in masked and OTHER not in masked
    assert masker.mask("  login:guest\n  passcode:guest") == f"  login:guest\n  passcode:{MASK}"
