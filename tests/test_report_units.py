"""The report layers without behave or sockets: masking, text, diagrams, HTML and Cucumber JSON."""

from __future__ import annotations

import json
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from wsbdd.model.errors import ConfigError
from wsbdd.model.transcript import Event, StepMark
from wsbdd.report.collect import Conversation
from wsbdd.report.cucumber import to_cucumber
from wsbdd.report.diagram import build_diagram
from wsbdd.report.html import render_html, text_content
from wsbdd.report.mask import MASK, Masker, MaskingStream
from wsbdd.report.model import FeatureReport, RunReport, ScenarioReport, StepReport, explain
from wsbdd.report.options import ReportOptions
from wsbdd.report.outputs import behave_args, describe_reports
from wsbdd.report.text import transcript_text, visible

HOSTILE = (
    "<script>window.pwned='script';document.title='pwned'</script>"
    "<img src=x onerror=\"window.pwned='img'\"><a href=\"javascript:window.pwned='a'\">x</a>"
    "</script><!-- \u202egnp.exe \u200b"
)


# -- masking ------------------------------------------------------------------------------


def test_known_secret_values_are_masked_in_every_spelling():
    masker = Masker(["s3cr3t/tök&en"])
    text = 's3cr3t/tök&en {"t": "s3cr3t/t\\u00f6k&en"} ?x=s3cr3t%2Ft%C3%B6k%26en'
    assert masker.mask(text) == f'{MASK} {{"t": "{MASK}"}} ?x={MASK}'


def test_secret_places_are_masked_whatever_the_value():
    masker = Masker()
    assert masker.mask('Given Alice is connected with token "ab"') == (
        'Given Alice is connected with token "***"'
    )
    assert masker.mask("Authorization: Bearer xyz") == "Authorization: ***"
    assert masker.mask('{"Cookie": "sid=1", "x": 2}') == '{"Cookie": "***", "x": 2}'
    assert masker.mask('{"type": "auth", "token": "t\\"k"}') == '{"type": "auth", "token": "***"}'
    assert masker.mask("ws://h/secure?token=abc&room=1") == "ws://h/secure?token=***&room=1"


def test_short_values_are_not_masked_in_free_text_and_headers_hide_credentials():
    masker = Masker(["ab"])
    assert masker.mask("a tab") == "a tab"
    masker.add_header("Authorization", "Bearer very-long-credential")
    masker.add_header("Cookie", "a=1; session=cookie-value-9")
    masker.add_header("X-Trace", "not-a-secret")
    assert masker.mask("very-long-credential cookie-value-9 not-a-secret") == (
        f"{MASK} {MASK} not-a-secret"
    )


def test_tables_trees_files_and_streams_are_masked(tmp_path: Path):
    masker = Masker(["top-secret-1"])
    assert masker.mask_cells(
        [["name", "value"], ["Authorization", "Bearer ab"], ["x", "top-secret-1"]]
    ) == [["name", "value"], ["Authorization", MASK], ["x", MASK]]
    assert masker.mask_tree({"a": ["top-secret-1", 3], "top-secret-1": None}) == {
        "a": [MASK, 3],
        MASK: None,
    }
    junit = tmp_path / "TESTS-x.xml"
    junit.write_text('<x a="top-secret-1">top-secret-1 &amp; top-secret-1</x>')
    assert masker.mask_file(junit)
    assert "top-secret-1" not in junit.read_text()

    class Sink:
        def __init__(self) -> None:
            self.parts: list[str] = []
            self.encoding = "utf-8"

        def write(self, text: str) -> None:
            self.parts.append(text)

    sink = Sink()
    stream = MaskingStream(sink, masker)
    stream.write("token top-secret-1\n")
    assert sink.parts == [f"token {MASK}\n"] and stream.encoding == "utf-8"


# -- text -----------------------------------------------------------------------------------


def test_invisible_and_direction_changing_characters_are_shown():
    assert visible("a\u202eb\u200bc\x00d\te\n") == "a⟨U+202E⟩b⟨U+200B⟩c⟨U+0000⟩d\te\n"


