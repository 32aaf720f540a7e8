"""An event step's path written wrong is named as the writer wrote it (``$args[1``), not as
wsbdd translated it for the envelope (``$.args[1``)."""

from __future__ import annotations

import pytest

from tests.sentences import assert_raises_sentence
from wsbdd.expect.events import event_conditions
from wsbdd.model.errors import FeatureMistake

HINT = "check its brackets and quotes, e.g. $.items[0].name or $.items[?(@.id == 3)]."


@pytest.mark.parametrize(
    ("condition", "path"),
    [('$args[1 is "two"', "$args[1"), ('$.items[0 is "two"', "$.items[0")],
)
def test_a_broken_path_is_named_as_written(condition: str, path: str) -> None:
    assert_raises_sentence(
        f'The JSONPath "{path}" is not valid (Parse error near the end of string); {HINT}',
        event_conditions,
        condition,
        kind=FeatureMistake,
    )
