"""Which scenarios a run would run, and how they are split over processes.

The selection is behave's own: its command-line parser and configuration files
(:class:`behave.configuration.Configuration`), its feature parser (file locations
``file:line`` included), and each scenario's ``should_run(config)``, which applies
``--tags`` expressions, ``-n``/``--name`` and ``--exclude`` exactly as a one-process
run would.  A Scenario Outline's example rows are scenarios of their own: each
has its own ``file:line`` (the row's line), and behave runs just that row.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wsbdd.model.errors import ConfigError

__all__ = [
    "PlannedScenario",
    "Plan",
    "SERIAL_TAG",
    "plan_run",
    "split_paths",
    "shard",
    "parse_processes",
    "previous_durations",
]

SERIAL_TAG = "serial"
"""Scenarios tagged ``@serial`` (or in a feature or rule so tagged) all run in one process."""

UNKNOWN_STEP_SECONDS = 0.1
"""The weight of one step of a scenario with no earlier duration (only relative weights matter)."""


@dataclass(frozen=True)
class PlannedScenario:
    """One scenario (or one Scenario Outline row) the run will run."""

    filename: str
    line: int
    name: str
    keyword: str
    tags: tuple[str, ...]
    feature_name: str
    feature_keyword: str
    feature_line: int
    steps: tuple[tuple[str, str, int, bool], ...] = ()
    """Each step's keyword, text, line and whether it is a background step."""
    feature_tags: tuple[str, ...] = ()
    feature_description: tuple[str, ...] = ()

    @property
    def location(self) -> str:
        """``features/chat.feature:12``: what behave takes to run just this scenario."""
        return f"{self.filename}:{self.line}"

    @property
    def serial(self) -> bool:
        return SERIAL_TAG in self.tags


@dataclass
class Plan:
    """The selected scenarios and the user's arguments without their paths."""

    scenarios: list[PlannedScenario]
    options: list[str]
    """The user's behave arguments with the feature paths taken out (each shard gets locations)."""
    unread: list[str] = field(default_factory=list)
    """One sentence per feature file behave cannot read (left out; the run fails)."""
    unselected: list[PlannedScenario] = field(default_factory=list)
    """Scenarios of the parsed features the selection left out (reported as skipped)."""
    show_skipped: bool = True
    console: str | None = "pretty"
    """The format to add for the console, or None when the user's formats already print there."""
    timeout: float = 5.0
    connect_timeout: float = 5.0
    durations: dict[tuple[str, int, str], float] = field(default_factory=dict)


def parse_processes(text: str | None, available: int) -> int:
    """The number of processes ``--processes`` asks for (no number: the CPUs available)."""
    if text is None or text == "":
        return max(1, available)
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(
            f'--processes takes a whole number of processes, such as 2, not "{text}".'
        ) from None
    if value < 1:
        raise ConfigError(
            f"--processes {value} runs nothing: give 1 or more processes "
            f"(or --processes alone for one per CPU, {max(1, available)} here)."
        )
    return value


def _option_arity(parser: Any) -> dict[str, int]:
    """How many values each of behave's option strings takes (0 for a switch)."""
    arity: dict[str, int] = {}
    for action in parser._actions:  # argparse keeps no public table of them
        nargs = action.nargs
        takes = 0 if nargs == 0 else 1
        for option in action.option_strings:
            arity[option] = takes
    return arity


def split_paths(args: Sequence[str], parser: Any) -> tuple[list[str], list[str]]:
    """behave's arguments split into (options with their values, feature paths)."""
    arity = _option_arity(parser)
    options: list[str] = []
    paths: list[str] = []
    items = list(args)
    i = 0
    while i < len(items):
        arg = items[i]
        if arg == "--":
            paths.extend(items[i + 1 :])
            break
        if arg.startswith("--"):
            name = arg.split("=", 1)[0]
            options.append(arg)
            if "=" not in arg and arity.get(name, 0) and i + 1 < len(items):
                options.append(items[i + 1])
                i += 1
        elif arg.startswith("-") and len(arg) > 1:
            options.append(arg)
            # -t@x (value attached), -kq (switches together), -t @x (value next)
            for position in range(1, len(arg)):
                if arity.get("-" + arg[position], 0):
                    if position == len(arg) - 1 and i + 1 < len(items):
                        options.append(items[i + 1])
                        i += 1
                    break
        else:
            paths.append(arg)
        i += 1
    return options, paths


