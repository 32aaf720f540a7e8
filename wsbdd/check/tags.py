"""Tags: near-misses of the tags wsbdd and behave act on, and config tags no feature has."""

from __future__ import annotations

import configparser
import difflib
import re
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from wsbdd.catalogue.project import Problem, display

__all__ = ["KNOWN_TAGS", "tag_problems", "feature_tags"]

KNOWN_TAGS = {
    "strict": "wsbdd: fail when a client received a message no step checked",
    "socket.io": "wsbdd: the scenario's clients speak Socket.IO",
    "stomp": "wsbdd: the scenario's clients speak STOMP",
    "wip": "behave: work in progress",
    "skip": "behave: skip this scenario",
}
_SPECIAL_PREFIXES = ("fixture.", "use.", "only.", "not.", "active.", "allure.")
_TAG = re.compile(r"@?([A-Za-z0-9_][\w.:\-]*)")
_OPERATORS = {"and", "or", "not"}


def _elements(feature: Any) -> Iterator[Any]:
    yield feature
    for item in getattr(feature, "run_items", []):
        yield item
        for child in getattr(item, "run_items", []) or []:
            yield child
        yield from getattr(item, "examples", []) or []
        for child in getattr(item, "scenarios", []) or []:
            if child is not item:
                yield child


def feature_tags(features: Iterable[Any]) -> Iterator[tuple[str, Any]]:
    """Every (tag, element) pair: feature, rule, scenario, outline and examples tags."""
    for feature in features:
        for element in _elements(feature):
            for tag in getattr(element, "tags", []) or []:
                yield str(tag), element


def _near_miss(tag: str) -> str | None:
    if tag in KNOWN_TAGS or tag.startswith(_SPECIAL_PREFIXES):
        return None
    close = difflib.get_close_matches(tag.lower(), list(KNOWN_TAGS), n=1, cutoff=0.75)
    return close[0] if close else None


def _config_tags(root: Path) -> Iterator[tuple[str, str, str]]:
    """(file, setting, tag expression) for behave's tag settings in the project's config."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            behave = tomllib.loads(pyproject.read_text("utf-8")).get("tool", {}).get("behave", {})
        except tomllib.TOMLDecodeError:
            behave = {}
        for key in ("default_tags", "tags"):
            value = behave.get(key)
            for expression in [value] if isinstance(value, str) else value or []:
                if isinstance(expression, str):
                    yield str(pyproject), f"[tool.behave] {key}", expression
    for name in ("behave.ini", ".behaverc", "setup.cfg", "tox.ini"):
        file = root / name
        if not file.is_file():
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(file, encoding="utf-8")
        except configparser.Error:
            continue
        if parser.has_section("behave"):
            for key in ("default_tags", "tags"):
                if parser.has_option("behave", key):
                    for expression in parser.get("behave", key).splitlines():
                        if expression.strip():
                            yield str(file), f"[behave] {key}", expression


def _line_of(file: str, needle: str) -> int:
    try:
        for number, line in enumerate(Path(file).read_text("utf-8").splitlines(), 1):
            if needle in line:
                return number
    except OSError:
        pass
    return 1


def tag_problems(features: list[Any], root: Path, all_features: list[Any]) -> list[Problem]:
    """Findings for *features*; *all_features* are every feature behave would run."""
    problems = []
    for tag, element in feature_tags(features):
        known = _near_miss(tag)
        if known:
            problems.append(
                Problem(
                    display(element.filename),
                    element.line,
                    f"@{tag} is not a tag wsbdd or behave acts on; did you mean @{known} "
                    f"({KNOWN_TAGS[known]})?",
                )
            )
    used = {tag for tag, _ in feature_tags(all_features)}
    for file, setting, expression in _config_tags(root):
        for token in _TAG.findall(expression.replace("(", " ").replace(")", " ")):
            tag = token.lstrip("@")
            if tag.lower() in _OPERATORS or tag in used or tag in KNOWN_TAGS:
                continue
            if tag.startswith(_SPECIAL_PREFIXES):
                continue
            close = difflib.get_close_matches(tag, sorted(used), n=1, cutoff=0.6)
            hint = f"; did you mean @{close[0]}?" if close else "."
            problems.append(
                Problem(
                    display(file),
                    _line_of(file, tag),
                    f"{setting} names @{tag}, but no feature or scenario has that tag{hint}",
                )
            )
    return problems
