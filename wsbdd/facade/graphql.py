"""GraphQL on the session: connect with connection params, start named operations
(subscriptions, queries and mutations over WebSocket), wait for their results, errors and
completion, cancel them; queries and mutations over HTTP.

A mixin of :class:`~wsbdd.facade.session.Session` (``session.subscribe(…)``,
``session.expect_results(…)``), so the steps and a pytest test call the same methods.
Everything goes through the GraphQL codecs' intents (:class:`~wsbdd.codec.graphql.Operation`,
``Cancel``) and the inbox's usual waits; the waits and the words of failures are in
:mod:`wsbdd.expect.operations`.

Operations are named by the feature (``as "counter"``): a name belongs to the scenario,
and stands for the client that started it and the id its codec gave it.  In an operation
step ``$`` is the result (``$.data.count``, ``$.errors[0].message``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wsbdd.expect.operations import (
    Completes,
    Fails,
    LastResult,
    NoResult,
    OneResult,
    ResultMatcher,
    Results,
    last_result_verdict,
)
from wsbdd.facade.protocols import ProtocolSession, protocol_name
from wsbdd.model.errors import ExpectationFailed, FeatureMistake

if TYPE_CHECKING:
    from wsbdd.codec.base import Codec, Intent
    from wsbdd.expect import Expectation
    from wsbdd.io.client import Client, ConnectionOutcome
    from wsbdd.io.http import Response
    from wsbdd.io.pool import ClientPool
    from wsbdd.match.conditions import Condition
    from wsbdd.model.message import Message
    from wsbdd.model.variables import Variables
    from wsbdd.settings.config import Settings

__all__ = ["GraphQLSession", "GRAPHQL", "GRAPHQL_PROTOCOLS"]

GRAPHQL = "graphql-transport-ws"
"""The GraphQL protocol "GraphQL" means when nothing else says which."""
GRAPHQL_PROTOCOLS = ("graphql-transport-ws", "graphql-ws")
"""The codec names of the GraphQL subprotocols (the modern one and Apollo's legacy one)."""


@dataclass
class _Operation:
    """One operation a step started: who, its name in the feature, its id on the wire."""

    name: str
    client: str
    op_id: str
    after: int
    """How many messages the client had received before it started (its results come later)."""
    kind: str = "subscription"


@dataclass
class _GraphQLState:
    """What the GraphQL steps of one scenario remember between steps."""

    operations: dict[str, _Operation] = field(default_factory=dict)


def _state(session: Any) -> _GraphQLState:
    state: _GraphQLState | None = getattr(session, "_graphql_state", None)
    if state is None:
        state = _GraphQLState()
        session._graphql_state = state
    return state


def _kind(query: str) -> str:
    """``subscription``, ``mutation`` or ``query``: the operation's first word (a bare
    ``{ … }`` is a query)."""
    head = query.lstrip().split("{", 1)[0].split("(", 1)[0].split()
    word = head[0].lower() if head else "query"
    return word if word in ("subscription", "mutation", "query") else "query"


class GraphQLSession(ProtocolSession):
    """The GraphQL part of :class:`~wsbdd.facade.session.Session` (a mixin: every method
    runs on the session, with its clients, variables and deadlines)."""

    if TYPE_CHECKING:  # what the mixin uses of the Session it is part of
        settings: Settings
        pool: ClientPool
        vars: Variables
        run: Any
        current_step: str

        def client(self, name: str, *, need_open: bool = False) -> Client: ...
        def send(self, name: str, payload: Intent, times: int = 1) -> None: ...
        def _wait(self, name: str, expectation: Expectation) -> list[Message]: ...
        def request(
            self,
            name: str,
            method: str,
            target: str,
            *,
            headers: dict[str, str] | None = None,
            query: Sequence[tuple[str, str]] = (),
            body: Any = None,
        ) -> Response: ...
        def connect_all(
            self,
            names: Sequence[str],
            target: str | None = None,
            *,
            require: bool = True,
            codec: Callable[[], Codec] | None = None,
        ) -> list[ConnectionOutcome]: ...

    # -- the protocol -----------------------------------------------------------------

    def graphql_protocol(self, words: str = "GraphQL") -> str:
        """The codec ``words`` mean: ``graphql-ws`` and ``graphql-transport-ws`` as they
        are; "GraphQL" the GraphQL protocol the scenario (or the run) speaks, else
        graphql-transport-ws.  So one feature runs over either subprotocol."""
        named = protocol_name(words)
        if named in GRAPHQL_PROTOCOLS and words.strip().lower() != "graphql":
            return named
        spoken = self.speaking()
        return spoken if spoken in GRAPHQL_PROTOCOLS else GRAPHQL

    def connect_graphql(
        self,
        names: Sequence[str],
        *,
        params: Any = None,
        protocol: str = "GraphQL",
        require: bool = True,
    ) -> list[ConnectionOutcome]:
        """Connect ``names`` over GraphQL (``protocol``: "GraphQL", "graphql-ws" …), with
        ``params`` as the ``connection_init`` payload (None: the configured ``[graphql]
        params``, its ``${client}`` each one's name), whatever the run speaks."""
        options: dict[str, Any] = {} if params is None else {"params": params}
        return self.connect_over(self.graphql_protocol(protocol), names, require=require, **options)

    def graphql_client(self, name: str, *, need_open: bool = False) -> Client:
        """The client called ``name``, which must speak GraphQL (else one sentence saying
        how to choose it)."""
        client = self.client(name, need_open=need_open)
        if protocol_name(client.codec.name) not in GRAPHQL_PROTOCOLS:
            raise FeatureMistake(
                f"{name} is connected over {_title(client.codec.name)}, so there are no GraphQL "
                f'operations to start or wait for: connect with "Given {name} is connected '
                'over GraphQL", or add "Given the server speaks GraphQL" before connecting.'
            )
        return client

    # -- operations --------------------------------------------------------------------

    def start_operation(
        self,
        name: str,
        operation: str,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> str:
        """``name`` starts ``query`` (a subscription, query or mutation) over its WebSocket
        as the operation called ``operation`` in this scenario (connecting over GraphQL
        first if it is not connected yet); returns the operation's id on the wire."""
        from wsbdd.codec.graphql import Operation

        if self.pool.get(name) is None:
            self.connect_graphql([name])
        client = self.graphql_client(name, need_open=True)
        # Read before the operation goes out, so its results count after it (an int the
        # loop thread writes: reading it from here needs no hand-over).
        before = len(client.inbox)
        intent = Operation(
            operation, query, dict(variables) if variables is not None else None, operation_name
        )
        self.send(name, intent)
        if intent.id is None:  # encode() runs before send() returns (in the loop's turn)
            raise FeatureMistake(
                f'{name}\'s operation "{operation}" went out without an id: the codec '
                f"{type(client.codec).__name__} must set the Operation's id as it encodes it, "
                "for wsbdd to find the operation's results."
            )
        _state(self).operations[operation] = _Operation(
            operation, name, intent.id, before, _kind(query)
        )
        return intent.id

    subscribe = start_operation
    """``name`` subscribes: :meth:`start_operation` by the name the steps use."""

    def operation(self, operation: str) -> _Operation:
        """The operation called ``operation`` in this scenario (else one sentence)."""
        found = _state(self).operations.get(operation)
        if found is None:
            known = ", ".join(f'"{o}"' for o in _state(self).operations)
            have = f" (this scenario has {known})" if known else ""
            raise FeatureMistake(
                f'There is no operation "{operation}" in this scenario{have}; start it first, '
                f'e.g. When Alice subscribes to "subscription {{ … }}" as "{operation}".'
            )
        return found

    def cancel(self, name: str, operation: str) -> None:
        """``name`` stops its operation ``operation`` (``complete``, legacy ``stop``)."""
        from wsbdd.codec.graphql import Cancel

        started = self.operation(operation)
        if started.client != name:
            raise FeatureMistake(
                f"\"{operation}\" is {started.client}'s operation, not {name}'s; write "
                f'"{started.client} cancels "{operation}"".'
            )
        self.graphql_client(name, need_open=True)
        self.send(name, Cancel(operation))

    def _limit(self, timeout: float | None) -> float:
        return self.settings.timeout if timeout is None else timeout

    def expect_results(
        self,
        operation: str,
        n: int,
        timeout: float | None = None,
        *,
        then_complete: bool = True,
    ) -> list[Message]:
        """``operation`` gives ``n`` results and then completes (``then_complete`` False: at
        least ``n`` results so far); claims them."""
        op = self.operation(operation)
        wait = Results(
            op.client,
            op.name,
            op.op_id,
            n,
            self._limit(timeout),
            op.after,
            then_complete=then_complete,
        )
        return self._wait(op.client, wait)

    def expect_result(
        self,
        operation: str,
        conditions: Sequence[Condition] = (),
        timeout: float | None = None,
    ) -> Message:
        """The first unread result of ``operation`` meeting every condition (``$`` is the
        result); claims it."""
        op = self.operation(operation)
        matcher = ResultMatcher(op.name, op.op_id, conditions)
        return self._wait(op.client, OneResult(op.client, matcher, self._limit(timeout), op.after))[
            0
        ]

    def expect_last_result(
        self,
        operation: str,
        conditions: Sequence[Condition],
        timeout: float | None = None,
    ) -> Message:
        """The newest result of ``operation`` received so far (waiting for one if none came
        yet) meets every condition."""
        op = self.operation(operation)
        wait = LastResult(
            op.client, op.name, op.op_id, self._limit(timeout), op.after, self.settings.settle
        )
        last = self._wait(op.client, wait)[0]
        why = last_result_verdict(op.client, op.name, last, conditions)
        if why is not None:
            raise ExpectationFailed(why)
        return last

    def expect_operation_error(
        self,
        operation: str,
        text: str | None = None,
        timeout: float | None = None,
        *,
        contains: bool = False,
    ) -> Message:
        """``operation`` fails: an ``error`` message, or a result with ``errors``, whose
        message is ``text`` (``contains``: holds it; None: any error)."""
        op = self.operation(operation)
        wait = Fails(
            op.client, op.name, op.op_id, text, self._limit(timeout), op.after, contains=contains
        )
        return self._wait(op.client, wait)[0]

    def expect_no_result(self, operation: str, window: float | None = None) -> None:
        """No unread result of ``operation`` is there or comes within the window."""
        op = self.operation(operation)
        window = self.settings.quiet_window if window is None else window
        self._wait(op.client, NoResult(op.client, op.name, op.op_id, window, op.after))

    def expect_completed(self, operation: str, timeout: float | None = None) -> Message:
        """The server completes ``operation`` within the time."""
        op = self.operation(operation)
        wait = Completes(op.client, op.name, op.op_id, self._limit(timeout), op.after)
        return self._wait(op.client, wait)[0]

    # -- over HTTP ----------------------------------------------------------------------

    def graphql_http_url(self) -> str:
        """Where queries and mutations over HTTP go: ``[graphql] http_url``, else the
        GraphQL clients' WebSocket address (with its path) turned http(s)."""
        return self.settings.graphql.http_address(self.run.base_url_for(GRAPHQL))

    def graphql_over_http(
        self,
        name: str,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> Response:
        """``name`` (``I``: the scenario's anonymous visitor) POSTs ``query`` as JSON
        (``{"query", "variables", "operationName"}``) to the GraphQL HTTP address; the
        answer is "the response" of the HTTP steps."""
        from wsbdd.io.http import Body

        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = dict(variables)
        if operation_name is not None:
            body["operationName"] = operation_name
        return self.request(name, "POST", self.graphql_http_url(), body=Body("json", body))


def _title(codec: str) -> str:
    from wsbdd.facade.protocols import protocol_title

    return protocol_title(protocol_name(codec))
