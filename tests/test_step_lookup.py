"""wsbdd's step matcher finds the same step, with the same words, as behave's own ``re`` one."""

from __future__ import annotations

import pytest
from behave.matchers import SimplifiedRegexMatcher
from behave.model_type import FileLocation

import wsbdd.steps  # noqa: F401  (registers the steps)
from wsbdd.glue.step_lookup import StepPattern, _Table, required_text
from wsbdd.vocabulary.patterns import samples
from wsbdd.vocabulary.registration import step_registry


def wsbdd_definitions() -> list[StepPattern]:
    registry = step_registry()
    found = [m for kind in registry.steps.values() for m in kind if isinstance(m, StepPattern)]
    assert len(found) > 50, "the built-in steps should be registered with wsbdd's matcher"
    return found


def sample_lines() -> list[str]:
    lines = {line for d in wsbdd_definitions() for line in samples(d.pattern)}
    lines |= {
        'Alice sends {"type": "echo", "content": "hi"}',
        'Bob receives a message where $.type is "chat" and $.content is "hello" within 2 s',
        "Alice SENDS nothing",
        "",
    }
    return sorted(lines)


def words(match: object) -> list[tuple[object, ...]] | None:
    if match is None:
        return None
    return [(a.start, a.end, a.original, a.value, a.name) for a in match.arguments]


def test_every_step_line_gets_the_same_answer_as_from_behaves_re_matcher():
    definitions = wsbdd_definitions()
    lines = sample_lines()
    compared = 0
    for definition in definitions:
        plain = SimplifiedRegexMatcher(definition.func, definition.pattern[1:-1])
        for line in lines:
            ours, theirs = definition.match(line), plain.match(line)
            assert words(ours) == words(theirs), (definition.pattern, line)
            if ours is not None:
                assert ours.func is theirs.func
                assert ours.location == definition.location
                if not getattr(definition.func, "__wsbdd_phrase__", None):
                    assert ours.location == theirs.location
                else:  # a phrase is located at its line in its TOML file, not in running.py
                    assert str(ours.location).split(":")[0].endswith(".toml")
            compared += 1
    assert compared > 5000


def test_the_substring_test_turns_steps_down_without_their_regex(monkeypatch):
    definition = next(d for d in wsbdd_definitions() if d.pattern.endswith(" sends:$"))
    assert required_text(definition.pattern) == " sends:"

    class Watched:
        calls = 0

        def match(self, text: str) -> None:
            Watched.calls += 1

    monkeypatch.setattr(definition, "regex", Watched())
    assert definition.match("Alice receives a message") is None
    assert Watched.calls == 0
    assert definition.match("Alice sends:") is None  # has the text: the regex is asked
    assert Watched.calls == 1


@pytest.mark.parametrize(
    ("pattern", "needle"),
    [
        (r"^(?:client )?(?P<name>\w+) sends (?P<payload>.*)$", " sends "),
        (r"^every client in group \"(?P<g>[^\"]+)\" joins$", 'every client in group "'),
        ("ab*c", "a"),
        ("a(b|c)de", "de"),
        ("(?:x|y)", ""),
        ("(?i)alice sends", ""),  # ignoring case: a substring test could not say
        ("(", ""),  # not a regex at all: no test, never a wrong answer
    ],
)
def test_required_text_is_what_every_match_must_contain(pattern: str, needle: str):
    assert required_text(pattern) == needle


def test_the_location_is_the_step_functions_file_and_line():
    definition = next(d for d in wsbdd_definitions() if d.pattern.endswith(" sends:$"))
    match = definition.match("Alice sends:")
    assert match.location == FileLocation.for_function(definition.func)
    assert match.location.filename.endswith("sending.py")


def test_the_registry_finds_the_same_step_as_behaves_own_look_up():
    from behave.model import Step
    from behave.step_registry import StepRegistry

    registry = step_registry()
    assert registry._wsbdd_sped_up
    compared = 0
    for line in sample_lines():
        for keyword in ("Given", "When", "Then"):
            step = Step("x.feature", 1, keyword, keyword.lower(), line)
            ours, behaves = registry.find_match(step), StepRegistry.find_match(registry, step)
            assert (ours and ours.func, words(ours)) == (behaves and behaves.func, words(behaves))
            compared += 1
    assert compared > 300


