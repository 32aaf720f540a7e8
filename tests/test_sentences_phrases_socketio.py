"""A phrase that only sends plain WebSocket messages, used by a client that speaks Socket.IO,
says so in one sentence (a real Session against the demo server)."""

from __future__ import annotations

import tomllib

from tests.sentences import assert_raises_sentence, step_context
from wsbdd.model.errors import FeatureMistake
from wsbdd.vocabulary.phrases import parse_phrases
from wsbdd.vocabulary.running import make_step_function

PLAIN_ONLY = """
[[tool.wsbdd.phrases]]
step = '{client} waves'
send = '{"type": "wave"}'
"""


def test_a_phrase_without_a_socketio_form_says_so_for_a_socketio_client(s):
    (wave,) = parse_phrases(tomllib.loads(PLAIN_ONLY)["tool"]["wsbdd"]["phrases"], "wsbdd.toml")
    s.use_protocol("socket.io")
    s.begin_step("When Alice waves")
    assert_raises_sentence(
        "In the step \"When Alice waves\": The phrase 1 '{client} waves' in wsbdd.toml sends "
        "plain WebSocket messages, but Alice speaks Socket.IO: give the phrase a socketio "
        "form (its steps over Socket.IO, see docs/vocabulary.md) or write the Socket.IO "
        "steps in the feature.",
        make_step_function(wave, "when"),
        step_context(s),
        p0="Alice",
        kind=FeatureMistake,
    )
