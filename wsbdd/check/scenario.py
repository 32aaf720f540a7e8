"""Reading one scenario the way a run would, without running it.

Steps are taken in order (Background first).  Each is matched against the
project's steps; a wsbdd step's words are then read with the step library's
own functions (conditions, JSON, tables, templates) so a check finds exactly
what the run would trip over.  Along the way the reader keeps track of which
clients have connected, which groups exist and which ``${variables}`` are set.

A Python step of the project itself may connect clients or set variables the
checker cannot see: after one, "used before" findings stop for that scenario.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wsbdd.catalogue.project import Problem, display
from wsbdd.expect.events import event_args, event_conditions
from wsbdd.expect.frames import ack_mode
from wsbdd.expect.operations import result_conditions
from wsbdd.model.address import AddressProblem, resolve
from wsbdd.model.errors import FeatureMistake
from wsbdd.model.variables import GENERATORS, find_placeholders, root_name
from wsbdd.vocabulary.phrases import (
    Phrase,
    json_problem,
    not_json_argument,
    placeholder_variables,
    strip_cycles,
)
from wsbdd.vocabulary.running import read_arguments, substep_text

__all__ = ["ScenarioReader", "Known"]

_CONNECTION = "wsbdd.steps.connection."
_GROUPS = "wsbdd.steps.groups."
_LOAD = "wsbdd.steps.load."
_SOCKETIO = "wsbdd.steps.socketio."
_STOMP = "wsbdd.steps.stomp."
CONNECTS = {_CONNECTION + n for n in ("connected", "all_connected", "connects", "all_connect")} | {
    _SOCKETIO + n
    for n in ("connected_over_socketio", "all_connected_over_socketio", "connects_to_namespace")
}
CONNECTS |= {
    _STOMP + n for n in ("connected_over_stomp", "all_connected_over_stomp", "tries_stomp")
}
GROUP_CONNECTS = {
    _GROUPS + "crowd_connected",
    _GROUPS + "named_group_connected",
    _LOAD + "crowd_ramp",
    _LOAD + "crowd_bounded",
    _LOAD + "crowd_tries",
}
MULTI_CONNECTS = {
    _CONNECTION + "all_connected",
    _CONNECTION + "all_connect",
    _SOCKETIO + "all_connected_over_socketio",
    _STOMP + "all_connected_over_stomp",
}
PACED_EMITS = {_SOCKETIO + "every_emits_paced", _SOCKETIO + "emits_paced"}
_GRAPHQL = "wsbdd.steps.graphql."
CONNECTS |= {_GRAPHQL + "connected_over_graphql", _GRAPHQL + "all_connected_over_graphql"}
MULTI_CONNECTS |= {_GRAPHQL + "all_connected_over_graphql"}
STARTS_OPERATION = {_GRAPHQL + n for n in ("subscribes", "operation_docstring", "runs_operation")}
"""Steps that start a named operation (and connect their client over GraphQL if needed)."""
GRAPHQL_PROTOCOLS = ("graphql-transport-ws", "graphql-ws")
_RECONNECTION = "wsbdd.steps.reconnection."
CONNECTS |= {
    _RECONNECTION + "connected_with_reconnection",
    _RECONNECTION + "all_connected_with_reconnection",
}
MULTI_CONNECTS |= {_RECONNECTION + "all_connected_with_reconnection"}
_HTTP = "wsbdd.steps.http."
SETS_VARIABLE = {
    "wsbdd.steps.variables.remember",
    "wsbdd.steps.variables.remember_text_match",
    "wsbdd.steps.variables.set_table",
    "wsbdd.steps.variables.set_long_text",
    "wsbdd.steps.variables.set_variable",
    _HTTP + "remember_from_response",
    _HTTP + "remember_header",
    _HTTP + "remember_cookie",
    _HTTP + "remember_match",
}
HTTP_CLIENTS = {
    _HTTP + "request",
    _HTTP + "request_in_words",
    _HTTP + "follows_redirect",
    _HTTP + "remember_cookie",
    "wsbdd.steps.graphql.runs_over_http",
}
"""Steps whose client needs no WebSocket: a name's HTTP requests and cookie jar come first."""
NUMBERED = {"wsbdd.steps.sending.sends_many", "wsbdd.steps.sending.sends_many_inline"}
DOCSTRINGS = {
    "wsbdd.steps.sending.sends_docstring": "payload",
    _STOMP + "sends_docstring_to": "payload",
    "wsbdd.steps.sending.sends_many": "payload",
    _GROUPS + "every_sends_docstring": "payload",
    _LOAD + "every_sends_paced_docstring": "payload",
    "wsbdd.steps.receiving.receives_like": "template",
    _GROUPS + "every_receives_like": "template",
    "wsbdd.steps.receiving.receives_these": "templates",
    _HTTP + "response_like": "template",
    _HTTP + "request": "payload",
    _HTTP + "request_in_words": "payload",
}
TABLES = {
    "wsbdd.steps.receiving.receives_table": "conditions",
    _GROUPS + "every_receives_table": "conditions",
    "wsbdd.steps.receiving.receives_these": "rows",
    _HTTP + "response_table": "conditions",
}
_MAX_DEPTH = 8
PER_CLIENT = ("client", "index")


