"""The pure parts of the HTTP steps: addresses, bodies as shown, response checks, and the
exchanges in the transcript, the text transcript and the report's diagram."""

from __future__ import annotations

import time

import pytest

from wsbdd.expect.response import capture, describe, expect_header, expect_matches, value_at
from wsbdd.io.http import Body, Exchange, http_base, origin_of, resolve
from wsbdd.match import compile_path, parse_condition, where
from wsbdd.model.errors import ExpectationFailed, FeatureMistake
from wsbdd.model.response import Response
from wsbdd.model.transcript import StepMark, build_transcript
from wsbdd.report.collect import Conversation
from wsbdd.report.diagram import build_diagram
from wsbdd.report.model import StepReport
from wsbdd.report.text import transcript_text


@pytest.mark.parametrize(
    ("base", "target", "expected"),
    [
        ("ws://h:8000/ws", "/api/x", "http://h:8000/api/x"),
        ("ws://h:8000/app/ws", "api/x", "http://h:8000/app/api/x"),
        ("wss://h/app/", "login/", "https://h/app/login/"),
        ("ws://h:8000/ws?room=1", "?page=2", "http://h:8000/ws?page=2"),
        ("ws://h:8000/ws", "http://other:9/x", "http://other:9/x"),
        ("ws://h:8000/ws", "wss://other/x", "https://other/x"),
    ],
)
def test_addresses_resolve_against_the_server_as_a_browser_resolves_links(base, target, expected):
    assert resolve(base, target) == expected


@pytest.mark.parametrize("target", ["ftp://h/x", "http://h:70000/x", "http://:80/x", " "])
def test_unusable_addresses_are_feature_mistakes(target):
    with pytest.raises(FeatureMistake):
        resolve("ws://h:8000/", target)


def test_origins_fill_in_default_ports_and_ignore_paths():
    assert origin_of("http://H/x") == ("http", "h", 80)
    assert origin_of("wss://h/x") == ("https", "h", 443)
    assert origin_of("http://h:80/y") == origin_of("ws://h/z")
    assert origin_of("http://h:81/") != origin_of("http://h/")
    assert http_base("ws://h/x") == "http://h/x"


def test_bodies_are_shown_with_secret_fields_masked():
    form = Body("form", {"username": "alice", "password": "pw-123", "csrfmiddlewaretoken": "t0k"})
    assert form.shown() == "username=alice&password=***&csrfmiddlewaretoken=***"
    assert Body("json", {"api_key": "k", "n": [{"token": "x"}]}).shown() == (
        '{"api_key": "***", "n": [{"token": "***"}]}'
    )
    assert form.as_httpx() == {
        "data": {"username": "alice", "password": "pw-123", "csrfmiddlewaretoken": "t0k"}
    }


def _response(body: str, content_type: str = "application/json", status: int = 200) -> Response:
    return Response(status, "OK", (("content-type", content_type),), body.encode())


def test_response_checks_use_the_message_matchers():
    answer = _response('{"queued": true, "id": 7}')
    expect_matches(answer, where("$.queued is true", "$.id is greater than 3"))
    with pytest.raises(ExpectationFailed) as failure:
        expect_matches(answer, where("$.id is 8"), "Then the response is JSON where $.id is 8")
    assert str(failure.value) == (
        'In the step "Then the response is JSON where $.id is 8": the response should be '
        "where $.id is 8, but $.id was 7 (HTTP 200 OK, application/json, body "
        '"{"queued": true, "id": 7}").'
    )
    assert value_at(answer, compile_path("$.id")) == 7


def test_a_page_that_is_not_json_is_named_with_its_status_type_and_start():
    page = _response("<!doctype html>" + "<p>x</p>" * 50, "text/html; charset=utf-8")
    with pytest.raises(ExpectationFailed) as failure:
        value_at(page, compile_path("$.id"), 'And I remember $.id from the response as "id"')
    text = str(failure.value)
    assert "its body is not JSON (HTTP 200 OK, text/html; charset=utf-8" in text
    assert 'body starting "<!doctype html><p>x</p>' in text and text.endswith('…").')
    assert describe(_response("")) == "HTTP 200 OK, application/json, empty body"


def test_header_checks_take_any_matcher_and_name_a_missing_header():
    answer = Response(401, "Unauthorized", (("WWW-Authenticate", 'Basic realm="x"'),))
    expect_header(answer, "www-authenticate", parse_condition('$ starts with "Basic"'))
    expect_header(answer, "X-Nope", parse_condition("$ does not exist"))
    with pytest.raises(ExpectationFailed, match='the response has no header "X-Nope"'):
        expect_header(answer, "X-Nope", parse_condition("$ exists"))
    with pytest.raises(ExpectationFailed, match='should be one that starts with "Bearer"'):
        expect_header(answer, "WWW-Authenticate", parse_condition('$ starts with "Bearer"'))


def test_a_capture_keeps_the_first_group_and_says_when_nothing_matches():
    page = '<input name="csrfmiddlewaretoken" value="abc123">'
    assert capture(page, r'name="csrfmiddlewaretoken" value="([^"]+)"', "the page") == "abc123"
    assert capture("ack:42", r"ack:\d+", "the text") == "ack:42"
    with pytest.raises(ExpectationFailed, match='nothing in the page matches "nope'):
        capture(page, "nope(.)", "the page")
    with pytest.raises(FeatureMistake, match="not a valid regular expression"):
        capture(page, "(", "the page")


