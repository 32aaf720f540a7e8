"""The synchronous face of wsbdd: a test run, and one scenario's clients and variables.

behave steps call these methods; so can a pytest test, without behave. With no
``url`` setting, :meth:`Run.start` starts the bundled demo server on a free port:

>>> from wsbdd.config import Settings
>>> from wsbdd.match import where
>>> from wsbdd.session import Run
>>> with Run.start(Settings()) as run, run.session() as s:
...     opened = s.connect("Alice")
...     s.send("Alice", '{"type": "join", "room": "lobby"}')
...     joined = s.receive("Alice", where('$.type is "joined"'))
>>> opened.status, joined.json["room"]
(101, 'lobby')

Each method bridges to the event-loop thread, enforces its own deadline and
raises an :class:`~wsbdd.errors.WsbddError` whose text is a plain sentence.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from wsbdd.codec import Codec, Intent, refused_intent
from wsbdd.expect import (
    AnyOrder,
    Count,
    CountOp,
    Expectation,
    GroupOp,
    InOrder,
    Matcher,
    Outcome,
    Quiet,
    Receive,
    Until,
    connected,
    describe_messages,
    disconnected,
    format_duration,
    ponged,
    rejected,
    uses_subprotocol,
)
from wsbdd.expect.response import compile_capture, first_capture
from wsbdd.facade import identities
from wsbdd.facade.graphql import GraphQLSession
from wsbdd.facade.groups import (
    decide_each,
    join_group,
    judge_quiet,
    judge_receives,
    members_of,
    quiet_each,
    refuse_unopened,
    send_all,
)
from wsbdd.facade.open_files import ensure_open_files
from wsbdd.facade.reconnection import (
    judge_reconnect,
    judge_recovered,
    not_reconnecting,
    wait_reconnect,
)
from wsbdd.facade.socketio import SocketIOSession
from wsbdd.facade.stomp import StompSession
from wsbdd.facade.strict import settle, settle_limit, strict_sentence, unexpected
from wsbdd.io.client import Client, ConnectionOutcome, ConnectOptions, close_clients
from wsbdd.io.errors import ConnectionLost
from wsbdd.io.http import Body, HttpClients, masked_address, origin_of, who_is
from wsbdd.io.pool import ClientPool, thaw_crowds
from wsbdd.io.runtime import LoopThread, start_now
from wsbdd.match import AnyMessage, Condition, compile_path, parse_conditions
from wsbdd.model.closing import unsendable_close
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake, WsbddError
from wsbdd.model.handshake import answer_headers, describe_refusal, refusal_response
from wsbdd.model.message import Message
from wsbdd.model.response import Response
from wsbdd.model.secrets import use_credential_names
from wsbdd.model.transcript import Event, StepMark, build_transcript
from wsbdd.model.variables import Variables
from wsbdd.settings.config import Settings, load_settings
from wsbdd.settings.tls import shared_ssl_context

__all__ = ["Run", "Session"]

T = TypeVar("T")
DEMO_IGNORE = ('$.type is "welcome"',)
_KIND = re.compile(r'^\s*\$\.[\w.]+\s+is\s+"([^"\\]{1,40})"\s*$')


def _ignored_kind(entry: str) -> str:
    """``$.type is "heartbeat"`` → ``heartbeat``: what an ``ignore`` entry's messages are
    called where they are folded ("" for an entry in other words)."""
    found = _KIND.match(entry)
    return found.group(1) if found else ""


_BRIDGE_MARGIN = 10.0  # extra seconds the sync bridge allows beyond a step's own deadline


def connect_options(settings: Settings, variables: Variables | None = None) -> ConnectOptions:
    """The clients' options from the settings; ``variables`` fill in the ``${…}`` of the
    configured Socket.IO auth (a scenario's)."""
    return ConnectOptions(
        open_timeout=settings.connect_timeout,
        close_timeout=settings.close_timeout,
        compression=settings.compression,
        proxy=settings.proxy,
        ping_interval=settings.ping_interval,
        ping_timeout=settings.ping_timeout,
        max_size=settings.max_size,
        inbox_limit=settings.inbox_limit,
        ssl=shared_ssl_context(settings.tls),
        tls=settings.tls,
        codec=settings.codec_for(variables=variables),
        transport=settings.socketio.transport,
        reconnection=settings.reconnection,
    )


def _result_of(task: asyncio.Task[Any]) -> Any:
    """A finished task's result, or the exception it ended with (for a caller to raise)."""
    if task.cancelled():
        return asyncio.CancelledError()
    return task.exception() or task.result()


class Run:
    """Everything that lives for a whole test run: settings, the loop thread, the demo server."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        # Which names are credentials is the run's policy, for every output (see secrets.py).
        use_credential_names(self.settings.credential_names)
        self.loop_thread = LoopThread(same_cpu=self.settings.same_cpu, loop=self.settings.loop)
        self.demo: Any = None
        self.base_url = self.settings.url or ""
        self.ignore: tuple[str, ...] = self.settings.ignore

    @classmethod
    def start(cls, settings: Settings | None = None) -> Run:
        return cls(settings).open()

    def open(self) -> Run:
        """Start the loop thread, and the bundled demo server when no URL is configured."""
        self.loop_thread.start()
        if not self.settings.url:
            from wsbdd.demo import DemoServer

            async def _start() -> Any:
                return await DemoServer().start()

            self.demo = self.loop_thread.run(_start(), timeout=10)
            self.base_url = self.demo.url
            # The demo greets every client; unless told otherwise, that greeting is noise.
            self.ignore = self.settings.ignore or DEMO_IGNORE
        return self

    def socketio_address(self) -> str | None:
        """The demo's chat over Socket.IO once a client has used it (None otherwise, and
        when the run has a configured URL: the reports show that one)."""
        return self.demo.socketio_url if self.demo is not None else None

    def socketio_base_url(self) -> str:
        """Where Socket.IO clients connect by default: the configured URL, or, against the
        bundled demo, its chat over Socket.IO (started the first time a client needs it)."""
        if self.demo is None:
            return self.base_url
        url: str | None = self.demo.socketio_url
        if url is None:
            url = self.loop_thread.run(self.demo.start_socketio(), timeout=10)
        return url

    def base_url_for(self, protocol: str) -> str:
        """Where clients speaking ``protocol`` connect by default: its table's ``url`` when
        the settings give one (``[graphql] url``), Socket.IO's address against the demo,
        else the run's address."""
        configured = self.settings.protocol_url(protocol)
        if configured is not None:
            return configured
        if protocol == "socket.io":
            return self.socketio_base_url()
        return self.base_url

    def close(self) -> None:
        """Stop the demo server and the loop; leaves no task or socket behind."""
        if self.demo is not None and self.loop_thread.running:
            self.loop_thread.run(self.demo.stop(), timeout=10)
            self.demo = None
        self.loop_thread.stop()
        thaw_crowds()  # a crowd frozen while connected is garbage once the run ends

    def session(self, *, strict: bool | None = None) -> Session:
        return Session(self, strict=self.settings.strict if strict is None else strict)

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class _Sending:
    """A send under way: the future of its failure, naming its step (None: it went out)."""

    done: asyncio.Future[WsbddError | None]
    client: str
    step: str

    def held_up(self, timeout: float) -> ConnectionProblem:
        sentence = (
            f"{self.client} could not finish sending within "
            f"{format_duration(timeout)}: the server has stopped reading what "
            f"{self.client} sends (the connection's buffers are full)."
        )
        return ConnectionProblem(sentence, step=self.step)