def test_a_step_defined_later_is_found_too():
    from behave.model import Step

    registry = step_registry()
    step = Step("x.feature", 1, "When", "when", "the moon turns blue")
    assert registry.find_match(step) is None

    def moon(context: object) -> None:
        pass

    registry.add_step_definition("when", "the moon turns blue", moon)
    try:
        assert registry.find_match(step).func is moon
    finally:
        registry.steps["when"].remove(next(d for d in registry.steps["when"] if d.func is moon))
    assert registry.find_match(step) is None


def test_a_line_found_before_is_not_looked_up_again(monkeypatch):
    """A scenario repeats its lines (an outline its rows, a background every scenario):
    the second time, no definition is asked again, and the answer is the same."""
    from behave.model import Step

    registry = step_registry()
    step = Step("x.feature", 1, "When", "when", 'Alice sends {"type": "echo", "n": 41}')
    first = registry.find_match(step)
    assert first is not None and first.func.__name__ == "sends_inline"
    asked: list[str] = []
    original = _Table.candidates  # the one way to the definitions

    def counted(self: _Table, text: str) -> object:
        asked.append(text)
        return original(self, text)

    monkeypatch.setattr(_Table, "candidates", counted)
    again = registry.find_match(Step("y.feature", 9, "When", "when", step.name))
    assert again is first and asked == []
    other = registry.find_match(Step("x.feature", 2, "When", "when", step.name + " "))
    assert asked and (other is None or other is not first)


def _first(rows, text):
    """The first row's matcher that matches ``text`` (each row's is made once, with the table)."""
    for needle, match in rows:
        if needle in text and match(text):
            return match
    return None


def test_the_word_index_answers_as_the_full_scan_for_every_line_of_the_features():
    """Indexing definitions by a word of their required text only skips definitions that
    cannot match: for every step line of the repository's features, the first match among
    the candidates is the first match among all definitions."""
    from pathlib import Path

    from behave.parser import parse_file

    from wsbdd.glue.step_lookup import _needle_of, _Table, step_registry

    registry = step_registry()
    root = Path(__file__).resolve().parent.parent
    tables = {}
    for kind in ("given", "when", "then", "step"):
        own = registry.steps[kind]
        definitions = own if kind == "step" else [*own, *registry.steps["step"]]
        tables[kind] = _Table([(_needle_of(d), d) for d in definitions])
    lines = 0
    for file in [*root.glob("features/**/*.feature"), *root.glob("tests/features/**/*.feature")]:
        try:
            feature = parse_file(str(file))
        except Exception:  # noqa: BLE001 - a deliberately broken feature of a test
            continue
        for scenario in feature.walk_scenarios():
            for step in scenario.all_steps:
                table = tables[step.step_type]
                found = _first(table.candidates(step.name), step.name)
                assert found is _first(table.rows, step.name), step.name
                lines += 1
    assert lines > 500


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"(?P<name>\w+) emits (?P<event>\w+)(?: to (?P<room>\w+))?", "Alice emits chat"),
        (r"(?P<name>\w+) emits (?P<event>\w+)(?: to (?P<room>\w+))?", "Alice emits chat to x"),
        (r"(\w+) counts (\d+)(?: by (?P<step>\d+))?", "Bob counts 7 by 2"),
    ],
)
def test_a_found_step_runs_and_shows_its_arguments_as_behaves_re_matcher_does(pattern, text):
    """The step function gets the captured values as behave's ``re`` matcher passes them
    (named groups as keywords, others in order); the ``Argument`` list the formatters
    read is the same, made only when read."""
    calls: list[tuple[tuple, dict]] = []

    def func(context, *args, **kwargs):
        calls.append((args, kwargs))

    context = _UserModeContext()
    found = StepPattern(func, pattern).match(text)
    assert found is not None and found._arguments is None
    found.run(context)
    behaves = SimplifiedRegexMatcher(func, pattern).match(text)
    behaves.run(context)
    assert calls[0] == calls[1]
    assert context.modes == ["user", "user"]
    assert [(a.start, a.end, a.original, a.value, a.name) for a in found.arguments] == [
        (a.start, a.end, a.original, a.value, a.name) for a in behaves.arguments
    ]
    # behave's with_arguments (a copy with other arguments) runs with those.
    other = found.with_arguments(behaves.arguments[:1])
    assert len(other.arguments) == 1 and len(found.arguments) == len(behaves.arguments)


class _UserModeContext:
    """What Match.run needs of behave's context: its user mode, noted as it is used."""

    def __init__(self) -> None:
        self.modes: list[str] = []

    def use_with_user_mode(self):
        import contextlib

        self.modes.append("user")
        return contextlib.nullcontext()