def _events() -> tuple[list[Event], list[StepMark]]:
    t = 100.0
    marks = [
        StepMark(t, 0, "Given clients Alice, Bob and Carol are connected"),
        StepMark(t + 0.010, 1, 'When Alice sends {"type": "join"}'),
        StepMark(t + 0.020, 2, 'Then Bob receives a message where $.type is "x"'),
    ]
    events = [
        Event(t + 0.001, "Alice", "connecting", detail={"url": "ws://h/"}, step=marks[0]),
        Event(t + 0.002, "Alice", "connected", detail={"url": "ws://h/"}, step=marks[0]),
        Event(t + 0.002, "Bob", "connected", detail={"url": "ws://h/"}, step=marks[0]),
        Event(
            t + 0.002,
            "Carol",
            "rejected",
            detail={
                "url": "ws://h/secure?token=***",
                "status": 401,
                "reason": "Unauthorized",
                "body": "Missing token",
            },
            step=marks[0],
        ),
        Event(t + 0.011, "Alice", "sent", "text", '{"type": "join"}', step=marks[1]),
        Event(
            t + 0.012,
            "Bob",
            "received",
            "text",
            '{"type":"joined","who":"' + "x" * 300 + '"}',
            0,
            step=marks[1],
        ),
        Event(t + 0.013, "Bob", "sent", "binary", b"\x00\xff", step=marks[1]),
        Event(
            t + 0.600,
            "Alice",
            "closed",
            detail={"code": 1000, "reason": "bye", "clean": True, "by": "client"},
            step=marks[2],
        ),
    ]
    return events, marks


def test_transcript_text_lists_steps_frames_and_connection_events():
    events, marks = _events()
    text = transcript_text(events, start=marks[0].at)
    lines = text.splitlines()
    assert lines[0] == "WebSocket conversation (3 clients, 3 frames)"
    assert lines[1] == "-- Given clients Alice, Bob and Carol are connected"
    assert "Carol  rejected with HTTP 401 Unauthorized" in text
    assert 'Alice  -> {"type": "join"}' in text
    assert "Bob    -> 0x00ff" in text
    assert 'Alice  closed with code 1000 and reason "bye" by the client' in text


# -- diagram --------------------------------------------------------------------------------


def _steps(failed_error: str = "") -> list[StepReport]:
    return [
        StepReport("Given", "clients Alice, Bob and Carol are connected", 3, "passed", 0.005),
        StepReport("When", 'Alice sends {"type": "join"}', 4, "passed", 0.003),
        StepReport(
            "Then",
            'Bob receives a message where $.type is "x"',
            5,
            "failed" if failed_error else "passed",
            0.5,
            failed_error,
        ),
    ]


def test_the_server_is_in_the_middle_and_arrows_point_the_right_way():
    events, marks = _events()
    diagram = build_diagram(Conversation(events, marks, marks[0].at), _steps())
    assert diagram is not None
    assert [(lane.name, lane.column) for lane in diagram.lanes] == [
        ("Alice", 2),
        ("Bob", 3),
        ("Server", 4),
        ("Carol", 5),
    ]
    arrows = [
        (r.client, r.direction, r.start, r.end, r.points)
        for r in diagram.rows
        if r.kind == "message"
    ]
    assert arrows == [
        ("Alice", "sent", 2, 5, "right"),
        ("Bob", "received", 3, 5, "left"),
        ("Bob", "sent", 3, 5, "right"),
    ]
    marks_drawn = [
        (r.client, r.mark, r.column, r.summary) for r in diagram.rows if r.kind == "mark"
    ]
    assert ("Carol", "rejected", 5, "rejected with HTTP 401 Unauthorized") in marks_drawn
    assert (
        "Alice",
        "closed",
        2,
        'closed with code 1000 and reason "bye" by the client',
    ) in marks_drawn
    kinds = [r.kind for r in diagram.rows]
    assert kinds[0] == "step" and kinds.count("step") == 3
    assert diagram.messages == 3


def test_a_failure_is_drawn_when_the_step_failed_before_the_clients_closed():
    events, marks = _events()
    steps = _steps('Bob expected a message where $.type is "x" within 500 ms')
    diagram = build_diagram(Conversation(events, marks, marks[0].at), steps)
    assert diagram is not None
    kinds = [(r.kind, r.mark) for r in diagram.rows]
    failure = kinds.index(("failure", ""))
    closed = kinds.index(("mark", "closed"))
    assert kinds[failure - 1] == ("step", "") and failure < closed
    assert diagram.rows[failure].summary.startswith("Bob expected a message")
    assert any(r.kind == "note" for r in diagram.rows[failure:closed])


