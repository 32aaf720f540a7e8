"""Feature-writer mistakes named at once, each with its whole sentence: a condition's quote
left open, curly quotes, a dangling "and"; load steps that would send nothing or demand a
share no run can reach (tests/test_mistakes_catalogue.py runs them all through behave)."""

from __future__ import annotations

import pytest
from sentences import assert_raises_sentence, run_step

from wsbdd.match import parse_conditions
from wsbdd.model.errors import FeatureMistake


@pytest.mark.parametrize(
    ("condition", "sentence"),
    [
        (
            '$.content is "hi',
            'The condition "$.content is "hi" opens a quote it never closes; end the text with '
            'a quote, like: $.content is "hi".',
        ),
        (
            "$.content is 'hi",
            'The condition "$.content is \'hi" opens a quote it never closes; end the text '
            "with a quote, like: $.content is 'hi'.",
        ),
        (
            '$.content is "hi" and',
            'The condition "$.content is "hi" and" has "and" after "hi", but no condition after '
            'it; join conditions with "and" and a $ path, e.g. $.content is "hi" and $.type is '
            '"chat", or remove the last word.',
        ),
        (
            '$.content is "hi" please',
            'The condition "$.content is "hi" please" has "please" after its quoted value "hi"; '
            'write one value in quotes (a quote inside it as \\"): $.content is "hi".',
        ),
        (
            "$.content is \u201chi\u201d",
            'The condition "$.content is \u201chi\u201d" quotes hi with typographic quotes '
            "(\u201c\u201d), which are read as part of the text; write straight quotes: "
            '$.content is "hi".',
        ),
    ],
)
def test_a_condition_whose_quotes_are_wrong(condition, sentence):
    assert_raises_sentence(sentence, parse_conditions, condition, kind=FeatureMistake)


def test_a_table_cell_keeps_an_open_quote_as_text():
    from wsbdd.match import condition_from_cell

    assert condition_from_cell("$.a", "is", '"hi').test({"a": '"hi'})


ECHO = 'sends {"type": "echo", "content": "${correlation_id}"}'


@pytest.fixture
def crowd(s):
    run_step(s, 'Given 2 clients in group "crowd" are connected')
    return s


@pytest.mark.parametrize(
    ("pace", "sentence"),
    [
        (
            "0 times",
            "Sending 0 times sends nothing, so the steps after it check nothing sent; write "
            'how many times each client sends, like "5 times".',
        ),
        (
            "0 times, each waiting for its reply",
            "Sending 0 times sends nothing, so the steps after it check nothing sent; write "
            'how many times each client sends, like "5 times".',
        ),
        (
            "for 0 seconds at 5 per second",
            'Sending "for 0 seconds" sends nothing, so the steps after it check nothing sent; '
            'write how long to send, like "for 10 seconds".',
        ),
    ],
)
def test_a_load_step_that_sends_nothing(crowd, pace, sentence):
    line = f'When every client in group "crowd" {ECHO} {pace}'
    assert_raises_sentence(
        f'In the step "{line}": {sentence}', run_step, crowd, line, kind=FeatureMistake
    )


@pytest.mark.parametrize(
    ("line", "sentence"),
    [
        (
            "Then at least 0% of messages come back to their senders",
            '"at least 0%" holds even when nothing succeeds, so it checks nothing; write the '
            'share that must, like "at least 99%".',
        ),
        (
            "Then at least 150% of messages come back to their senders",
            '"at least 150%" asks for more than all of them, so it never holds; write a share '
            'up to 100%, like "at least 99%".',
        ),
        (
            "Then at least 101% of connections succeeded",
            '"at least 101%" asks for more than all of them, so it never holds; write a share '
            'up to 100%, like "at least 99%".',
        ),
        (
            "Then the throughput is at least 0 messages per second",
            '"the throughput is at least 0 messages per second" holds even when nothing '
            'arrives, so it checks nothing; write the rate that must be reached, like "at '
            'least 100 messages per second".',
        ),
    ],
)
def test_a_load_verdict_that_checks_nothing(crowd, line, sentence):
    run_step(crowd, f'When every client in group "crowd" {ECHO} 1 times')
    assert_raises_sentence(
        f'In the step "{line}": {sentence}', run_step, crowd, line, kind=FeatureMistake
    )


@pytest.mark.parametrize("op", ["exactly 0", "at most 1"])
def test_a_count_of_clients_watched_for_no_time(s, op):
    run_step(s, 'Given clients Ann and Ben in group "g" are connected')
    line = f'Then {op} clients in group "g" receive a message where $.type is "x" within 0 ms'
    assert_raises_sentence(
        f'In the step "{line}": "{op}" within 0 seconds watches nothing: only a wait shows '
        'that no more clients receive one; write how long to watch, like "within 300 ms".',
        run_step,
        s,
        line,
        kind=FeatureMistake,
    )
