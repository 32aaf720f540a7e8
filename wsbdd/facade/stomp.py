"""STOMP on the session: connect to a broker with a login, subscribe and unsubscribe, send to
a destination (with headers, in a transaction, waiting for the receipt), wait for MESSAGE and
ERROR frames, check headers, acknowledge (or not) what came, and run transactions.

A mixin of :class:`~wsbdd.facade.session.Session` (``session.stomp_subscribe(…)``,
``session.expect_stomp_message(…)``), so the steps and a pytest test call the same methods.
Everything goes through the STOMP codec's intents (:class:`~wsbdd.codec.stomp.StompSend`,
``StompSubscribe``, ``StompAck`` …) and the inbox's usual waits; the matchers and the words of
failures are in :mod:`wsbdd.expect.frames`.  In every STOMP wait ``$`` is the whole frame
view ``{"command", "headers", "body"}`` (the body parsed when its content type is JSON).

What the session remembers between steps, per scenario: each client's subscription id per
destination (so "unsubscribes from "/topic/x"" needs no id), the ack mode of each
subscription, and each client's last MESSAGE a step received (what "the last message" is,
for its headers and to acknowledge it), plus messages kept under a name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wsbdd.codec.stomp import (
    StompAbort,
    StompAck,
    StompBegin,
    StompCommit,
    StompNack,
    StompSend,
    StompSubscribe,
    StompUnsubscribe,
)
from wsbdd.expect import Expectation, Matcher, Quiet
from wsbdd.expect.events import Answer
from wsbdd.expect.frames import (
    FrameMatcher,
    ReceiptMatcher,
    broker_refused,
    frame_words,
    has_header,
    receipt_answer,
)
from wsbdd.facade.protocols import ProtocolSession, protocol_name, protocol_title
from wsbdd.model.errors import ExpectationFailed, FeatureMistake
from wsbdd.model.message import Message

if TYPE_CHECKING:
    from wsbdd.codec.base import Intent
    from wsbdd.io.client import Client, ConnectionOutcome
    from wsbdd.match.conditions import Condition
    from wsbdd.model.variables import Variables
    from wsbdd.settings.config import Settings

__all__ = ["StompSession", "STOMP"]

STOMP = "stomp"
"""The protocol's name in settings, tags and codecs."""

JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain"


@dataclass
class _StompState:
    """What the STOMP steps of one scenario remember between steps."""

    subscriptions: dict[tuple[str, str], str] = field(default_factory=dict)
    """(client, destination) → the id of the client's latest subscription to it."""
    ack_modes: dict[tuple[str, str], str] = field(default_factory=dict)
    """(client, subscription id) → its ack mode (``auto``, ``client``, ``client-individual``)."""
    last: dict[str, Message] = field(default_factory=dict)
    """Per client, the last MESSAGE a STOMP step received."""
    kept: dict[str, tuple[str, Message]] = field(default_factory=dict)
    """Messages kept under a name: name → (client, message)."""


def _state(session: Any) -> _StompState:
    state: _StompState | None = getattr(session, "_stomp_state", None)
    if state is None:
        state = _StompState()
        session._stomp_state = state
    return state


def _reworded(error: ExpectationFailed) -> ExpectationFailed:
    return ExpectationFailed(frame_words(error.failure))


def _frame(message: Message) -> dict[str, Any]:
    value = message.value
    return value if isinstance(value, dict) else {}


def _has(headers: Mapping[str, str], name: str) -> bool:
    lowered = name.lower()
    return any(key.lower() == lowered for key in headers)


def stomp_body(
    body: Any, headers: Mapping[str, str] | None = None
) -> tuple[str | bytes, dict[str, str]]:
    """The body to send and its headers: text as it is (``text/plain`` unless the headers
    give a content type), bytes as they are, any other value as JSON (``application/json``
    unless given)."""
    sent = dict(headers or {})
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body), sent
    if isinstance(body, str):
        if not _has(sent, "content-type"):
            sent["content-type"] = TEXT_TYPE
        return body, sent
    if not _has(sent, "content-type"):
        sent["content-type"] = JSON_TYPE
    return json.dumps(body, ensure_ascii=False), sent


