"""A failure read back from a results file (wsbdd report, --merge) says the same sentence.

A run's failures are written to its results file as data; ``wsbdd report`` and a
merge read them back and render them again.  Pinned whole: a real sentence made by a
wait (who, what was expected, what came, the closest candidate, a note), through the
file and back, is the same text, and a passed step reads back with none.
"""

from __future__ import annotations

import json

from test_report_results import _rich_run

from tests.sentences import clock
from wsbdd.expect import Receive
from wsbdd.match import where
from wsbdd.model.failures import render
from wsbdd.model.inbox import Inbox
from wsbdd.report.results import load_run, results_json


def test_a_failure_reads_back_as_the_same_sentence():
    box = Inbox()
    box.append_value("text", '{"type": "chat", "text": "hi"}', {"type": "chat", "text": "hi"}, 1.0)
    wait = Receive("Alice", where('$.type is "chat"', '$.text is "bye"'), 1.0)
    wait.start(box, 0.0)
    outcome = wait.feed(box, 0.0) or wait.expire(box, 2.0)
    assert outcome is not None and outcome.why is not None
    sentence = (
        'Alice expected a message where $.type is "chat" and $.text is "bye" within 1.0 s, but '
        "had 1 unread message, it did not match:\n"
        '  #1 HH:MM:SS.mmm {"type": "chat", "text": "hi"}   ($.text was "hi")'
    )
    assert clock(render(outcome.why)) == sentence
    run = _rich_run()
    step = run.features[0].scenarios[1].steps[0]
    step.failure = outcome.why.at_step('Then Alice receives a message where $.text is "bye"')
    back = load_run(json.loads(results_json(run)))
    read = back.features[0].scenarios[1].steps[0].failure
    assert read == step.failure
    assert clock(render(read)) == (
        'In the step "Then Alice receives a message where $.text is "bye"": ' + sentence
    )
    passed = back.features[0].scenarios[0].steps[0]
    assert passed.failure is None
