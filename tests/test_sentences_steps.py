"""The built-in steps' own sentences, pinned whole, reached through the step text a tester writes.

``run_step`` looks the line up among the registered steps and runs it with a real
Session against the demo server; a feature-text mistake names its step (the one
prefix, written by the renderer).  The load schedule's sentences come through the
load steps here too.
"""

from __future__ import annotations

import re
import types

import pytest
from behave.model import Table

from tests.sentences import assert_raises_sentence, run_step, sentence_of
from wsbdd.load.schedule import count_offsets, parse_rate
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake
from wsbdd.steps import load as load_steps


def in_step(line: str, sentence: str) -> str:
    return f'In the step "{line}": {sentence}'


def mistake(s, line: str, sentence: str, **context) -> None:
    assert_raises_sentence(
        in_step(line, sentence), run_step, s, line, kind=FeatureMistake, **context
    )


def test_a_step_without_wsbdd_hooks():
    assert_raises_sentence(
        "wsbdd's hooks are not installed: put `from wsbdd.environment import *` in "
        "environment.py next to your steps folder.",
        load_steps.every_sends_in_phases,
        types.SimpleNamespace(),
        group="g",
        payload="{}",
        kind=FeatureMistake,
    )


def test_docstrings_and_tables_the_step_needs(s):
    run_step(s, "Given Alice is connected")
    mistake(
        s,
        "When Alice sends:",
        'This step needs a docstring under it (between """ lines), e.g. {"type": "ping"}',
    )
    mistake(
        s,
        "Then Alice receives a message like:",
        'This step needs a JSON docstring under it (between """ lines).',
    )
    mistake(
        s,
        "Then Alice receives these messages in order:",
        "Put the expected messages under the step, as a table whose headings are JSONPaths "
        "(| $.type | $.content |) or a docstring JSON array of templates.",
    )
    mistake(
        s,
        "Then Alice receives the text:",
        'This step needs the expected text in a docstring under it (between """ lines).',
    )
    mistake(
        s,
        'When Alice sends binary hex "zz"',
        '"zz" is not valid hex; write it like "01 ff 7a".',
    )
    headers = (
        "Put the headers in a table under the step:\n  | name    | value |\n  | X-Trace | 42    |"
    )
    mistake(s, "Given Bob is connected with headers:", headers)
    mistake(s, 'Given 2 clients in group "g" are connected with headers:', headers)


def test_http_steps(s):
    mistake(
        s,
        'When I GET "/chat" with query:',
        "Put the query parameters in a table under the step:\n"
        "  | name | value |\n  | page | 2     |",
    )
    mistake(
        s,
        'When I POST "/chat" with the form:',
        'A form is a JSON object of fields, e.g. {"username": "alice", "password": "…"}.',
        text="[1]",
    )
    mistake(
        s,
        'When I POST "/chat" with the JSON:',
        'This step needs a docstring under it (between """ lines), e.g. {"text": "hello"}',
    )
    run_step(s, 'When I GET "/chat"')
    line = 'Then I remember the response header "ETag" as "tag"'
    assert_raises_sentence(
        in_step(
            line,
            'the response has no header "ETag": HTTP 426 Upgrade Required, text/plain; '
            'charset=utf-8, body starting "Failed to open a WebSocket connection: invalid '
            "Connection header: keep-alive. You cannot access a WebSocket server directly with "
            'a browser. You need a WebSocke…".',
        ),
        run_step,
        s,
        line,
        kind=ExpectationFailed,
    )


def test_collected_messages(s):
    run_step(s, "Given Alice is connected")
    mistake(
        s,
        "Then Alice collected at least 1 message",
        'Alice has not collected messages yet; use "Then Alice receives messages until one '
        'where …" first.',
    )
    run_step(s, 'When Alice sends {"type": "echo", "content": "x"}')
    run_step(s, 'Then Alice receives messages until one where $.type is "echo"')
    assert run_step(s, "Then Alice collected exactly 1 message") is None
    assert_raises_sentence(
        'Alice expected to have collected exactly 2 messages where $.content is "y", but '
        "collected 0 of 1:\n"
        '  #2 HH:MM:SS.mmm {"type":"echo","content":"x","n":1}   ($.content was "x")',
        run_step,
        s,
        'Then Alice collected exactly 2 messages where $.content is "y"',
        kind=ExpectationFailed,
    )


# -- load steps and their schedule ------------------------------------------------------

SENDS = 'When every client in group "g" sends {"a": 1}'
TOO_MANY = (
    "This load would send {n} messages per client; at most 100,000 are allowed, so lower the "
    'rate or shorten the run, like "10 per second" for "60 seconds" (600 messages).'
)
COLUMNS = "| phase | duration | rate | with rows like | warm-up | 30 seconds | 1 to 5 per second |"


def test_crowd_sizes(s):
    mistake(
        s,
        'Given 0 clients in group "g" are connected at 10 clients per second',
        'A crowd needs at least one client, e.g. "10 clients in group …".',
    )
    mistake(
        s,
        'Given 30,000 clients in group "g" are connected at 10 clients per second',
        "30,000 clients is more than one wsbdd process can hold (about 20,000 open files); use "
        "fewer clients, or spread the load over several machines.",
    )


