"""Feature-writer mistakes the run itself catches, so that no scenario passes having
checked nothing (``wsbdd check`` finds most of them before the run; a run without it must
not pass them either):

- a misspelt wsbdd or behave tag (``@strikt`` would leave a scenario un-strict);
- an Outline step naming ``<column>`` that its Examples table does not have;
- a scenario with no steps (a keyword of another language reads as description);
- a Scenario Outline with no Examples rows, which behave never runs.

Each is one sentence; the hooks fail that scenario (or feature) with it, and the rest of
the run goes on.
"""

from __future__ import annotations

import re
from typing import Any

from wsbdd.model.tags import near_miss, near_miss_sentence

__all__ = [
    "scenario_mistake",
    "missing_column",
    "empty_scenario",
    "outlines_without_examples",
    "outline_without_examples",
]

_PLACEHOLDER = re.compile(r"<([A-Za-z_][\w .-]*)>")


def _where(element: Any) -> str:
    return f"{getattr(element, 'filename', '?')}:{getattr(element, 'line', '?')}"


def _texts(step: Any) -> list[str]:
    texts = [str(step.name)]
    if getattr(step, "text", None):
        texts.append(str(step.text))
    table = getattr(step, "table", None)
    if table is not None:
        texts.extend(str(cell) for row in [table.headings, *table.rows] for cell in row)
    return texts


def scenario_mistake(scenario: Any) -> str | None:
    """What is wrong with ``scenario`` before it runs: a near-miss tag, or an Outline
    placeholder with no column; None when nothing is."""
    for tag in getattr(scenario, "effective_tags", ()):
        known = near_miss(str(tag))
        if known:
            return near_miss_sentence(str(tag), known)
    found = missing_column(scenario)
    return found[1] if found is not None else None


def missing_column(scenario: Any) -> tuple[Any, str] | None:
    """The first step of a scenario an Outline made that names ``<column>`` its Examples
    table does not have, with the sentence; None when every placeholder has its column."""
    row = getattr(scenario, "_row", None)  # set on the scenarios an Outline makes
    if row is None:
        return None
    headings = [str(h) for h in row.headings]
    for step in getattr(scenario, "steps", ()):
        for text in _texts(step):
            for name in _PLACEHOLDER.findall(text):
                if name not in headings:
                    return step, (
                        f'The step "{step.keyword} {step.name}" uses <{name}>, but the '
                        f'Examples table has no column "{name}" (its columns: '
                        f"{', '.join(headings)}); add the column or correct the name."
                    )
    return None


def empty_scenario(scenario: Any) -> str | None:
    """The sentence for a scenario that ran no step at all, or None."""
    if not hasattr(scenario, "all_steps") or list(scenario.all_steps):
        return None
    return (
        f'The scenario "{scenario.name}" ({_where(scenario)}) has no steps, so it checks '
        "nothing. A line that does not begin with Given, When, Then, And or But is read as "
        'its description; a keyword of another language needs "# language: de" (or its '
        "code) as the file's first line."
    )


def outlines_without_examples(feature: Any) -> list[str]:
    """A sentence for every Scenario Outline in ``feature`` with no Examples rows: behave
    never runs it, and says nothing."""
    found = (outline_without_examples(s) for s in getattr(feature, "scenarios", ()))
    return [sentence for sentence in found if sentence is not None]


def outline_without_examples(scenario: Any) -> str | None:
    """The sentence for a Scenario Outline with no Examples rows, or None."""
    examples = getattr(scenario, "examples", None)
    if examples is None or type(scenario).__name__ != "ScenarioOutline":
        return None
    if any(e.table is not None and e.table.rows for e in examples):
        return None
    return (
        f'The Scenario Outline "{scenario.name}" ({_where(scenario)}) has no Examples '
        "rows, so it never ran: add an Examples table with at least one row under it."
    )
