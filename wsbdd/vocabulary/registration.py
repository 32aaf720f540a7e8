"""Turning phrases into behave steps, and refusing a phrase that two steps would both match.

behave's own ambiguity check only tries an existing pattern against the *text*
of a new pattern, so two regexes that overlap on real feature lines go
unnoticed (the first registered silently wins).  Here each phrase's sample
lines are tried against every registered step, and every step's sample lines
against the phrase; a clash stops the run naming both.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from behave.matchers import SimplifiedRegexMatcher

from wsbdd.glue.step_lookup import StepPattern, step_registry
from wsbdd.model.errors import ConfigError
from wsbdd.settings.config import load_settings
from wsbdd.vocabulary.patterns import readable, samples
from wsbdd.vocabulary.phrases import Phrase, PhraseError, load_phrases
from wsbdd.vocabulary.running import make_step_function

__all__ = [
    "AUTO",
    "STEP_TYPES",
    "describe_step",
    "find_clash",
    "find_overlaps",
    "register_phrases",
    "register_configured_phrases",
    "phrase_of",
    "step_registry",
]

AUTO = True
"""``import wsbdd.steps`` registers the configured phrases; ``wsbdd check`` turns this off
to register them itself and report a broken configuration as a finding."""

STEP_TYPES = ("given", "when", "then")


def _registry(registry: Any | None) -> Any:
    return registry if registry is not None else step_registry()


def phrase_of(matcher: Any) -> Phrase | None:
    """The phrase a registered step comes from, or None for a Python step."""
    return getattr(getattr(matcher, "func", None), "__wsbdd_phrase__", None)


def describe_step(matcher: Any) -> str:
    """How a clash message names a registered step: built-in, phrase, or file:line."""
    phrase = phrase_of(matcher)
    if phrase is not None:
        return f"the {phrase.label}"
    module = getattr(matcher.func, "__module__", "") or ""
    pattern = getattr(matcher, "pattern", "")
    if module.startswith("wsbdd."):
        return f'the built-in step "{readable(pattern)}"'
    shown = readable(pattern) if isinstance(matcher, SimplifiedRegexMatcher) else pattern
    return f'the step "{shown}" at {matcher.location}'


def _matches(matcher: Any, text: str) -> bool:
    try:
        return bool(matcher.match(text))
    except Exception:  # a broken user pattern is behave's to report, not ours
        return False


def _pattern_samples(matcher: Any) -> tuple[str, ...]:
    try:
        return samples(matcher.regex_pattern)
    except Exception:
        return ()


def find_clash(phrase: Phrase, registry: Any | None = None) -> tuple[Any, str] | None:
    """The first registered step that shares a line with *phrase*, and that line.

    The phrase's plain lines are tried first, so a clash is named by the step it
    most obviously collides with, not by its group form.
    """
    registry = _registry(registry)
    others = [
        matcher
        for step_type in (*STEP_TYPES, "step")
        for matcher in registry.steps.get(step_type, [])
        if phrase_of(matcher) is not phrase
    ]
    for text in phrase.samples():
        for matcher in others:
            if _matches(matcher, text):
                return matcher, text
    for matcher in others:
        for text in _pattern_samples(matcher):
            if phrase.compiled.fullmatch(text):
                return matcher, text
    return None


def _applies_together(a: str, b: str) -> bool:
    """Two definitions compete for a line when they have the same step type, or one is @step."""
    return a == b or "step" in (a, b)


def find_overlaps(
    registry: Any | None = None, lines: Iterable[str] = (), *, builtin_only: bool = True
) -> list[tuple[Any, Any, str]]:
    """Pairs of registered steps that both match a line, with the line: ``(a, b, line)``.

    The lines tried are ``lines`` (real feature lines) plus every step's own sample
    lines.  Two such steps make a feature's meaning depend on which registered
    first; wsbdd's built-in steps have none (tests/test_step_overlaps.py).
    """
    registry = _registry(registry)
    definitions = [
        (step_type, matcher)
        for step_type in (*STEP_TYPES, "step")
        for matcher in registry.steps.get(step_type, [])
        if not builtin_only or (getattr(matcher.func, "__module__", "") or "").startswith("wsbdd.")
    ]
    texts = dict.fromkeys(lines)
    for _, matcher in definitions:
        texts.update(dict.fromkeys(_pattern_samples(matcher)))
    found: list[tuple[Any, Any, str]] = []
    seen: set[tuple[int, int]] = set()
    for text in texts:
        hits = [(step_type, m) for step_type, m in definitions if _matches(m, text)]
        for index, (type_a, a) in enumerate(hits):
            for type_b, b in hits[index + 1 :]:
                if a.func is b.func or not _applies_together(type_a, type_b):
                    continue
                key = (id(a.func), id(b.func))
                if key not in seen:
                    seen.add(key)
                    found.append((a, b, text))
    return found


def _already_registered(phrase: Phrase, registry: Any) -> bool:
    for matcher in registry.steps.get("given", []):
        other = phrase_of(matcher)
        if other is not None and other.regex == phrase.regex and other.step == phrase.step:
            return _same(other, phrase)
    return False


def _same(a: Phrase, b: Phrase) -> bool:
    keys = ("sends", "await_", "within", "remember", "steps", "where")
    return all(getattr(a, key) == getattr(b, key) for key in keys)


def register_phrases(phrases: Iterable[Phrase], registry: Any | None = None) -> list[Phrase]:
    """Register each phrase for Given, When and Then; a clash raises :class:`PhraseError`.

    Registering the same phrases again (the steps module imported twice) does nothing.
    """
    registry = _registry(registry)
    added = []
    for phrase in phrases:
        if _already_registered(phrase, registry):
            continue
        clash = find_clash(phrase, registry)
        if clash is not None:
            matcher, text = clash
            raise PhraseError(
                f"{phrase.where}, phrase {phrase.number} '{phrase.step}': it clashes with "
                f'{describe_step(matcher)}; both match "{text}". Reword the phrase so that '
                "every line of a feature means one step.",
                phrase.file,
                phrase.line,
            )
        for step_type in STEP_TYPES:
            func = make_step_function(phrase, step_type)
            # Located where it is written: the phrase's line in wsbdd.toml or pyproject.toml.
            source = (phrase.file, phrase.line) if phrase.file and phrase.line else None
            matcher = StepPattern(func, phrase.regex, step_type, source)
            registry.steps[step_type].append(matcher)
        added.append(phrase)
    return added


def register_configured_phrases(
    project_dir: str | Path | None = None, registry: Any | None = None
) -> list[Phrase]:
    """Load the project's phrases (from the files only) and register them.

    The environment and ``-D`` cannot hold phrases, so they are left out here;
    ``before_all`` validates them as usual.
    """
    project = Path(project_dir) if project_dir is not None else Path(os.getcwd())
    try:
        settings = load_settings(project, userdata={}, environ={})
    except PhraseError:
        raise
    except ConfigError as error:  # bad TOML, an unknown key: one line from behave, too
        raise PhraseError(str(error)) from None
    return register_phrases(load_phrases(settings, project), registry)