@contextlib.contextmanager
def _in_folder(folder: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def _by_file(locations: Sequence[Any]) -> Iterator[list[Any]]:
    """The locations in runs of one file each (behave's order kept)."""
    group: list[Any] = []
    for location in locations:
        name = str(getattr(location, "filename", location)).split(":")[0]
        if group and name != str(getattr(group[0], "filename", group[0])).split(":")[0]:
            yield group
            group = []
        group.append(location)
    if group:
        yield group


def _walk(feature: Any, config: Any) -> Iterator[tuple[Any, bool]]:
    """Each scenario of a feature, and whether the run selects it."""
    runs = feature.should_run(config)
    for scenario in feature.walk_scenarios():
        yield scenario, runs and scenario.should_run(config)


def _planned(feature: Any, scenario: Any) -> PlannedScenario:
    tags = getattr(scenario, "effective_tags", None) or set(scenario.tags) | set(feature.tags)
    background = list(getattr(scenario, "background_steps", None) or [])
    steps = tuple(
        (str(s.keyword), str(s.name), int(s.line), i < len(background))
        for i, s in enumerate((*background, *scenario.steps))
    )
    return PlannedScenario(
        filename=str(scenario.filename or feature.filename),
        line=int(scenario.line),
        name=str(scenario.name),
        keyword=str(scenario.keyword),
        tags=tuple(sorted(str(tag) for tag in tags)),
        feature_name=str(feature.name),
        feature_keyword=str(feature.keyword),
        feature_line=int(feature.line),
        steps=steps,
        feature_tags=tuple(f"@{tag}" for tag in feature.tags),
        feature_description=tuple(str(line) for line in feature.description or ()),
    )


def plan_run(args: Sequence[str], cwd: Path) -> Plan:
    """The scenarios ``behave ARGS`` would run in ``cwd``, in behave's order.

    Raises :class:`ConfigError` when behave refuses the arguments (its own words)
    or a feature file does not parse.
    """
    from behave.configuration import Configuration
    from behave.exception import ConfigError as BehaveConfigError
    from behave.parser import ParserError
    from behave.runner import Runner
    from behave.runner_util import parse_features

    with _in_folder(cwd):
        captured = io.StringIO()
        try:
            with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                config = Configuration(command_args=list(args), load_config=True)
        except SystemExit:
            said = captured.getvalue().strip().splitlines()
            last = said[-1].split(" error: ", 1)[-1] if said else " ".join(args)
            raise ConfigError(f"behave refuses the arguments: {last.rstrip('.')}.") from None
        from behave.configuration import setup_parser

        options, _paths = split_paths(args, setup_parser())
        runner = Runner(config)
        try:
            with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                runner.setup_paths()
                locations = [
                    location
                    for location in runner.feature_locations()
                    if not config.exclude(location)
                ]
        except FileNotFoundError as error:
            raise ConfigError(f"behave cannot find {error}.") from None
        except (BehaveConfigError, OSError) as error:
            raise ConfigError(f"behave cannot find the features: {error}.") from None
        features, unread = [], []
        for group in _by_file(locations):
            # As wsbdd's hooks do in a one-process run: a file behave cannot read is
            # left out with its sentence, the others run, and the run fails at its end.
            try:
                features += parse_features(group, language=config.lang)
            except ParserError as error:
                from wsbdd.glue.feature_files import unreadable_sentence

                unread.append(unreadable_sentence(group[0], error))
        scenarios: list[PlannedScenario] = []
        unselected: list[PlannedScenario] = []
        for feature in features:
            for scenario, selected in _walk(feature, config):
                (scenarios if selected else unselected).append(_planned(feature, scenario))
        timeout, connect = _timeouts(cwd, config.userdata)
    return Plan(
        scenarios,
        options,
        unread=unread,
        unselected=unselected,
        show_skipped=bool(config.show_skipped),
        console=_console(config),
        timeout=timeout,
        connect_timeout=connect,
    )


def _console(config: Any) -> str | None:
    """The format the console gets (as ``wsbdd run`` adds one), or None if one prints there."""
    formats = list(config.format or [])
    named = [o for o in (config.outputs or []) if getattr(o, "name", None) not in (None, "-")]
    if len(formats) > len(named):
        return None
    return str(config.default_format or "pretty")


def _timeouts(cwd: Path, userdata: Any) -> tuple[float, float]:
    """The project's step and connect timeouts (the defaults when its settings do not read)."""
    try:
        from wsbdd.settings.config import load_settings

        settings = load_settings(cwd, userdata=dict(userdata or {}))
        return float(settings.timeout), float(settings.connect_timeout)
    except Exception:  # the shards will say what is wrong with the settings
        return 5.0, 5.0


_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def _longest_wait_in(step: str) -> float:
    """The longest duration written in a step (``within 5 seconds``, ``for 2 minutes``)."""
    from wsbdd.match.grammar import DURATION_UNITS, NUMBER, UNIT

    longest = 0.0
    for match in re.finditer(rf"({NUMBER}) ?({UNIT})\b", step):
        try:
            longest = max(longest, float(match.group(1)) * DURATION_UNITS[match.group(2)])
        except (KeyError, ValueError):
            continue
    return longest


def scenario_budget(scenario: PlannedScenario, timeout: float, connect_timeout: float) -> float:
    """The longest a scenario can take when every wait runs to its deadline, plus slack."""
    waits = sum(
        max(timeout, _longest_wait_in(f"{keyword} {text}"))
        for keyword, text, _, _ in scenario.steps
    )
    return 10.0 + connect_timeout + waits


def previous_durations(results: Path) -> dict[tuple[str, int, str], float]:
    """Each scenario's duration in an earlier run's results file (empty when there is none)."""
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    durations: dict[tuple[str, int, str], float] = {}
    for feature in data.get("features", []) if isinstance(data, dict) else []:
        for scenario in feature.get("scenarios", []) if isinstance(feature, dict) else []:
            try:
                key = (str(scenario["filename"]), int(scenario["line"]), str(scenario["name"]))
                if scenario.get("status") in ("passed", "failed"):
                    durations[key] = float(scenario.get("duration") or 0.0)
            except (KeyError, TypeError, ValueError):
                continue
    return durations


def _weight(scenario: PlannedScenario, durations: dict[tuple[str, int, str], float]) -> float:
    known = durations.get((scenario.filename, scenario.line, scenario.name))
    if known:  # a scenario skipped last time has no duration worth the name
        return known
    return UNKNOWN_STEP_SECONDS * max(1, len(scenario.steps))


def shard(
    scenarios: Iterable[PlannedScenario],
    processes: int,
    durations: dict[tuple[str, int, str], float] | None = None,
) -> list[list[PlannedScenario]]:
    """Split scenarios into ``processes`` shards of about equal time, longest first.

    Every ``@serial`` scenario goes to the first shard (one process, in file order).
    Each shard keeps behave's order (file, then line) so a feature's scenarios run
    together.  Empty shards are dropped.
    """
    durations = durations or {}
    shards: list[list[PlannedScenario]] = [[] for _ in range(max(1, processes))]
    loads = [0.0] * len(shards)
    items = list(scenarios)
    for scenario in items:
        if scenario.serial:
            shards[0].append(scenario)
            loads[0] += _weight(scenario, durations)
    rest = sorted(
        (s for s in items if not s.serial),
        key=lambda s: (-_weight(s, durations), s.filename, s.line),
    )
    for scenario in rest:
        lightest = min(range(len(shards)), key=lambda k: (loads[k], len(shards[k]), k))
        shards[lightest].append(scenario)
        loads[lightest] += _weight(scenario, durations)
    order = {(s.filename, s.line): i for i, s in enumerate(items)}
    return [sorted(s, key=lambda x: order[(x.filename, x.line)]) for s in shards if s]
