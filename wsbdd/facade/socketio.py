"""Socket.IO on the session: choose the protocol, emit, wait for events and acknowledgements,
answer the server's acknowledgement requests, join namespaces, and check refusals and
server disconnects.

A mixin of :class:`~wsbdd.facade.session.Session` (``session.emit(…)``,
``session.expect_event(…)``), so the steps and a pytest test call the same methods.
Everything goes through the Socket.IO codec's intents (:class:`~wsbdd.codec.socketio.Emit`,
``Acknowledge``, ``JoinNamespace``) and the inbox's usual waits; the matchers and the
words of failures are in :mod:`wsbdd.expect.events`.

The scenario's protocol: ``use_protocol("socket.io")`` (the step "Given the server speaks
Socket.IO", or the tag ``@socket.io``) makes every client connected afterwards speak
Socket.IO, whatever the run's ``protocol`` setting says; ``connect_socketio`` connects
some clients over Socket.IO (with an auth payload, to several namespaces) on their own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from wsbdd.codec.socketio import Acknowledge, Emit, JoinNamespace, LeaveNamespace
from wsbdd.expect import AnyOrder, Count, CountOp, Expectation, GroupOp, InOrder, Matcher, Quiet
from wsbdd.expect.events import (
    AckMatcher,
    Answer,
    EventCondition,
    EventMatcher,
    ProtocolMatcher,
    ReceiveAfter,
    ack_args_are,
    ack_is_conditions,
    event_label,
    event_words,
)
from wsbdd.facade.protocols import ProtocolSession, protocol_name
from wsbdd.model.errors import ExpectationFailed, FeatureMistake
from wsbdd.model.failures import Failure
from wsbdd.model.message import Message

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from wsbdd.codec.base import Codec, Intent
    from wsbdd.io.client import Client, ConnectionOutcome
    from wsbdd.io.pool import ClientPool
    from wsbdd.io.runtime import LoopThread
    from wsbdd.model.variables import Variables
    from wsbdd.settings.config import Settings

__all__ = ["SocketIOSession", "SOCKETIO", "protocol_name"]

T = TypeVar("T")

SOCKETIO = "socket.io"
"""The protocol's name in settings, tags and codecs."""


@dataclass
class _Emitted:
    """An emit that asked for an acknowledgement, and its answer once received."""

    client: str
    event: str
    namespace: str
    ack_id: int
    after: int = 0
    """How many messages the client had received before it emitted (its ack comes later)."""
    ack: Message | None = None


@dataclass
class _SocketIOState:
    """What the Socket.IO steps of one scenario remember between steps."""

    asked: dict[str, list[_Emitted]] = field(default_factory=dict)
    """Per client, its emits that asked for an acknowledgement, oldest first."""
    latest: _Emitted | None = None
    """The scenario's latest emit that asked for an acknowledgement, whoever emitted it."""
    last_ack: _Emitted | None = None
    """The acknowledgement a step waited for most recently ("the acknowledgement is …")."""
    answered: dict[str, set[tuple[str, Any]]] = field(default_factory=dict)
    """Per client, the (namespace, id) of every acknowledgement request it answered."""
    joins: dict[tuple[str, str], int] = field(default_factory=dict)
    """(client, namespace) → the inbox index when the client asked to join it."""

    def asking(self, emitted: _Emitted) -> None:
        """An emit that asked for an acknowledgement: the latest, and its client's newest."""
        self.latest = emitted
        self.asked.setdefault(emitted.client, []).append(emitted)


def _state(session: Any) -> _SocketIOState:
    state: _SocketIOState | None = getattr(session, "_socketio_state", None)
    if state is None:
        state = _SocketIOState()
        session._socketio_state = state  # type: ignore[attr-defined]
    return state


def _reworded(error: ExpectationFailed) -> ExpectationFailed:
    return ExpectationFailed(event_words(error.failure))


def _value(message: Message) -> dict[str, Any]:
    value = message.value
    return value if isinstance(value, dict) else {}


