"""What a crowd costs: the work a group step does grows with its size, never with its square.

These tests count operations (comparisons, matcher builds, timers), not time, so
they hold on a busy machine.  bench/bench_groups.py measures the time.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from wsbdd.session import join_group
from wsbdd.steps import groups as group_steps
from wsbdd.steps.grammar import differs_per_member, per_member
from wsbdd.variables import Variables

# -- membership ------------------------------------------------------------------------------


class _Budget(Exception):
    pass


class CountedName(str):
    """A member name that counts how often it is compared, and stops a runaway search."""

    comparisons = 0
    budget = 0

    def __eq__(self, other: object) -> bool:
        CountedName.comparisons += 1
        if CountedName.comparisons > CountedName.budget:
            raise _Budget(f"more than {CountedName.budget} name comparisons")
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_a_group_of_10000_joins_with_a_linear_number_of_name_comparisons():
    names = [CountedName(f"member{i}") for i in range(1, 10_001)]
    CountedName.comparisons = 0
    CountedName.budget = 2 * len(names)  # a search through the list per name: ~50 million
    members: dict[str, None] = {}
    join_group(members, names)
    join_group(members, names[:5_000])  # joining again adds nobody
    assert list(members) == names
    assert CountedName.comparisons <= CountedName.budget


def test_members_keep_the_order_they_joined_in_and_join_once():
    members: dict[str, None] = {}
    join_group(members, ["b", "a", "b"])
    join_group(members, ["c", "a"])
    assert list(members) == ["b", "a", "c"]


# -- one matcher for a group when the step names no member --------------------------------------


def counting_build():
    built: list[str | None] = []

    def build(text: str | None, variables: Variables) -> str:
        rendered = variables.render_text(text) if text else ""
        built.append(rendered)
        return rendered

    return build, built


def test_a_group_receive_without_member_placeholders_builds_one_matcher_for_5000():
    names = [f"member{i}" for i in range(1, 5_001)]
    build, built = counting_build()
    matchers = per_member(names, '$.type is "${kind}"', Variables({"kind": "news"}), build)
    assert len(built) == 1
    assert matchers == ['$.type is "news"'] * 5_000


@pytest.mark.parametrize(
    "text",
    [
        '$.to is "${client}"',
        "$.n is ${index}",
        '$.colour is "${cycle:red,green,blue}"',
        '$.token is "${tokens.${client}}"',
        '$.id is "${uuid}"',  # made fresh on every use: each member had its own before
    ],
)
def test_a_member_placeholder_still_gives_each_member_its_own_value(text):
    names = ["p1", "p2", "p3"]
    build, built = counting_build()
    variables = Variables({"tokens": {"p1": "t1", "p2": "t2", "p3": "t3"}})
    per_member(names, text, variables, build)
    assert len(built) == 3
    if "uuid" not in text:
        assert len(set(built)) == 3


def test_table_cells_decide_for_a_table_step():
    assert not differs_per_member([None, "path", "value", "$.type", "news"])
    assert differs_per_member([None, "$.to", "${client}"])


def test_the_every_receives_step_hands_one_shared_matcher_to_all_5000(monkeypatch):
    names = [f"member{i}" for i in range(1, 5_001)]
    builds = []
    real = group_steps.conditions

    def conditions(text, variables):
        builds.append(text)
        return real(text, variables)

    monkeypatch.setattr(group_steps, "conditions", conditions)
    received = {}

    def receive_each(who, matchers, timeout, **words):
        received.update(who=who, matchers=matchers)

    session = SimpleNamespace(
        current_step="",
        vars=Variables(),
        group_members=lambda group: list(names),
        receive_each=receive_each,
    )
    group_steps.every_receives(
        SimpleNamespace(wsbdd=session),
        group="crowd",
        others=None,
        where='$.type is "news"',
        amount=None,
        unit=None,
    )
    assert len(builds) == 1
    assert received["who"] == names
    assert len(received["matchers"]) == 5_000
    assert len({id(m) for m in received["matchers"]}) == 1
