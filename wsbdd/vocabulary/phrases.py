"""The app's own words, read from configuration and checked before anything runs.

An engineer writes, in ``pyproject.toml`` (or ``wsbdd.toml`` as ``[[phrases]]``)::

    [[tool.wsbdd.phrases]]
    step     = '{client} joins room "{room}"'
    send     = '{"type": "join", "room": "${room}", "name": "${client}"}'
    await    = '$.type is "joined" and $.room is "${room}"'
    remember = { members = "$.members" }
    meaning  = "The client enters a room and waits until the server confirms it."

    [[tool.wsbdd.phrases]]
    preset = "chat"            # every phrase of a bundled preset (wsbdd/presets/chat.toml)

:func:`load_phrases` turns that into :class:`Phrase` objects: a regex for
behave, typed parameters, and templates that were checked for broken JSON,
bad JSONPath, unknown matcher words and unknown ``${names}``.  Any problem is a
:class:`PhraseError` whose one sentence names the file, the phrase and the
problem.  Pure: nothing here touches behave's registry or a socket.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from behave.exception import ConfigError as BehaveConfigError

from wsbdd.match import compile_path
from wsbdd.match.grammar import NAME_TEXT, NAMES, WITHIN, conditions, parse_duration
from wsbdd.model.errors import ConfigError, FeatureMistake
from wsbdd.model.json_text import plain_error
from wsbdd.model.variables import (
    GENERATORS,
    RESERVED_PREFIXES,
    Variables,
    find_placeholders,
    is_valid_name,
    root_name,
)
from wsbdd.settings.config import Settings

__all__ = [
    "PARAM_TYPES",
    "PHRASE_KEYS",
    "not_json_argument",
    "Param",
    "Phrase",
    "PhraseError",
    "load_phrases",
    "parse_phrases",
    "preset_names",
    "placeholder_variables",
    "json_problem",
    "fill_conditions",
    "WITHIN_RE",
]

PARAM_TYPES = ("text", "number", "client", "group", "json", "condition")
PHRASE_KEYS = (
    "step",
    "send",
    "await",
    "within",
    "remember",
    "steps",
    "socketio",
    "meaning",
    "reads",
)
KEYWORDS = ("Given", "When", "Then", "And", "But")

NAME_RE = NAME_TEXT
NAMES_RE = NAMES
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CYCLE = re.compile(r"\$\{cycle:([^}]*)\}")
SAMPLE_VALUES = {
    "client": "Alice",
    "group": "players",
    "number": "3",
    "text": "hello",
    "json": '{"level": 2}',
    "condition": '$.type is "ok"',
}
WITHIN_RE = WITHIN
"""The optional deadline a phrase that waits (``await``) takes at its end, as built-in steps do."""
CONDITION_SAMPLE = "$ exists"
"""What a condition parameter stands for when the phrase's own ``await`` is checked."""


class PhraseError(ConfigError, BehaveConfigError):
    """A phrase in the configuration is wrong; the run stops before any scenario.

    Also a behave ``ConfigError``, so behave prints it as one line
    (``ConfigError: …``) without a traceback when steps load.
    """

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.line = line


@dataclass(frozen=True)
class Param:
    """One ``{name}`` or ``{name:type}`` in a phrase's step text."""

    name: str
    type: str
    quoted: bool
    group: str
    """The regex group that captures it (``p0``, ``p1`` …)."""