def test_payloads_are_kept_whole_up_to_the_cap_and_json_is_flagged():
    events, marks = _events()
    diagram = build_diagram(Conversation(events, marks, marks[0].at), _steps(), payload_cap=256)
    assert diagram is not None
    long_one, binary = [r for r in diagram.rows if r.kind == "message"][1:]
    assert (
        len(long_one.text) == 256 and long_one.cut == len('{"type":"joined","who":""}') + 300 - 256
    )
    assert not long_one.json
    assert binary.text == "binary, 2 bytes: 0x00ff" and binary.frame == "binary"


def test_no_connection_means_no_diagram():
    assert build_diagram(None, _steps()) is None
    assert build_diagram(Conversation([], []), _steps()) is None


# -- options --------------------------------------------------------------------------------


def test_report_options_are_read_and_checked():
    options = ReportOptions.from_table(
        {"title": "Chat", "payload_cap": "2 KiB", "diagram_chars": 80}
    )
    assert (options.title, options.payload_cap, options.diagram_chars) == ("Chat", 2048, 80)
    with pytest.raises(ConfigError, match=r"\[tool.wsbdd.report\] payload_cap must be a size"):
        ReportOptions.from_table({"payload_cap": "lots"})
    with pytest.raises(ConfigError, match="is not a report setting; known settings"):
        ReportOptions.from_table({"colour": "red"})


def test_behave_errors_become_sentences():
    assert explain("ASSERT FAILED: Bob expected x") == ("Bob expected x", "")
    assert explain("HOOK-ERROR in after_scenario: AssertionError: Strict: 2 messages")[0] == (
        "Strict: 2 messages"
    )
    sentence, detail = explain("Traceback (most recent call last):\n  File \"x\"\nKeyError: 'a'")
    assert sentence == "The step stopped with an unexpected error: KeyError: 'a'" and detail


# -- HTML -----------------------------------------------------------------------------------