def test_paces(s):
    run_step(s, 'Given 2 clients in group "g" are connected')
    mistake(
        s,
        SENDS + " 5 times at 1 to 5 per second",
        '"5 times at 1 to 5 per second" mixes a count with a ramp; for a ramp give a duration '
        'instead, e.g. "for 10 seconds at 1 to 5 per second".',
    )
    mistake(s, SENDS + " 2000000 times", TOO_MANY.format(n="2,000,000"))
    mistake(
        s,
        SENDS + " 5 times at 0 per second",
        'At a rate of 0 per second no message would ever be sent; write a rate above 0, like "5 '
        'per second".',
    )


@pytest.mark.parametrize(
    ("headings", "rows", "sentence"),
    [
        (
            None,
            None,
            "A phased load needs a table under the step: | phase | duration | rate |, "
            "e.g. | warm-up | 2 s | 1 per second |.",
        ),
        (
            ["phase", "duration", "rate", "x"],
            [["a", "1 s", "1 per second", "y"]],
            'The phase table has a column "x" that wsbdd does not know: use the columns '
            f"{COLUMNS}.",
        ),
        (
            ["phase", "duration"],
            [["a", "1 s"]],
            f'The phase table needs a "rate" column: write it like {COLUMNS}.',
        ),
        (
            ["phase", "duration", "rate"],
            [],
            f"The phase table has no rows: write it like {COLUMNS}.",
        ),
        (
            ["phase", "duration", "rate"],
            [["a", "1 parsec", "1 per second"]],
            'Row 1 of the phase table has the duration "1 parsec", which wsbdd cannot read: write '
            'it like "30 seconds", "500 ms" or "1.5 minutes".',
        ),
        (
            ["phase", "duration", "rate"],
            [["a", "0 s", "1 per second"]],
            'Row 1 of the phase table lasts "0 s": every phase must last more than 0 seconds, like '
            '"30 seconds".',
        ),
        (
            ["phase", "duration", "rate"],
            [["a", "1 s", "lots"]],
            'Row 1 of the phase table has the rate "lots", which wsbdd cannot read: write it like '
            '"5 per second" or "1 to 5 per second".',
        ),
        (
            ["phase", "duration", "rate"],
            [["a", "59 minutes", "1 per second"], ["b", "2 minutes", "1 per second"]],
            "Row 2 of the phase table takes the phases to 3,660 seconds in all, more than the one "
            "hour wsbdd allows: shorten them, like | steady | 10 minutes | 5 per second |.",
        ),
        (
            ["phase", "duration", "rate"],
            [["a", "50 minutes", "1000 per second"]],
            TOO_MANY.format(n="3,000,000"),
        ),
    ],
)
def test_phase_tables(s, headings, rows, sentence):
    run_step(s, 'Given 2 clients in group "g" are connected')
    table = Table(headings, rows=rows) if headings else None
    mistake(s, SENDS + " in phases:", sentence, table=table)


def test_rates():
    assert parse_rate("1 to 5 per second") == (1.0, 5.0)
    assert_raises_sentence(
        'wsbdd cannot read the rate "lots": write it like "5 per second" or "1 to 5 per second".',
        parse_rate,
        "lots",
        kind=FeatureMistake,
    )


def test_connecting_a_group_slower_than_allowed(s):
    """The time taken varies; the sentence around it is pinned."""
    line = 'Given 2 clients in group "g" are connected within 0 seconds'
    error = assert_raises_sentence_shape(s, line)
    assert error == ('Connecting 2 clients in group "g" took N, more than the 0 ms allowed.')
    # Under a second, the time is in ms to three digits: never "took 0.0 s, more than 0.0 s".
    took = sentence_of(run_step, s, line.replace('"g"', '"h"'))
    assert re.search(r"took (\d+|\d*\.\d+) ms,", str(took)) and "took 0 ms" not in str(took)


def assert_raises_sentence_shape(s, line: str) -> str:
    from tests.sentences import sentence_of

    error = sentence_of(run_step, s, line)
    assert isinstance(error, ExpectationFailed)
    return re.sub(r"took [\d.,]+ (ms|s)", "took N", str(error))


def test_a_negative_count():
    """The step's words take digits only; a count from Python can still be negative."""
    assert count_offsets(2, None) == [0.0, 0.0]
    assert_raises_sentence(
        'A client cannot send -1 messages; write a count of 0 or more, like "100 messages".',
        count_offsets,
        -1,
        None,
        kind=FeatureMistake,
    )


def test_a_group_address_with_a_variable_not_set(s):
    line = 'Given 2 clients in group "g" are connected to "/chat?x=${nope}"'
    mistake(
        s,
        line,
        'For g1: The variable "${nope}" is not set. Set it earlier in the scenario, e.g. And I '
        'remember $.id from Bob\'s last message as "nope"; variables set so far: client, index.',
    )