@dataclass(frozen=True, eq=False)
class Phrase:
    """One phrase of the app's vocabulary, checked and ready to become a behave step."""

    step: str
    params: tuple[Param, ...]
    regex: str
    sends: tuple[str, ...] = ()
    await_: str | None = None
    within: float | None = None
    remember: tuple[tuple[str, str], ...] = ()
    steps: tuple[str, ...] = ()
    socketio: tuple[str, ...] = ()
    """What the phrase does instead when its client speaks Socket.IO: steps, as ``steps``
    (so one feature reads the same over plain WebSocket and over Socket.IO)."""
    meaning: str = ""
    reads: tuple[str, ...] = ()
    where: str = "configuration"
    """Where it was written: ``pyproject.toml [tool.wsbdd] phrases`` or ``preset "chat"``."""
    number: int = 1
    file: str | None = None
    line: int | None = None
    compiled: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", re.compile(self.regex))

    @property
    def label(self) -> str:
        """``phrase 2 '{client} joins room "{room}"' in pyproject.toml [tool.wsbdd] phrases``."""
        return f"phrase {self.number} '{self.step}' in {self.where}"

    def over_socketio(self) -> Phrase:
        """This phrase as its client does it over Socket.IO: its ``socketio`` steps only."""
        if not self.socketio:
            return self
        return replace(self, sends=(), await_=None, remember=(), steps=self.socketio, socketio=())

    @property
    def actor(self) -> Param | None:
        """The client (or group) that sends and waits: the first client or group parameter."""
        return next((p for p in self.params if p.type in ("client", "group")), None)

    @property
    def example(self) -> str:
        """The step with sample values: ``Alice joins room "hello"``."""
        return _fill(self.step, {p.name: SAMPLE_VALUES[p.type] for p in self.params})

    @property
    def group_example(self) -> str | None:
        """The group form, when the actor is a client: ``every client in group "players" …``."""
        actor = self.actor
        if actor is None or actor.type != "client":
            return None
        values = {p.name: SAMPLE_VALUES[p.type] for p in self.params}
        values[actor.name] = 'every client in group "players"'
        return _fill(self.step, values)

    def samples(self) -> list[str]:
        """Texts this phrase matches, for clash detection with other steps."""
        texts = [self.example, _fill(self.step, {p.name: _SHORT[p.type] for p in self.params})]
        if self.group_example:
            texts.append(self.group_example)
        return [t for t in dict.fromkeys(texts) if self.compiled.fullmatch(t)]

    def describe(self) -> str:
        """One line saying what the phrase does: its ``meaning``, or what it sends and awaits."""
        if self.meaning:
            return self.meaning
        parts = []
        if self.sends:
            what = self.sends[0] if len(self.sends) == 1 else f"{len(self.sends)} messages"
            parts.append(f"Sends {what}")
        if self.await_:
            parts.append(f"{'then waits' if parts else 'Waits'} for a message where {self.await_}")
        if self.remember:
            names = ", ".join(f"${{{name}}}" for name, _ in self.remember)
            parts.append(f"remembers {names}")
        if self.steps:
            lead = "then runs" if parts else "Runs"
            parts.append(f"{lead} {len(self.steps)} step{'s' if len(self.steps) > 1 else ''}")
        return ", ".join(parts) + "."


_SHORT = {
    "client": "A",
    "group": "g",
    "number": "1",
    "text": "x",
    "json": "1",
    "condition": "$ exists",
}


def _fill(step: str, values: Mapping[str, str]) -> str:
    out = []
    for kind, piece in _template_pieces(step):
        if kind == "text":
            out.append(piece)
        else:
            out.append(values[piece.partition(":")[0].strip()])
    return "".join(out)


# -- reading the step text -----------------------------------------------------------------


def _template_pieces(step: str) -> list[tuple[str, str]]:
    """``'{client} joins "{room}"'`` → [("param", "client"), ("text", " joins \""), …]."""
    pieces: list[tuple[str, str]] = []
    literal: list[str] = []
    index = 0
    while index < len(step):
        char = step[index]
        if step.startswith("{{", index) or step.startswith("}}", index):
            literal.append(char)
            index += 2
            continue
        if char == "{":
            end = step.find("}", index)
            if end < 0:
                raise FeatureMistake(
                    f'the "{{" at position {index + 1} is not closed; write parameters like '
                    '{room}, and "{{" for a literal brace'
                )
            pieces.append(("text", "".join(literal)))
            literal = []
            pieces.append(("param", step[index + 1 : end]))
            index = end + 1
            continue
        if char == "}":
            raise FeatureMistake(
                f'the "}}" at position {index + 1} closes nothing; write "}}}}" for a literal brace'
            )
        literal.append(char)
        index += 1
    pieces.append(("text", "".join(literal)))
    return [(kind, piece) for kind, piece in pieces if kind == "param" or piece]