@dataclass
class Known:
    """What the project defines before any scenario: configured variables and settings keys."""

    variables: set[str]
    config_keys: set[str]
    socketio: bool = False
    """The run's protocol setting is Socket.IO."""
    graphql: bool = False
    """The run's protocol setting is GraphQL (either subprotocol)."""


@dataclass
class _State:
    clients: set[str] = field(default_factory=set)
    groups: dict[str, dict[str, None]] = field(default_factory=dict)
    """Each group's members in joining order (dict keys: a crowd of 10,000 adds in linear time)."""
    variables: set[str] = field(default_factory=set)
    blind: bool = False
    """A step the checker cannot see into ran: stop reporting "used before"."""
    socketio: bool = False
    """Clients connected from now on speak Socket.IO (the run's, the tag's or a step's)."""
    socketio_clients: set[str] = field(default_factory=set)
    graphql: bool = False
    """Clients connected from now on speak GraphQL (the run's, the tag's or a step's)."""
    graphql_clients: set[str] = field(default_factory=set)
    operations: set[str] = field(default_factory=set)
    """The operations started so far ("as "counter"")."""


def _qualified(func: Any) -> str:
    return f"{getattr(func, '__module__', '')}.{getattr(func, '__name__', '')}"


def _member_names(group: str, count: int) -> list[str]:
    from wsbdd.match.grammar import member_names  # how the group steps name members

    return member_names(group, count)