class StompSession(ProtocolSession):
    """The STOMP part of :class:`~wsbdd.facade.session.Session` (a mixin: every method runs
    on the session, with its clients, variables and deadlines)."""

    if TYPE_CHECKING:  # what the mixin uses of the Session it is part of
        settings: Settings
        vars: Variables

        def client(self, name: str, *, need_open: bool = False) -> Client: ...
        def send(self, name: str, payload: Intent, times: int = 1) -> None: ...
        def receive(
            self, name: str, matcher: Matcher | None = None, timeout: float | None = None
        ) -> Message: ...
        def _wait(self, name: str, expectation: Expectation) -> list[Message]: ...
        def _call(self, func: Any) -> Any: ...

    # -- connecting --------------------------------------------------------------------

    def connect_stomp(
        self,
        names: Sequence[str],
        *,
        login: str | None = None,
        passcode: str | None = None,
        host: str | None = None,
        heart_beat: tuple[int, int] | None = None,
        require: bool = True,
    ) -> list[ConnectionOutcome]:
        """Connect ``names`` over STOMP with this login, passcode, virtual host and heart-beat
        (ms: what the client sends, what it wants), each the configured one (``[stomp]``)
        when None, whatever protocol the run speaks."""
        given = {"login": login, "passcode": passcode, "host": host, "heart_beat": heart_beat}
        options = {key: value for key, value in given.items() if value is not None}
        return self.connect_over(STOMP, names, require=require, **options)

    def stomp_client(self, name: str, *, need_open: bool = False) -> Client:
        """The client called ``name``, which must speak STOMP (else one sentence saying how
        to choose it)."""
        client = self.client(name, need_open=need_open)
        spoken = protocol_name(client.codec.name)
        if spoken != STOMP:
            title = "plain WebSocket" if spoken == "websocket" else protocol_title(spoken)
            raise FeatureMistake(
                f"{name} is connected over {title}, so there are no STOMP frames to send or "
                f'wait for: add "Given the server speaks STOMP" before connecting, or connect '
                f'with "Given {name} is connected over STOMP".'
            )
        return client

    def expect_broker_refused(
        self, name: str, message: str | None = None, *, containing: bool = False
    ) -> str:
        """The broker refused ``name``'s STOMP connection (its login, its virtual host) with
        an ERROR frame (whose message is ``message``, or contains it); returns the refusal."""
        client = self.stomp_client(name)
        outcome = client.outcome
        opened = outcome is not None and outcome.opened_at is not None
        error = outcome.error if outcome is not None else None
        verdict = broker_refused(name, error, opened, message, containing)
        if not verdict.met:
            raise ExpectationFailed(verdict.why or verdict.failure)
        return error or ""

    # -- sending frames ------------------------------------------------------------------

    def _send_frame(
        self, name: str, intent: Any, what: str, receipt: bool, timeout: float | None
    ) -> None:
        """Send one intent; with ``receipt`` wait for the broker's RECEIPT (an ERROR instead
        fails the step with the ERROR's message)."""
        client = self.stomp_client(name, need_open=True)
        # Read before the frame goes out, so its receipt is looked for after it (an int the
        # loop thread writes: reading it from here needs no hand-over).
        before = len(client.inbox)
        self.send(name, intent)
        if receipt:
            self.stomp_receipt(name, intent.receipt_id, what, before, timeout)

    def stomp_receipt(
        self,
        name: str,
        receipt_id: str | None,
        what: str,
        after: int = 0,
        timeout: float | None = None,
    ) -> Message:
        """Wait for the RECEIPT ``receipt_id`` (or an ERROR: the broker refused the frame,
        ``what``, which fails) among ``name``'s frames from inbox index ``after`` on."""
        if receipt_id is None:  # encode() runs before send() returns (in the loop's turn)
            raise FeatureMistake(
                f"{name}'s {what} went out without a receipt id: the codec "
                f"{type(self.client(name).codec).__name__} must set the frame's receipt_id as "
                "it encodes it, for wsbdd to wait for the broker's RECEIPT."
            )
        limit = self.settings.timeout if timeout is None else timeout
        matcher = ReceiptMatcher(receipt_id, what)
        found = self._wait(name, Answer(name, matcher, limit, after))
        verdict = receipt_answer(name, what, _frame(found[0]))
        if not verdict.met:
            raise ExpectationFailed(verdict.why or verdict.failure)
        return found[0]

    def stomp_subscribe(
        self,
        names: Sequence[str],
        destination: str,
        *,
        ack: str = "auto",
        headers: Mapping[str, str] | None = None,
        receipt: bool = True,
        timeout: float | None = None,
    ) -> list[str]:
        """Each client subscribes to ``destination`` (acknowledging as ``ack`` says); with
        ``receipt`` (the default) each waits for the broker's RECEIPT, so the subscription is
        in place when this returns: a frame another client sends next finds it.  Returns the
        subscription ids, which the session remembers per client and destination."""
        state = _state(self)
        ids: list[str] = []
        for name in names:
            intent = StompSubscribe(
                destination, ack=ack, headers=dict(headers or {}), receipt=receipt
            )
            self._send_frame(name, intent, f'SUBSCRIBE to "{destination}"', receipt, timeout)
            if intent.id is None:
                raise FeatureMistake(
                    f'{name}\'s SUBSCRIBE to "{destination}" went out without an id: the codec '
                    f"{type(self.client(name).codec).__name__} must set the StompSubscribe's id "
                    "as it encodes it, for wsbdd to know the subscription."
                )
            state.subscriptions[(name, destination)] = intent.id
            state.ack_modes[(name, intent.id)] = ack
            ids.append(intent.id)
        return ids

    def subscription_id(self, name: str, destination: str) -> str:
        """The id of ``name``'s latest subscription to ``destination``."""
        found = _state(self).subscriptions.get((name, destination))
        if found is None:
            mine = [d for (who, d) in _state(self).subscriptions if who == name]
            listed = ", ".join(f'"{d}"' for d in mine) or "none"
            raise FeatureMistake(
                f'{name} has not subscribed to "{destination}" (its subscriptions: {listed}); '
                f'write "Given {name} subscribes to "{destination}"" first.'
            )
        return found

    def stomp_unsubscribe(
        self, name: str, destination: str, *, receipt: bool = True, timeout: float | None = None
    ) -> None:
        """``name`` ends its latest subscription to ``destination`` (with ``receipt``, the
        default, waiting for the broker's RECEIPT: nothing sent afterwards reaches it)."""
        self.stomp_client(name, need_open=True)
        sub_id = self.subscription_id(name, destination)
        intent = StompUnsubscribe(sub_id, receipt=receipt)
        self._send_frame(name, intent, f'UNSUBSCRIBE from "{destination}"', receipt, timeout)
        del _state(self).subscriptions[(name, destination)]

    def stomp_send(
        self,
        name: str,
        destination: str,
        body: Any = "",
        *,
        headers: Mapping[str, str] | None = None,
        transaction: str | None = None,
        receipt: bool = False,
        timeout: float | None = None,
    ) -> StompSend:
        """``name`` sends ``body`` to ``destination``: text as it is (``text/plain``), bytes as
        they are, any other value as JSON (``application/json``), a content type in
        ``headers`` winning; in ``transaction`` when given; with ``receipt``, waiting for the
        broker's RECEIPT."""
        data, sent = stomp_body(body, headers)
        intent = StompSend(destination, data, sent, transaction=transaction, receipt=receipt)
        self._send_frame(name, intent, f'SEND to "{destination}"', receipt, timeout)
        return intent

    def stomp_begin(
        self, name: str, transaction: str, *, receipt: bool = False, timeout: float | None = None
    ) -> None:
        self._send_frame(
            name,
            StompBegin(transaction, receipt=receipt),
            f'BEGIN "{transaction}"',
            receipt,
            timeout,
        )

    def stomp_commit(
        self, name: str, transaction: str, *, receipt: bool = False, timeout: float | None = None
    ) -> None:
        intent = StompCommit(transaction, receipt=receipt)
        self._send_frame(name, intent, f'COMMIT "{transaction}"', receipt, timeout)

    def stomp_abort(
        self, name: str, transaction: str, *, receipt: bool = False, timeout: float | None = None
    ) -> None:
        intent = StompAbort(transaction, receipt=receipt)
        self._send_frame(name, intent, f'ABORT "{transaction}"', receipt, timeout)

    # -- MESSAGE and ERROR frames -----------------------------------------------------------

    def expect_stomp_message(
        self,
        name: str,
        destination: str | None = None,
        conditions: Sequence[Condition] = (),
        timeout: float | None = None,
    ) -> Message:
        """Wait for the first unread MESSAGE (from ``destination``) meeting every condition
        (``$`` the whole frame), claim it: it becomes ``name``'s last message."""
        self.stomp_client(name)
        matcher = FrameMatcher("MESSAGE", destination, conditions)
        try:
            message = self.receive(name, matcher, timeout)
        except ExpectationFailed as error:
            raise _reworded(error) from None
        _state(self).last[name] = message
        return message

    def expect_no_stomp_message(
        self,
        name: str,
        destination: str | None = None,
        conditions: Sequence[Condition] = (),
        window: float | None = None,
    ) -> None:
        """No unread MESSAGE (from ``destination``, meeting the conditions) is there or comes
        within the window."""
        self.stomp_client(name)
        matcher = FrameMatcher("MESSAGE", destination, conditions)
        window = self.settings.quiet_window if window is None else window
        try:
            self._wait(name, Quiet(name, matcher, window))
        except ExpectationFailed as error:
            raise _reworded(error) from None

    def expect_stomp_error(
        self, name: str, conditions: Sequence[Condition] = (), timeout: float | None = None
    ) -> Message:
        """Wait for the broker's ERROR frame meeting every condition (``$.headers.message``,
        ``$.body``), and claim it.  The broker closes the connection after it (check it with
        "Then Ann is disconnected")."""
        self.stomp_client(name)
        try:
            return self.receive(name, FrameMatcher("ERROR", None, conditions), timeout)
        except ExpectationFailed as error:
            raise _reworded(error) from None

    def last_stomp_message(self, name: str) -> Message:
        """``name``'s last MESSAGE a step received: a STOMP step's, else the newest MESSAGE
        another step claimed (such as "receives a message where $.command is …")."""
        client = self.stomp_client(name)
        state = _state(self)

        def newest_claimed() -> Message | None:  # on the loop: the inbox is the loop's
            inbox = client.inbox
            for message in reversed(inbox.since_baseline()):
                if _frame(message).get("command") == "MESSAGE" and inbox.is_consumed(message):
                    return message
            return None

        found = state.last.get(name)
        if found is None:
            found = self._call(newest_claimed)
        if found is None:
            raise FeatureMistake(
                f"{name} has received no MESSAGE a step checked yet; write "
                f'"Then {name} receives a MESSAGE from "/queue/…"" first.'
            )
        return found

    def kept_message(self, label: str) -> tuple[str, Message]:
        """The message kept as ``label``, and its client."""
        found = _state(self).kept.get(label)
        if found is None:
            kept = ", ".join(f'"{k}"' for k in _state(self).kept) or "none"
            raise FeatureMistake(
                f'No message is kept as "{label}" (kept so far: {kept}); write '
                f'"And Ben keeps the last message as "{label}"" first.'
            )
        return found

    def keep_message(self, name: str, label: str) -> Message:
        """Keep ``name``'s last message as ``label`` (to acknowledge it later), and its frame
        view as the variable ``${label}`` (``${label.headers.message-id}``)."""
        message = self.last_stomp_message(name)
        _state(self).kept[label] = (name, message)
        self.vars.set(label, _frame(message))
        return message

    def expect_last_header(self, name: str, header: str, value: str | None = None) -> None:
        """``name``'s last message has ``header`` (equal to ``value``, when given)."""
        message = self.last_stomp_message(name)
        verdict = has_header(name, "its last message", _frame(message), header, value)
        if not verdict.met:
            raise ExpectationFailed(verdict.why or verdict.failure)

    # -- acknowledging -------------------------------------------------------------------

    def acknowledge_message(
        self,
        name: str,
        *,
        kept: str | None = None,
        transaction: str | None = None,
        nack: bool = False,
    ) -> None:
        """ACK (or, with ``nack``, NACK) ``name``'s last message, or the one kept as ``kept``,
        from its own headers (1.2 ``ack``, 1.1 ``message-id`` and ``subscription``)."""
        self.stomp_client(name, need_open=True)
        if kept is not None:
            owner, message = self.kept_message(kept)
            what = f'the message kept as "{kept}"'
            if owner != name:
                raise FeatureMistake(
                    f"{name} cannot acknowledge {what}: {owner} received it, and a broker takes "
                    "an acknowledgement only from the connection the message came to."
                )
        else:
            message = self.last_stomp_message(name)
            what = "its last message"
        headers = _frame(message).get("headers") or {}
        mode = _state(self).ack_modes.get((name, str(headers.get("subscription"))))
        if mode == "auto":
            raise FeatureMistake(
                f"{name} cannot acknowledge {what}: it came through a subscription with ack "
                f'"auto", which the broker counts as acknowledged; subscribe with ack '
                '"client-individual" (or "client") to acknowledge messages yourself.'
            )
        intent = (StompNack if nack else StompAck)(dict(headers), transaction=transaction)
        self.send(name, intent)
