"""Project settings: where the app under test is and how wsbdd talks to it.

Settings come from five places; each one overrides the one before, key by key:

1. defaults (this module);
2. ``[tool.wsbdd]`` in ``pyproject.toml``;
3. ``wsbdd.toml`` (the same keys at the top level);
4. environment variables ``WSBDD_<KEY>`` (``WSBDD_URL``, ``WSBDD_TOKEN_PLACE``);
5. behave userdata ``wsbdd.<key>`` (``behave -D wsbdd.url=ws://…`` or
   ``[tool.behave.userdata]``).

Everything is validated before any scenario runs.  A problem is a
:class:`~wsbdd.errors.ConfigError` whose one-line message names where the
value came from (file and key, environment variable, or ``-D`` option), what
is wrong, and what is allowed.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import json
import math
import os
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from wsbdd.codec import (
    AutoReply,
    AutoReplying,
    Codec,
    CodecNotFound,
    SocketIOCodec,
    find_codec,
)
from wsbdd.codec.registry import register_project_codec
from wsbdd.model.address import EXAMPLE, AddressProblem, websocket_url
from wsbdd.model.errors import ConfigError, FeatureMistake
from wsbdd.model.reconnection import ReconnectPolicy
from wsbdd.model.variables import RESERVED_PREFIXES, Variables, find_placeholders, is_valid_name

__all__ = [
    "GraphQLSettings",
    "Settings",
    "SocketIOSettings",
    "StompSettings",
    "TokenSettings",
    "TlsSettings",
    "load_settings",
    "TOKEN_PLACES",
    "EXTRA_TABLES",
]

TOKEN_PLACES = ("query", "header", "message")
SOCKETIO_TRANSPORTS = ("websocket", "polling", "polling-only")
EXTRA_TABLES = ("phrases", "load", "report")
"""Tables kept raw in :attr:`Settings.extras` for the features that read them."""


def _frozen(mapping: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class TokenSettings:
    """How the client passes ``${token}`` to the app when it connects."""

    place: Literal["query", "header", "message"] = "query"
    query_param: str = "token"
    header: str = "Authorization"
    scheme: str = "Bearer"
    """The header value is ``f"{scheme} {token}"``; an empty scheme sends the token alone."""
    message: str = '{"type": "auth", "token": "${token}"}'
    """Sent as the first frame when ``place == "message"``."""

    def header_value(self, token: str) -> str:
        """The value of :attr:`header` for *token*."""
        return f"{self.scheme} {token}" if self.scheme else token


@dataclass(frozen=True)
class SocketIOSettings:
    """The ``[socketio]`` table: how a Socket.IO client (``protocol = "socket.io"``) connects."""

    path: str = "/socket.io/"
    """Where the server listens for Engine.IO (python-socketio's and socket.io's default)."""
    auth: Any = None
    """The CONNECT payload (a table); its texts may use ``${…}``, filled in per scenario,
    and every one of its values is a secret (masked in reports)."""
    namespaces: tuple[str, ...] = ("/",)
    """Connected when a client connects; it is connected once the server accepted all."""
    transport: Literal["websocket", "polling", "polling-only"] = "websocket"
    """``"polling"`` starts on HTTP long-polling and upgrades, as the official clients do;
    ``"polling-only"`` never upgrades."""


@dataclass(frozen=True)
class GraphQLSettings:
    """The ``[graphql]`` table: how a GraphQL client (``protocol = "graphql"`` or
    ``"graphql-ws"``, or a scenario's "Given the server speaks GraphQL") connects."""

    url: str | None = None
    """The ``ws://`` address of GraphQL clients; None: the run's ``url``."""
    path: str = "/graphql"
    """Added to an address that has no path of its own (Strawberry's, Apollo's default)."""
    params: Any = None
    """The ``connection_init`` payload (a table, the server's connection params); its texts
    may use ``${…}``, filled in per client, and its values are secrets (masked in reports)."""
    http_url: str | None = None
    """Where queries and mutations "over HTTP" go; None: the WebSocket address with an
    ``http(s)`` scheme (see :meth:`http_address`)."""

    def options(self, variables: Variables | None = None) -> dict[str, Any]:
        """The codec's keyword arguments: ``params`` (its ``${…}`` filled in from
        ``variables``, when given) and ``path``."""
        params = self.params
        if params is not None and variables is not None:
            params = _rendered(variables, params)
        return {"params": params, "path": self.path}

    def http_address(self, url: str) -> str:
        """The HTTP address of GraphQL queries for a run whose GraphQL clients connect to
        ``url``: :attr:`http_url` when set, else ``url`` with an ``http(s)`` scheme (and
        :attr:`path` when it has no path)."""
        if self.http_url:
            return self.http_url
        parts = urlsplit(url)
        scheme = {"ws": "http", "wss": "https"}.get(parts.scheme.lower(), parts.scheme)
        path = parts.path if parts.path not in ("", "/") else self.path
        return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


@dataclass(frozen=True)
class StompSettings:
    """The ``[stomp]`` table: how a STOMP client (``protocol = "stomp"``, ``@stomp``)
    connects to its broker."""

    url: str | None = None
    """The broker's STOMP-over-WebSocket address (RabbitMQ: ``ws://host:15674/ws``); None:
    the run's url."""
    login: str | None = None
    """CONNECT's ``login``; may use ``${…}``."""
    passcode: str | None = None
    """CONNECT's ``passcode``: a secret (masked in reports); may use ``${env.PW}``."""
    host: str = "/"
    """CONNECT's ``host``: the virtual host (RabbitMQ's default is ``/``)."""
    heart_beat: tuple[int, int] = (10000, 10000)
    """CONNECT's ``heart-beat`` in milliseconds: how often the client can send one and how
    often it wants one from the broker (0: never)."""
    version: str | None = None
    """The STOMP versions offered (``"1.2"``, ``"1.1,1.2"``); None: 1.0, 1.1 and 1.2."""

    def options(self, variables: Variables | None = None) -> dict[str, Any]:
        """The :class:`~wsbdd.codec.StompCodec` keyword arguments, ``${…}`` filled in from
        ``variables`` (per client: a login may use ``${client}``)."""

        def filled(text: str | None) -> str | None:
            if text is None or variables is None:
                return text
            return str(variables.render_text(text))

        return {
            "login": filled(self.login),
            "passcode": filled(self.passcode),
            "host": filled(self.host) or "/",
            "heart_beat": self.heart_beat,
            "version": self.version,
        }


@dataclass(frozen=True)
class TlsSettings:
    """How ``wss://`` (and ``https://``) connections check the server and show who we are.

    Paths are absolute (a relative path in the settings is relative to the project folder).
    """

    verify: bool = True
    """``False`` accepts any certificate: only for a throwaway test server."""
    ca_file: Path | None = None
    """A PEM file of CA certificates trusted in addition to the system's."""
    ca_dir: Path | None = None
    """A folder of CA certificates in OpenSSL's hashed layout (``c_rehash``)."""
    client_cert: Path | None = None
    """The client's certificate (PEM), for servers that ask for one; may hold the key too."""
    client_key: Path | None = None
    """The private key of :attr:`client_cert`, when it is in a file of its own."""


@dataclass(frozen=True)
class Settings:
    """Validated wsbdd settings for one run.  Durations are seconds."""

    url: str | None = None
    """Base ``ws://`` or ``wss://`` URL, kept as written (``http(s)://`` is read as
    ``ws(s)://``); ``None`` starts the bundled demo server."""
    timeout: float = 5.0
    quiet_window: float = 0.3
    settle: float = 0.1
    connect_timeout: float = 5.0
    close_timeout: float = 2.0
    token: TokenSettings = field(default_factory=TokenSettings)
    tls: TlsSettings = field(default_factory=TlsSettings)
    headers: Mapping[str, str] = field(default_factory=_frozen)
    subprotocols: tuple[str, ...] = ()
    compression: bool = False
    same_cpu: bool = True  # a step waiting for wsbdd's event loop waits on the loop's CPU
    console_hold: float = 0.05
    """How long an unbuffered console (no terminal) may hold a step's line to write it
    with the next ones (wsbdd.report.console); 0 writes each line at once."""
    loop: Literal["asyncio", "uvloop"] = "asyncio"
    """The event loop wsbdd's connections run on; ``"uvloop"`` needs the uvloop package."""
    proxy: str | None = None
    """``None`` never uses a proxy (websockets' own default would read ``HTTPS_PROXY``)."""
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 20.0
    max_size: int = 1048576
    inbox_limit: int = 0
    """Claimed messages each client keeps (0: all); a bound for load crowds' memory."""
    codec: str = "websocket"
    """What frames mean: ``"websocket"`` (one frame, one message), ``"socket.io"``, a
    registered codec's name, or ``"package.module:Class"`` (docs/codecs.md).  The
    ``protocol`` setting is the same setting under the name users know."""
    socketio: SocketIOSettings = field(default_factory=SocketIOSettings)
    graphql: GraphQLSettings = field(default_factory=GraphQLSettings)
    """``[graphql]``: the GraphQL clients' address, path and connection params."""
    stomp: StompSettings = field(default_factory=StompSettings)
    """``[stomp]``: the STOMP broker's address and the CONNECT frame (docs/stomp.md)."""
    codecs: Mapping[str, str] = field(default_factory=_frozen)
    """``[codecs]``: the project's own codecs, name → ``"module:Class"``, registered when the
    settings are read: ``protocol = "<name>"``, "Given the server speaks <name>" and the tag
    ``@<name>`` choose one (docs/codecs.md, "Your own protocol")."""
    codec_options: Mapping[str, Mapping[str, Any]] = field(default_factory=_frozen)
    """The ``options`` of a ``[codecs]`` entry written as a table: that codec's keyword
    arguments, their ``${…}`` filled in for each client."""
    auto_reply: tuple[AutoReply, ...] = ()
    """Frames the reader answers at once, between steps (simple keep-alives)."""
    reconnection: ReconnectPolicy = field(default_factory=ReconnectPolicy)
    """``[reconnection]``: whether every client reconnects by itself when its connection
    is lost, how many times it tries and how long it waits (docs/socketio.md)."""
    strict: bool = False
    ignore: tuple[str, ...] = ()
    variables: Mapping[str, Any] = field(default_factory=_frozen)
    secrets: tuple[str, ...] = ()
    credential_names: tuple[str, ...] = ()
    """Names of headers, JSON fields and query parameters whose values are credentials,
    besides wsbdd's own (``*token*``, ``*password*``, ``authorization``…): patterns with
    ``*`` and ``?`` (``["*pin*", "x-signature"]``), case ignored."""
    source: str = "defaults"
    extras: Mapping[str, Any] = field(default_factory=_frozen)
    """Raw ``phrases`` / ``load`` / ``report`` tables, for the features that read them."""
    origins: Mapping[str, str] = field(default_factory=_frozen)
    """Dotted key (``"url"``, ``"token.place"``) → where its value came from."""

    def origin_of(self, key: str) -> str:
        """Where the value of *key* came from, e.g. ``environment variable WSBDD_URL``."""
        return self.origins.get(key, "default")

    @property
    def protocol(self) -> str:
        """The ``protocol`` setting: the same as :attr:`codec`."""
        return self.codec

    def codec_for(
        self,
        protocol: str | None = None,
        namespaces: Iterable[str] | None = None,
        auth: Any = None,
        variables: Variables | None = None,
        **options: Any,
    ) -> Callable[[], Codec]:
        """A factory making one client's codec: the run's ``protocol`` unless ``protocol``
        names another (a client's or a scenario's own), with ``auto_reply`` around it.

        For Socket.IO the ``[socketio]`` table applies: ``namespaces`` and ``auth`` replace
        its ``namespaces`` and ``auth`` for this client (the step's auth is used as
        given; the configured one has its ``${…}`` filled in from ``variables``).  A codec
        class naming a table of these settings in ``settings_table`` (``"graphql"``,
        ``"stomp"``) gets that table's ``options(variables)`` as keyword arguments, and
        ``options`` over them; any other codec gets ``options`` alone.  An unknown
        ``protocol`` raises :class:`~wsbdd.codec.CodecNotFound`, whose message is the end
        of a sentence.
        """
        spec = protocol.strip() if protocol else self.codec
        factory = find_codec(spec)
        found: Any = factory
        if isinstance(found, type) and issubclass(found, SocketIOCodec):
            table = self.socketio
            chosen = tuple(namespaces) if namespaces is not None else table.namespaces
            if auth is None and table.auth is not None and variables is not None:
                # Filled in as each client is made, not now: a configured auth may use
                # ${client}, which only a client being connected has (see the facade's
                # scenario_codec).
                configured, seen, path = table.auth, variables, table.path

                def made() -> Codec:
                    return found(  # type: ignore[no-any-return]
                        namespaces=chosen, auth=_rendered(seen, configured), path=path
                    )

                factory = made
            else:
                auth = table.auth if auth is None else auth
                factory = functools.partial(found, namespaces=chosen, auth=auth, path=table.path)
        else:
            table_name = getattr(found, "settings_table", None)
            configured_table = getattr(self, table_name, None) if table_name else None
            if configured_table is not None:
                made_options = {**configured_table.options(variables), **options}
                factory = functools.partial(found, **made_options)
            elif spec in self.codec_options:  # [codecs] name = {codec = …, options = {…}}
                own = self.codec_options[spec]
                own = _rendered(variables, own) if variables is not None else own
                factory = functools.partial(found, **{**own, **options})
            elif options:
                factory = functools.partial(found, **options)
        if not self.auto_reply:
            return factory
        rules, inner = self.auto_reply, factory

        def make() -> Codec:
            return AutoReplying(inner(), rules)

        return make

    def per_client_codec(self) -> bool:
        """Whether each client needs a codec made for it (the run's protocol has settings
        that may use ``${client}``), rather than the one factory the pool keeps."""
        found: Any = find_codec(self.codec)
        if isinstance(found, type) and issubclass(found, SocketIOCodec):
            return self.socketio.auth is not None
        return bool(getattr(found, "settings_table", None)) or self.codec in self.codec_options

    def protocol_url(self, protocol: str) -> str | None:
        """The address configured for ``protocol``'s clients (its table's ``url``), if any:
        a suite may reach its GraphQL and STOMP servers at addresses of their own."""
        try:
            found: Any = find_codec(protocol)
        except CodecNotFound:
            return None
        table_name = getattr(found, "settings_table", None)
        table = getattr(self, table_name, None) if table_name else None
        url = getattr(table, "url", None)
        return str(url) if url else None

    def config_values(self) -> dict[str, Any]:
        """The flat values ``${config.KEY}`` reads (``url``, ``token.place``, ``headers.X``)."""
        values: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("variables", "secrets", "source", "extras", "origins", "codecs"):
                continue
            if f.name == "codec_options":  # may hold secrets: not for ${config.…}
                continue
            value = getattr(self, f.name)
            if f.name in ("token", "tls", "socketio", "graphql", "reconnection", "stomp"):
                for sub in fields(value):
                    if sub.name in ("auth", "params", "passcode"):
                        continue  # a secret: not for ${config.…}
                    item = getattr(value, sub.name)
                    if isinstance(item, Path):
                        item = str(item)
                    elif isinstance(item, tuple):
                        item = list(item)
                    values[f"{f.name}.{sub.name}"] = item
            elif f.name == "headers":
                for name, header in value.items():
                    values[f"headers.{name}"] = header
            elif isinstance(value, tuple):
                values[f.name] = list(value)
            else:
                values[f.name] = value
        return values

    def new_variables(
        self,
        environ: Mapping[str, str] | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> Variables:
        """Fresh variables for one scenario, starting with ``[tool.wsbdd.variables]``.

        String values are rendered once, in the order they are configured, so a
        configured value may use ``${env.NAME}``, ``${config.KEY}``, a generator
        (fresh per scenario) or an earlier configured variable.  *config* adds to or
        replaces :meth:`config_values` (e.g. ``{"url": <the demo server's URL>}``).
        """
        values = self.config_values()
        values.update(config or {})
        variables = Variables(environ=environ, config=values)
        for name, value in self.variables.items():
            if isinstance(value, str | Mapping):
                try:
                    value = _rendered(variables, value)
                except FeatureMistake as mistake:
                    raise FeatureMistake(
                        f'The configured variable "{name}" ({self.origin_of("variables." + name)}) '
                        f"could not be filled in: {mistake}"
                    ) from None
            variables.set(name, value)
        return variables


# -- where a value came from ---------------------------------------------------------------


@dataclass(frozen=True)
class _Origin:
    kind: Literal["pyproject", "wsbdd.toml", "env", "userdata"]
    file: str = ""

    def table(self, path: tuple[str, ...]) -> str:
        """How to name the table holding *path*'s last key, for "unknown key" messages."""
        parents = ".".join(path[:-1])
        if self.kind == "pyproject":
            return f"{self.file} [tool.wsbdd{'.' + parents if parents else ''}]"
        return f"{self.file} [{parents}]" if parents else self.file

    def where(self, path: tuple[str, ...]) -> str:
        if self.kind == "env":
            return f"environment variable {_env_name(path)}"
        if self.kind == "userdata":
            return f"-D wsbdd.{'.'.join(path)}"
        return f"{self.table(path)} {path[-1]}"


def _env_name(path: tuple[str, ...]) -> str:
    return "WSBDD_" + "_".join(path).upper()


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:79] + "…"


def _fail(origin: _Origin, path: tuple[str, ...], value: Any, problem: str) -> ConfigError:
    return ConfigError(f"{origin.where(path)} is {_show(value)}: {problem}.")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _suggest(word: str, choices: Iterable[str], show: Callable[[str], str] = str) -> str:
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean {show(close[0])}?"
    return "known keys: " + ", ".join(show(choice) for choice in choices) + "."


# -- parsing single values ------------------------------------------------------------------

_DURATION_NUMBER = r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*"
"""A setting's number may have a sign (refused with its own sentence) or a bare point."""
_DURATION_HELP = 'use a number of seconds (2, 2.5) or text such as "500 ms" or "2 seconds"'
_TRUE = frozenset({"true", "yes", "1", "on"})
_FALSE = frozenset({"false", "no", "0", "off"})
_OFF = frozenset({"false", "no", "off", "none", "never"})
_HEADER_NAME_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_PROXY_SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")

_Parser = Callable[[Any, _Origin, tuple[str, ...]], Any]


@functools.cache
def _duration_re() -> re.Pattern[str]:
    # The units are the grammar's (wsbdd.match.grammar), the same in every step and
    # setting; imported when first needed so reading settings does not load matching.
    from wsbdd.match.grammar import UNIT

    return re.compile(_DURATION_NUMBER + f"({UNIT})?")


def _unit_seconds(unit: str) -> float:
    from wsbdd.match.grammar import DURATION_UNITS

    return DURATION_UNITS[unit]


def _longest_wait() -> float:
    from wsbdd.match.grammar import LONGEST_WAIT

    return LONGEST_WAIT


def _duration(*, positive: bool, optional: bool = False) -> _Parser:
    def parse(value: Any, origin: _Origin, path: tuple[str, ...]) -> float | None:
        off_help = "; write false to turn it off" if optional else ""
        if optional and (
            value is False or (isinstance(value, str) and value.strip().lower() in _OFF)
        ):
            return None
        if isinstance(value, bool):
            raise _fail(origin, path, value, f"not a duration; {_DURATION_HELP}{off_help}")
        if isinstance(value, int | float):
            seconds = float(value)
        elif isinstance(value, str) and (match := _duration_re().fullmatch(value.strip().lower())):
            seconds = float(match.group(1)) * _unit_seconds(match.group(2) or "s")
        else:
            raise _fail(origin, path, value, f"not a duration; {_DURATION_HELP}{off_help}")
        if not math.isfinite(seconds):
            raise _fail(origin, path, value, f"not a duration; {_DURATION_HELP}")
        if seconds < 0:
            raise _fail(origin, path, value, f"a duration cannot be negative; {_DURATION_HELP}")
        if seconds > _longest_wait():
            problem = "longer than wsbdd ever waits (24 hours); write a shorter duration"
            raise _fail(origin, path, value, problem)
        if seconds == 0 and (positive or optional):
            raise _fail(
                origin, path, value, f"must be more than 0 seconds; {_DURATION_HELP}{off_help}"
            )
        return seconds

    return parse


def _boolean(value: Any, origin: _Origin, path: tuple[str, ...]) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _fail(origin, path, value, "must be true or false (yes/no, on/off and 1/0 work too)")


def _text(value: Any, origin: _Origin, path: tuple[str, ...], *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise _fail(origin, path, value, "must be text in quotes")
    if "\n" in value or "\r" in value:
        raise _fail(origin, path, value, "must be a single line")
    if not allow_empty and not value.strip():
        raise _fail(origin, path, value, "must not be empty")
    return value


def _address(absent: str, what: str = f"a WebSocket URL such as {EXAMPLE}") -> _Parser:
    """A parser of a ``ws://`` address setting; ``absent`` says what leaving it out does."""

    def parse(value: Any, origin: _Origin, path: tuple[str, ...]) -> str:
        if not isinstance(value, str):
            raise _fail(origin, path, value, f"must be {what} in quotes")
        try:
            return websocket_url(value)
        except AddressProblem as problem:
            text = str(problem)
            if text.startswith("must be"):
                text += f"; leave it out to {absent}"
            raise _fail(origin, path, value, text) from None

    return parse


_url = _address("test the bundled demo server")


def _proxy(value: Any, origin: _Origin, path: tuple[str, ...]) -> str | None:
    if value is False or (isinstance(value, str) and value.strip().lower() in _OFF | {""}):
        return None
    allowed = ", ".join(f"{scheme}://" for scheme in _PROXY_SCHEMES)
    problem = f'must be a proxy URL such as "http://proxy.example:3128" ({allowed}) or false'
    if not isinstance(value, str):
        raise _fail(origin, path, value, problem)
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in _PROXY_SCHEMES or not parts.hostname:
        raise _fail(origin, path, value, problem)
    return value.strip()


def _max_size(value: Any, origin: _Origin, path: tuple[str, ...]) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _fail(origin, path, value, "must be a whole number of bytes above 0, e.g. 1048576")
    return value


def _inbox_limit(value: Any, origin: _Origin, path: tuple[str, ...]) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(origin, path, value, "must be a whole number of messages, 0 for no limit")
    return value


def _attempts(value: Any, origin: _Origin, path: tuple[str, ...]) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise _fail(origin, path, value, "must be a whole number of tries from 1 to 100, e.g. 5")
    return value


def _credential_name_problem(name: str) -> str | None:
    if not re.fullmatch(r"[\w.*?-]+", name.strip()):
        return 'is not a name pattern: letters, digits, "-", "_", "." and the wildcards * and ?'
    if not name.strip("*?"):
        return 'would make every name a credential; name some letters, e.g. "*pin*"'
    return None


def _string_list(check: Callable[[str], str | None] | None = None) -> _Parser:
    """A list of strings; from the environment or ``-D``, one comma-separated string."""

    def parse(value: Any, origin: _Origin, path: tuple[str, ...]) -> tuple[str, ...]:
        if isinstance(value, str):
            if origin.kind in ("env", "userdata"):
                items: list[Any] = [item.strip() for item in value.split(",") if item.strip()]
            else:
                items = [value]
        elif isinstance(value, list):
            items = value
        else:
            raise _fail(origin, path, value, 'must be a list of text values, e.g. ["a", "b"]')
        for item in items:
            if not isinstance(item, str) or not item.strip():
                raise _fail(origin, path, value, "every entry must be non-empty text")
            problem = check(item) if check else None
            if problem:
                raise _fail(origin, path, value, f'the entry "{item}" {problem}')
        return tuple(items)

    return parse


def _codec(value: Any, origin: _Origin, path: tuple[str, ...], project: Path) -> str:
    """A codec name or ``module:Class``, found (imported) now so a typo stops the run here."""
    text = _text(value, origin, path).strip()
    added = str(project.resolve())
    fresh = added not in sys.path
    if fresh:  # a project's own codec module, as behave's steps folder would find it
        sys.path.insert(0, added)
    try:
        find_codec(text)
    except CodecNotFound as problem:
        raise _fail(origin, path, value, str(problem).rstrip(".")) from None
    finally:
        if fresh:
            sys.path.remove(added)
    return text


_GROUP_REF = re.compile(r"\\(\d+)|\\g<(\w+)>")
_AUTO_REPLY_HELP = (
    'write [[auto_reply]] tables with when = "PING" (the exact text) or matches = "^ping" '
    '(a regular expression), and reply = "PONG"'
)


def _auto_reply(value: Any, origin: _Origin, path: tuple[str, ...]) -> tuple[AutoReply, ...]:
    """``[[auto_reply]]`` tables (from the environment or ``-D``: the same as a JSON list)."""
    if isinstance(value, str) and origin.kind in ("env", "userdata"):
        try:
            value = json.loads(value)
        except ValueError:
            problem = f"not a JSON list of rules; {_AUTO_REPLY_HELP}"
            raise _fail(origin, path, value, problem) from None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise _fail(origin, path, value, f"must be a list of rules; {_AUTO_REPLY_HELP}")
    rules = []
    for rule in value:
        if not isinstance(rule, dict):
            raise _fail(origin, path, value, f"every rule must be a table; {_AUTO_REPLY_HELP}")
        unknown = sorted(set(rule) - {"when", "matches", "reply"})
        if unknown:
            raise _fail(origin, path, rule, f'unknown key "{unknown[0]}"; {_AUTO_REPLY_HELP}')
        reply = rule.get("reply")
        if not isinstance(reply, str):
            raise _fail(origin, path, rule, f"the rule has no reply text; {_AUTO_REPLY_HELP}")
        when, matches = rule.get("when"), rule.get("matches")
        if (when is None) == (matches is None):
            raise _fail(
                origin, path, rule, f"give either when or matches, not both; {_AUTO_REPLY_HELP}"
            )
        if when is not None:
            if not isinstance(when, str) or not when:
                raise _fail(origin, path, rule, "when must be non-empty text")
            rules.append(AutoReply(reply, when=when))
            continue
        if not isinstance(matches, str) or not matches:
            raise _fail(origin, path, rule, "matches must be a non-empty regular expression")
        try:
            pattern = re.compile(matches)
        except re.error as error:
            raise _fail(
                origin, path, rule, f"matches is not a valid regular expression ({error})"
            ) from None
        for number, name in _GROUP_REF.findall(reply):
            if (number and int(number) > pattern.groups) or (
                name and name not in pattern.groupindex and not name.isdigit()
            ):
                group = number or name
                problem = (
                    f"the reply uses group {group}, but matches has no group {group}; add it "
                    "to matches (a part in parentheses) or take it out of the reply"
                )
                raise _fail(origin, path, rule, problem)
        rules.append(AutoReply(reply, pattern=pattern))
    return tuple(rules)


def _no_spaces(item: str) -> str | None:
    return "must not contain spaces" if item != item.strip() or " " in item else None


def _variable_name_problem(name: str) -> str | None:
    if not is_valid_name(name):
        return 'is not a variable name (use letters, digits, "_", "." and "-")'
    if name.startswith(RESERVED_PREFIXES):
        return 'cannot start with "env." or "config."'
    return None


def _check_template(value: str, origin: _Origin, path: tuple[str, ...]) -> None:
    try:
        find_placeholders(value)
    except FeatureMistake as mistake:
        raise ConfigError(f"{origin.where(path)}: {mistake}") from None


def _template(value: Any, origin: _Origin, path: tuple[str, ...]) -> str:
    text = _text(value, origin, path)
    _check_template(text, origin, path)
    return text


def _token_place(value: Any, origin: _Origin, path: tuple[str, ...]) -> str:
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in TOKEN_PLACES:
        allowed = ", ".join(f'"{place}"' for place in TOKEN_PLACES)
        raise _fail(origin, path, value, f"must be one of {allowed}")
    return text


def _loop_kind(value: Any, origin: _Origin, path: tuple[str, ...]) -> str:
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in ("asyncio", "uvloop"):
        raise _fail(origin, path, value, 'must be "asyncio" or "uvloop"')
    if text == "uvloop" and importlib.util.find_spec("uvloop") is None:
        raise _fail(
            origin,
            path,
            value,
            "needs the uvloop package, which is not installed here: install it "
            '(pip install uvloop, or wsbdd[uvloop]) or set loop = "asyncio"',
        )
    return text


def _header_name(value: Any, origin: _Origin, path: tuple[str, ...]) -> str:
    text = _text(value, origin, path)
    if not _HEADER_NAME_RE.fullmatch(text):
        raise _fail(origin, path, value, 'must be an HTTP header name such as "Authorization"')
    return text


def _header_value(value: Any, origin: _Origin, path: tuple[str, ...]) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    text = _text(value, origin, path, allow_empty=True)
    _check_template(text, origin, path)
    return text


def _variable_value(value: Any, origin: _Origin, path: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        _check_template(value, origin, path)
    elif isinstance(value, Mapping):  # a table of values, e.g. one token per client
        for key, entry in value.items():
            _variable_value(entry, origin, (*path, str(key)))
    return value


def _socketio_path(value: Any, origin: _Origin, path: tuple[str, ...]) -> str:
    text = _text(value, origin, path).strip()
    if not text.startswith("/") or " " in text or "?" in text:
        raise _fail(origin, path, value, 'must be a path starting with "/", e.g. "/socket.io/"')
    return text


def _secret_table(key: str, what: str) -> _Parser:
    """A parser of a table of secrets a protocol sends when it connects (Socket.IO's
    ``auth``, GraphQL's ``params``): a table, or a JSON object from the environment or
    ``-D``.  Its values are secrets, so no sentence shows them; ``what`` ends "must be a
    table of …"."""

    def parse(value: Any, origin: _Origin, path: tuple[str, ...]) -> Any:
        if isinstance(value, str) and origin.kind in ("env", "userdata"):
            try:
                value = json.loads(value)
            except ValueError:
                value = None
        if not isinstance(value, dict):
            example = (
                '{"token": "${env.TOKEN}"}'
                if origin.kind in ("env", "userdata")
                else f'{key} = {{ token = "${{env.TOKEN}}" }}'
            )
            raise ConfigError(
                f"{origin.where(path)} must be a table of {what}, e.g. {example} (its value "
                "is not shown: it may hold a password)."
            )
        _variable_value(value, origin, path)
        return value

    return parse


_socketio_auth = _secret_table("auth", "the values the server's connect handler gets")
"""The Socket.IO CONNECT payload."""


def _namespace_problem(item: str) -> str | None:
    if not item.startswith("/") or " " in item or "," in item or "?" in item:
        return 'is not a namespace; a namespace starts with "/" (the main one is "/")'
    return None


def _socketio_transport(value: Any, origin: _Origin, path: tuple[str, ...]) -> str:
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in SOCKETIO_TRANSPORTS:
        allowed = ", ".join(f'"{name}"' for name in SOCKETIO_TRANSPORTS)
        raise _fail(origin, path, value, f"must be one of {allowed}")
    return text


_graphql_params = _secret_table(
    "params", "the connection params the server gets in connection_init"
)
"""The GraphQL ``connection_init`` payload."""


_graphql_url = _address("use the run's url")
"""A protocol's own address: as ``url``, but leaving it out means the run's url."""


def _graphql_path(value: Any, origin: _Origin, path: tuple[str, ...]) -> str:
    text = _text(value, origin, path).strip()
    if not text.startswith("/") or " " in text or "?" in text or "#" in text:
        raise _fail(origin, path, value, 'must be a path starting with "/", e.g. "/graphql"')
    return text


def _http_url(value: Any, origin: _Origin, path: tuple[str, ...]) -> str:
    problem = 'must be an HTTP address such as "http://localhost:8000/graphql" in quotes'
    if not isinstance(value, str):
        raise _fail(origin, path, value, problem)
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in text:
        websocket = parts.scheme.lower() in ("ws", "wss")
        hint = "; the WebSocket address goes in url" if websocket else ""
        raise _fail(origin, path, value, problem + hint)
    return text


_stomp_url = _address(
    "reach the broker at the run's url",
    'the broker\'s WebSocket URL such as "ws://127.0.0.1:15674/ws"',
)


def _stomp_passcode(value: Any, origin: _Origin, path: tuple[str, ...]) -> str:
    """A secret: no sentence here shows it."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or "\n" in value or "\r" in value:
        raise ConfigError(
            f"{origin.where(path)} must be one line of text in quotes, e.g. passcode = "
            '"${env.STOMP_PASSCODE}" (its value is not shown: it is a password).'
        )
    try:
        find_placeholders(value)
    except FeatureMistake:
        raise ConfigError(
            f"{origin.where(path)} has a ${{ that starts no placeholder (its value is not "
            "shown: it is a password); write ${env.NAME} to take it from the environment, or "
            "$${ for a literal ${."
        ) from None
    return value


def _stomp_login(value: Any, origin: _Origin, path: tuple[str, ...]) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return _template(value, origin, path)


_HEART_BEAT_HELP = (
    "must be two whole numbers of milliseconds, how often the client sends a heart-beat and "
    "how often it wants one, e.g. heart_beat = [10000, 10000] (0 turns one off)"
)


def _stomp_heart_beat(value: Any, origin: _Origin, path: tuple[str, ...]) -> tuple[int, int]:
    """``[10000, 10000]``; from the environment or ``-D`` also ``10000,10000``."""
    items = value
    if isinstance(value, str) and origin.kind in ("env", "userdata"):
        text = value.strip().strip("[]")
        items = [part.strip() for part in text.split(",")]
        try:
            items = [int(part) for part in items]
        except ValueError:
            raise _fail(origin, path, value, _HEART_BEAT_HELP) from None
    if (
        not isinstance(items, list | tuple)
        or len(items) != 2
        or not all(isinstance(item, int) and not isinstance(item, bool) for item in items)
        or any(item < 0 for item in items)
    ):
        raise _fail(origin, path, value, _HEART_BEAT_HELP)
    return int(items[0]), int(items[1])


def _stomp_version(value: Any, origin: _Origin, path: tuple[str, ...]) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        value = f"{float(value):.1f}"
    text = value.strip().replace(" ", "") if isinstance(value, str) else None
    parts = text.split(",") if text else []
    if not parts or any(part not in ("1.0", "1.1", "1.2") for part in parts):
        raise _fail(
            origin,
            path,
            value,
            'must be the STOMP versions to offer, "1.0", "1.1" or "1.2" (or several: '
            '"1.1,1.2"); leave it out to offer all three',
        )
    return ",".join(sorted(set(parts)))


def _rendered(variables: Variables, value: Any) -> Any:
    """A configured value with its ``${…}`` filled in (each text of a table too)."""
    if isinstance(value, str):
        return variables.render_text(value)
    if isinstance(value, Mapping):
        return {key: _rendered(variables, entry) for key, entry in value.items()}
    return value


_SCALARS: dict[str, _Parser] = {
    "url": _url,
    "timeout": _duration(positive=True),
    "quiet_window": _duration(positive=False),
    "settle": _duration(positive=False),
    "connect_timeout": _duration(positive=True),
    "close_timeout": _duration(positive=True),
    "subprotocols": _string_list(_no_spaces),
    "compression": _boolean,
    "same_cpu": _boolean,
    "console_hold": _duration(positive=False),
    "loop": _loop_kind,
    "proxy": _proxy,
    "ping_interval": _duration(positive=True, optional=True),
    "ping_timeout": _duration(positive=True, optional=True),
    "max_size": _max_size,
    "inbox_limit": _inbox_limit,
    "codec": _text,  # found in _build, relative to the project folder
    "protocol": _text,  # the same setting as codec, under the name users know
    "auto_reply": _auto_reply,
    "strict": _boolean,
    "ignore": _string_list(),
    "secrets": _string_list(_variable_name_problem),
    "credential_names": _string_list(_credential_name_problem),
}
_TOKEN: dict[str, _Parser] = {
    "place": _token_place,
    "query_param": _text,
    "header": _header_name,
    "scheme": lambda value, origin, path: _text(value, origin, path, allow_empty=True),
    "message": _template,
}
_TLS_PATHS = {
    "ca_file": "the CA certificate file (PEM)",
    "ca_dir": "the folder of CA certificates",
    "client_cert": "the client certificate file (PEM)",
    "client_key": "the client's private key file (PEM)",
}
_TLS: dict[str, _Parser] = {"verify": _boolean, **{key: _text for key in _TLS_PATHS}}
_RECONNECTION: dict[str, _Parser] = {
    "enabled": _boolean,
    "attempts": _attempts,
    "delay": _duration(positive=True),
    "max_delay": _duration(positive=True),
}
_SOCKETIO: dict[str, _Parser] = {
    "path": _socketio_path,
    "auth": _socketio_auth,
    "namespaces": _string_list(_namespace_problem),
    "transport": _socketio_transport,
    "reconnection": _boolean,  # the same as [reconnection] enabled, where users look for it
}
_GRAPHQL: dict[str, _Parser] = {
    "url": _graphql_url,
    "path": _graphql_path,
    "params": _graphql_params,
    "http_url": _http_url,
}
_STOMP: dict[str, _Parser] = {
    "url": _stomp_url,
    "login": _stomp_login,
    "passcode": _stomp_passcode,
    "host": _text,
    "heart_beat": _stomp_heart_beat,
    "version": _stomp_version,
}
_NESTED: dict[str, dict[str, _Parser]] = {
    "token": _TOKEN,
    "tls": _TLS,
    "socketio": _SOCKETIO,
    "graphql": _GRAPHQL,
    "reconnection": _RECONNECTION,
    "stomp": _STOMP,
}
_FREE_TABLES = ("headers", "variables", "codecs")
_KNOWN_KEYS = [*_SCALARS, *_NESTED, *_FREE_TABLES, *EXTRA_TABLES]
_PATHS = [
    *((key,) for key in _SCALARS),
    *((table, key) for table, keys in _NESTED.items() for key in keys),
]
_ENV_NAMES = {_env_name(path): path for path in _PATHS}
_USERDATA_NAMES = {".".join(path): path for path in _PATHS}


# -- collecting raw values from each source ------------------------------------------------

_Entries = dict[tuple[str, ...], tuple[Any, _Origin]]


def _read_toml(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    name = _display(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        where = re.search(r"at line (\d+)", str(error))
        line = int(where.group(1)) if where else None
        raise ConfigError(f"{name} is not valid TOML: {error}", name, line) from None
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        byte = error.object[error.start]
        raise ConfigError(
            f"{name} is not UTF-8 text (line {line} has the byte 0x{byte:02x}); save it as UTF-8.",
            name,
            line,
        ) from None
    except OSError as error:
        raise ConfigError(f"{name} cannot be read: {error.strerror or error}") from None


def unreadable_project_file(root: Path) -> str | None:
    """The sentence for a ``pyproject.toml`` or ``wsbdd.toml`` in ``root`` that is not UTF-8
    or not valid TOML (behave reads the first before any hook of wsbdd's runs, and would
    end in a traceback), or None when both read."""
    for name in ("pyproject.toml", "wsbdd.toml"):
        try:
            _read_toml(root / name)
        except ConfigError as error:
            return str(error)
    return None


def _from_table(table: Mapping[str, Any], origin: _Origin, entries: _Entries) -> None:
    for key, value in table.items():
        if key in _SCALARS or key in EXTRA_TABLES:
            entries[(key,)] = (value, origin)
            continue
        if key in (*_NESTED, *_FREE_TABLES):
            if not isinstance(value, dict):
                raise _fail(origin, (key,), value, f"must be a table, e.g. [{key}] with keys")
            for sub, sub_value in value.items():
                if key in _NESTED and sub not in _NESTED[key]:
                    problem = _suggest(sub, _NESTED[key], lambda k: f'"{k}"')
                    raise ConfigError(f'{origin.table((key, sub))}: unknown key "{sub}"; {problem}')
                entries[(key, sub)] = (sub_value, origin)
            continue
        hint = _suggest(key, _KNOWN_KEYS, lambda k: f'"{k}"')
        if origin.kind == "wsbdd.toml" and key in ("tool", "wsbdd"):
            hint = "in wsbdd.toml write the settings at the top level, without a table header."
        raise ConfigError(f'{origin.table((key,))}: unknown key "{key}"; {hint}')


def _from_environ(environ: Mapping[str, str], entries: _Entries) -> list[str]:
    """The ``WSBDD_<KEY>`` variables that name a setting.  Any other ``WSBDD_`` name is
    left alone: wsbdd's own tools read some (``WSBDD_PROGRESS``, ``WSBDD_CHROMIUM``…), and
    a project may use the prefix for its own values."""
    origin = _Origin("env")
    used = []
    for name, value in environ.items():
        path = _ENV_NAMES.get(name)
        if path is not None:
            entries[path] = (value, origin)
            used.append(name)
    return used


def _userdata_path(key: str) -> tuple[str, ...]:
    name = key[len("wsbdd.") :]
    if name in _USERDATA_NAMES:
        return _USERDATA_NAMES[name]
    head, _, rest = name.partition(".")
    if head in _FREE_TABLES and rest:
        return (head, rest)
    field_name = rest.partition(".")[2]
    if head == "report" and rest.startswith("metadata.") and field_name:
        return ("report", "metadata", field_name)  # one field of the report's header
    if head in EXTRA_TABLES:
        raise ConfigError(
            f"-D {key}: the {head} settings can only be written in pyproject.toml or wsbdd.toml."
        )
    choices = [*_USERDATA_NAMES, "headers.NAME", "variables.NAME", "report.metadata.NAME"]
    hint = _suggest(name, choices, lambda k: f"wsbdd.{k}")
    raise ConfigError(f"-D {key}: not a wsbdd setting; {hint}")


def _from_userdata(userdata: Mapping[str, Any], entries: _Entries) -> list[str]:
    origin = _Origin("userdata")
    used = []
    for key, value in userdata.items():
        if isinstance(key, str) and key.startswith("wsbdd."):
            entries[_userdata_path(key)] = (value, origin)
            used.append(key)
    return used


# -- putting it together ------------------------------------------------------------------------


def load_settings(
    project_dir: str | Path = ".",
    userdata: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Read, merge and validate the settings for the project in *project_dir*.

    *environ* defaults to ``os.environ``; *userdata* is behave's
    ``context.config.userdata`` (``-D`` options and ``[tool.behave.userdata]``).
    With no configuration at all, every default applies.
    """
    project = Path(project_dir)
    environ = os.environ if environ is None else environ
    entries: _Entries = {}
    sources: list[str] = []

    pyproject = _read_toml(project / "pyproject.toml")
    if pyproject is not None:
        tool = pyproject.get("tool", {})
        table = tool.get("wsbdd") if isinstance(tool, dict) else None
        if table is not None:
            name = _display(project / "pyproject.toml")
            if not isinstance(table, dict):
                raise ConfigError(f"{name}: tool.wsbdd must be a table, written [tool.wsbdd].")
            _from_table(table, _Origin("pyproject", name), entries)
            sources.append(f"{name} [tool.wsbdd]")

    own = _read_toml(project / "wsbdd.toml")
    if own is not None:
        name = _display(project / "wsbdd.toml")
        _from_table(own, _Origin("wsbdd.toml", name), entries)
        sources.append(name)

    env_used = _from_environ(environ, entries)
    if env_used:
        sources.append("environment (" + ", ".join(env_used) + ")")
    userdata_used = _from_userdata(userdata or {}, entries)
    if userdata_used:
        sources.append("-D (" + ", ".join(userdata_used) + ")")

    return _build(entries, " + ".join(sources) or "defaults", project)


def _tls_file(value: Any, origin: _Origin, path: tuple[str, ...], project: Path) -> Path:
    """A path setting of the ``tls`` table: relative to the project folder, and existing."""
    text = _text(value, origin, path)
    what = _TLS_PATHS[path[-1]]
    found = Path(text).expanduser()
    if not found.is_absolute():
        found = project / found
    found = found.resolve()
    folder = path[-1] == "ca_dir"
    if not (found.is_dir() if folder else found.is_file()):
        problem = "no such folder" if folder else "no such file"
        raise _fail(
            origin,
            path,
            value,
            f"{problem} ({found}); give the path of {what}, absolute or relative to the "
            f"project folder",
        )
    return found


def _tls_settings(tls: dict[str, Any], origins: dict[str, _Origin]) -> TlsSettings:
    """The ``tls`` table, with its files loaded once now so a bad one stops the run here."""
    if tls.get("client_key") and not tls.get("client_cert"):
        where = origins["client_key"].where(("tls", "client_key"))
        raise ConfigError(
            f"{where} is set but tls.client_cert is not; set tls.client_cert to the "
            "certificate that goes with the key."
        )
    settings = TlsSettings(**tls)
    if any(key in tls for key in _TLS_PATHS):
        from wsbdd.settings.tls import TlsFileProblem, client_ssl_context

        try:
            client_ssl_context(settings)
        except TlsFileProblem as problem:
            where = origins[problem.key].where(("tls", problem.key))
            raise ConfigError(f"{where}: {problem}.") from None
    return settings


_SOURCE_RANK = {"pyproject": 0, "wsbdd.toml": 1, "env": 2, "userdata": 3}
"""The order sources override each other in (see the module docstring)."""


def _project_codecs(
    entries: _Entries, project: Path
) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """``[codecs]``: each entry imported (from the project folder) and registered by name,
    before the protocol setting is read, so that it may name one."""
    codecs: dict[str, str] = {}
    options: dict[str, dict[str, Any]] = {}
    for path, (value, origin) in entries.items():
        if path[0] != "codecs":
            continue
        spec, extra = value, None
        if isinstance(value, Mapping):
            unknown = sorted(set(value) - {"codec", "options"})
            spec, extra = value.get("codec"), value.get("options", {})
            if unknown or not isinstance(extra, Mapping):
                raise _fail(origin, path, value, 'write { codec = "module:Class", options = {…} }')
        text = _text(spec, origin, path).strip()
        added = str(project.resolve())
        fresh = added not in sys.path
        if fresh:  # the project's own module, as behave's steps folder would find it
            sys.path.insert(0, added)
        try:
            register_project_codec(path[1], text)
        except CodecNotFound as problem:
            raise _fail(origin, path, spec, str(problem).rstrip(".")) from None
        finally:
            if fresh:
                sys.path.remove(added)
        codecs[path[1]] = text
        if extra is not None:
            options[path[1]] = dict(extra)
    return codecs, options


def _build(entries: _Entries, source: str, project: Path = Path(".")) -> Settings:
    values: dict[str, Any] = {}
    codecs, codec_options = _project_codecs(entries, project)
    token: dict[str, Any] = {}
    tls: dict[str, Any] = {}
    reconnection: dict[str, Any] = {}
    reconnection_rank: dict[str, int] = {}
    tls_origins: dict[str, _Origin] = {}
    socketio: dict[str, Any] = {}
    graphql: dict[str, Any] = {}
    stomp: dict[str, Any] = {}
    chosen: str | None = None  # where the protocol (or codec) setting came from
    tables: dict[str, dict[str, Any]] = {name: {} for name in _FREE_TABLES}
    extras: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for path, (value, origin) in entries.items():
        key = path[0]
        origins[".".join(path)] = origin.where(path)
        if key in EXTRA_TABLES and len(path) == 3:  # -D wsbdd.report.metadata.NAME=VALUE
            table = extras.get(key)
            table = dict(table) if isinstance(table, Mapping) else {}
            fields_ = table.get(path[1], {})
            if isinstance(fields_, Mapping):  # otherwise the file's own value is refused
                table[path[1]] = {**fields_, path[2]: value}
            extras[key] = table
        elif key in EXTRA_TABLES:
            extras[key] = value
        elif key == "token":
            token[path[1]] = _TOKEN[path[1]](value, origin, path)
        elif key == "reconnection" or (key == "socketio" and path[1] == "reconnection"):
            sub = "enabled" if key == "socketio" else path[1]
            parse = _boolean if key == "socketio" else _RECONNECTION[sub]
            # [socketio] reconnection and [reconnection] enabled are one setting: the
            # later source wins (-D over the environment over the files), whichever spelling.
            rank = _SOURCE_RANK[origin.kind]
            if rank >= reconnection_rank.get(sub, -1):
                reconnection[sub] = parse(value, origin, path)
                reconnection_rank[sub] = rank
        elif key == "socketio":
            socketio[path[1]] = _SOCKETIO[path[1]](value, origin, path)
        elif key == "graphql":
            graphql[path[1]] = _GRAPHQL[path[1]](value, origin, path)
        elif key == "stomp":
            stomp[path[1]] = _STOMP[path[1]](value, origin, path)
        elif key == "tls":
            tls_origins[path[1]] = origin
            if path[1] in _TLS_PATHS:
                tls[path[1]] = _tls_file(value, origin, path, project)
            else:
                tls[path[1]] = _TLS[path[1]](value, origin, path)
        elif key == "headers":
            _header_name(path[1], origin, path)
            tables[key][path[1]] = _header_value(value, origin, path)
        elif key == "codecs":
            continue  # read first, by _project_codecs
        elif key == "variables":
            problem = _variable_name_problem(path[1])
            if problem:
                # "the variable name "1 x" is not a variable name" said it twice.
                named = "" if problem.startswith("is not") else "the variable name "
                raise ConfigError(f'{origin.table(path)}: {named}"{path[1]}" {problem}.')
            tables[key][path[1]] = _variable_value(value, origin, path)
        elif key in ("codec", "protocol"):
            if chosen is not None:
                raise ConfigError(
                    f"{chosen} and {origin.where(path)} both choose the protocol (codec is "
                    "the older name of the protocol setting); keep one of them, e.g. "
                    'protocol = "socket.io".'
                )
            chosen = origin.where(path)
            values["codec"] = _codec(value, origin, path, project)
            origins["codec"] = origins["protocol"] = chosen
        else:
            values[key] = _SCALARS[key](value, origin, path)
    return Settings(
        **values,
        socketio=SocketIOSettings(**socketio),
        graphql=GraphQLSettings(**graphql),
        stomp=StompSettings(**stomp),
        token=TokenSettings(**token),
        tls=_tls_settings(tls, tls_origins),
        reconnection=ReconnectPolicy(**reconnection),
        headers=_frozen(tables["headers"]),
        variables=_frozen(tables["variables"]),
        extras=_frozen(extras),
        codecs=_frozen(codecs),
        codec_options=_frozen(codec_options),
        source=source,
        origins=_frozen(origins),
    )
