"""What a phrase does when a scenario reaches it: send, await, remember, then its steps.

The order is fixed, so a phrase reads the same way every time: each message in
``send`` is sent, the ``await`` condition is waited for (the reply is claimed,
like ``receives a message where …``), values named in ``remember`` are stored
from that reply, and then each line of ``steps`` runs as if written in the
feature, where ``${room}`` and the other parameters are available.

For a group (``every client in group "players" joins room "x"``) every member
sends at the same moment and every member must receive its reply; failures
name the members that did not.  Inside the group form, ``${client}`` is the
member's name, ``${index}`` its number and ``${cycle:a,b}`` alternates.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from wsbdd.match.grammar import conditions, expand_cycles, payload_text, seconds, split_names
from wsbdd.model.errors import ExpectationFailed, FeatureMistake, WsbddError
from wsbdd.model.failures import Failure
from wsbdd.model.variables import Variables
from wsbdd.vocabulary.phrases import KEYWORDS, Phrase, fill_conditions, not_json_argument

__all__ = ["make_step_function", "substep_text", "Actor", "read_arguments"]

_MAX_DEPTH = 12
_depth = threading.local()


@dataclass(frozen=True)
class Actor:
    """Who acts: one named client, or the members of a group (plus named others)."""

    name: str | None = None
    group: str | None = None
    others: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.group is None:
            return self.name or ""
        extra = f" and {', '.join(self.others)}" if self.others else ""
        return f'every client in group "{self.group}"{extra}'


def read_arguments(
    phrase: Phrase, groups: dict[str, str | None]
) -> tuple[dict[str, Any], Actor | None]:
    """The regex groups of a matched step → parameter values and the acting client(s).

    Text values are returned as written (``${…}`` still in them): in the group form
    each member fills them in with its own ``${client}`` and ``${index}``.
    """
    values: dict[str, Any] = {}
    actor: Actor | None = None
    first = phrase.actor
    for param in phrase.params:
        raw = groups.get(param.group)
        if param is first and param.type == "client" and raw is None:
            group = groups.get(f"{param.group}_group") or ""
            others = groups.get(f"{param.group}_others")
            actor = Actor(group=group, others=tuple(split_names(others)) if others else ())
            values[param.name] = group
            continue
        text = raw or ""
        if param.type == "number":
            values[param.name] = float(text) if "." in text else int(text)
        else:
            values[param.name] = text
        if param is first:
            actor = Actor(name=text) if param.type == "client" else Actor(group=text)
    return values, actor


def _session(context: Any) -> Any:
    session = getattr(context, "wsbdd", None)
    if session is None:
        raise FeatureMistake(
            "wsbdd's hooks are not installed: put `from wsbdd.environment import *` in "
            "environment.py next to your steps folder."
        )
    return session


def _expand_cycles(text: str, index: int) -> str:
    return expand_cycles(text, index)


def _members(session: Any, actor: Actor) -> list[str]:
    if actor.group is None:
        return [actor.name or ""]
    names = list(session.group_members(actor.group))
    for name in actor.others:
        session.client(name)
        if name not in names:
            names.append(name)
    return names


def substep_text(line: str, step_type: str, values: dict[str, str]) -> str:
    """One line of ``steps`` as a feature line: keyword added, names and numbers filled in.

    Client names, group names and numbers are written into the text (a step
    pattern must see ``Alice``, not ``${client}``); text parameters stay
    ``${name}`` and are read from the phrase's variables when the step runs.
    """
    for name, value in values.items():
        line = line.replace("${" + name + "}", value)
    stripped = line.lstrip()
    if stripped.split(" ", 1)[0] in KEYWORDS:
        return stripped
    return f"{step_type.capitalize()} {stripped}"


@contextlib.contextmanager
def _deeper(phrase: Phrase) -> Iterator[None]:
    depth = getattr(_depth, "value", 0)
    if depth >= _MAX_DEPTH:
        raise FeatureMistake(
            f"The {phrase.label} keeps expanding into itself through its steps; "
            "a phrase's steps must not lead back to the same phrase."
        )
    _depth.value = depth + 1
    try:
        yield
    finally:
        _depth.value = depth


@contextlib.contextmanager
def _phrase_variables(session: Any, variables: Variables, own: set[str]) -> Iterator[None]:
    """Let the phrase's steps see its parameters; keep what they remember afterwards."""
    parent = session.vars
    session.vars = variables
    try:
        yield
    finally:
        session.vars = parent
        for name in variables.names():
            if name not in own:
                parent.set(name, variables.get(name))


def _run_steps(
    phrase: Phrase, context: Any, session: Any, step_type: str, literal: dict[str, str]
) -> None:
    from behave.parser import parse_steps

    from wsbdd.glue.step_lookup import step_registry

    registry = step_registry()

    text = "\n".join(substep_text(line, step_type, literal) for line in phrase.steps)
    for number, sub in enumerate(parse_steps(text), 1):
        shown = f"{sub.keyword} {sub.name}"
        match = registry.find_match(sub)
        if match is None:
            raise FeatureMistake(
                f'The {phrase.label} runs the step "{shown}", which matches no step; '
                "run `wsbdd check` to see the closest ones."
            )
        mode = getattr(context, "_use_with_behave_mode", None)
        with mode() if mode else contextlib.nullcontext():
            saved = (getattr(context, "text", None), getattr(context, "table", None))
            context.text, context.table = sub.text, sub.table
        try:
            match.run(context)
        except WsbddError as exc:
            # The inner failure keeps its data (who, expected, candidates, its step); the
            # renderer writes the note after it.
            note = f"(That was step {number} of the phrase: {shown})"
            raise type(exc)(exc.failure.noted(note)) from None
        finally:
            with mode() if mode else contextlib.nullcontext():
                context.text, context.table = saved


