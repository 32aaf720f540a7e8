"""The words of part 5 (what the handshake and the close said), without a server.

Escapes on step lines and in conditions, text matchers on frames like ``40``,
``matches`` as a full match, the steps' wording, a refusal in a sentence, and a
lost connection in the transcript.
"""

from __future__ import annotations

import pytest

import wsbdd.steps  # noqa: F401  (registers the steps)
from wsbdd.glue.step_lookup import StepPattern
from wsbdd.io.client import ConnectionOutcome
from wsbdd.match import Like, TextIs, where
from wsbdd.match.grammar import body_condition, conditions, quoted
from wsbdd.model.errors import FeatureMistake
from wsbdd.model.handshake import describe_refusal, refusal_response
from wsbdd.model.message import Message
from wsbdd.model.transcript import Event
from wsbdd.model.variables import Variables
from wsbdd.report.text import describe_event
from wsbdd.vocabulary.registration import step_registry


def text(raw: str, seq: int = 1) -> Message:
    return Message(seq, 0.0, "text", raw)


# -- one escape rule ---------------------------------------------------------------------------


def test_a_quoted_text_on_a_step_line_reads_escapes_then_fills_in_variables():
    variables = Variables()
    variables.set("path", "C:\\new")  # a value's own backslash is kept as it is
    assert quoted('a\\nb \\"c\\" \\\\ \\d ${path}', variables) == 'a\nb "c" \\ \\d C:\\new'


def test_conditions_read_the_same_escapes_as_step_lines():
    message = text('{"text": "a\\"b\\nc", "path": "C:\\\\new"}')
    assert conditions('$.text is "a\\"b\\nc"', Variables()).matches(message)
    assert where('$.text is "a\\"b\\nc"').matches(message)
    variables = Variables()
    variables.set("path", "C:\\new")
    assert conditions('$.path is "${path}"', variables).matches(message)
    assert conditions(
        '$.text matches "a.b\\nc" and $.path matches "C:\\\\\\\\new"', variables
    ).matches(message)


def test_the_text_of_receives_the_text_follows_the_rule():
    expected = quoted('{\\"type\\":\\"echo\\",\\"text\\":\\"a\\\\nb\\"}', Variables())
    assert TextIs(expected).matches(text('{"type":"echo","text":"a\\nb"}'))


# -- frames that look like numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    "condition",
    [
        '$ is "40"',
        '$ starts with "4"',
        '$ ends with "0"',
        '$ contains "0"',
        r'$ matches "4\d"',
        '$ is one of "40", "41"',
        '$ is not "2"',
        "$ is 40",
        "$ is greater than 3",
    ],
)
def test_a_text_matcher_reads_a_bare_number_frame_as_text(condition):
    assert where(condition).matches(text("40"))


@pytest.mark.parametrize(
    ("condition", "frame"),
    [('$ is "40"', "41"), ('$ is not "40"', "40"), ("$ is 41", "40"), ('$ is "40"', "[40]")],
)
def test_and_still_fails_when_the_text_differs(condition, frame):
    assert not where(condition).matches(text(frame))


def test_booleans_and_null_frames_are_text_to_text_matchers_too():
    assert where('$ is "true"', "$ is true").matches(text("true"))
    assert where('$ is "null"', "$ is null").matches(text("null"))
    assert where('$ is "hi"').matches(text('"hi"'))  # a JSON string is still its value


def test_a_mismatch_on_a_bare_number_frame_shows_the_text_it_compared():
    matcher = where('$ is "41"', "$ is greater than 50")
    assert matcher.mismatch(text("40")) == '$ was "40" and $ was 40'
    assert matcher.score(text("41")) == 0.5


def test_a_text_step_compares_the_frames_text():
    assert TextIs("40").matches(text("40"))
    assert not TextIs("40").matches(text("40.0"))


# -- matches is a full match -------------------------------------------------------------------


def test_matches_is_a_full_match_everywhere_and_says_how_to_search():
    message = text('{"id": "id: ab-12"}')
    assert not where(r'$.id matches "[a-z]+-\d+"').matches(message)
    assert where(r'$.id matches ".*[a-z]+-\d+"').matches(message)
    assert where(r'$.id does not match "[a-z]+-\d+"').matches(message)
    assert where(r'$.id matches "id: [a-z]+-\d+"').matches(message)
    assert where(r'$.id matches "[a-z]+-\d+"').mismatch(message) == (
        '$.id was "id: ab-12" (the pattern is found inside, but matches needs the whole '
        'text; write ".*[a-z]+-\\\\d+.*" to find it anywhere)'
    )
    assert not Like({"id": r"#regex [a-z]+-\d+"}).matches(message)
    assert Like({"id": r"#regex id: [a-z]+-\d+"}).matches(message)


# -- the steps' words --------------------------------------------------------------------------


def step_for(line: str) -> tuple[str, dict[str, str | None]]:
    for definitions in step_registry().steps.values():
        for definition in definitions:
            if isinstance(definition, StepPattern):
                found = definition.match(line)
                if found is not None:
                    return found.func.__name__, {a.name: a.value for a in found.arguments}
    raise AssertionError(f"no step matches {line!r}")