class SocketIOSession(ProtocolSession):
    """The Socket.IO part of :class:`~wsbdd.facade.session.Session` (a mixin: every method
    runs on the session, with its clients, variables and deadlines)."""

    if TYPE_CHECKING:  # what the mixin uses of the Session it is part of
        settings: Settings
        pool: ClientPool
        vars: Variables

        def client(self, name: str, *, need_open: bool = False) -> Client: ...
        def send(self, name: str, payload: Intent, times: int = 1) -> None: ...
        def send_each(self, names: Sequence[str], payloads: Sequence[Intent]) -> None: ...
        def receive(
            self, name: str, matcher: Matcher | None = None, timeout: float | None = None
        ) -> Message: ...
        def receive_nothing(
            self, name: str, matcher: Matcher | None = None, window: float | None = None
        ) -> None: ...
        def receive_each(
            self,
            names: Sequence[str],
            matchers: Sequence[Matcher],
            timeout: float | None = None,
            *,
            subject: str = "client",
            op: GroupOp = "every",
            n: int = 0,
        ) -> list[Message]: ...
        def receive_nothing_each(
            self, names: Sequence[str], matcher: Matcher | None = None, window: float | None = None
        ) -> None: ...
        def _wait(self, name: str, expectation: Expectation) -> list[Message]: ...
        def _start_send(self, asked: tuple[Client, Sequence[Intent], int, str, float]) -> Any: ...

        current_step: str
        loop_thread: LoopThread

        def _call(self, func: Any) -> Any: ...
        def _run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T: ...
        def connect_all(
            self,
            names: Sequence[str],
            target: str | None = None,
            *,
            token: str | None = None,
            headers: dict[str, str] | None = None,
            subprotocols: Sequence[str] | None = None,
            require: bool = True,
            offsets: Sequence[float] | None = None,
            concurrency: int | None = None,
            watch: Any = None,
            codec: Callable[[], Codec] | None = None,
        ) -> list[ConnectionOutcome]: ...

    # -- the protocol -----------------------------------------------------------------

    def socketio_codec(
        self,
        namespaces: Sequence[str] | None = None,
        auth: Any = None,
        client: str | None = None,
    ) -> Callable[[], Codec]:
        """A factory of Socket.IO codecs with the run's Socket.IO settings, and these
        namespaces and auth payload instead of the configured ones when given.  The
        configured auth has its ``${…}`` filled in (``${client}``: ``client``)."""
        return self.codec_over(SOCKETIO, client, namespaces=namespaces, auth=auth)  # type: ignore[no-any-return]

    def speaks_socketio(self, codec: Callable[[], Codec] | None = None) -> bool:
        """Whether clients connected now speak Socket.IO: through ``codec`` when given, else
        by the step connecting them, the scenario's protocol or the run's."""
        return self.speaking(codec) == SOCKETIO

    def connect_socketio(
        self,
        names: Sequence[str],
        *,
        namespaces: Sequence[str] | None = None,
        auth: Any = None,
        require: bool = True,
    ) -> list[ConnectionOutcome]:
        """Connect ``names`` over Socket.IO, to ``namespaces`` (the configured ones when None)
        with the ``auth`` payload (likewise, its ``${client}`` each one's name), whatever
        protocol the run speaks."""
        return self.connect_over(SOCKETIO, names, require=require, namespaces=namespaces, auth=auth)

    def socketio_client(self, name: str, *, need_open: bool = False) -> Client:
        """The client called ``name``, which must speak Socket.IO (else one sentence saying
        how to choose it)."""
        client = self.client(name, need_open=need_open)
        codec_name = client.codec.name
        if codec_name != SOCKETIO and protocol_name(codec_name) != SOCKETIO:
            raise FeatureMistake(
                f"{name} is connected over plain WebSocket, so there are no Socket.IO events "
                f'to emit or wait for: add "Given the server speaks Socket.IO" before '
                f'connecting, or connect with "Given {name} is connected over Socket.IO".'
            )
        return client

    # -- emitting ----------------------------------------------------------------------

    def emit(
        self,
        name: str,
        event: str,
        args: Sequence[Any] = (),
        *,
        namespace: str = "/",
        wants_ack: bool = False,
    ) -> Emit:
        """``name`` emits ``event`` with ``args`` (each a JSON value or bytes); with
        ``wants_ack`` the server is asked for an acknowledgement (see :meth:`wait_ack`)."""
        client = self.socketio_client(name, need_open=True)
        # Read before the emit goes out, so its acknowledgement is counted after it (an int
        # the loop thread writes: reading it from here needs no hand-over).
        before = len(client.inbox)
        intent = Emit(event, tuple(args), namespace, wants_ack)
        self.send(name, intent)
        if wants_ack:
            ack_id = intent.ack_id
            if ack_id is None:  # encode() runs before send() returns (in the loop's turn)
                raise FeatureMistake(f'{name}\'s emit of "{event}" got no acknowledgement id.')
            _state(self).asking(_Emitted(name, event, namespace, ack_id, before))
        return intent

    def emit_and_wait_ack(
        self,
        name: str,
        event: str,
        args: Sequence[Any] = (),
        *,
        namespace: str = "/",
        timeout: float | None = None,
    ) -> Message:
        """:meth:`emit` asking for an acknowledgement, then :meth:`wait_ack`, in one hand-over
        to the loop instead of two: the emit goes out and the wait begins in the same turn
        of the loop (a round trip is two steps' worth of hand-overs otherwise)."""
        client = self.socketio_client(name, need_open=True)
        before = len(client.inbox)
        intent = Emit(event, tuple(args), namespace, True)
        limit = self.settings.timeout if timeout is None else timeout
        asked = (client, (intent,), 1, self.current_step, time.monotonic())
        state = _state(self)
        emitted: list[_Emitted] = []

        def begin(deliver: Callable[[Any], None]) -> Callable[[], None] | None:
            # On the loop: the send starts (encode fills the ack id), then the wait.
            failure = self._start_send(asked)
            if failure is not None:
                deliver(failure)
                return None
            if intent.ack_id is None:
                deliver(FeatureMistake(f'{name}\'s emit of "{event}" got no acknowledgement id.'))
                return None
            emitted.append(_Emitted(name, event, namespace, intent.ack_id, before))
            matcher = AckMatcher(intent.ack_id, (), namespace, event)
            return client.watch(ReceiveAfter(name, matcher, limit, before), deliver)

        try:
            outcome = self.loop_thread.run_callback(begin, limit + 10.0)
        finally:
            if emitted:
                state.asking(emitted[0])
        if not outcome.met:
            raise _reworded(ExpectationFailed(outcome.why or outcome.failure))
        emitted[0].ack = outcome.messages[0]
        state.last_ack = emitted[0]
        return outcome.messages[0]

    def emit_each(
        self,
        names: Sequence[str],
        event: str,
        args: Sequence[Sequence[Any]],
        *,
        namespace: str = "/",
    ) -> None:
        """Every client emits ``event`` with its own arguments, all at the same moment."""
        for name in names:
            self.socketio_client(name, need_open=True)
        self.send_each(names, [Emit(event, tuple(a), namespace) for a in args])

    def _emitted(self, name: str | None, event: str | None = None) -> _Emitted:
        """``name``'s latest emit that asked for an acknowledgement (of ``event``); with no
        name, the scenario's latest one."""
        state = _state(self)
        if name is None:
            if state.last_ack is not None:
                return state.last_ack
            if state.latest is not None:
                return state.latest
            raise FeatureMistake(
                "No client has asked for an acknowledgement yet; emit with "
                '"… and waits for the acknowledgement" first.'
            )
        # The newest first: a long scenario asks hundreds of times, and wants the latest.
        emitted = next(
            (e for e in reversed(state.asked.get(name, ())) if event is None or e.event == event),
            None,
        )
        if emitted is None:
            what = f' of "{event}"' if event else ""
            raise FeatureMistake(
                f"{name} has not asked for an acknowledgement{what} yet; write "
                f'"{name} emits "{event or "chat"}" with {{…}} and waits for the acknowledgement" '
                'or "… and asks for an acknowledgement" first.'
            )
        return emitted

    def wait_ack(
        self, name: str, timeout: float | None = None, *, event: str | None = None
    ) -> Message:
        """Wait for the server's acknowledgement of ``name``'s latest emit that asked for one
        (of ``event``, when given); it becomes "the acknowledgement"."""
        emitted = self._emitted(name, event)
        if emitted.ack is None:
            matcher = AckMatcher(emitted.ack_id, (), emitted.namespace, emitted.event)
            limit = self.settings.timeout if timeout is None else timeout
            try:
                found = self._wait(name, ReceiveAfter(name, matcher, limit, emitted.after))
            except ExpectationFailed as error:
                raise _reworded(error) from None
            emitted.ack = found[0]
        _state(self).last_ack = emitted
        return emitted.ack

    def expect_ack(
        self,
        name: str | None,
        conditions: Sequence[EventCondition],
        timeout: float | None = None,
    ) -> Message:
        """The acknowledgement (``name``'s latest, waiting for it if needed; with no name, the
        one a step waited for last) meets every condition (``$`` is its first argument)."""
        emitted = self._emitted(name)
        who = emitted.client
        ack = emitted.ack or self.wait_ack(who, timeout, event=emitted.event)
        _state(self).last_ack = emitted
        matcher = AckMatcher(emitted.ack_id, conditions, emitted.namespace, emitted.event)
        if not matcher.matches(ack):
            label = event_label(ack.value)
            why = Failure(
                who,
                f'the acknowledgement of "{emitted.event}"{matcher.where_words()}',
                f"it was {label}: {matcher.mismatch(ack)}",
            )
            raise ExpectationFailed(why)
        return ack

    def expect_ack_is(
        self, name: str | None, values: Sequence[Any], timeout: float | None = None
    ) -> Message:
        """The acknowledgement (as :meth:`expect_ack` finds it) has these arguments: one
        value is its first argument, several are all of them.  A match is told without
        building conditions; a mismatch fails as :meth:`expect_ack` with those conditions
        does (the same sentence)."""
        emitted = self._emitted(name)
        ack = emitted.ack or self.wait_ack(emitted.client, timeout, event=emitted.event)
        _state(self).last_ack = emitted
        if AckMatcher(emitted.ack_id, (), emitted.namespace).matches(ack) and ack_args_are(
            ack, values
        ):
            return ack
        return self.expect_ack(name, ack_is_conditions(values), timeout)

    def expect_no_ack(
        self, name: str, window: float | None = None, *, event: str | None = None
    ) -> None:
        """The server does not acknowledge ``name``'s latest emit that asked (of ``event``)
        within the window."""
        emitted = self._emitted(name, event)
        window = self.settings.quiet_window if window is None else window
        matcher = AckMatcher(emitted.ack_id, (), emitted.namespace, emitted.event)
        if emitted.ack is None:
            try:
                self.receive_nothing(name, matcher, window)
                return
            except ExpectationFailed:
                emitted.ack = self.receive(name, matcher, 0)  # it came: claim it, to show it
        raise ExpectationFailed(
            Failure(
                name,
                f'its emit of "{emitted.event}" not to be acknowledged within {_duration(window)}',
                f"the server acknowledged it: {event_label(emitted.ack.value)}",
            )
        )

    # -- events ------------------------------------------------------------------------

    def expect_event(
        self,
        name: str,
        event: str,
        conditions: Sequence[EventCondition] = (),
        timeout: float | None = None,
        *,
        namespace: str | None = None,
    ) -> Message:
        """Wait for the first unread event ``event`` meeting every condition, and claim it."""
        self.socketio_client(name)
        matcher = EventMatcher(event, conditions, namespace)
        try:
            message = self.receive(name, matcher, timeout)
        except ExpectationFailed as error:
            raise _reworded(error) from None
        return message

    def expect_no_event(
        self,
        name: str,
        event: str | None,
        conditions: Sequence[EventCondition] = (),
        window: float | None = None,
        *,
        namespace: str | None = None,
    ) -> None:
        """No unread event ``event`` (meeting the conditions) is there or comes in the window."""
        self.socketio_client(name)
        matcher = EventMatcher(event, conditions, namespace)
        window = self.settings.quiet_window if window is None else window
        try:
            self._wait(name, Quiet(name, matcher, window))
        except ExpectationFailed as error:
            raise _reworded(error) from None

    def count_events(
        self,
        name: str,
        op: CountOp,
        n: int,
        event: str,
        conditions: Sequence[EventCondition] = (),
        timeout: float | None = None,
    ) -> list[Message]:
        """``name`` has received ``op`` ``n`` events ``event`` since connecting (or forgetting)."""
        self.socketio_client(name)
        matcher = EventMatcher(event, conditions)
        limit = self.settings.timeout if timeout is None else timeout
        try:
            return self._wait(name, Count(name, op, n, matcher, limit, self.settings.settle))
        except ExpectationFailed as error:
            raise _reworded(error) from None

    def expect_events(
        self,
        name: str,
        matchers: Sequence[EventMatcher],
        timeout: float | None = None,
        *,
        in_order: bool = True,
    ) -> list[Message]:
        """One unread event per matcher, in this order (others may come between) or in any."""
        self.socketio_client(name)
        limit = self.settings.timeout if timeout is None else timeout
        rule = InOrder if in_order else AnyOrder
        try:
            messages = self._wait(name, rule(name, matchers, limit))
        except ExpectationFailed as error:
            raise _reworded(error) from None
        return messages

    def expect_no_event_each(
        self,
        names: Sequence[str],
        event: str | None,
        conditions: Sequence[EventCondition] = (),
        window: float | None = None,
    ) -> None:
        """None of the clients has or gets an unread event ``event`` within the window."""
        for name in names:
            self.socketio_client(name)
        try:
            self.receive_nothing_each(names, EventMatcher(event, conditions), window)
        except ExpectationFailed as error:
            raise _reworded(error) from None

    def receive_event_each(
        self,
        names: Sequence[str],
        matchers: Sequence[EventMatcher],
        timeout: float | None = None,
        *,
        subject: str = "client",
        op: GroupOp = "every",
        n: int = 0,
    ) -> list[Message]:
        """Each client waits for its own event (see :meth:`receive_each`)."""
        for name in names:
            self.socketio_client(name)
        try:
            return self.receive_each(names, matchers, timeout, subject=subject, op=op, n=n)
        except ExpectationFailed as error:
            raise _reworded(error) from None

    # -- the server's acknowledgement requests --------------------------------------------

    def acknowledge(
        self,
        name: str,
        args: Sequence[Any] = (),
        *,
        event: str | None = None,
        timeout: float | None = None,
    ) -> Message:
        """Answer the server's acknowledgement request with ``args``: of the latest event a
        step received that asked for one and is not answered yet (of ``event``, when given;
        an event step's, or any other step's such as "receives a message where $.event is
        …"); when there is none, of the first unread event that asks for one, waiting for
        it."""
        client = self.socketio_client(name, need_open=True)
        state = _state(self)
        answered = state.answered.setdefault(name, set())
        matcher = EventMatcher(event, (), asks_ack=True)

        def claimed() -> Message | None:  # on the loop: the inbox is the loop's
            for message in reversed(client.inbox.since_baseline()):
                value = _value(message)
                if (
                    client.inbox.is_consumed(message)
                    and matcher.matches(message)
                    and (value.get("namespace") or "/", value.get("ack")) not in answered
                ):
                    return message
            return None

        request = self._call(claimed)
        if request is None:
            try:
                request = self.receive(name, matcher, timeout)
            except ExpectationFailed as error:
                raise _reworded(error) from None
        value = _value(request)
        namespace = value.get("namespace") or "/"
        answered.add((namespace, value.get("ack")))
        self.send(name, Acknowledge(int(value["ack"]), tuple(args), namespace))
        return request

    # -- namespaces ----------------------------------------------------------------------

    def join_namespace(
        self,
        name: str,
        namespace: str,
        auth: Any = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """``name`` asks to join ``namespace`` (with ``auth``), connecting over Socket.IO
        first if it is not connected yet; waits for the server's answer (``connect`` or
        ``connect_error``), which it returns, and does not fail on a refusal."""
        if self.pool.get(name) is None:
            self.connect_socketio([name], namespaces=["/"])
        client = self.socketio_client(name, need_open=True)
        start = self._call(lambda: len(client.inbox))
        _state(self).joins[(name, namespace)] = start
        self.send(name, JoinNamespace(namespace, auth))
        return self._namespace_answer(name, namespace, timeout, start)

    def leave_namespace(self, name: str, namespace: str) -> None:
        self.socketio_client(name, need_open=True)
        self.send(name, LeaveNamespace(namespace))

    def _namespace_answer(
        self, name: str, namespace: str, timeout: float | None, start: int | None = None
    ) -> dict[str, Any]:
        if start is None:
            start = _state(self).joins.get((name, namespace), 0)
        limit = self.settings.connect_timeout if timeout is None else timeout
        matcher = ProtocolMatcher(namespace, ("connect", "connect_error"))
        message = self._wait(name, Answer(name, matcher, limit, start))[0]
        return _value(message)

    def expect_namespace_refused(
        self,
        name: str,
        namespace: str,
        message: str | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """The server refused ``name``'s connection to ``namespace`` (with ``message``)."""
        expected = f'its connection to namespace "{namespace}" to be refused' + (
            f' with message "{message}"' if message is not None else ""
        )
        client = self.socketio_client(name)
        if client.outcome is not None and client.outcome.opened_at is None:
            failure = client.outcome.describe_failure()
            if message is None or message in failure:
                return {"type": "connect_error", "namespace": namespace, "message": failure}
            raise ExpectationFailed(Failure(name, expected, f"it could not connect: {failure}"))
        try:
            answer = self._namespace_answer(name, namespace, timeout)
        except ExpectationFailed:
            raise ExpectationFailed(
                Failure(name, expected, "the server has not answered its connect")
            ) from None
        if answer.get("type") == "connect":
            raise ExpectationFailed(Failure(name, expected, "the server accepted it"))
        said = answer.get("message")
        if message is not None and said != message:
            raise ExpectationFailed(
                Failure(name, expected, f"it was refused with message {json.dumps(said)}")
            )
        return answer

    def expect_namespace_connected(
        self, name: str, namespace: str, timeout: float | None = None
    ) -> dict[str, Any]:
        """The server accepted ``name``'s connection to ``namespace``."""
        self.socketio_client(name)
        expected = f'its connection to namespace "{namespace}" to be accepted'
        try:
            answer = self._namespace_answer(name, namespace, timeout)
        except ExpectationFailed:
            raise ExpectationFailed(
                Failure(name, expected, "the server has not answered its connect")
            ) from None
        if answer.get("type") != "connect":
            said = json.dumps(answer.get("message"))
            raise ExpectationFailed(Failure(name, expected, f"it was refused with message {said}"))
        return answer

    # -- the server ends it ----------------------------------------------------------------

    def expect_server_disconnect(
        self,
        name: str,
        reason: str | None = None,
        timeout: float | None = None,
        *,
        namespace: str = "/",
    ) -> str:
        """The server disconnected ``name`` (from ``namespace``; "/" ends the connection),
        with ``reason`` (``io server disconnect``, ``ping timeout``, ``transport close``)
        when given.  Returns the reason."""
        client = self.socketio_client(name)
        limit = self.settings.timeout if timeout is None else timeout
        where = "" if namespace == "/" else f' from namespace "{namespace}"'
        expected = f"to be disconnected{where} by the server" + (
            f' with reason "{reason}"' if reason is not None else ""
        )
        matcher = ProtocolMatcher(namespace, ("disconnect",))
        # The server's DISCONNECT of the namespace, or (for "/") the end of the connection.
        wait = Answer(name, matcher, limit, 0, end_answers=namespace == "/")
        try:
            found = self._wait(name, wait)
        except ExpectationFailed:
            raise ExpectationFailed(
                Failure(name, f"{expected} within {_duration(limit)}", "it is still connected")
            ) from None
        if found:
            got = str(_value(found[0]).get("reason") or "io server disconnect")
        else:
            outcome = client.outcome
            app_reason = outcome.app_reason if outcome is not None else None
            if app_reason is None:
                closed_by = outcome.closed_by if outcome is not None else None
                app_reason = "io client disconnect" if closed_by == "client" else "transport close"
            got = app_reason
            if got == "io client disconnect":
                raise ExpectationFailed(
                    Failure(name, expected, f"{name} closed the connection itself")
                )
        if reason is not None and got != reason:
            raise ExpectationFailed(Failure(name, expected, f'the reason was "{got}"'))
        return got


def _duration(seconds: float) -> str:
    from wsbdd.expect import format_duration

    return format_duration(seconds)