class Page(HTMLParser):
    """Tags, attributes and text of a page, as a browser's parser sees them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _run(masker: Masker | None = None, *, payload: str = HOSTILE) -> RunReport:
    t = 50.0
    marks = [StepMark(t, 0, f"When Alice sends {payload}")]
    events = [
        Event(t + 0.001, "Alice", "connected", detail={"url": "ws://h/"}, step=marks[0]),
        Event(t + 0.002, "Alice", "sent", "text", payload, step=marks[0]),
        Event(
            t + 0.003, "Alice", "received", "text", json.dumps({"echo": payload}), 1, step=marks[0]
        ),
    ]
    scenario = ScenarioReport(
        number=1,
        keyword="Scenario",
        name=f"Evil {payload}",
        line=2,
        filename="f.feature",
        status="failed",
        tags=[f"@t{payload}"],
        steps=[
            StepReport(
                "When",
                f"Alice sends {payload}",
                3,
                "failed",
                0.01,
                f"Bob saw {payload}",
                text=payload,
                table=[["a", payload]],
            )
        ],
        conversation=Conversation(events, marks, t),
    )
    feature = FeatureReport("Feature", f"F {payload}", 1, "f.feature", [payload], [], [scenario])
    return RunReport(
        f"T {payload}",
        time.time(),
        1.0,
        f"ws://h/{payload}",
        [feature],
        ReportOptions(),
        masker or Masker(),
    )


def test_hostile_text_never_becomes_markup_anywhere_in_the_report():
    html = render_html(_run())
    page = Page(html)
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert len(scripts) == 1  # the report's own
    assert not [tag for tag, _ in page.tags if tag in ("img", "iframe", "object", "embed")]
    links = [attrs.get("href") or "" for tag, attrs in page.tags if tag == "a"]
    assert links and all(href.startswith(("#s", "#f")) for href in links)  # a scenario or feature
    assert not [a for _, attrs in page.tags for a in attrs if a.startswith("on")]
    urls = [
        v
        for _, attrs in page.tags
        for k, v in attrs.items()
        if k in ("href", "src", "action", "formaction", "xlink:href", "srcset")
    ]
    assert not [url for url in urls if "javascript" in (url or "").lower()]
    # Hostile text inside attributes stays a value: the tag list is intact.
    assert any(attrs.get("data-tags", "").startswith("@t<script>") for _, attrs in page.tags)
    text = "".join(page.text)
    # The words survive, visibly: the right-to-left override is written out.
    assert "window.pwned='script'" in text and "⟨U+202E⟩gnp.exe" in text
    assert "\u202e" not in html and "\u200b" not in html


def test_the_report_is_self_contained_and_its_script_is_allowed_by_hash():
    html = render_html(_run(payload='{"type": "join"}'))
    page = Page(html)
    assert "http://" not in html and "https://" not in html and "@import" not in html
    assert not [tag for tag, _ in page.tags if tag in ("link", "img", "iframe")]
    assert not [attrs for _, attrs in page.tags if "src" in attrs]
    policy = next(
        attrs["content"]
        for tag, attrs in page.tags
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    )
    assert policy is not None and "default-src 'none'" in policy and "'sha256-" in policy


def test_text_content_escapes_what_a_text_node_needs():
    assert str(text_content('<a href="x">&</a>')) == '&lt;a href="x"&gt;&amp;&lt;/a&gt;'
    assert str(text_content("\nline")) == "\n\nline"


def test_secrets_are_masked_in_html_and_cucumber():
    run = _run(Masker(["hunter2-token"]), payload='{"note": "hunter2-token", "password": "pw"}')
    html = render_html(run)
    cucumber = json.dumps(to_cucumber(run))
    for output in (html, cucumber):
        assert "hunter2-token" not in output and '"pw"' not in output


def test_cucumber_json_has_the_standard_shape():
    data = to_cucumber(_run(payload='{"type": "join"}'))
    feature = data[0]
    assert {"uri", "id", "keyword", "name", "description", "line", "elements", "tags"} <= set(
        feature
    )
    element = feature["elements"][0]
    assert element["type"] == "scenario" and element["id"].startswith(feature["id"] + ";")
    step = element["steps"][0]
    assert step["keyword"] == "When " and step["result"]["status"] == "failed"
    assert step["result"]["duration"] == 10_000_000
    assert step["result"]["error_message"].startswith("Bob saw")
    assert step["doc_string"]["value"] == '{"type": "join"}'
    assert step["rows"] == [{"cells": ["a", '{"type": "join"}']}]


# -- wsbdd run's arguments --------------------------------------------------------------------


def test_wsbdd_run_asks_behave_for_three_reports_and_keeps_the_console(tmp_path: Path):
    reports = tmp_path / "reports"
    args = behave_args(reports, [], tmp_path)
    assert args[:2] == ["-f", "wsbdd.report.html:HtmlFormatter"]
    assert str(reports / "report.html") in args and str(reports / "cucumber.json") in args
    assert args[args.index("--junit-directory") + 1] == str(reports / "junit")
    assert args[-2:] == ["-f", "pretty"]
    assert behave_args(reports, ["-f", "progress"], tmp_path)[-2:] == ["-f", "progress"]


def test_the_command_line_says_where_the_reports_are(tmp_path: Path):
    (tmp_path / "junit").mkdir()
    (tmp_path / "junit" / "TESTS-a.xml").write_text("<x/>")
    (tmp_path / "report.html").write_text("<html>")
    (tmp_path / "cucumber.json").write_text("[]")
    text = describe_reports(tmp_path, tmp_path.parent)
    assert f"{tmp_path.name}/report.html  (open it in a browser)" in text
    assert "JUnit XML" in text and "Cucumber JSON" in text


def test_an_expectation_failure_shows_its_fields_folded_under_the_sentence():
    from wsbdd.model.failures import Failure, render
    from wsbdd.report.html import failure_fields

    failure = Failure(
        "Bob",
        'a message where $.type is "chat" within 1.0 s',
        "had 1 unread message:",
        ('  #1 12:00:00.000 {"type": "<b>"}   ($.type was "<b>")',),
    )
    assert failure_fields(failure) == [
        ("Who", "Bob"),
        ("Expected", 'a message where $.type is "chat" within 1.0 s'),
        ("Observed", "had 1 unread message:"),
        ("Closest", '#1 12:00:00.000 {"type": "<b>"}   ($.type was "<b>")'),
    ]
    assert failure_fields(Failure(sentence="There is no client called Zed.")) == []
    run = _run()
    step = run.features[0].scenarios[0].steps[0]
    step.error, step.failure = render(failure), failure
    page = Page(render_html(run))
    assert ("dt", {}) in page.tags and "Expected and observed" in page.text
    assert all(attrs.get("class") for tag, attrs in page.tags if tag == "b")  # text, not markup
    assert '#1 12:00:00.000 {"type": "<b>"}' in "".join(page.text)
