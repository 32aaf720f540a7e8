"""'Did you mean …?' for a line that matches no step."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from behave.matchers import SimplifiedRegexMatcher

from wsbdd.vocabulary.patterns import readable, samples
from wsbdd.vocabulary.registration import phrase_of

__all__ = ["Suggester", "install_run_time_suggestions"]

_QUOTED = re.compile(r'"[^"]*"')
_JSON = re.compile(r"[\[{].*$")
_PATH = re.compile(r"\$\S*")
_OPTIONAL = re.compile(r"\[[^\[\]]*\]")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_TYPES = ("given", "when", "then", "step")


def skeleton(text: str) -> str:
    """The shape of a step line: quoted words, JSON and paths reduced to markers."""
    text = _QUOTED.sub('""', text.lower())
    text = _JSON.sub("{}", text)
    text = _PATH.sub("$", text)
    return " ".join(text.split())


class Suggester:
    """Finds the registered step closest to a line that matches none."""

    def __init__(self, registry: Any, examples: Iterable[tuple[Any, str]] = ()) -> None:
        self.registry = registry
        self.candidates: list[tuple[str, list[str]]] = []
        shown: dict[Any, tuple[str, list[str]]] = {}
        for step_type in _TYPES:
            for matcher in registry.steps.get(step_type, []):
                key = phrase_of(matcher) or matcher.func
                if key in shown:
                    continue
                phrase = phrase_of(matcher)
                if phrase is not None:
                    text = phrase.step
                    forms = [phrase.example, *phrase.samples()]
                elif isinstance(matcher, SimplifiedRegexMatcher):
                    text = readable(matcher.pattern)
                    forms = list(samples(matcher.pattern))
                else:
                    text = matcher.pattern
                    forms = []
                forms.append(_PLACEHOLDER.sub("x", _OPTIONAL.sub("", text)))
                shown[key] = (text, [skeleton(f) for f in forms])
        self.by_key = shown
        for key, line in examples:
            if key in shown:
                shown[key][1].append(skeleton(line))
        self.candidates = list(shown.values())

    def closest(self, text: str, cutoff: float = 0.6) -> str | None:
        """The readable form of the closest step, if any is close enough."""
        target = skeleton(text)
        best, best_score = None, cutoff
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(target)
        for shown, forms in self.candidates:
            for form in forms:
                matcher.set_seq1(form)
                if matcher.real_quick_ratio() < best_score or matcher.quick_ratio() < best_score:
                    continue
                score = matcher.ratio()
                if score > best_score:
                    best, best_score = shown, score
        return best

    def other_keyword(self, step: Any) -> str | None:
        """The keyword a step needs when it exists only for another one (Then vs Given)."""
        for step_type in ("given", "when", "then"):
            if step_type == step.step_type:
                continue
            for matcher in self.registry.steps.get(step_type, []):
                if matcher.match(step.name):
                    return step_type.title()
        return None

    def explain(self, step: Any) -> str:
        """The sentence for an undefined step."""
        other = self.other_keyword(step)
        if other is not None:
            return (
                f'"{step.name}" is a {other} step, but here it follows {step.step_type.title()}; '
                f"write it after {other} (or And under a {other})."
            )
        shown = f"{step.keyword} {step.name}"
        close = self.closest(step.name)
        if close:
            return f'No step matches "{shown}"; did you mean "{close}"?'
        return f'No step matches "{shown}"; run `wsbdd steps` to see every step.'


def install_run_time_suggestions(registry: Any) -> None:
    """Have the run's hooks explain an undefined step with this registry's closest step
    (the suggester is built the first time a step is undefined, with every step and
    phrase registered by then)."""
    from wsbdd.glue.undefined import explain_with

    made: list[Suggester] = []

    def explainer(step: Any) -> str:
        if not made:
            made.append(Suggester(registry))
        return made[0].explain(step)

    explain_with(explainer)
