"""Codecs by name: the built-in ones, the ones a project registers, and ``module:Class``.

The ``codec`` setting names one: ``"websocket"`` (the default), a name given to
:func:`register_codec`, or ``"package.module:Class"`` (imported when the
settings are read, so a typo stops the run before any scenario).  Every client
gets a codec object of its own from :func:`codec_factory`.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Sequence

from wsbdd.codec.auto_reply import AutoReply, AutoReplying
from wsbdd.codec.base import Codec
from wsbdd.codec.socketio import SocketIOCodec
from wsbdd.codec.stomp import StompCodec
from wsbdd.codec.websocket import WebSocketCodec

__all__ = ["CodecNotFound", "register_codec", "find_codec", "codec_factory", "codec_names"]

CodecFactory = Callable[[], Codec]

_CODECS: dict[str, CodecFactory] = {
    "websocket": WebSocketCodec,
    "socket.io": SocketIOCodec,
    "socketio": SocketIOCodec,
    "stomp": StompCodec,
}


class CodecNotFound(ValueError):
    """The ``codec`` setting names no codec; the message is one sentence saying what to write."""


def register_codec(name: str, factory: CodecFactory, *, replace: bool = False) -> None:
    """Make ``codec = "<name>"`` mean ``factory()`` (a class, or any callable making one codec).

    Registering a name twice is an error unless ``replace``: two plugins claiming
    one name would otherwise depend on import order.
    """
    if not name or ":" in name or name != name.strip():
        raise ValueError(f"a codec name is one word without ':' (got {name!r})")
    if name in _CODECS and _CODECS[name] is not factory and not replace:
        raise ValueError(f'a codec called "{name}" is already registered')
    _CODECS[name] = factory


def codec_names() -> list[str]:
    return sorted(_CODECS)


def find_codec(spec: str) -> CodecFactory:
    """The factory for ``spec``: a registered name or ``package.module:Class``."""
    spec = spec.strip()
    if spec in _CODECS:
        return _CODECS[spec]
    if ":" not in spec:
        close = difflib.get_close_matches(spec, _CODECS, n=1, cutoff=0.6)
        hint = f'did you mean "{close[0]}"? ' if close else ""
        known = ", ".join(f'"{name}"' for name in codec_names())
        raise CodecNotFound(
            f'there is no codec called "{spec}"; {hint}write one of {known}, or '
            '"package.module:Class" for a codec of your own.'
        )
    module_name, _, attribute = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise CodecNotFound(
            f'the codec "{spec}" cannot be imported ({error}); check the module name and that '
            "it is importable from the project folder."
        ) from None
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise CodecNotFound(
            f'the codec "{spec}" names nothing callable: the module {module_name} has no '
            f'class or function "{attribute}".'
        )
    return factory  # type: ignore[no-any-return]


def codec_factory(spec: str = "websocket", auto_reply: Sequence[AutoReply] = ()) -> CodecFactory:
    """A function making one codec per client, with the ``auto_reply`` rules around it."""
    factory = find_codec(spec)
    if not auto_reply:
        return factory
    rules = tuple(auto_reply)

    def make() -> Codec:
        return AutoReplying(factory(), rules)

    return make
