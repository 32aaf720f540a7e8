"""A project as ``wsbdd steps`` and ``wsbdd check`` see it, without running anything.

Finds the feature files and the steps folder the way behave does, reads the
configuration (files only), and builds a *private* step registry: wsbdd's
built-in steps, the project's phrases and the project's own Python steps.  A
private registry means the same process can look at several projects (the
tests do) and nothing leaks into behave's global registry.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import tomllib
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from behave.parser import ParserError, parse_file
from behave.step_registry import StepRegistry

from wsbdd.model.errors import ConfigError
from wsbdd.settings.config import Settings, load_settings
from wsbdd.vocabulary.phrases import Phrase, PhraseError, load_phrases

__all__ = ["Problem", "Project", "load_project", "feature_files", "display", "scenarios"]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding: ``features/chat.feature:12: <sentence>``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Project:
    """Everything needed to read a project's features: settings, steps, feature files."""

    root: Path
    settings: Settings
    registry: Any
    phrases: list[Phrase]
    feature_paths: list[Path]
    steps_dir: Path | None
    problems: list[Problem] = field(default_factory=list)
    features: list[Any] = field(default_factory=list)


def display(path: str | Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    return _display(str(path), os.getcwd())


@functools.lru_cache(maxsize=1024)
def _display(path: str, cwd: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(cwd).resolve()))
    except ValueError:
        return path


def _behave_paths(root: Path) -> list[str]:
    """``[tool.behave] paths`` from pyproject.toml, or behave's default ``features``."""
    pyproject = root / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return ["features"]
    paths = data.get("tool", {}).get("behave", {}).get("paths")
    if isinstance(paths, str):
        return [paths]
    if isinstance(paths, list) and all(isinstance(p, str) for p in paths):
        return list(paths)
    return ["features"]


def feature_files(paths: list[Path]) -> list[Path]:
    """Every ``.feature`` file under *paths* (files as given, folders searched), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob("*.feature")))
        elif path.suffix == ".feature":
            found.append(path)
    return list(dict.fromkeys(found))


def _steps_dir(paths: list[Path]) -> Path | None:
    """behave's search: a ``steps`` folder beside the first path, or in a folder above it."""
    if not paths:
        return None
    start = paths[0].resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / "steps").is_dir():
            return candidate / "steps"
    return None


def _builtin_registry() -> StepRegistry:
    """A fresh registry holding wsbdd's built-in steps (and no phrases)."""
    from wsbdd.vocabulary import registration

    previous = registration.AUTO
    registration.AUTO = False  # this module registers phrases itself, into its own registry
    try:
        import wsbdd.steps  # noqa: F401
    finally:
        registration.AUTO = previous
    source = registration.step_registry()
    fresh = StepRegistry()
    for step_type, matchers in source.steps.items():
        fresh.steps[step_type] = [
            m
            for m in matchers
            if registration.phrase_of(m) is None
            and (getattr(m.func, "__module__", "") or "").startswith("wsbdd.")
        ]
    return fresh


_DECORATORS = ("given", "when", "then", "step")


@contextlib.contextmanager
def _decorators_into(registry: StepRegistry) -> Iterator[dict[str, Any]]:
    """``from behave import given`` registers into *registry* while the block runs."""
    import behave
    import behave.step_registry as module

    made = {name: registry.make_decorator(name) for name in _DECORATORS}
    saved = []
    for target in (behave, module):
        for name in _DECORATORS:
            for spelling in (name, name.title()):
                saved.append((target, spelling, getattr(target, spelling, None)))
                setattr(target, spelling, made[name])
    try:
        yield {spelling: made[name] for name in _DECORATORS for spelling in (name, name.title())}
    finally:
        for target, spelling, value in saved:
            setattr(target, spelling, value)


def _load_python_steps(steps_dir: Path, registry: StepRegistry) -> list[Problem]:
    from behave.api.step_matchers import use_default_step_matcher, use_step_matcher

    problems = []
    files = sorted(p for p in steps_dir.iterdir() if p.suffix == ".py")
    sys.path.insert(0, str(steps_dir))
    try:
        with _decorators_into(registry) as decorators:
            for file in files:
                namespace = {"use_step_matcher": use_step_matcher, **decorators}
                namespace["__file__"] = str(file)
                try:
                    code = compile(file.read_bytes(), str(file), "exec", dont_inherit=True)
                    exec(code, namespace)
                except Exception as error:  # the user's file: report it, keep going
                    line = 1
                    for frame in traceback.extract_tb(error.__traceback__):
                        if frame.filename == str(file):
                            line = frame.lineno or 1
                    text = " ".join(str(error).split()) or type(error).__name__
                    problems.append(
                        Problem(
                            display(file),
                            line,
                            f"This steps file cannot be loaded ({type(error).__name__}: {text}).",
                        )
                    )
                finally:
                    use_default_step_matcher()
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(str(steps_dir))
    return problems


def config_problem(error: Exception, root: Path) -> Problem:
    """A configuration error as a finding on its file (and line, when known)."""
    file = getattr(error, "file", None)
    line = getattr(error, "line", None) or 1
    if not file:
        first = str(error).split(" ", 1)[0].rstrip(":")
        file = first if (root / first).is_file() or Path(first).is_file() else "configuration"
    return Problem(display(file) if file != "configuration" else file, line, str(error))


def load_project(root: Path | None = None, paths: list[str] | None = None) -> Project:
    """Read the project in *root* (default: the current folder) without connecting."""
    from wsbdd.vocabulary.registration import register_phrases

    root = (root or Path.cwd()).resolve()
    problems: list[Problem] = []
    chosen = [Path(p) for p in paths] if paths else [root / p for p in _behave_paths(root)]
    for path in chosen:
        if not path.exists():
            problems.append(Problem(display(path), 1, "There is no such file or folder."))
    try:
        settings = load_settings(root, userdata={}, environ={})
    except ConfigError as error:
        problems.append(config_problem(error, root))
        settings = Settings()
    registry = _builtin_registry()
    phrases: list[Phrase] = []
    try:
        loaded = load_phrases(settings, root)
    except PhraseError as error:
        problems.append(config_problem(error, root))
        loaded = []
    for phrase in loaded:
        try:
            register_phrases([phrase], registry)
            phrases.append(phrase)
        except PhraseError as error:
            problems.append(config_problem(error, root))
    steps_dir = _steps_dir([p for p in chosen if p.exists()])
    if steps_dir is not None:
        problems.extend(_load_python_steps(steps_dir, registry))
    project = Project(root, settings, registry, phrases, chosen, steps_dir, problems)
    for file in feature_files([p for p in chosen if p.exists()]):
        try:
            project.features.append(parse_file(str(file)))
        except ParserError as error:
            line = getattr(error, "line", None) or 1
            reason = " ".join(str(getattr(error, "reason", "") or error).split())
            problems.append(
                Problem(display(file), line, f"This feature file cannot be read: {reason}")
            )
        except OSError as error:
            problems.append(Problem(display(file), 1, f"This feature file cannot be read: {error}"))
    return project


def scenarios(feature: Any) -> Iterator[Any]:
    """Every scenario a run would execute (outlines expanded), with rules."""
    yield from feature.walk_scenarios()
