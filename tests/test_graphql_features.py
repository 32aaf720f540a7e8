"""tests/features/graphql run by behave, as a user runs it, against the real Strawberry app
(tests/graphql_apps, under uvicorn on 127.0.0.1 port 0) over BOTH subprotocols.

The run names the app with ``-D wsbdd.url=ws://127.0.0.1:<port>/graphql`` and the
subprotocol with ``-D wsbdd.protocol=graphql-transport-ws`` or ``graphql-ws``: the features
say "GraphQL", which means the one the run speaks.  The feature files hold no raw envelope
and the project no Python step: only ``from wsbdd.steps import *``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from feature_projects import assert_written_in_words
from sentences import clock
from test_behave_runs import behave, failures

FEATURES = Path(__file__).resolve().parent / "features" / "graphql"
PROTOCOLS = ["graphql-transport-ws", "graphql-ws"]


def run(app: Any, protocol: str, *args: str) -> str:
    result = behave(
        FEATURES,
        *args,
        "-f",
        "plain",
        "-D",
        f"wsbdd.url={app.url}",
        "-D",
        f"wsbdd.protocol={protocol}",
    )
    return result.stdout + result.stderr


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_graphql_features_pass_against_the_app(graphql_app: Any, protocol: str) -> None:
    output = run(graphql_app, protocol, "--tags=not @fails")
    assert "Traceback" not in output, failures(output)
    assert re.search(r"\b10 scenarios passed, 0 failed", output), failures(output)
    assert "undefined" not in output


def test_the_features_hold_no_raw_envelope_and_the_project_no_python_step() -> None:
    assert_written_in_words(FEATURES, r'"type"|connection_init|"payload"|\$\.payload|sends \{')


SENTENCES = [
    'Alice expected "bad" to give 3 results, then complete within 2.0 s, but it failed with '
    "the error \"Cannot query field 'nope' on type 'Subscription'.\".",
    'Alice expected "counter" to give 3 results, then complete within 2.0 s, but it completed '
    "after 2 results.\n"
    '  #1 HH:MM:SS.mmm {"data": {"count": 0}}\n'
    '  #2 HH:MM:SS.mmm {"data": {"count": 1}}',
    'Alice expected "counter" to give 2 results, then complete within 2.0 s, but it gave 3 '
    "results.",
    'Alice expected the last result of "counter" to be where $.data.count is 5, but it was '
    '{"data": {"count": 2}}: $.data.count was 2.',
    'Alice expected "room" to give a result where $.data.messages.text is "hi" within 300 ms, '
    "but it gave no result in that time.",
    'Alice expected "counter" to fail with the error "boom" within 5.0 s, but it completed '
    "after 1 result.",
]


REFUSED = {
    "graphql-transport-ws": "the server refused connection_init: 4403 Forbidden (the connection "
    "params were not accepted).",
    "graphql-ws": "the server refused connection_init with connection_error: wrong token.",
}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_each_failure_is_one_sentence_and_the_run_goes_on(graphql_app: Any, protocol: str) -> None:
    # The bad input of the issue among them: an unknown subscription field, a wrong token,
    # a server that never acknowledges connection_init (the app holds it with "ack": false).
    output = clock(run(graphql_app, protocol, "-D", "wsbdd.connect_timeout=1"))
    assert "Traceback" not in output, output[-3000:]
    # Every failing scenario fails on its own; every other scenario still passes.
    assert re.search(r"\b10 scenarios passed, 8 failed", output), failures(output)
    for sentence in SENTENCES:
        assert sentence in output, failures(output)
    url = graphql_app.url
    assert f"Mallory could not connect to {url}: {REFUSED[protocol]}" in output, failures(output)
    assert (
        f"Alice could not connect to {url}: the server did not acknowledge connection_init "
        "within 1.0 s." in output
    ), failures(output)


ISSUE_EXAMPLES = """\
  Scenario: A subscription streams the counter and completes
    Given Alice is connected over GraphQL with params {"token": "${token}"}
    When Alice subscribes to "subscription { count(target: 3) }" as "counter"
    Then "counter" gives 3 results, then completes within 2 seconds
    And the last result of "counter" is where $.data.count is 2

  Scenario: A mutation over HTTP fires the subscription
    Given Alice subscribes to "subscription { messages(room: 1) { text } }" as "room"
    When I run the mutation "mutation { post(room: 1, text: \\"hi\\") { id } }" over HTTP
    Then "room" gives a result where $.data.messages.text is "hi"
"""


def test_the_issues_examples_are_in_the_features_word_for_word() -> None:
    """They run in test_the_graphql_features_pass_against_the_app, over both subprotocols
    (the token from the features' wsbdd.toml [variables], the second scenario's client
    connected with the configured [graphql] params)."""
    assert ISSUE_EXAMPLES in (FEATURES / "operations.feature").read_text(encoding="utf-8")
