"""Which protocol a scenario's clients speak: plain WebSocket, Socket.IO, GraphQL, STOMP, or
a codec of the project's own.

A mixin of :class:`~wsbdd.facade.session.Session`.  The run's ``protocol`` setting chooses
one codec for every client; a scenario may choose another for the clients it connects
afterwards (:meth:`ProtocolSession.use_protocol`: the step "Given the server speaks GraphQL",
or a tag such as ``@stomp``), and a step may connect some clients over a protocol of their
own with options for that connection only (:meth:`ProtocolSession.connect_over`: a
Socket.IO auth payload, GraphQL connection params, a STOMP login).

Protocols are codecs by another name: any name the codec registry knows
(:func:`wsbdd.codec.find_codec`) is a protocol a scenario may speak.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wsbdd.codec import CodecNotFound, codec_names, find_codec
from wsbdd.model.errors import FeatureMistake

if TYPE_CHECKING:
    from wsbdd.codec.base import Codec
    from wsbdd.io.client import ConnectionOutcome
    from wsbdd.model.variables import Variables
    from wsbdd.settings.config import Settings

__all__ = ["ProtocolSession", "PROTOCOL_TAGS", "protocol_name", "protocol_title", "WEBSOCKET"]

WEBSOCKET = "websocket"
"""Plain WebSocket: every frame is one message (the default protocol)."""

_ALIASES = {
    "socket.io": "socket.io",
    "socketio": "socket.io",
    "socket-io": "socket.io",
    "plain websocket": WEBSOCKET,
    "websocket": WEBSOCKET,
    "raw": WEBSOCKET,
    "graphql": "graphql-transport-ws",
    "graphql-transport-ws": "graphql-transport-ws",
    "graphql over graphql-transport-ws": "graphql-transport-ws",
    "graphql-ws": "graphql-ws",
    "graphql over graphql-ws": "graphql-ws",
    "stomp": "stomp",
}

_TITLES = {
    "socket.io": "Socket.IO",
    "graphql-transport-ws": "GraphQL",
    "graphql-ws": "GraphQL over graphql-ws",
    "stomp": "STOMP",
    WEBSOCKET: "plain WebSocket",
}

PROTOCOL_TAGS = frozenset(
    {"socket.io", "socketio", "graphql", "graphql-transport-ws", "graphql-ws", "stomp"}
)
"""Tags that choose a scenario's protocol (``@socket.io``, ``@graphql``, ``@stomp``)."""


def protocol_name(text: str) -> str:
    """The codec name a feature's words mean: ``Socket.IO`` → ``socket.io``, ``GraphQL`` →
    ``graphql-transport-ws``, ``STOMP`` → ``stomp``; other names as they are (lower case),
    and a project's codec (``package.module:Class``) exactly as written."""
    if ":" in text:  # Python names are case-sensitive: lowering one finds nothing
        return text.strip()
    lowered = " ".join(text.strip().lower().split())
    return _ALIASES.get(lowered, lowered)


def protocol_title(name: str) -> str:
    """How sentences name a protocol: ``socket.io`` → ``Socket.IO``."""
    return _TITLES.get(name, name)


def _spoken() -> str:
    """The protocols a feature may name, as a sentence lists them."""
    known = set(codec_names())
    titles = [f'"{title}"' for name, title in _TITLES.items() if name in known]
    return ", ".join(titles[:-1]) + f" or {titles[-1]}" if len(titles) > 1 else "".join(titles)


@dataclass(frozen=True)
class _Connecting:
    """While a step connects clients over a protocol of their own: which, and its options."""

    protocol: str
    options: dict[str, Any]


class _ProtocolState:
    """What one scenario chose: its protocol, and the step connecting clients right now."""

    __slots__ = ("protocol", "connecting")

    def __init__(self) -> None:
        self.protocol: str | None = None
        self.connecting: _Connecting | None = None