def _param_type(name: str, declared: str) -> str:
    if not declared:
        return name if name in ("client", "group") else "text"
    kind = declared.strip().lower()
    if kind not in PARAM_TYPES:
        close = difflib.get_close_matches(kind, PARAM_TYPES, n=1, cutoff=0.5)
        hint = f'did you mean "{close[0]}"? ' if close else ""
        raise FeatureMistake(
            f'the parameter {{{name}:{declared}}} has the unknown type "{declared}"; {hint}'
            f"types are {', '.join(PARAM_TYPES)}"
        )
    return kind


def _step_regex(step: str) -> tuple[str, tuple[Param, ...]]:
    text = step.strip()
    first = text.split(" ", 1)[0]
    if first in KEYWORDS:
        raise FeatureMistake(
            f'write the step without "{first}": feature files add Given, When or Then '
            "themselves, and the phrase works after each of them"
        )
    pieces = _template_pieces(text)
    if not any(kind == "text" and piece.strip() for kind, piece in pieces):
        raise FeatureMistake("the step needs some words besides its parameters")
    params: list[Param] = []
    regex: list[str] = []
    actor_seen = False
    for position, (kind, piece) in enumerate(pieces):
        if kind == "text":
            regex.append(re.escape(piece))
            continue
        name, _, declared = piece.partition(":")
        name = name.strip()
        if not _PARAM_NAME.fullmatch(name):
            raise FeatureMistake(
                f'"{{{piece}}}" is not a parameter; name parameters with letters, digits and _, '
                "like {room} or {count:number}"
            )
        if name == "index":
            raise FeatureMistake(
                "a parameter cannot be called index: ${index} is the member's number in a group"
            )
        if any(p.name == name for p in params):
            raise FeatureMistake(f"the parameter {{{name}}} appears twice")
        kind_of = _param_type(name, declared)
        before = pieces[position - 1][1] if position > 0 else ""
        after = pieces[position + 1][1] if position + 1 < len(pieces) else ""
        quoted = before.endswith('"') and after.startswith('"')
        if quoted and kind_of in ("json", "condition"):
            raise FeatureMistake(
                f"the parameter {{{piece}}} is written without quotes around it: the feature "
                + (
                    'gives JSON as it is, e.g. {"level": 2}'
                    if kind_of == "json"
                    else 'gives the condition as it is, e.g. $.type is "ok"'
                )
            )
        group = f"p{len(params)}"
        if kind_of == "client" and not actor_seen:
            actor_seen = True
            regex.append(
                f"(?:(?:client )?(?P<{group}>{NAME_RE})"
                f'|every client in group "(?P<{group}_group>[^"]+)"'
                f"(?: and (?P<{group}_others>{NAMES_RE}))?)"
            )
        elif kind_of == "client":
            regex.append(f"(?:client )?(?P<{group}>{NAME_RE})")
        elif kind_of == "group":
            actor_seen = True
            regex.append(f'(?P<{group}>[^"]+)' if quoted else f"(?P<{group}>{NAME_RE})")
        elif kind_of == "number":
            regex.append(rf"(?P<{group}>-?\d+(?:\.\d+)?)")
        elif kind_of == "json":  # an object, array, number, "text", true/false/null, ${var}
            regex.append(rf'(?P<{group}>(?:[\[{{"\-\d]|true|false|null|\$\{{).*?)')
        elif kind_of == "condition":  # conditions start with a JSONPath: $.type is "x"
            regex.append(rf"(?P<{group}>\$.*?)")
        else:
            regex.append(f'(?P<{group}>[^"]*)' if quoted else f"(?P<{group}>.+?)")
        params.append(Param(name, kind_of, quoted, group))
    return "".join(regex), tuple(params)


# -- checking templates --------------------------------------------------------------------


def placeholder_variables(names: Iterable[str], value: Any = 1) -> Variables:
    """Variables in which every name in *names* (``env.X`` and ``config.Y`` too) is *value*.

    Lets a template be rendered to check its JSON, paths and matcher words before
    anything runs, whatever the real values will be.
    """
    own: dict[str, Any] = {}
    environ: dict[str, str] = {}
    config: dict[str, Any] = {}
    for name in names:
        if name.startswith("env."):
            environ[name[4:]] = str(value)
        elif name.startswith("config."):
            config[name[7:]] = value
        elif is_valid_name(name):
            own[name] = value
    return Variables(own, environ=environ, config=config)


