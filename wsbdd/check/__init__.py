"""``wsbdd check``: find the feature writer's mistakes before anything connects.

Reports, as ``file:line: sentence``:

* steps that match no step (with the closest one as "did you mean"), and steps
  written after the wrong keyword;
* malformed JSON (inline, in docstrings), malformed JSONPath, unknown matcher
  words, broken tables and templates;
* ``${variables}`` used before any step sets them, and unknown ``${config.…}``;
* clients used before they connect, groups used before they exist;
* mistakes the run would name in its first step (wsbdd.check.early): a scenario with no
  steps, an Outline with no Examples rows or a placeholder with no column, a quiet window
  of 0 seconds, a wait longer than a day, 0 messages or clients, a close code no client
  may send, a load step that sends nothing or checks nothing;
* tags that look like wsbdd's or behave's (``@strikt``), and tags named in
  behave's configuration that no feature has;
* configuration problems: a malformed phrase, a phrase that clashes with a
  step, a phrase whose steps match nothing, a broken ``ignore`` condition.

A configuration that cannot be read (bad TOML, a malformed phrase) is reported
once; its phrases are then unknown, so lines that match no step are not
reported as well: they may be those phrases.

Nothing is sent anywhere: the step library's own parsing functions read the
words, with placeholder values where a ``${variable}`` would go.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wsbdd.catalogue import find_examples
from wsbdd.catalogue.project import Problem, Project, display, feature_files, load_project
from wsbdd.check.early import early_problems
from wsbdd.check.scenario import Known, ScenarioReader
from wsbdd.check.tags import tag_problems
from wsbdd.model.errors import ConfigError, FeatureMistake
from wsbdd.settings.config import load_settings
from wsbdd.vocabulary.phrases import SAMPLE_VALUES, Phrase, load_phrases
from wsbdd.vocabulary.running import substep_text
from wsbdd.vocabulary.suggest import Suggester

__all__ = ["Problem", "check", "check_project"]


def _phrase_problems(project: Project, suggester: Suggester) -> list[Problem]:
    """A phrase's steps must each match a step (checked once all steps are loaded)."""
    from behave.parser import parse_steps

    problems = []
    for phrase in project.phrases:
        if not phrase.steps:
            continue
        values = {p.name: SAMPLE_VALUES[p.type] for p in phrase.params if p.type != "text"}
        values |= {"client": "Alice", "index": "1"}
        text = "\n".join(substep_text(line, "given", values) for line in phrase.steps)
        try:
            parsed = parse_steps(text)
        except Exception as error:
            reason = " ".join(str(error).split())
            problems.append(_at(phrase, f"its steps cannot be read as Gherkin: {reason}"))
            continue
        for number, (line, sub) in enumerate(zip(phrase.steps, parsed, strict=False), 1):
            if project.registry.find_match(sub) is not None:
                continue
            close = suggester.closest(sub.name)
            hint = f'; did you mean "{close}"?' if close else ""
            problems.append(_at(phrase, f'step {number} "{line}" matches no step{hint}'))
    return problems


def _at(phrase: Phrase, problem: str) -> Problem:
    return Problem(
        display(phrase.file) if phrase.file else "configuration",
        phrase.line or 1,
        f"{phrase.where}, phrase {phrase.number} '{phrase.step}': {_sentence(problem)}",
    )


def _sentence(text: str) -> str:
    text = text.rstrip(".")
    return text if text.endswith("?") else text + "."


def _ignore_problems(project: Project) -> list[Problem]:
    from wsbdd.match import parse_conditions

    problems = []
    for condition in project.settings.ignore:
        try:
            parse_conditions(condition)
        except FeatureMistake as mistake:
            where = project.settings.origin_of("ignore")
            file = where.split(" ", 1)[0]
            problems.append(Problem(file, 1, f"{where}: {mistake}"))
    return problems


def _phrases_unknown(project: Project) -> bool:
    """True when the configuration cannot be read, so the project's phrases are unknown.

    The configuration's own finding says what is wrong with it; every feature line
    that uses a phrase would otherwise be reported as matching no step too.
    """
    try:
        load_phrases(load_settings(project.root, userdata={}, environ={}), project.root)
    except ConfigError:
        return True
    return False


def check_project(project: Project, paths: list[Path] | None = None) -> list[Problem]:
    """Every finding for the features of *project* (all of them, or those under *paths*)."""
    chosen = {p.resolve() for p in feature_files(paths)} if paths else None
    # A feature file outside the paths asked about is not this check's business, even when
    # it cannot be read (the settings and phrases are everyone's).
    problems = {
        problem
        for problem in project.problems
        if chosen is None
        or not problem.file.endswith(".feature")
        or Path(problem.file).resolve() in chosen
    }
    features = [
        f for f in project.features if chosen is None or Path(f.filename).resolve() in chosen
    ]
    examples = find_examples(project, project.features)
    suggester = Suggester(project.registry, ((key, ex.text) for key, ex in examples.items()))
    problems.update(_phrase_problems(project, suggester))
    problems.update(_ignore_problems(project))

    settings = project.settings
    known = Known(
        set(settings.variables),
        set(settings.config_values()),
        socketio=settings.codec.strip().lower() in ("socket.io", "socketio"),
        graphql=settings.codec.strip().lower() in ("graphql", "graphql-transport-ws", "graphql-ws"),
    )
    reader = ScenarioReader(
        project.registry, known, suggester.explain, phrases_unknown=_phrases_unknown(project)
    )
    for feature in features:
        for scenario in feature.walk_scenarios():
            reader.read(scenario)
    problems.update(reader.problems)
    problems.update(early_problems(features, project.registry))
    problems.update(tag_problems(features, project.root, project.features))
    return sorted(problems, key=_order)


def _order(problem: Problem) -> tuple[Any, ...]:
    return (problem.file, problem.line, problem.message)


def check(paths: list[str] | None = None, root: str | Path | None = None) -> list[Problem]:
    """Check the project in *root* (default: the current folder); *paths* narrow the files.

    Feature files are always read from behave's paths too, so tags used anywhere count.
    """
    base = Path(root) if root is not None else Path.cwd()
    project = load_project(base, None)
    selected: list[Path] | None = None
    if paths:
        selected = [Path(p) if Path(p).is_absolute() else base / p for p in paths]
        extra = [p for p in selected if p.exists()]
        known = {Path(f.filename).resolve() for f in project.features}
        known |= {Path(p.file).resolve() for p in project.problems if p.file.endswith(".feature")}
        from behave.parser import ParserError, parse_file

        for file in feature_files(extra):
            if file.resolve() not in known:
                try:
                    project.features.append(parse_file(str(file)))
                except ParserError as error:
                    line = getattr(error, "line", None) or 1
                    reason = " ".join(str(getattr(error, "reason", "") or error).split())
                    project.problems.append(
                        Problem(display(file), line, f"This feature file cannot be read: {reason}")
                    )
        for path in selected:
            if not path.exists():
                project.problems.append(
                    Problem(display(path), 1, "There is no such file or folder.")
                )
    return check_project(project, selected)