def _state(session: Any) -> _ProtocolState:
    state: _ProtocolState | None = getattr(session, "_protocol_state", None)
    if state is None:
        state = _ProtocolState()
        session._protocol_state = state
    return state


class ProtocolSession:
    """The protocol part of :class:`~wsbdd.facade.session.Session` (a mixin)."""

    if TYPE_CHECKING:  # what the mixin uses of the Session it is part of
        settings: Settings
        vars: Variables

        def connect_all(
            self,
            names: Sequence[str],
            target: str | None = None,
            *,
            require: bool = True,
            codec: Callable[[], Codec] | None = None,
        ) -> list[ConnectionOutcome]: ...

    def use_protocol(self, protocol: str) -> None:
        """Clients connected from now on in this scenario speak ``protocol`` (``Socket.IO``,
        ``GraphQL``, ``STOMP``, ``plain WebSocket`` or any registered codec's name)."""
        name = protocol_name(protocol)
        if name != WEBSOCKET:
            try:
                find_codec(name)
            except CodecNotFound:
                close = difflib.get_close_matches(name, codec_names(), n=1, cutoff=0.75)
                hint = f'did you mean "{close[0]}"? ' if close else ""  # a [codecs] typo
                raise FeatureMistake(
                    f'wsbdd does not know the protocol "{protocol}"; {hint}write {_spoken()}, '
                    "or the name of a codec of your own (docs/codecs.md)."
                ) from None
        _state(self).protocol = name

    @property
    def protocol(self) -> str | None:
        """The scenario's own protocol (``socket.io``, ``stomp``, ``websocket``…); None: the
        run's ``protocol`` setting."""
        return _state(self).protocol

    def speaking(self, codec: Callable[[], Codec] | None = None) -> str:
        """The protocol clients connected now speak: ``codec``'s when given, else the step
        connecting them, the scenario's, or the run's."""
        if codec is not None:
            return protocol_name(codec().name)
        state = _state(self)
        if state.connecting is not None:
            return state.connecting.protocol
        if state.protocol is not None:
            return state.protocol
        return protocol_name(self.settings.codec)

    def codec_over(self, protocol: str, client: str | None = None, **options: Any) -> Any:
        """A factory of ``protocol``'s codecs for ``client`` with the run's settings for that
        protocol (its table's ``${…}`` filled in, ``${client}`` the client's name), and
        ``options`` instead of the configured ones where given."""
        variables = self.vars.child(client=client) if client is not None else self.vars
        return self.settings.codec_for(protocol=protocol, variables=variables, **options)

    def scenario_codec(self, client: str) -> Callable[[], Codec] | None:
        """The codec factory for ``client``: the step's connecting it, else the scenario's
        protocol's, else the run's when its settings may have ``${client}`` to fill in (None:
        the run's codec as the pool makes it)."""
        state = _state(self)
        if state.connecting is not None:
            return self.codec_over(state.connecting.protocol, client, **state.connecting.options)
        if state.protocol == WEBSOCKET:  # plain WebSocket, even in a run of another protocol
            return self.settings.codec_for(protocol=WEBSOCKET)
        if state.protocol is not None:
            return self.codec_over(state.protocol, client)
        if self.settings.per_client_codec():
            return self.codec_over(protocol_name(self.settings.codec), client)
        return None

    def connect_over(
        self, protocol: str, names: Sequence[str], *, require: bool = True, **options: Any
    ) -> list[ConnectionOutcome]:
        """Connect ``names`` over ``protocol`` whatever the scenario and the run speak, with
        ``options`` for these connections only (given to the codec: a Socket.IO
        ``namespaces``/``auth``, GraphQL ``params``, a STOMP ``login``/``passcode``)."""
        state = _state(self)
        state.connecting = _Connecting(protocol_name(protocol), dict(options))
        try:
            return self.connect_all(names, require=require)
        finally:
            state.connecting = None