def strip_cycles(text: str) -> str:
    """``${cycle:a,b}`` → ``a`` (the value of the first member), for checking."""
    return _CYCLE.sub(lambda m: m.group(1).split(",")[0].strip(), text)


def _check_names(
    text: str,
    what: str,
    allowed: set[str],
    prefixes: tuple[str, ...],
    config_keys: set[str],
    params: Sequence[Param],
) -> list[str]:
    names = find_placeholders(strip_cycles(text))
    for name in names:
        if "${" in name:  # ${tokens.${client}}: the table must be known; inner names too
            name = root_name(name)
            if not name:
                continue
        if name in allowed or name in GENERATORS or name.startswith("env."):
            continue
        if name.startswith("config."):
            key = name[7:]
            if key in config_keys or any(key.startswith(k + ".") for k in config_keys):
                continue
            close = difflib.get_close_matches(key, sorted(config_keys), n=1, cutoff=0.6)
            hint = f'; did you mean "${{config.{close[0]}}}"' if close else ""
            raise FeatureMistake(f'{what} uses "${{{name}}}", which is not a wsbdd setting{hint}')
        if name.startswith(prefixes):
            continue
        own = [p.name for p in params]
        close = difflib.get_close_matches(name, [*own, *sorted(allowed)], n=1, cutoff=0.6)
        hint = f'did you mean "${{{close[0]}}}"? ' if close else ""
        listed = ", ".join(own) or "none"
        raise FeatureMistake(
            f'{what} uses "${{{name}}}", which is not a parameter of this phrase '
            f"(its parameters: {listed}); {hint}a value set elsewhere in the scenario must be "
            f'listed in reads, e.g. reads = ["{name}"]'
        )
    return names


_PLACEHOLDER = re.compile(r"\$\{(?:[^{}]|\$\{[^{}]*\})*\}")
"""A placeholder, with placeholders inside it too (``${tokens.${client}}``)."""


def fill_conditions(text: str, conditions: Mapping[str, str]) -> str:
    """``$.type is "reply" and ${cond}`` with each condition parameter's text written in.

    A condition is words to parse, not a value: it is put into the ``await`` text
    before that is read (its own ``${…}`` are filled in afterwards, as usual).
    """
    for name, condition in conditions.items():
        text = text.replace("${" + name + "}", condition)
    return text


def not_json_argument(name: str, problem: object) -> str:
    """The sentence for a ``{name:json}`` argument that is not JSON, as ``wsbdd check`` and
    the run both say it."""
    return f'{{{name}}} must be JSON, such as {{"level": 2}}, [1, 2], 3 or "text": {problem}'


def json_problem(text: str) -> str | None:
    """Why *text* (with ``${…}`` placeholders) is not JSON, quoting the text as written.

    Each placeholder is replaced by a value of the same length (``xxx`` inside a
    string, ``0`` outside), so the position in the message is the position in
    the template.
    """
    out: list[str] = []
    in_string = escaped = False
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        chunk = text[position : match.start()]
        for char in chunk:
            if escaped:
                escaped = False
            elif char == '"':
                in_string = not in_string
            elif char == "\\" and in_string:
                escaped = True
        size = match.end() - match.start()
        out.extend((chunk, "x" * size if in_string else "0" + " " * (size - 1)))
        position = match.end()
    out.append(text[position:])
    try:
        json.loads("".join(out))
    except json.JSONDecodeError as raised:
        error = plain_error(raised)  # the same words on every Python
        start = 0 if len(text) <= 80 else max(0, error.pos - 30)
        end = len(text) if len(text) <= 80 else error.pos + 30
        excerpt = ("…" if start else "") + " ".join(text[start:end].split())
        if end < len(text):
            excerpt += " …"
        return f"{error.msg} at line {error.lineno}, column {error.colno}: {excerpt}"
    return None


def _check_json(text: str, what: str) -> None:
    stripped = strip_cycles(text).strip()
    if not stripped.startswith(("{", "[")):
        return
    problem = json_problem(stripped)
    if problem:
        raise FeatureMistake(f"{what} is not valid JSON: {problem}")