class ScenarioReader:
    """Reads scenarios of one project and collects problems."""

    def __init__(
        self,
        registry: Any,
        known: Known,
        undefined: Callable[[Any], str],
        phrases_unknown: bool = False,
    ) -> None:
        self.registry = registry
        self.known = known
        self.undefined = undefined
        self.phrases_unknown = phrases_unknown
        """The configuration could not be read: a line matching no step may be a phrase."""
        self.problems: set[Problem] = set()

    # -- reporting

    def _report(self, step: Any, message: str, note: str = "") -> None:
        message = message.strip()
        if note:
            message = f"{message.rstrip('.')}. ({note})"
        self.problems.add(Problem(display(step.filename), step.line, message))

    def _mistake(self, step: Any, note: str, action: Callable[[], Any]) -> bool:
        try:
            action()
        except FeatureMistake as mistake:
            self._report(step, str(mistake), note)
            return False
        return True

    # -- a whole scenario

    def read(self, scenario: Any) -> None:
        tags = {tag.lower() for tag in getattr(scenario, "effective_tags", ())}
        state = _State(
            variables=set(self.known.variables),
            socketio=self.known.socketio or bool(tags & {"socket.io", "socketio"}),
            graphql=self.known.graphql or bool(tags & {"graphql", *GRAPHQL_PROTOCOLS}),
        )
        for step in scenario.all_steps:
            self.step(step, state)

    def step(
        self,
        step: Any,
        state: _State,
        extra: frozenset[str] = frozenset(),
        depth: int = 0,
        note: str = "",
    ) -> None:
        match = self.registry.find_match(step)
        if match is None:
            if self.phrases_unknown:
                # Perhaps a phrase of the unreadable configuration, which is reported
                # itself; what the phrase would connect or remember is unknown too.
                state.blind = True
            elif depth == 0:  # a phrase's own steps are checked with the configuration
                self._report(step, self.undefined(step))
            return
        func = match.func
        words = {a.name: a.value for a in match.arguments if a.name}
        phrase: Phrase | None = getattr(func, "__wsbdd_phrase__", None)
        name = _qualified(func)
        if phrase is None and not name.startswith("wsbdd.steps."):
            state.blind = True  # the project's own Python step
            return

        per_member = (
            name.startswith((_GROUPS, _LOAD))
            or name.startswith(_SOCKETIO + "every_")
            or name in MULTI_CONNECTS
            or (name.startswith(_SOCKETIO) and "group" in words)
            or (phrase is not None and _group_form(phrase, words))
        )
        allowed = set(extra)
        if per_member:
            allowed |= {"client", "index"}
        if name.startswith(_LOAD) or name in PACED_EMITS:
            allowed.add("correlation_id")  # each load message's own id
        if name in NUMBERED:
            allowed |= {"i", "n"}
        self._variables(step, state, allowed, note)

        if phrase is not None:
            self._phrase(step, phrase, words, state, depth, note)
            return
        self._words(step, name, words, state, note)
        self._clients(step, name, words, state, note)
        if name in SETS_VARIABLE and words.get("variable"):
            state.variables.add(words["variable"])

    # -- ${variables}

    def _texts(self, step: Any) -> list[str]:
        texts = [step.name]
        if step.text:
            texts.append(step.text)
        if step.table is not None:
            texts.extend(str(h) for h in step.table.headings)
            for row in step.table.rows:
                texts.extend(str(c) for c in row.cells)
        return texts

    def _variables(self, step: Any, state: _State, allowed: set[str], note: str) -> None:
        for text in self._texts(step):
            try:
                names = find_placeholders(strip_cycles(text))
            except FeatureMistake as mistake:
                self._report(step, str(mistake), note)
                continue
            for name in names:
                self._variable(step, name, state, allowed, note)

    def _variable(self, step: Any, name: str, state: _State, allowed: set[str], note: str) -> None:
        if "${" in name:  # ${tokens.${client}}: its inner names are checked on their own
            root = root_name(name)
            if not root or root in allowed or root in state.variables or state.blind:
                return
            if root.startswith(("env.", "config.")):
                return
            self._report(
                step,
                f'"${{{name}}}" reads the table "{root}", which is not set. Set it in an '
                f'earlier step, e.g. Given I set "{root}" to the table: (with | client | '
                f"value | rows), or under [variables.{root}] in the settings.",
                note,
            )
            return
        if name in allowed or name in state.variables or name in GENERATORS:
            return
        if name in PER_CLIENT:
            self._report(
                step,
                f'"${{{name}}}" stands for each client only in a step about several clients '
                '(a group, "clients Alice, Bob are connected …", "every client in group …"); '
                "in a step about one client, write "
                + ("its name itself." if name == "client" else "the number itself."),
                note,
            )
            return
        if name.startswith("env."):
            return
        if any(name.startswith(v + ".") for v in state.variables):
            return  # a group's remembered value per member: ${answer.player1}
        if name.startswith("config."):
            key = name[7:]
            keys = self.known.config_keys
            if key in keys or any(key.startswith(k + ".") for k in keys):
                return
            close = difflib.get_close_matches(key, sorted(keys), n=1, cutoff=0.6)
            hint = f' Did you mean "${{config.{close[0]}}}"?' if close else ""
            self._report(step, f'"${{{name}}}" is not a wsbdd setting.{hint}', note)
            return
        if state.blind:
            return
        choices = sorted(state.variables | allowed) + list(GENERATORS)
        close = difflib.get_close_matches(name, choices, n=1, cutoff=0.75)
        hint = f' Did you mean "${{{close[0]}}}"?' if close else ""
        self._report(
            step,
            f'The variable "${{{name}}}" is used before it is set. Set it in an earlier step, '
            f'e.g. And I remember $.id from Bob\'s last message as "{name}".{hint}',
            note,
        )

    # -- the words of a built-in step

    def _words(self, step: Any, name: str, words: dict[str, Any], state: _State, note: str) -> None:
        from wsbdd.match import compile_path, grammar

        one = placeholder_variables(self._all_names(step), 1)
        text = placeholder_variables(self._all_names(step), "x")

        def either(build: Callable[[Any], Any]) -> Callable[[], Any]:
            def run() -> Any:
                try:
                    return build(one)
                except FeatureMistake:
                    return build(text)

            return run

        where = strip_cycles(words["where"]) if words.get("where") else None
        socketio = name.startswith(_SOCKETIO)
        if where:  # read as the step reads it (wsbdd.match.grammar): they cannot disagree
            # An event step reads $ as the event's first argument (wsbdd.expect.events),
            # an operation step as the result (wsbdd.expect.operations).
            read: Callable[[str, Any], Any] = grammar.conditions
            if socketio:
                read = event_conditions
            elif name.startswith(_GRAPHQL):
                read = result_conditions
            self._mistake(step, note, either(lambda v: read(where, v)))
        if name.startswith(_GRAPHQL):
            for key in ("variables", "params"):
                if words.get(key):
                    self._json(step, strip_cycles(words[key]).strip(), note)
        if socketio and words.get("args"):
            args = strip_cycles(words["args"])
            self._mistake(step, note, either(lambda v: event_args(args, v)))
        if socketio and words.get("expected"):  # "the acknowledgement is …" / "where …"
            expected = strip_cycles(words["expected"])
            if words.get("how") == "where":
                self._mistake(step, note, either(lambda v: event_conditions(expected, v)))
            else:
                self._mistake(step, note, either(lambda v: event_args(expected, v)))
        if socketio and words.get("auth"):
            auth = strip_cycles(words["auth"])
            self._json(step, auth.strip(), note)
        if name == "wsbdd.steps.connection.rejected" and words.get("body"):
            body = strip_cycles(words["body"])
            self._mistake(step, note, either(lambda v: grammar.body_condition(body, v)))
        rest = words.get("rest") if name.startswith(_HTTP) else None
        if rest:  # the response's header or body: a matcher and a value, as in a condition
            self._mistake(step, note, either(lambda v: grammar.condition(f"$ {rest}", v)))
        payload = words.get("payload")
        if payload:
            self._json(step, payload, note)
        if name.startswith(_STOMP) and words.get("ack"):
            self._mistake(step, note, lambda: ack_mode(words["ack"]))
        sent = words.get("body") if name.startswith(_STOMP) else None
        if sent and sent.startswith(("{", "[")):  # a STOMP body: JSON, or quoted text
            self._json(step, strip_cycles(sent), note)
        if words.get("path") and "${" not in words["path"]:
            self._mistake(step, note, lambda: compile_path(words["path"]))
        target = words.get("target")
        if target and "${" not in target:
            self._mistake(step, note, lambda: _check_address(target))
        if words.get("encoding") and words.get("data") and "${" not in words["data"]:
            self._mistake(
                step, note, lambda: grammar.decode_binary(words["encoding"], words["data"])
            )
        value = words.get("value")
        if value and value.strip().startswith(("{", "[", '"')):
            self._json(step, value.strip(), note)

        kind = DOCSTRINGS.get(name)
        if kind and step.text is not None and step.table is None:
            body = strip_cycles(step.text)
            if kind == "payload":
                if body.strip().startswith(("{", "[")):
                    self._json(step, body.strip(), note)
            elif self._json(step, body.strip(), note):
                builder = grammar.template_matcher if kind == "template" else grammar.templates
                self._mistake(step, note, either(lambda v: builder(body, v)))
        table_kind = TABLES.get(name)
        if table_kind and step.table is not None:
            table = step.table
            reader = grammar.table_matcher if table_kind == "conditions" else grammar.row_matchers
            self._mistake(step, note, either(lambda v: reader(table, v)))

    def _all_names(self, step: Any) -> list[str]:
        names: list[str] = []
        for text in self._texts(step):
            try:
                names.extend(find_placeholders(strip_cycles(text)))
            except FeatureMistake:
                continue
        return names

    def _json(self, step: Any, text: str, note: str) -> bool:
        problem = json_problem(strip_cycles(text))
        if problem:
            self._report(step, f"The JSON is not valid: {problem}", note)
            return False
        return True

    # -- clients and groups

    def _clients(
        self, step: Any, name: str, words: dict[str, Any], state: _State, note: str
    ) -> None:
        from wsbdd.match.grammar import split_names

        names: list[str] = []
        if words.get("name"):
            names.append(words["name"])
        for key in ("names", "others"):
            if words.get(key):
                try:
                    names.extend(split_names(words[key]))
                except FeatureMistake as mistake:
                    self._report(step, str(mistake), note)
        group = words.get("group")
        if name.startswith(_GRAPHQL):
            self._operations(step, name, words, names, state, note)
        if name in HTTP_CLIENTS:
            return
        if name == "wsbdd.steps.connection.server_speaks":
            from wsbdd.facade.protocols import protocol_name

            state.socketio = "socket" in words.get("protocol", "").lower()
            state.graphql = protocol_name(words.get("protocol", "")) in GRAPHQL_PROTOCOLS
        if name in CONNECTS:
            state.clients.update(names)
            if state.socketio or name.startswith(_SOCKETIO):
                state.socketio_clients.update(names)
            if state.graphql or name.startswith(_GRAPHQL):
                state.graphql_clients.update(names)
            return
        if name in STARTS_OPERATION:
            return  # it connects its client over GraphQL when it is not connected yet
        if name in GROUP_CONNECTS and group:
            members = names or _member_names(group, int(words.get("count") or 0))
            state.groups.setdefault(group, {}).update(dict.fromkeys(members))
            state.clients.update(members)
            if state.socketio:
                state.socketio_clients.update(members)
            if state.graphql:
                state.graphql_clients.update(members)
            return
        if group:
            self._group_used(step, group, state, note)
        for client in names:
            self._client_used(step, client, state, note)

    def _operations(
        self,
        step: Any,
        name: str,
        words: dict[str, Any],
        names: list[str],
        state: _State,
        note: str,
    ) -> None:
        """Operations are started before a step waits on them, by clients that speak
        GraphQL (a step that starts one connects a client not connected yet)."""
        operation = words.get("operation")
        if name in STARTS_OPERATION:
            for client in names:
                if client in state.clients and client not in state.graphql_clients:
                    if state.blind:
                        continue
                    self._report(
                        step,
                        f"{client} is connected over plain WebSocket, so it cannot start a "
                        f'GraphQL operation: connect with "Given {client} is connected over '
                        'GraphQL", or add "Given the server speaks GraphQL" before connecting.',
                        note,
                    )
                state.clients.add(client)
                state.graphql_clients.add(client)
            if operation:
                state.operations.add(operation)
            return
        if not operation or operation in state.operations or state.blind:
            return
        started = ", ".join(f'"{o}"' for o in sorted(state.operations))
        have = f" (this scenario has {started})" if started else ""
        self._report(
            step,
            f'There is no operation "{operation}" in this scenario{have}; start it first, e.g. '
            f'When Alice subscribes to "subscription {{ … }}" as "{operation}".',
            note,
        )
        state.operations.add(operation)  # one finding per operation is enough

    def _client_used(self, step: Any, client: str, state: _State, note: str) -> None:
        if client in state.clients or state.blind:
            return
        self._report(
            step,
            f'{client} is used before it connects. Add "Given {client} is connected" earlier '
            "in the scenario (or in its Background).",
            note,
        )
        state.clients.add(client)  # one finding per client is enough

    def _group_used(self, step: Any, group: str, state: _State, note: str) -> None:
        if group in state.groups or state.blind:
            return
        self._report(
            step,
            f'There is no group "{group}" yet. Add "Given 5 clients in group "{group}" are '
            'connected" earlier in the scenario.',
            note,
        )
        state.groups[group] = {}

    # -- phrases

    def _phrase(
        self,
        step: Any,
        phrase: Phrase,
        words: dict[str, Any],
        state: _State,
        depth: int,
        note: str,
    ) -> None:
        values, actor = read_arguments(phrase, words)
        if phrase.socketio and self._speaks_socketio(actor, state):
            phrase = phrase.over_socketio()  # as the run will choose (vocabulary.running)
        self._typed_arguments(step, phrase, values, note)
        if actor is not None and (phrase.sends or phrase.await_):
            if actor.group is not None:
                self._group_used(step, actor.group, state, note)
                for other in actor.others:
                    self._client_used(step, other, state, note)
            elif actor.name:
                self._client_used(step, actor.name, state, note)
        for variable, _ in phrase.remember:
            state.variables.add(variable)
        if not phrase.steps or depth >= _MAX_DEPTH:
            return
        from behave.parser import parse_steps

        literal = {p.name: str(values[p.name]) for p in phrase.params if p.type != "text"}
        literal["index"] = "1"
        if actor is not None:
            member = actor.name
            if actor.group is not None:
                member = next(iter(state.groups.get(actor.group) or ["member1"]))
            if member:
                literal["client"] = member
                if phrase.actor is not None and phrase.actor.type == "client":
                    literal[phrase.actor.name] = member
        text = "\n".join(substep_text(line, step.step_type, literal) for line in phrase.steps)
        try:
            subs = parse_steps(text)
        except Exception:
            return  # reported with the phrase's configuration
        inner = frozenset({p.name for p in phrase.params} | {"client", "index"})
        for number, sub in enumerate(subs, 1):
            sub.location = step.location
            where = f'in step {number} of the phrase "{phrase.step}": {sub.keyword} {sub.name}'
            self.step(sub, state, inner, depth + 1, note or where)

    def _speaks_socketio(self, actor: Any, state: _State) -> bool:
        if actor is None:
            return False
        name = actor.name
        if actor.group is not None:
            name = next(iter(state.groups.get(actor.group) or [""]))
        if name in state.clients:
            return name in state.socketio_clients
        return state.socketio

    def _typed_arguments(
        self, step: Any, phrase: Phrase, values: dict[str, Any], note: str
    ) -> None:
        """A ``{x:json}`` argument must be JSON, a ``{x:condition}`` one must read."""
        from wsbdd.match import grammar

        names = self._all_names(step)
        for param in phrase.params:
            text = strip_cycles(str(values.get(param.name, "")))
            if param.type == "json":
                problem = json_problem(text)
                if problem:
                    self._report(step, not_json_argument(param.name, problem), note)
            elif param.type == "condition":

                def read(variables: Any, text: str = text) -> Any:
                    return grammar.conditions(text, variables)

                def either(text: str = text) -> Any:
                    try:
                        return read(placeholder_variables(names, 1))
                    except FeatureMistake:
                        return read(placeholder_variables(names, "x"))

                self._mistake(step, note, either)


def _check_address(target: str) -> None:
    """A step's address, checked as the session will join it (any base shows the problem)."""
    try:
        resolve("ws://localhost/", target)
    except AddressProblem as problem:
        raise FeatureMistake(f'The address "{target}" {problem}.') from None


def _group_form(phrase: Phrase, words: dict[str, Any]) -> bool:
    actor = phrase.actor
    if actor is None:
        return False
    return actor.type == "group" or words.get(actor.group) is None