def _member_variables(
    phrase: Phrase,
    scenario: Variables,
    values: dict[str, Any],
    keys: set[str],
    name: str | None,
    index: int,
) -> Variables:
    """The variables one member's templates see: its name and number, then the parameters."""
    layer = scenario.child(index=index, **{key: name for key in keys}) if name else scenario
    own = {}
    for param in phrase.params:
        if name and param.name in keys:
            continue
        value = values[param.name]
        if param.type == "text":
            value = layer.render_text(_expand_cycles(value, index))
        elif param.type == "json":
            value = _json_argument(param.name, _expand_cycles(value, index), layer)
        own[param.name] = value
    return layer.child(**own)


def _json_argument(name: str, text: str, variables: Variables) -> Any:
    """A ``{name:json}`` argument, parsed: inserted into templates as JSON, not as text."""
    try:
        return variables.render_json(text)
    except FeatureMistake as mistake:
        raise FeatureMistake(not_json_argument(name, mistake)) from None


def _await_text(phrase: Phrase, values: dict[str, Any], index: int) -> str:
    """The phrase's ``await``, with the feature's own conditions written in."""
    assert phrase.await_ is not None
    conditions = {
        p.name: _expand_cycles(values[p.name], index)
        for p in phrase.params
        if p.type == "condition"
    }
    return _expand_cycles(fill_conditions(phrase.await_, conditions), index)


def _speaks_socketio(session: Any, names: list[str]) -> bool:
    """Whether the phrase's client speaks Socket.IO: a connected client by its codec, one not
    connected yet by the scenario's (or the run's) protocol, as it would connect."""
    client = session.pool.get(names[0]) if names else None
    if client is not None:
        return bool(client.codec.name == "socket.io")
    return bool(session.speaks_socketio())


def perform(phrase: Phrase, context: Any, groups: dict[str, str | None], step_type: str) -> None:
    """Do what the phrase says, for the client or group the feature line names."""
    from wsbdd.match import compile_path

    session = _session(context)
    values, actor = read_arguments(phrase, groups)
    names = _members(session, actor) if actor is not None else []
    if (phrase.socketio or phrase.sends) and _speaks_socketio(session, names):
        if not phrase.socketio:
            raise FeatureMistake(
                f"The {phrase.label} sends plain WebSocket messages, but {names[0]} speaks "
                "Socket.IO: give the phrase a socketio form (its steps over Socket.IO, see "
                "docs/vocabulary.md) or write the Socket.IO steps in the feature."
            )
        phrase = phrase.over_socketio()
    keys = {"client"}
    if phrase.actor is not None and phrase.actor.type == "client":
        keys.add(phrase.actor.name)
    members = [
        _member_variables(phrase, session.vars, values, keys, name, index)
        for index, name in enumerate(names, 1)
    ] or [_member_variables(phrase, session.vars, values, set(), None, 1)]
    together = actor is not None and actor.group is not None

    for template in phrase.sends:
        payloads = [payload_text(_expand_cycles(template, i), v) for i, v in enumerate(members, 1)]
        if together:
            session.send_each(names, payloads)
        else:
            session.send(names[0], payloads[0])

    replies: list[Any] = []
    if phrase.await_:
        matchers = [conditions(_await_text(phrase, values, i), v) for i, v in enumerate(members, 1)]
        # "… within 5 seconds" on the feature line wins over the phrase's own within.
        within = seconds(groups.get("amount"), groups.get("unit"))
        within = phrase.within if within is None else within
        if together:
            replies = list(session.receive_each(names, matchers, within))
        else:
            replies = [session.receive(names[0], matchers[0], within)]

    for variable, path in phrase.remember:
        compiled = compile_path(path)
        found = []
        for name, reply in zip(names, replies, strict=True):
            hits = compiled.find(reply.value)
            if not hits:
                from wsbdd.expect import message_lines

                raise ExpectationFailed(
                    Failure(
                        sentence=f'{name}\'s reply has no {compiled.text}, so "{variable}" '
                        "cannot be remembered:",
                        candidates=message_lines([reply]),
                    )
                )
            found.append(hits[0])
        if together:
            session.vars.set(variable, found)
            for name, value in zip(names, found, strict=True):
                session.vars.set(f"{variable}.{name}", value)
        else:
            session.vars.set(variable, found[0])

    if phrase.steps:
        literal_params = {p.name: str(values[p.name]) for p in phrase.params if p.type != "text"}
        own = {*values, "client", "index"}
        for index, (name, variables) in enumerate(zip(names or [""], members, strict=True), 1):
            literal = {**literal_params, "index": str(index)}
            if name:
                literal.update({key: name for key in keys})
            with _deeper(phrase), _phrase_variables(session, variables, own):
                _run_steps(phrase, context, session, step_type, literal)


def make_step_function(phrase: Phrase, step_type: str) -> Callable[..., None]:
    """The behave step function for one phrase and one keyword (given, when or then)."""

    def phrase_step(context: Any, **groups: str | None) -> None:
        try:
            perform(phrase, context, groups, step_type)
        except FeatureMistake as exc:
            session = getattr(context, "wsbdd", None)
            raise exc.at_step(getattr(session, "current_step", "")) from None

    phrase_step.__doc__ = phrase.describe()
    phrase_step.__wsbdd_phrase__ = phrase  # type: ignore[attr-defined]
    phrase_step.__qualname__ = phrase_step.__name__ = f"phrase_{phrase.number}"
    return phrase_step
