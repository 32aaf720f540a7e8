"""No two built-in steps match the same line, so registration order cannot change a meaning.

Every built-in step is tried on every step line of the bundled features
(features/, tests/features/), of the docs (docs/*.md, README.md) and on every
step's own sample lines (wsbdd's clash check, as for phrases).  Before issue 13
five pairs overlapped (e.g. "clients Alice and Bob in group "x" are connected"
matched the group step and the plain one; "every client in group "g" sends {…}
3 times with 200 ms think time" matched the load step and the group step with the
rate words in its payload) and steps/__init__.py had to import modules in order.
"""

from __future__ import annotations

import re
from pathlib import Path

from behave.parser import parse_file

ROOT = Path(__file__).resolve().parent.parent
_KEYWORD = re.compile(r"^(?:Given|When|Then|And|But)\s+(.*\S)\s*$")


def feature_lines() -> list[str]:
    lines: dict[str, None] = {}
    for path in sorted(
        [*ROOT.glob("features/**/*.feature"), *ROOT.glob("tests/features/**/*.feature")]
    ):
        feature = parse_file(str(path))
        scenarios = list(feature.walk_scenarios(with_outlines=True))
        steps = [*(feature.background.steps if feature.background else [])]
        for scenario in scenarios:
            steps.extend(scenario.steps)
        lines.update(dict.fromkeys(step.name for step in steps))
    for path in [*sorted(ROOT.glob("docs/*.md")), ROOT / "README.md"]:
        for raw in path.read_text(encoding="utf-8").splitlines():
            found = _KEYWORD.match(raw.strip("|` "))
            if found:
                lines[found.group(1).strip("`")] = None
    return list(lines)


def test_the_corpus_is_real():
    lines = feature_lines()
    assert len(lines) > 300
    assert 'clients Alice, Bob and Carol in group "readers" are connected' in lines


def test_no_two_built_in_steps_match_one_line():
    import wsbdd.steps  # noqa: F401  (registers the built-in steps)
    from wsbdd.glue.step_lookup import step_registry
    from wsbdd.vocabulary.patterns import readable
    from wsbdd.vocabulary.registration import find_overlaps

    overlaps = [
        f'"{readable(a.pattern)}" and "{readable(b.pattern)}" both match "{line}"'
        for a, b, line in find_overlaps(step_registry(), feature_lines())
    ]
    assert overlaps == []


def test_the_overlap_check_finds_an_overlap():
    """The check is not vacuous: a copy of a built-in pattern with a looser payload clashes."""
    from behave.step_registry import StepRegistry

    from wsbdd.glue.step_lookup import StepPattern
    from wsbdd.vocabulary.registration import find_overlaps

    def group_sends() -> None: ...

    def paced_sends() -> None: ...

    group_sends.__module__ = paced_sends.__module__ = "wsbdd.steps.example"
    registry = StepRegistry()
    group = r'every client in group "(?P<group>[^"]+)" sends (?P<payload>[\[{].*)'
    paced = r'every client in group "(?P<group>[^"]+)" sends (?P<payload>[\[{].*?) (?P<n>\d+) times'
    registry.steps["when"] = [
        StepPattern(group_sends, group, "when"),
        StepPattern(paced_sends, paced, "when"),
    ]
    line = 'every client in group "g" sends {"a": 1} 3 times'
    assert [(a.func, b.func, text) for a, b, text in find_overlaps(registry, [line])][:1] == [
        (group_sends, paced_sends, line)
    ]


def test_the_step_library_registers_without_an_order():
    text = (ROOT / "wsbdd" / "steps" / "__init__.py").read_text(encoding="utf-8")
    assert "must be tried before" not in text
    assert "must be registered after" not in (ROOT / "wsbdd" / "steps" / "load.py").read_text()


def _imports(path: Path) -> set[str]:
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_vocabulary_and_the_steps_do_not_import_each_other():
    """steps → vocabulary only; running → step_lookup, never back to registration."""
    for path in (ROOT / "wsbdd" / "vocabulary").glob("*.py"):
        assert not {n for n in _imports(path) if n.startswith("wsbdd.steps")}, path.name
    running = _imports(ROOT / "wsbdd" / "vocabulary" / "running.py")
    assert not {n for n in running if n.startswith("wsbdd.vocabulary.registration")}
    for path in (ROOT / "wsbdd" / "check").glob("*.py"):
        assert not {n for n in _imports(path) if n.startswith("wsbdd.steps")}, path.name