@pytest.mark.parametrize(
    ("line", "func", "words"),
    [
        (
            "Mallory's connection is rejected with status 401 and the body contains "
            '"Invalid token"',
            "rejected",
            {"status": "401", "body": 'contains "Invalid token"'},
        ),
        ('Mallory\'s connection is rejected and the body is "no"', "rejected", {"body": 'is "no"'}),
        ("Mallory's connection is rejected with status 401", "rejected", {"body": None}),
        (
            'Alice is disconnected with reason "bye"',
            "disconnected",
            {"code": None, "reason": "bye"},
        ),
        (
            'Alice is disconnected with code 4000 and reason "a \\"b\\""',
            "disconnected",
            {"code": "4000", "reason": 'a \\"b\\"'},
        ),
        ('Alice is disconnected with reason "bye" cleanly', "disconnected", {"how": " cleanly"}),
        (
            'Alice is disconnected with reason "bye" within 2 seconds',
            "disconnected",
            {"amount": "2"},
        ),
        ("Alice connects with no subprotocol", "connects", {"no_subprotocol": "no subprotocol"}),
        (
            "Alice is connected with no subprotocol",
            "connected",
            {"no_subprotocol": "no subprotocol"},
        ),
        ('Alice connects to "/a\\"b" with token "t\\\\x"', "connects", {"target": '/a\\"b'}),
        ("Alice receives the text:", "receives_text_docstring", {}),
        ("Alice receives the text within 2 s:", "receives_text_docstring", {"amount": "2"}),
        ('Alice receives the text "x"', "receives_text", {"text": "x"}),
    ],
)
def test_the_steps_read_these_lines(line, func, words):
    name, arguments = step_for(line)
    assert name == func
    for key, value in words.items():
        assert arguments[key] == value


# -- a refusal in a sentence, and a lost connection --------------------------------------------


def refused(headers: dict[str, str], body: str) -> ConnectionOutcome:
    return ConnectionOutcome(
        url="ws://127.0.0.1:1/secure",
        status=401,
        reason_phrase="Unauthorized",
        headers=headers,
        body=body,
    )


def test_a_refusal_in_a_sentence_is_bounded_and_masks_secret_headers():
    outcome = refused(
        {"Set-Cookie": "session=s3cr3t", "WWW-Authenticate": 'Basic realm="chat"', "Date": "x"},
        "Invalid token\n" + "x" * 500,
    )
    response = refusal_response(outcome)
    assert response.header("set-cookie") == "session=s3cr3t"  # the data keeps it for steps
    sentence = describe_refusal(response)
    assert "s3cr3t" not in sentence
    assert sentence.startswith('HTTP 401 Unauthorized, body "Invalid token xxx')
    assert 'headers Set-Cookie: ***; WWW-Authenticate: Basic realm="chat"' in sentence
    assert "Date" not in sentence
    assert len(sentence) < 320


def test_a_lost_connection_is_nobodys_close():
    lost = Event(
        1.0, "Alice", "closed", detail={"code": 1006, "clean": False, "by": None, "lost": True}
    )
    assert describe_event(lost) == "the connection was lost without a closing handshake (1006)"
    mine = Event(
        1.0, "Alice", "closed", detail={"code": 1000, "clean": True, "by": "client", "lost": False}
    )
    assert describe_event(mine) == "closed with code 1000 by the client"
    outcome = ConnectionOutcome(
        url="ws://x", opened_at=0.5, closed_at=1.0, close_code=1006, clean=False
    )
    assert outcome.lost
    assert outcome.describe_close() == "was lost without a closing handshake (1006)"
    outcome.closed_by = "client"
    assert not outcome.lost
    assert (
        outcome.describe_close() == "closed with code 1006 (abruptly, without a closing handshake)"
    )


def test_the_body_step_needs_a_known_matcher_word():
    with pytest.raises(FeatureMistake, match="Unknown matcher"):
        body_condition('contian "x"', Variables())


def test_the_catalogue_says_matches_is_a_full_match_and_how_escapes_read():
    from wsbdd.catalogue import SECTIONS

    intro = SECTIONS["wsbdd.steps.receiving"][1]
    assert '"matches" wants the whole text to match' in intro
    assert 'other backslashes stay ("4\\d")' in intro


def test_a_token_with_an_escaped_quote_is_masked_whole():
    from wsbdd.report.mask import Masker

    line = 'Given Alice is connected with token "ab\\"cd-secret" to "/x"'
    assert Masker().mask(line) == 'Given Alice is connected with token "***" to "/x"'


def test_a_step_reads_is_one_of_with_a_bare_list_as_the_pure_grammar_does():
    variables = Variables()
    variables.set("other", "41")
    for where_text in ('$ is one of "40", "41"', '$ is one of "39", "${other}"'):
        matcher = conditions(where_text, variables)
        assert matcher.describe() == where(where_text.replace("${other}", "41")).describe()
        assert matcher.matches(text("41"))