def _check_condition(text: str, names: Sequence[str]) -> None:
    text = strip_cycles(text)
    try:
        conditions(text, placeholder_variables(names, 1))
    except FeatureMistake as first:
        try:
            conditions(text, placeholder_variables(names, "x"))
        except FeatureMistake:
            message = f"await is not a valid condition: {_lower_first(str(first))}"
            raise FeatureMistake(message) from None


def _lower_first(text: str) -> str:
    text = text.rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != "${" else text


# -- reading one table ---------------------------------------------------------------------


def _strings(value: Any, key: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise FeatureMistake(f"{key} must be text or a list of texts")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise FeatureMistake(f"every entry of {key} must be non-empty text")
    return tuple(items)


def _duration(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    if isinstance(value, str):
        try:
            seconds = parse_duration(value, unit_required=False)
        except FeatureMistake:
            seconds = 0.0
        if seconds > 0:
            return seconds
    raise FeatureMistake(
        f'within is {json.dumps(value)}; write a duration such as 2, "500 ms" or "3 seconds"'
    )


@dataclass
class _Draft:
    table: Mapping[str, Any]
    where: str
    number: int
    file: str | None
    line: int | None
    step: str = ""

    def error(self, problem: str) -> PhraseError:
        label = f"phrase {self.number}" + (f" '{self.step}'" if self.step else "")
        problem = problem.rstrip(".")
        end = "" if problem.endswith("?") else "."  # 'did you mean "send"?' ends already
        return PhraseError(f"{self.where}, {label}: {problem}{end}", self.file, self.line)


def _first_pass(draft: _Draft) -> tuple[str, tuple[Param, ...], tuple[tuple[str, str], ...]]:
    table = draft.table
    for key in table:
        if key not in PHRASE_KEYS:
            close = difflib.get_close_matches(key, PHRASE_KEYS, n=1, cutoff=0.6)
            hint = f'did you mean "{close[0]}"?' if close else "keys are " + ", ".join(PHRASE_KEYS)
            raise draft.error(f'unknown key "{key}"; {hint}')
    step = table.get("step")
    if not isinstance(step, str) or not step.strip():
        raise draft.error("it has no step; write step = '{client} joins room \"{room}\"'")
    if "\n" in step:
        raise draft.error("the step must be a single line")
    draft.step = step.strip()
    regex, params = _step_regex(step)
    remember = table.get("remember", {})
    if not isinstance(remember, dict):
        raise draft.error('remember must be a table, e.g. remember = { quiz_id = "$.id" }')
    pairs = []
    for name, path in remember.items():
        if not is_valid_name(name) or name.startswith(RESERVED_PREFIXES):
            raise draft.error(
                f'remember: "{name}" is not a variable name you can set; use letters, digits '
                "and _ . - (env. and config. names read the environment and the settings), "
                'e.g. remember = { quiz_id = "$.id" }'
            )
        if not isinstance(path, str):
            raise draft.error(f'remember: the path for "{name}" must be a JSONPath in quotes')
        compile_path(path)
        pairs.append((name, path))
    return regex, params, tuple(pairs)


def _second_pass(
    draft: _Draft,
    regex: str,
    params: tuple[Param, ...],
    remember: tuple[tuple[str, str], ...],
    remembered: set[str],
    settings: Settings,
) -> Phrase:
    table = draft.table
    sends = _strings(table["send"], "send") if "send" in table else ()
    await_ = table.get("await")
    if await_ is not None and (not isinstance(await_, str) or not await_.strip()):
        raise draft.error("await must be a condition such as '$.type is \"joined\"'")
    steps = _strings(table["steps"], "steps") if "steps" in table else ()
    socketio = _strings(table["socketio"], "socketio") if "socketio" in table else ()
    reads = _strings(table["reads"], "reads") if "reads" in table else ()
    meaning = table.get("meaning", "")
    if not isinstance(meaning, str) or "\n" in meaning:
        raise draft.error("meaning must be one line of text")
    within = _duration(table["within"]) if "within" in table else None
    actor = next((p for p in params if p.type in ("client", "group")), None)
    if not (sends or await_ or steps):
        raise draft.error("it does nothing; give it send, await or steps")
    if (sends or await_) and actor is None:
        what = "send" if sends else "await"
        raise draft.error(
            f"it has {what} but no client to do it; put {{client}} (or {{group}}) in the step"
        )
    if remember and not await_:
        raise draft.error("remember reads the reply that await waits for; add await")
    if within is not None and not await_:
        raise draft.error("within is how long await waits; add await or remove within")

    allowed = {p.name for p in params} | {"client", "index"} | remembered | set(reads)
    allowed |= set(settings.variables)
    prefixes = tuple(f"{name}." for name in remembered)
    config_keys = set(settings.config_values())
    conditions_ = [p.name for p in params if p.type == "condition"]
    for index, text in enumerate(sends, 1):
        what = "send" if len(sends) == 1 else f"send (message {index})"
        _check_names(text, what, allowed, prefixes, config_keys, params)
        for name in conditions_:
            if "${" + name + "}" in text:
                raise draft.error(
                    f"{what} uses ${{{name}}}, a condition; a condition is what await waits "
                    f"for: write await = '${{{name}}}' (or combine it: "
                    f"'$.type is \"reply\" and ${{{name}}}')"
                )
        _check_json(text, what)
    if await_:
        for name in conditions_:
            placeholder = "${" + name + "}"
            whole = re.findall(
                r"(?:^|(?<= and ))" + re.escape(placeholder) + r"(?= and |$)", await_.strip()
            )
            if len(whole) != await_.count(placeholder):
                raise draft.error(
                    f"await uses ${{{name}}} inside a condition; a condition parameter stands "
                    f"for a whole condition: await = '${{{name}}}' or "
                    f"'$.type is \"reply\" and ${{{name}}}'"
                )
        names = _check_names(await_, "await", allowed, prefixes, config_keys, params)
        _check_condition(
            fill_conditions(await_, dict.fromkeys(conditions_, CONDITION_SAMPLE)), names
        )
    elif conditions_:
        used = any("${" + name + "}" in line for line in steps for name in conditions_)
        if not used:
            raise draft.error(
                f"the condition {{{conditions_[0]}:condition}} is used nowhere; write "
                f"await = '${{{conditions_[0]}}}'"
            )
    if await_:
        regex += WITHIN_RE
    own_remembered = allowed | {name for name, _ in remember}
    for index, text in enumerate(steps, 1):
        _check_names(text, f"step {index} of steps", own_remembered, prefixes, config_keys, params)
    for index, text in enumerate(socketio, 1):
        _check_names(text, f"step {index} of socketio", allowed, prefixes, config_keys, params)

    return Phrase(
        step=draft.step,
        params=params,
        regex=regex,
        sends=sends,
        await_=await_.strip() if await_ else None,
        within=within,
        remember=remember,
        steps=steps,
        socketio=socketio,
        meaning=meaning.strip(),
        reads=reads,
        where=draft.where,
        number=draft.number,
        file=draft.file,
        line=draft.line,
    )


# -- presets and sources -------------------------------------------------------------------


def _presets_folder() -> Path:
    import wsbdd.presets

    return Path(wsbdd.presets.__file__).parent


def preset_names() -> list[str]:
    """The bundled presets (``chat``, …)."""
    return sorted(p.stem for p in _presets_folder().glob("*.toml"))


def _preset(name: Any, draft: _Draft) -> tuple[list[Any], str, str]:
    known = preset_names()
    if not isinstance(name, str) or name not in known:
        close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.5)
        hint = f'did you mean "{close[0]}"? ' if close else ""
        raise draft.error(f'there is no preset "{name}"; {hint}presets: {", ".join(known)}')
    if len(draft.table) > 1:
        others = ", ".join(k for k in draft.table if k != "preset")
        raise draft.error(f"a preset entry takes no other keys (found {others})")
    source = _presets_folder() / f"{name}.toml"
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    return list(data.get("phrases", [])), f'preset "{name}"', str(source)


def _line_of(file: str | None, needle: str | None, fallback: int | None = None) -> int | None:
    if not file or not needle:
        return fallback
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return fallback
    for number, line in enumerate(lines, 1):
        if needle in line:
            return number
    return fallback


_TABLE_ARRAY = re.compile(r"^\s*\[\[\s*([^\]]+?)\s*\]\]\s*(?:#.*)?$")
_STEP_KEY = re.compile(r"""^\s*(?:step|"step"|'step')\s*=""")


def _phrase_lines(file: str | None, name: str) -> list[int]:
    """For each ``[[name]]`` table of ``file``, in order, the line of its ``step`` key (the
    table's header line when it has none); [] when the file cannot be read.

    tomllib gives no line numbers, so the text is scanned: a line that starts a table is
    a header unless it is inside a multi-line string (three quotes, single or double)."""
    if not file:
        return []
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    found: list[int] = []
    header: int | None = None
    step: int | None = None
    in_string = False
    for number, line in enumerate(lines, 1):
        quotes = line.count("'''") + line.count('"""')
        if not in_string:
            starts_table = line.lstrip().startswith("[")
            if starts_table and header is not None:
                found.append(step or header)
                header = step = None
            array = _TABLE_ARRAY.match(line)
            if array and array.group(1).replace(" ", "") == name:
                header = number
            elif header is not None and step is None and _STEP_KEY.match(line):
                step = number
        if quotes % 2:
            in_string = not in_string
    if header is not None:
        found.append(step or header)
    return found


def parse_phrases(
    raw: Any,
    where: str,
    file: str | None = None,
    settings: Settings | None = None,
) -> list[Phrase]:
    """Check a raw ``phrases`` list (as TOML gives it) and build the phrases.

    *where* names the source in messages (``pyproject.toml [tool.wsbdd] phrases``);
    *file* is read only to find line numbers for ``wsbdd check``.
    """
    settings = settings or Settings()
    header = "[[phrases]]" if where.startswith("wsbdd.toml") else "[[tool.wsbdd.phrases]]"
    if not isinstance(raw, list):
        raise PhraseError(
            f"{where}: phrases must be a list of tables; write each phrase under its own "
            f"{header} (two brackets).",
            file,
            _line_of(file, "phrases", None),
        )
    drafts: list[_Draft] = []
    # Each phrase at its own line: the nth [[phrases]] table's step key.
    lines = _phrase_lines(file, header.strip("[]"))
    if len(lines) != len(raw):  # written another way (an inline array): search the text
        lines = []
    preset_lines: dict[str, list[int]] = {}
    for number, table in enumerate(raw, 1):
        line = lines[number - 1] if lines else _line_of(file, header)
        draft = _Draft({} if not isinstance(table, dict) else table, where, number, file, line)
        if not isinstance(table, dict):
            raise draft.error(f"must be a table with a step, written under {header}")
        if "preset" in table:
            entries, preset_where, preset_file = _preset(table["preset"], draft)
            if preset_file not in preset_lines:
                preset_lines[preset_file] = _phrase_lines(preset_file, "phrases")
            known = preset_lines[preset_file]
            for inner_number, inner in enumerate(entries, 1):
                inner_line = (
                    known[inner_number - 1]
                    if len(known) == len(entries)
                    else _line_of(preset_file, str(inner.get("step", "")) or None)
                )
                drafts.append(_Draft(inner, preset_where, inner_number, preset_file, inner_line))
            continue
        if not lines:
            draft.line = _line_of(file, str(table.get("step", "")), line)
        drafts.append(draft)

    firsts = []
    for draft in drafts:
        try:
            firsts.append(_first_pass(draft))
        except FeatureMistake as mistake:
            raise draft.error(_lower_first(str(mistake))) from None
    remembered = {name for _, _, pairs in firsts for name, _ in pairs}
    phrases = []
    for draft, (regex, params, remember) in zip(drafts, firsts, strict=True):
        try:
            phrases.append(_second_pass(draft, regex, params, remember, remembered, settings))
        except FeatureMistake as mistake:
            raise draft.error(_lower_first(str(mistake))) from None
    return phrases


def load_phrases(settings: Settings, project_dir: str | Path = ".") -> list[Phrase]:
    """The phrases configured for the project (``[tool.wsbdd]`` phrases or ``wsbdd.toml``)."""
    raw = settings.extras.get("phrases")
    if raw is None:
        return []
    where = settings.origin_of("phrases")
    shown = where.split(" ", 1)[0]
    file = Path(project_dir) / Path(shown).name if not Path(shown).is_absolute() else Path(shown)
    if not file.is_file():
        file = Path(shown)
    return parse_phrases(raw, where, str(file), settings)
