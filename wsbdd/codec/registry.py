"""Codecs by name: the built-in ones, the ones a project registers, and ``module:Class``.

The ``codec`` setting names one: ``"websocket"`` (the default), a name given to
:func:`register_codec`, or ``"package.module:Class"`` (imported when the
settings are read, so a typo stops the run before any scenario).  Every client
gets a codec object of its own from :func:`codec_factory`.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Callable, Sequence

from wsbdd.codec.auto_reply import AutoReply, AutoReplying
from wsbdd.codec.base import Codec
from wsbdd.codec.graphql import GraphQLCodec, LegacyGraphQLCodec
from wsbdd.codec.socketio import SocketIOCodec
from wsbdd.codec.stomp import StompCodec
from wsbdd.codec.websocket import WebSocketCodec

__all__ = [
    "CodecNotFound",
    "register_codec",
    "register_project_codec",
    "find_codec",
    "codec_factory",
    "codec_names",
]

CodecFactory = Callable[[], Codec]

_CODECS: dict[str, CodecFactory] = {
    "websocket": WebSocketCodec,
    "socket.io": SocketIOCodec,
    "socketio": SocketIOCodec,
    "graphql": GraphQLCodec,
    "graphql-transport-ws": GraphQLCodec,
    "graphql-ws": LegacyGraphQLCodec,
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


_NAME = re.compile(r"[a-z][a-z0-9._-]*\Z")
_CODEC_METHODS = ("opening", "decode", "encode", "tick", "next_deadline", "closing")
_WSBDD_WORDS = frozenset(
    {"raw", "plain", "socket-io", "graphql", "graphql-ws", "graphql-transport-ws", "stomp"}
)
"""Names a feature's words already mean (``Given the server speaks GraphQL``, ``@stomp``):
never a project's codec, even before the codec that owns one is registered."""
_FROM_PROJECT: dict[str, str] = {}
"""Names registered from a project's ``[codecs]`` table → their ``module:Class``."""


def _is_wsbdds(factory: CodecFactory) -> bool:
    return (getattr(factory, "__module__", "") or "").split(".")[0] == "wsbdd"


def _broken(module_name: str, error: BaseException) -> str:
    return (
        f"importing {module_name} failed ({type(error).__name__}: {error}); fix the module "
        "so that `python -c 'import "
        f"{module_name}'` works in the project folder"
    )


def register_project_codec(name: str, spec: str) -> CodecFactory:
    """Register ``[codecs] <name> = "<module:Class>"``: import it (from the project folder,
    which the caller puts on ``sys.path``), check that it makes codecs, and make ``name`` a
    protocol.  Reading the settings again (another project) may give the name another class.

    Raises :class:`CodecNotFound` whose message is the end of a sentence about the entry.
    """
    if not _NAME.match(name):
        raise CodecNotFound(
            f'the name "{name}" is not a codec name; write it in lower case, a letter first, '
            'then letters, digits, ".", "-" or "_" (e.g. jsonrpc)'
        )
    if name in _WSBDD_WORDS or (name in _CODECS and _is_wsbdds(_CODECS[name])):
        raise CodecNotFound(
            f'"{name}" is the name of a protocol wsbdd knows already; give your codec a name '
            f'of its own, e.g. "my-{name}"'
        )
    if name in _CODECS and name not in _FROM_PROJECT:
        raise CodecNotFound(
            f'a codec called "{name}" is already registered (by register_codec); give this '
            "one another name, or remove one of the two"
        )
    spec = spec.strip()
    if ":" not in spec:
        raise CodecNotFound(f'write the codec as "module:Class" (e.g. "mycodecs:{spec or "X"}")')
    module_name, _, attribute = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        absent = error.name and (module_name + ".").startswith(error.name + ".")
        if absent:  # the module itself (or its package) is not there
            raise CodecNotFound(
                f"there is no module {module_name}; put {module_name.replace('.', '/')}.py in "
                "the project folder (where the settings file is) or fix the module path"
            ) from None
        raise CodecNotFound(_broken(module_name, error)) from None
    except Exception as error:  # a codec module with a bug of its own
        raise CodecNotFound(_broken(module_name, error)) from None
    factory = getattr(module, attribute, None)
    if factory is None:
        close = difflib.get_close_matches(attribute, dir(module), n=1, cutoff=0.6)
        hint = f'write "{module_name}:{close[0]}"' if close else "check the class name"
        raise CodecNotFound(f'the module {module_name} has no "{attribute}"; {hint}')
    missing = [m for m in _CODEC_METHODS if not callable(getattr(factory, m, None))]
    if not callable(factory) or (isinstance(factory, type) and missing):
        lacks = f" (it has no {', '.join(missing)})" if callable(factory) else ""
        raise CodecNotFound(
            f"{module_name}.{attribute} is not a codec{lacks}; subclass "
            "wsbdd.codec.BaseCodec (docs/codecs.md)"
        )
    _FROM_PROJECT[name] = spec
    _CODECS[name] = factory
    return factory  # type: ignore[no-any-return]


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