def test_receiving_through_the_session(s):
    """A wait that fails through the Session (one client, a group, a collection)."""
    run_step(s, "Given Alice is connected")
    run_step(s, 'Then Alice receives a message where $.type is "welcome"')
    assert_raises_sentence(
        'Alice expected a message where $.type is "nope" within 100 ms, but received no '
        "message in that time.",
        run_step,
        s,
        'Then Alice receives a message where $.type is "nope" within 0.1 seconds',
        kind=ExpectationFailed,
    )
    assert_raises_sentence(
        'Alice expected a message where $.type is "nope" to end its collection within 100 ms, '
        "but nothing arrived.",
        run_step,
        s,
        'Then Alice receives messages until one where $.type is "nope" within 0.1 seconds',
        kind=ExpectationFailed,
    )
    run_step(s, 'Given 2 clients in group "g" are connected')
    run_step(s, 'Then every client in group "g" receives a message where $.type is "welcome"')
    assert_raises_sentence(
        'Every client in group "g" was expected to receive a message where $.type is "nope" '
        "within 100 ms, but 2 of 2 did not:\n"
        "  g1: received no message in that time\n"
        "  g2: received no message in that time",
        run_step,
        s,
        'Then every client in group "g" receives a message where $.type is "nope" within 0.1 '
        "seconds",
        kind=ExpectationFailed,
    )


def test_wsbdd_check_reads_addresses(tmp_path, monkeypatch):
    from wsbdd.check import check

    monkeypatch.chdir(tmp_path)
    steps = tmp_path / "features" / "steps"
    steps.mkdir(parents=True)
    (tmp_path / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (steps / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (tmp_path / "features" / "x.feature").write_text(
        'Feature: F\n  Scenario: S\n    Given Alice is connected to "ws://h:0/"\n'
    )
    assert [str(problem) for problem in check()] == [
        'features/x.feature:3: The address "ws://h:0/" has the port 0; a port is a whole '
        "number from 1 to 65535."
    ]


def test_a_collection_that_never_ends(s):
    run_step(s, "Given Alice is connected")
    run_step(s, 'Then Alice receives a message where $.type is "welcome"')
    run_step(s, 'When Alice sends {"type": "echo", "content": "x"}')
    assert_raises_sentence(
        'Alice expected a message where $.type is "nope" to end its collection within 200 ms, '
        "but none came; it collected 1:\n"
        '  #2 HH:MM:SS.mmm {"type":"echo","content":"x","n":1}   ($.type was "echo")',
        run_step,
        s,
        'Then Alice receives messages until one where $.type is "nope" within 0.2 seconds',
        kind=ExpectationFailed,
    )


def test_a_configured_url_that_is_not_a_websocket_url():
    from wsbdd.facade.session import Run
    from wsbdd.model.errors import ConnectionProblem
    from wsbdd.settings.config import Settings

    # Settings from Python are not checked as a file's are: the session says it.
    with Run.start(Settings(timeout=2.0, url="ftp://x/")) as run, run.session() as s:
        assert_raises_sentence(
            'The configured URL "ftp://x/" must be a WebSocket URL such as '
            '"ws://localhost:8000/ws" (starting with ws://, wss://, http:// or https://).',
            s.connect,
            "Alice",
            kind=ConnectionProblem,
        )


def lose_the_race(s, monkeypatch) -> None:
    """Let a send past its check that the clients are open, as if each connection ended
    a moment after the check (as tests/test_sending.py does): the race a step can lose."""
    check = s.client
    monkeypatch.setattr(s, "client", lambda name, need_open=False: check(name))


def test_a_group_send_that_loses_the_race_to_a_close(s, monkeypatch):
    names = [f"p{n}" for n in range(1, 13)]
    s.connect_all(names)
    for name in names:
        s.disconnect(name)
    lose_the_race(s, monkeypatch)
    assert_raises_sentence(
        "p1, p2, p3, p4, p5, p6, p7, p8, p9, p10 and 2 more could not send: the connection closed.",
        s.send_each,
        names,
        ['{"type": "echo"}'] * len(names),
        kind=ConnectionProblem,
    )


def test_a_crowd_larger_than_the_open_file_limit_allows():
    import resource

    from tests.sentences import sentence_of
    from wsbdd.facade.open_files import ensure_open_files

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        pytest.skip("no hard limit of open files here")
    clients = hard + 1
    error = sentence_of(ensure_open_files, clients, in_process_server=False)
    assert isinstance(error, ConnectionProblem)
    # How many files are open right now varies by a few; the sentence around it is pinned.
    needed = int(re.search(r"needs about (\d+) open files", str(error)).group(1))
    assert needed > hard
    assert str(error) == (
        f"Connecting {clients} clients needs about {needed} open files, but this process may "
        f"open only {hard} (the hard limit of ulimit -n). Raise it, e.g. `ulimit -n {needed}` "
        "as root, or use fewer clients."
    )
    assert resource.getrlimit(resource.RLIMIT_NOFILE) == (soft, hard)  # left as it was