def _exchange(t: float) -> Exchange:
    return Exchange(
        "I",
        "POST",
        "http://127.0.0.1:8000/api/rooms/1/announce",
        t + 0.010,
        '{"text": "deploy done"}',
        answered_at=t + 0.014,
        status=202,
        reason="Accepted",
        content_type="application/json",
        answer='{"queued": true}',
    )


def test_an_exchange_is_a_request_and_an_answer_in_the_transcript_and_its_text():
    t = time.monotonic()
    marks = [StepMark(t, 0, 'When I POST {"text": "deploy done"} to "/api/rooms/1/announce"')]
    events = build_transcript([], marks, [_exchange(t)])
    assert [(e.kind, e.client, e.detail["phase"]) for e in events] == [
        ("http", "I", "request"),
        ("http", "I", "response"),
    ]
    assert events[1].detail["status"] == 202 and events[1].step is marks[0]
    text = transcript_text(events, start=t)
    assert text.splitlines()[0] == "WebSocket conversation (1 client, 0 frames, 1 HTTP request)"
    assert 'I  -> POST http://127.0.0.1:8000/api/rooms/1/announce {"text": "deploy done"}' in text
    assert 'I  <- HTTP 202 Accepted in 4 ms {"queued": true}' in text


def test_the_diagram_draws_an_http_arrow_to_the_server_and_one_back_with_the_status():
    t = time.monotonic()
    step = 'I POST {"text": "deploy done"} to "/api/rooms/1/announce"'
    marks = [StepMark(t, 0, f"When {step}")]
    events = build_transcript([], marks, [_exchange(t)])
    steps = [StepReport("When", step, 3, "passed", 0.02)]
    diagram = build_diagram(Conversation(events, marks, t), steps)
    assert diagram is not None
    assert [(lane.name, lane.server) for lane in diagram.lanes] == [("I", False), ("Server", True)]
    arrows = [
        (r.frame, r.direction, r.start, r.end, r.points, r.text)
        for r in diagram.rows
        if r.kind == "message"
    ]
    assert arrows == [
        (
            "http",
            "sent",
            2,
            4,
            "right",
            'POST http://127.0.0.1:8000/api/rooms/1/announce {"text": "deploy done"}',
        ),
        ("http", "received", 2, 4, "left", 'HTTP 202 Accepted in 4 ms {"queued": true}'),
    ]
    assert diagram.messages == 2


def test_a_credential_header_written_on_a_step_line_is_masked_in_reports():
    from types import SimpleNamespace

    from wsbdd.report.collect import ReportRecorder

    recorder = ReportRecorder()
    line = 'I POST {"a": 1} to "/x" with header "X-Api-Key" "abc-secret-42"'
    recorder.learn_step(SimpleNamespace(name=line, table=None))
    recorder.learn_step(SimpleNamespace(name='I GET "/x" with header "X-Trace" "trace-77"'))
    assert recorder.masker.mask("key abc-secret-42, trace trace-77") == "key ***, trace trace-77"


def test_a_secret_with_an_escaped_quote_is_masked_whole():
    from types import SimpleNamespace

    from wsbdd.report.collect import ReportRecorder

    recorder = ReportRecorder()
    recorder.learn_step(
        SimpleNamespace(name=r'Alice is connected with token "ab\"cd-9"', table=None)
    )
    line = r'I GET "/x" with header "X-Api-Key" "k\"ey-77"'
    recorder.learn_step(SimpleNamespace(name=line, table=None))
    assert recorder.masker.mask('sent ab"cd-9 and k"ey-77') == "sent *** and ***"


def test_the_server_address_in_the_report_hides_a_secret_in_its_query():
    from wsbdd.report.collect import ReportRecorder

    recorder = ReportRecorder(None, "ws://127.0.0.1:9/ws?token=s3cr3t&room=1")
    assert recorder.base_url == "ws://127.0.0.1:9/ws?token=***&room=1"


def test_a_failed_check_on_a_credential_header_does_not_print_its_value():
    answer = Response(302, "Found", (("Set-Cookie", "session=s3cr3t-value; Path=/"),))
    with pytest.raises(ExpectationFailed) as failure:
        expect_header(answer, "Set-Cookie", parse_condition('$ starts with "csrftoken="'))
    assert "s3cr3t-value" not in str(failure.value)
    assert "not shown: it carries credentials" in str(failure.value)


def _documented_steps() -> list[str]:
    """Every step written in backticks in docs/http.md and the README's HTTP table."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    http_table = readme.split("### HTTP beside WebSocket", 1)[1].split("\n### ", 1)[0]
    texts = (root / "docs" / "http.md").read_text(encoding="utf-8") + http_table
    found = []
    for code in re.findall(r"`((?:Given|When|Then|And) [^`]+)`", texts):
        step = code.split(" ", 1)[1].replace("\\|", "|")
        if "…" not in step:
            found.append(step)
    return found


def test_every_http_step_in_the_docs_is_one_registered_step():
    import wsbdd.steps  # noqa: F401  (registers the steps)
    from wsbdd.vocabulary.registration import step_registry

    registry = step_registry()
    documented = _documented_steps()
    assert len(documented) > 25
    for text in documented:
        funcs = {
            matcher.func
            for matchers in registry.steps.values()
            for matcher in matchers
            if matcher.match(text) is not None
        }
        assert len(funcs) == 1, (text, funcs)