class Session(StompSession, SocketIOSession, GraphQLSession):
    """One scenario: its named clients, its variables, its strictness.

    A facade: it keeps the scenario's state and the bridge to the loop
    (:meth:`run_on_loop`), and hands the work to small modules: handshakes and
    addresses to :mod:`wsbdd.facade.identities`, crowds to :mod:`wsbdd.facade.groups`, strict
    mode to :mod:`wsbdd.facade.strict`, open-file limits to :mod:`wsbdd.facade.open_files`,
    cookies to :class:`~wsbdd.http.HttpClients`.
    """

    def __init__(self, run: Run, *, strict: bool = False) -> None:
        self.run = run
        self.settings = run.settings
        self.loop_thread = run.loop_thread
        self.strict = strict
        self.current_step = ""
        self.step_marks: list[StepMark] = []
        self._sending: list[_Sending] = []
        """Sends under way.  Only calls the steps make change it (in the loop's turn, or on
        the loop while the step waits), so a step may read it between calls."""
        self.vars = self.settings.new_variables(environ=os.environ, config={"url": run.base_url})
        options = connect_options(self.settings, self.vars)
        self.pool: ClientPool = self._call(lambda: ClientPool(options))
        self.collected: dict[str, list[Message]] = {}
        self.groups: dict[str, dict[str, None]] = {}
        """Each group's members in the order they joined (a dict's keys: a set that keeps
        order, so a crowd of 10,000 joins without a search through the list per name)."""
        self.measurements: list[tuple[int, Any]] = []
        """(step index, metrics) of the scenario's load steps, for the reports."""
        self.location: tuple[str, int] | None = None
        """Where the scenario is written (file, line), when a runner says so: a load step
        spread over Locust workers names its meeting points with it."""
        # An entry may join conditions with `and $` (all must hold), as a step's `where` does.
        self._noise = [tuple(parse_conditions(text)) for text in run.ignore]
        self._noise_kinds = [_ignored_kind(text) for text in run.ignore]
        self.http = HttpClients(
            self.settings.timeout,
            self.settings.connect_timeout,
            verify=shared_ssl_context(self.settings.tls),
        )
        """The scenario's HTTP requests: a cookie jar per client name, ``I``'s anonymous one."""
        self.last_response: Response | None = None
        """The scenario's latest HTTP response: an HTTP step's, or the refusal of a handshake."""

    # -- plumbing -------------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        limit = timeout + _BRIDGE_MARGIN
        if self._sending:  # held-up sends get their own ``timeout`` first
            coro = self._after_sends(coro, timeout)
            limit += timeout
        return self.loop_thread.run(coro, limit)

    def run_on_loop(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run ``coro`` on the scenario's event loop and return what it returns (or raise
        what it raises): the public bridge for code of its own that works on the scenario's
        clients, such as :class:`~wsbdd.load.driver.LoadDriver`'s paced sends.

        ``timeout`` is the step's own deadline, which ``coro`` enforces itself (with
        ``asyncio.timeout`` or a deadline of its own); the bridge waits a margin longer
        before it gives up.  As in every step, a send still held up from an earlier step
        is settled first: its failure raises :class:`~wsbdd.errors.ConnectionProblem`
        and ``coro`` does not run.
        """
        return self._run(coro, timeout)

    def _call(self, func: Any) -> Any:
        async def _call() -> Any:
            return func()

        return self._run(_call(), 10)

    async def _sends_failure(self, timeout: float) -> WsbddError | None:
        """On the loop: wait up to ``timeout`` for the sends under way; the first failure's
        sentence, if any (a send still not written by then is one)."""
        writing = self._still_writing()
        if writing:  # rare: a send held up by flow control
            await asyncio.wait([send.done for send in writing], timeout=timeout)
            held_up = self._still_writing()
            if held_up:
                self._sending = []  # reported; it goes on trying, but no step waits for it
                return held_up[0].held_up(timeout)
        return self._finished_sends_failure()

    def _still_writing(self) -> list[_Sending]:
        """The sends under way that have not finished: held up by flow control."""
        return [send for send in self._sending if not send.done.done()]

    def _finished_sends_failure(self) -> WsbddError | None:
        """On the loop, when every send under way has finished: the first failure's sentence."""
        sending, self._sending = self._sending, []
        return next((failure for send in sending if (failure := send.done.result())), None)

    async def _after_sends(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        failure = await self._sends_failure(timeout)
        if failure is not None:
            coro.close()
            raise failure
        return await coro

    def sends_problem(self) -> str | None:
        """The failure of a send no later step has reported yet (checked at the scenario's end)."""
        if not self._sending or not self.loop_thread.running:
            return None
        timeout = self.settings.timeout
        failure = self.loop_thread.run(self._sends_failure(timeout), timeout + _BRIDGE_MARGIN)
        return None if failure is None else str(failure)

    def is_noise(self, message: Message) -> bool:
        value = message.value
        return any(all(c.test(value) for c in conditions) for conditions in self._noise)

    def background_kind(self, message: Message) -> str | None:
        """What the ``ignore`` entry that names ``message`` calls it (``heartbeat`` for
        ``$.type is "heartbeat"``, "" for an entry of other words); None when none does."""
        return self._kind_of_value(message.value)

    def _kind_of_value(self, value: Any) -> str | None:
        for conditions, kind in zip(self._noise, self._noise_kinds, strict=True):
            try:
                if all(c.test(value) for c in conditions):
                    return kind
            except Exception:  # noqa: BLE001 - a value the conditions cannot read: not noise
                continue
        return None

    def ignored_in(self, events: Sequence[Event], limit: int = 2000) -> dict[int, str]:
        """The received messages among ``events`` that the ``ignore`` setting names (event
        index → what they are), for the report's diagram; only the first ``limit`` received
        are looked at (a diagram draws no more)."""
        if not self._noise:
            return {}
        found: dict[int, str] = {}
        looked = 0
        for index, event in enumerate(events):
            if event.kind != "received" or event.detail.get("protocol"):
                continue
            looked += 1
            if looked > limit:
                break
            if "value" in event.detail:
                value = event.detail["value"]
            else:
                frame: Literal["text", "binary"] = "binary" if event.frame == "binary" else "text"
                value = Message(event.seq or 0, event.at, frame, event.payload or "").value
            kind = self._kind_of_value(value)
            if kind is not None:
                found[index] = kind
        return found

    def url_for(self, target: str | None) -> str:
        """The URL a step's target names: ``None`` → the configured URL as written; a path,
        query or full URL → joined to it as a browser joins a link (see
        :mod:`wsbdd.model.address`)."""
        return identities.url_for(self.run.base_url, target)

    def client(self, name: str, *, need_open: bool = False) -> Client:
        """The client called ``name``; a clear sentence if it does not exist or is closed."""
        client = self.pool.get(name)
        if client is None:
            known = ", ".join(self.pool.names) or "none yet"
            raise FeatureMistake(
                f'There is no client called "{name}" in this scenario. Connect it first, e.g. '
                f'"Given {name} is connected" (clients so far: {known}).'
            )
        outcome = client.outcome
        if need_open and not client.connected:
            if client.reconnecting:
                raise ConnectionProblem(
                    f"{name} cannot send while it reconnects (the connection was lost); "
                    f'wait for it first: "Then {name} reconnects within 5 seconds".'
                )
            if outcome is not None and outcome.opened_at is None:
                raise ConnectionProblem(f"{name} is not connected: {outcome.describe_failure()}.")
            raise ConnectionProblem(
                f"{name} can no longer send: the connection {client.how_it_ended()}."
            )
        return client

    def begin_step(self, text: str) -> None:
        """Note that a step starts now (for failure messages and the transcript)."""
        self.current_step = text
        self.step_marks.append(StepMark(time.monotonic(), len(self.step_marks), text))

    def transcript(self) -> list[Event]:
        """Every frame and connection event of the scenario so far, in time order."""
        exchanges = list(self.http.exchanges)
        return self._call(
            lambda: build_transcript(self.pool.everyone, list(self.step_marks), exchanges)
        )

    # -- connecting -----------------------------------------------------------

    def connect(
        self,
        name: str,
        target: str | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        subprotocols: Sequence[str] | None = None,
        require: bool = True,
        reconnection: bool | None = None,
    ) -> ConnectionOutcome:
        """Connect ``name``; with ``require`` a refused or rejected handshake fails the step.

        ``reconnection``: True, the client reconnects by itself when its connection is
        lost (as the ``reconnection`` settings say); False, it does not even when the
        settings enable it; None, as the settings say."""
        return self.connect_all(
            [name],
            target,
            token=token,
            headers=headers,
            subprotocols=subprotocols,
            require=require,
            reconnection=reconnection,
        )[0]

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
        reconnection: bool | None = None,
        codec: Callable[[], Codec] | None = None,
    ) -> list[ConnectionOutcome]:
        """Connect several clients at once (bounded concurrency).

        ``target``, ``token`` and the ``headers`` values are templates: each client
        gets its own handshake, with ``${client}`` its name and ``${index}`` its
        place in ``names`` (1, 2, …), so ``"/ws?user=${client}"`` and the token
        ``"${tokens.${client}}"`` differ per client.  Text without ``${`` is used
        as it is (and prepared once for all the clients).
        ``offsets``: a ramp, client ``i`` starts its handshake ``offsets[i]``
        seconds after the first; ``concurrency``: at most that many handshakes
        at a time; ``watch(clients)``: an async context (progress, loop lag)
        held while connecting; ``reconnection``: as for :meth:`connect`.  ``codec``: a
        factory of the clients' codecs (a Socket.IO connection with its own auth), instead
        of the scenario's or the run's; a client that reconnects gets a fresh one from it.
        """
        handshake = identities.handshakes(
            names,
            self.run.base_url_for(self.speaking(codec)),
            target,
            token,
            headers,
            self.settings.headers,
            self.settings.token,
            self.vars,
        )
        # [] offers no subprotocol at all, even when some are configured.
        protocols = list(self.settings.subprotocols if subprotocols is None else subprotocols)
        outcomes: dict[str, ConnectionOutcome] = {}
        ramp = max(offsets) if offsets else 0.0
        # A client's own codec: the step's (a Socket.IO auth), else the scenario's protocol's.
        codec_of = (lambda _: codec) if codec is not None else self.scenario_codec

        async def one(name: str) -> None:
            url, all_headers, first = handshake(name)
            old = self.pool.get(name)
            if old is not None:
                await old.close()
            client = self.pool.new(name, codec_factory=codec_of(name))
            if reconnection is not None:
                policy = self.pool.options.reconnection
                client.reconnection = policy if reconnection else None
            sent_headers = self.http.with_cookies(name, url, all_headers)
            outcome = await client.connect(url, headers=sent_headers, subprotocols=protocols)
            self.http.keep_cookies(name, url, answer_headers(client))
            if first is not None and client.connected:
                await client.send(first)
            outcomes[name] = outcome

        async def all_of() -> None:
            await self.pool.each(names, one, limit=concurrency, offsets=offsets)

        async def watched() -> None:
            if watch is None:
                await all_of()
                return
            async with watch(lambda: [c for c in map(self.pool.get, names) if c is not None]):
                await all_of()

        self._run(watched(), ramp + self.settings.connect_timeout * max(1, len(names) / 100))
        results = [outcomes[name] for name in names]
        refused = [outcome for outcome in results if outcome.rejected]
        if refused:
            self.last_response = refusal_response(refused[-1])
        if require:
            failed = [(n, o) for n, o in zip(names, results, strict=True) if o.opened_at is None]
            if failed:
                name, outcome = failed[0]
                more = (
                    f" ({len(failed) - 1} more clients failed the same way)"
                    if len(failed) > 1
                    else ""
                )
                raise ConnectionProblem(
                    f"{name} could not connect to {outcome.url}: "
                    f"{outcome.describe_failure()}.{more}"
                )
        return results

    # -- sending --------------------------------------------------------------

    def send(self, name: str, payload: Intent, times: int = 1) -> None:
        """Send a text (``str``) or binary (``bytes``) frame, or a codec's own intent object
        (see :data:`wsbdd.codec.Intent`), ``times`` times.

        The codec's ``encode`` turns ``payload`` into frames; those frames are what was
        sent (the transcript and the report show them).  An intent the codec refuses
        fails the step with :class:`FeatureMistake`: "The line codec cannot send a
        Shout: …".  The step writes the frames itself, in the loop's turn (see
        :meth:`LoopThread.call_in_turn`), so they have gone out when the step ends.
        A send that fails (the connection closed at that very moment) fails the
        step.  Only a send held up by flow control (the server not reading) is
        still being written when the step ends; if it fails, the next step that
        talks to the loop fails, or the scenario at its end, naming the step
        that sent.
        """
        self._send_in_turn(name, (payload,), times)

    def _send_in_turn(self, name: str, payloads: Sequence[Intent], times: int) -> None:
        client = self.client(name, need_open=True)
        # The step's own time stamps the frame, so that the transcript puts it under
        # this step even when it is written after the next step has begun.
        asked = (client, payloads, times, self.current_step, time.monotonic())
        failure = self.loop_thread.call_in_turn(self._start_send, asked)
        if failure is not None:
            raise failure

    def _start_send(
        self, asked: tuple[Client, Sequence[Intent], int, str, float]
    ) -> WsbddError | None:
        """On the loop: start a send; unless a send is still being written, the first
        failure of those under way."""
        client, _, _, step, _ = asked
        self._sending.append(_Sending(start_now(self._send(*asked)), client.name, step))
        if self._still_writing():
            return None
        return self._finished_sends_failure()

    async def _send(
        self, client: Client, payloads: Sequence[Intent], times: int, step: str, at: float
    ) -> WsbddError | None:
        payload: Intent = None
        try:
            for _ in range(times):
                for payload in payloads:
                    await client.send(payload, at)
        except TypeError as exc:
            # The codec's encode refused the intent (it raises before any frame goes out):
            # a mistake in the step, not a connection problem.
            return FeatureMistake(refused_intent(client.codec.name, payload, exc), step=step)
        except Exception:
            ended = client.how_it_ended()
            sentence = f"{client.name} could not send: the connection {ended}."
            return ConnectionProblem(sentence, step=step)
        return None

    def send_many(self, name: str, payloads: Sequence[Intent]) -> None:
        """One client sends several frames or intents, in order: like :meth:`send`, the
        step writes them itself, and only frames held up by flow control (a server that
        does not read) are still being written when it ends, reported in the next step's
        time."""
        self._send_in_turn(name, tuple(payloads), 1)

    def ping(self, name: str) -> None:
        client = self.client(name, need_open=True)
        self._run(client.ping(), self.settings.timeout)

    def expect_pong(self, name: str, timeout: float | None = None) -> float:
        client = self.client(name)
        limit = self.settings.timeout if timeout is None else timeout
        if client._pong is None:
            raise FeatureMistake(
                f'{name} has not pinged the server; add "When {name} pings the server" first.'
            )
        latency = self._run(client.wait_pong(limit), limit)
        _verdict(ponged(name, latency, limit))
        assert latency is not None
        return latency

    # -- receiving ------------------------------------------------------------

    def _timeout(self, timeout: float | None) -> float:
        return self.settings.timeout if timeout is None else timeout

    def _wait(self, name: str, expectation: Expectation) -> list[Message]:
        client = self.client(name)
        if client.outcome is not None and client.outcome.opened_at is None:
            raise ConnectionProblem(
                f"{name} is not connected: {client.outcome.describe_failure()}."
            )
        sends_pending = bool(self._sending)

        def begin(deliver: Any) -> Any:
            # On the loop.  A send still being written when its step ended has
            # nearly always finished by now: check it here, with no task.
            if sends_pending:
                if self._still_writing():
                    waiting = self._after_sends(client.wait(expectation), expectation.timeout)
                    task = asyncio.ensure_future(waiting)
                    task.add_done_callback(lambda t: deliver(_result_of(t)))
                    return task.cancel
                failure = self._finished_sends_failure()
                if failure is not None:
                    deliver(failure)
                    return None
            return client.watch(expectation, deliver)

        limit = expectation.timeout * (2 if sends_pending else 1) + _BRIDGE_MARGIN
        outcome = self.loop_thread.run_callback(begin, limit)
        if not outcome.met:
            raise ExpectationFailed(outcome.why or outcome.failure)
        return outcome.messages

    def _noise_for(self, matcher: Matcher | None) -> Any:
        if matcher is None or isinstance(matcher, AnyMessage):
            return self.is_noise if self._noise else None
        return None

    def receive(
        self, name: str, matcher: Matcher | None = None, timeout: float | None = None
    ) -> Message:
        """Wait for the first unclaimed message that matches, and claim it."""
        matcher = matcher or AnyMessage()
        exp = Receive(
            name, matcher, self._timeout(timeout), self._noise_for(matcher), self._background()
        )
        return self._wait(name, exp)[0]

    def _background(self) -> Any:
        return self.background_kind if self._noise else None

    def receive_nothing(
        self, name: str, matcher: Matcher | None = None, window: float | None = None
    ) -> None:
        """Fail if an unclaimed (matching) message is there or arrives within the window."""
        window = self.settings.quiet_window if window is None else window
        self._wait(name, Quiet(name, matcher, window, self._noise_for(matcher)))

    def count(
        self,
        name: str,
        op: CountOp,
        n: int,
        matcher: Matcher | None = None,
        timeout: float | None = None,
    ) -> list[Message]:
        exp = Count(
            name,
            op,
            n,
            matcher,
            self._timeout(timeout),
            self.settings.settle,
            self._noise_for(matcher),
        )
        return self._wait(name, exp)

    def receive_in_order(
        self, name: str, matchers: Sequence[Matcher], timeout: float | None = None
    ) -> list[Message]:
        return self._wait(name, InOrder(name, matchers, self._timeout(timeout)))

    def receive_in_any_order(
        self, name: str, matchers: Sequence[Matcher], timeout: float | None = None
    ) -> list[Message]:
        return self._wait(name, AnyOrder(name, matchers, self._timeout(timeout)))

    def collect_until(
        self, name: str, marker: Matcher, timeout: float | None = None
    ) -> list[Message]:
        exp = Until(name, marker, self._timeout(timeout), self.is_noise if self._noise else None)
        messages = self._wait(name, exp)
        self.collected[name] = messages
        return messages

    def collected_by(self, name: str) -> list[Message]:
        if name not in self.collected:
            raise FeatureMistake(
                f'{name} has not collected messages yet; use "Then {name} receives messages '
                'until one where …" first.'
            )
        return self.collected[name]

    def forget(self, name: str) -> int:
        client = self.client(name)
        return self._call(client.inbox.forget)

    def last_message(self, name: str) -> Message:
        client = self.client(name)
        message = self._call(lambda: client.inbox.last)
        if message is None:
            raise ExpectationFailed(f"{name} has not received any message yet.")
        return message

    def remember(self, variable: str, path: str, name: str) -> Any:
        """Store the value at ``path`` in ``name``'s last message as ``${variable}``."""
        compiled = compile_path(path)
        message = self.last_message(name)
        found = compiled.find(message.value)
        if not found:
            raise ExpectationFailed(
                f"{name}'s last message has no {compiled.text}:\n" + describe_messages([message])
            )
        value = found[0]
        self.vars.set(variable, value)
        return value

    def remember_match(self, variable: str, pattern: str, name: str) -> str:
        """Store a regex capture from ``name``'s last message as ``${variable}``.

        The first group, or the whole match when the pattern has no group; the
        regex is searched for anywhere in the frame's text.
        """
        compiled = compile_capture(pattern)
        message = self.last_message(name)
        if message.kind != "text":
            raise ExpectationFailed(
                f'{name}\'s last message is binary, so no text in it can match "{pattern}":\n'
                + describe_messages([message])
            )
        assert isinstance(message.raw, str)
        value = first_capture(compiled, message.raw)
        if value is None:
            raise ExpectationFailed(
                f'{name}\'s last message does not match "{pattern}", so "{variable}" '
                "cannot be remembered:\n" + describe_messages([message])
            )
        self.vars.set(variable, value)
        return value

    # -- connection state -----------------------------------------------------

    def disconnect(self, name: str, code: int = 1000, reason: str = "") -> None:
        """Close ``name``'s connection with ``code`` and ``reason`` (a code a client may
        send, else one sentence saying which are)."""
        refused = unsendable_close(code, reason)
        if refused is not None:
            raise FeatureMistake(refused)
        client = self.client(name)
        self._run(client.close(code, reason), self.settings.close_timeout + 2)

    def disconnect_each(self, names: Sequence[str], code: int = 1000, reason: str = "") -> None:
        """Close several clients at once, all within one ``close_timeout`` (a crowd closed
        one by one waited for each closing handshake in turn)."""
        refused = unsendable_close(code, reason)
        if refused is not None:
            raise FeatureMistake(refused)
        clients = [self.client(name) for name in names]
        timeout = self.settings.close_timeout
        self._run(close_clients(clients, timeout, code, reason), timeout + 2)

    def expect_disconnected(
        self,
        name: str,
        code: int | None = None,
        reason: str | None = None,
        timeout: float | None = None,
        clean: bool | None = None,
    ) -> ConnectionOutcome:
        client = self.client(name)
        limit = self._timeout(timeout)
        closed = self._run(client.wait_closed(limit), limit)
        outcome = client.outcome
        _verdict(
            disconnected(
                name, outcome, closed=closed, timeout=limit, code=code, reason=reason, clean=clean
            )
        )
        assert outcome is not None
        return outcome

    def drop(self, name: str) -> None:
        """Cut ``name``'s TCP connection as a network failure would (no closing handshake):
        the server sees its transport close, and a client with reconnection reconnects."""
        client = self.client(name)
        if not client.connected:
            raise ConnectionProblem(
                f"{name}'s connection cannot drop: it is not open (the connection "
                f"{client.how_it_ended()})."
            )
        self._run(client.drop(), self.settings.close_timeout + 2)

    def expect_reconnected(
        self, name: str, timeout: float | None = None, *, new_sid: bool = False
    ) -> None:
        """``name`` lost its connection and reconnected within ``timeout`` (waiting for the
        loss too); ``new_sid``: with a new session id.  Claims that loss."""
        client = self.client(name)
        if client.reconnection is None and not client.reconnects:
            raise not_reconnecting(name)
        limit = self._timeout(timeout)
        record = self._run(wait_reconnect(client, limit), limit)
        judge_reconnect(client, record, limit, new_sid=new_sid)

    def expect_recovered(self, name: str, recovered: bool = True) -> None:
        """The server recovered (or, ``recovered=False``, did not recover) the session on
        ``name``'s latest reconnection."""
        client = self.client(name)
        judge_recovered(client, recovered)

    def expect_connected(self, name: str) -> None:
        client = self.client(name)
        _verdict(connected(name, client.outcome, client.connected))

    def expect_rejected(
        self, name: str, status: int | None = None, body: Condition | None = None
    ) -> ConnectionOutcome:
        """The server refused ``name``'s handshake (with ``status``; its body meeting ``body``,
        a condition on the body's text such as ``$ contains "Invalid token"``).

        The refusal becomes :attr:`last_response`, so later steps can check its headers.
        """
        outcome = self.client(name).outcome
        assert outcome is not None
        answer, body_met = "", True
        if outcome.opened_at is None and outcome.rejected:
            response = self.last_response = refusal_response(outcome)
            answer = describe_refusal(response)
            body_met = body is None or body.test(response.text)
        wanted = body.matcher.describe() if body is not None else None
        _verdict(
            rejected(
                name, outcome, status=status, answer=answer, body_wanted=wanted, body_met=body_met
            )
        )
        return outcome

    def expect_subprotocol(self, name: str, subprotocol: str | None) -> None:
        client = self.client(name)
        _verdict(uses_subprotocol(name, client.outcome, subprotocol))

    # -- HTTP -----------------------------------------------------------------------------

    def http_url(self, target: str) -> str:
        """An HTTP address: ``target`` resolved against the server's (``ws`` → ``http``)."""
        return identities.http_url(self.run.base_url, target)

    def request(
        self,
        name: str,
        method: str,
        target: str,
        *,
        headers: dict[str, str] | None = None,
        query: Sequence[tuple[str, str]] = (),
        body: Body | None = None,
    ) -> Response:
        """Send an HTTP request as ``name`` (``I``: the scenario's anonymous visitor), with
        that name's cookies; the answer becomes :attr:`last_response`."""
        response = self.http.request(
            name,
            method,
            self.http_url(target),
            headers=headers,
            query=query,
            body=body or Body(),
            step=self.current_step,
        )
        self.last_response = response
        return response

    def follow_redirect(self, name: str) -> Response:
        """``name`` opens the ``Location`` of the latest response (a 3xx): the way on after
        a form's POST.  Same-origin redirects from there on are followed as usual."""
        response = self.response()
        location = response.header("location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            raise ExpectationFailed(
                f"{who_is(name)} cannot follow a redirect: the "
                f"latest response is HTTP {response.status}"
                + (
                    ", not a redirect."
                    if response.status < 300 or response.status > 399
                    else " with no Location header."
                ),
                step=self.current_step,
            )
        target = identities.resolve_request(response.url, location)  # the Location joined as a link
        if origin_of(target) != origin_of(response.url):
            raise FeatureMistake(
                f"The redirect leads to another origin ({masked_address(target)}); wsbdd does "
                "not take credentials there by itself: write that address in a step to go there."
            )
        return self.request(name, "GET", target)

    def response(self) -> Response:
        """The latest HTTP response; a clear sentence when no request was made yet."""
        if self.last_response is None:
            raise FeatureMistake(
                "There is no response yet in this scenario; make a request first, e.g. "
                '"When I GET "/api/health"".'
            )
        return self.last_response

    def remember_value(self, variable: str, value: Any) -> Any:
        self.vars.set(variable, value)
        return value

    def cookie(self, name: str, cookie: str) -> str:
        """The value of ``name``'s cookie ``cookie``; a sentence naming the cookies it has."""
        return self.http.need_cookie(name, cookie, self.current_step)

    # -- groups ---------------------------------------------------------------------------

    def group_members(self, group: str) -> list[str]:
        """The clients of ``group`` in the order they were added."""
        return members_of(self.groups, group)

    def connect_group(
        self,
        group: str,
        names: Sequence[str],
        target: str | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        subprotocols: Sequence[str] | None = None,
        **ramp: Any,
    ) -> list[ConnectionOutcome]:
        """Connect ``names`` as members of ``group`` (all of them, concurrently, bounded).

        ``ramp``: ``require``, ``offsets``, ``concurrency`` and ``watch`` as for
        :meth:`connect_all`.
        """
        ensure_open_files(len(names), in_process_server=self.run.demo is not None)
        outcomes = self.connect_all(
            names, target, token=token, headers=headers, subprotocols=subprotocols, **ramp
        )
        join_group(self.groups.setdefault(group, {}), names)
        return outcomes

    def send_each(self, names: Sequence[str], payloads: Sequence[Intent]) -> None:
        """Every client sends its own payload (a frame or an intent), all at the same moment
        (not one after another)."""
        clients = [self.client(name, need_open=True) for name in names]
        limit = self.settings.timeout
        try:
            held_up = self._run(send_all(clients, payloads, limit), limit)
        except ConnectionLost:
            # Name who could not send (all of them when the loss was not yet noticed),
            # and how many more a long group holds, so the list is never empty or cut short.
            gone = [c.name for c in clients if not c.connected] or [c.name for c in clients]
            more = f" and {len(gone) - 10} more" if len(gone) > 10 else ""
            raise ConnectionProblem(
                f"{', '.join(gone[:10])}{more} could not send: the connection closed."
            ) from None
        except TypeError as exc:
            # One codec serves the run, so the first refusal speaks for every client.
            sentence = refused_intent(clients[0].codec.name, payloads[0], exc)
            raise FeatureMistake(sentence, step=self.current_step) from None
        if held_up:
            who = [client.name for client in held_up]
            more = f" and {len(who) - 10} more" if len(who) > 10 else ""
            what = (
                "they send (the connections' buffers are full)"
                if len(who) > 1
                else f"{who[0]} sends (the connection's buffers are full)"
            )
            raise ConnectionProblem(
                f"{', '.join(who[:10])}{more} could not finish sending within "
                f"{format_duration(limit)}: the server has stopped reading what {what}.",
                step=self.current_step,
            )

    def receive_each(
        self,
        names: Sequence[str],
        matchers: Sequence[Matcher],
        timeout: float | None = None,
        *,
        subject: str = "client",
        op: GroupOp = "every",
        n: int = 0,
    ) -> list[Message]:
        """Each client waits for its own matching message, all at once.

        ``op`` ``every``: all must receive one; ``exactly``/``at least``/``at most``
        ``n`` of them.  A failure names the clients that did not, and what they had.
        """
        limit = self._timeout(timeout)
        clients = [self.client(name) for name in names]
        refuse_unopened(clients)
        expectations = [
            Receive(c.name, m, limit, self._noise_for(m), self._background())
            for c, m in zip(clients, matchers, strict=True)
        ]
        settle = self.settings.settle
        outcomes = self._run(decide_each(clients, expectations, op, n, settle), limit + settle)
        results = [(c.name, e, o) for c, e, o in zip(clients, expectations, outcomes, strict=True)]
        return judge_receives(subject, op, n, matchers, limit, results)

    def receive_nothing_each(
        self, names: Sequence[str], matcher: Matcher | None = None, window: float | None = None
    ) -> None:
        """None of the clients has or gets an unread (matching) message within the window."""
        window = self.settings.quiet_window if window is None else window
        clients = [self.client(name) for name in names]
        quiet = [Quiet(c.name, matcher, window, self._noise_for(matcher)) for c in clients]
        judge_quiet(self._run(quiet_each(clients, quiet), window))

    # -- end of scenario ------------------------------------------------------

    def strict_problems(self) -> str | None:
        """The sentence strict mode fails with, or None when every message was expected.

        Waits first until no frame has arrived for the ``settle`` window (at most
        ten windows, at least one second in all): a reply still on its way when
        the last step ended is judged every time, not only when it happens to be
        fast.
        """
        window = self.settings.settle
        if window > 0 and self.loop_thread.running:
            self._run(settle(self.pool, window), settle_limit(window))
        noise = self.is_noise if self._noise else None
        return strict_sentence(self._call(lambda: unexpected(self.pool, noise)))

    def close(self) -> None:
        """Close every client of the scenario (pass or fail)."""
        if self.loop_thread.running:
            self._sending = []  # a send still held up is cut short with its connection
            timeout = self.settings.close_timeout + 2
            self.loop_thread.run(self.pool.close_all(), timeout + _BRIDGE_MARGIN)
        self.http.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _verdict(outcome: Outcome) -> None:
    """Raise a failed verdict's failure, as data."""
    if outcome.why is not None:
        raise ExpectationFailed(outcome.why)
