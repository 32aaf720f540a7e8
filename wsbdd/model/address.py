"""Addresses: the configured URL, and a step's target joined to it the way a browser does.

A pure module (no I/O).  Two rules:

- The configured ``url`` is used exactly as written: its path and query reach the server
  byte for byte.  ``http://`` and ``https://`` are accepted and become ``ws://`` and
  ``wss://``, because that is the address users copy from their browser or framework.
- A step's target (``connected to "/chat"``) is a *relative reference* resolved against
  the configured URL as in RFC 3986 section 5 (what a browser does with a link):

  ==========================  =====================  ==================================
  configured url              target                 connects to
  ==========================  =====================  ==================================
  ``ws://h/api/ws``           *(none)*               ``ws://h/api/ws``
  ``ws://h/api/ws``           ``/chat``              ``ws://h/chat``
  ``ws://h/api/ws``           ``chat``               ``ws://h/api/chat``
  ``ws://h/api/``             ``chat``               ``ws://h/api/chat``
  ``ws://h/api/ws?v=1``       ``?room=2``            ``ws://h/api/ws?room=2``
  ``ws://h/api/ws``           ``../x``               ``ws://h/x``
  ``ws://h/api/ws``           ``wss://other/ws``     ``wss://other/ws``
  ``ws://h/api/ws``           ``https://other/ws``   ``wss://other/ws``
  ==========================  =====================  ==================================

Percent-escapes are kept as written (``%2F`` stays ``%2F``); only characters that cannot
travel in a request line at all (non-ASCII) are escaped, as a browser does.  An address
wsbdd cannot use raises :class:`AddressProblem`, whose text ends a sentence and says the
fix; the caller names where the address came from.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_plus, urlsplit

from wsbdd.model.errors import FeatureMistake
from wsbdd.model.secrets import is_secret_name

__all__ = [
    "AddressProblem",
    "websocket_url",
    "resolve",
    "resolve_http",
    "resolve_request",
    "append_query",
    "mask_secrets",
]

EXAMPLE = '"ws://localhost:8000/ws"'
_SCHEMES = {"ws": "ws", "wss": "wss", "http": "ws", "https": "wss"}
_HTTP_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}
# RFC 3986 appendix B: splits any URI reference without changing a character.
_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")


class AddressProblem(ValueError):
    """Why an address cannot be used, as the end of a sentence that also says the fix."""


class _Ref:
    """A URI reference split into its five parts, each exactly as written (None: absent)."""

    __slots__ = ("scheme", "authority", "path", "query", "fragment")

    def __init__(self, text: str) -> None:
        match = _PARTS.match(text)
        assert match is not None  # the pattern matches every string
        self.scheme, self.authority, self.path, self.query, self.fragment = match.groups()
        if self.scheme is not None and not _SCHEME_RE.fullmatch(self.scheme):
            # "localhost:8000/ws" is not scheme "localhost"; it is a host without a scheme,
            # which the checks below report.
            self.scheme = None

    def text(self) -> str:
        out = f"{self.scheme}:" if self.scheme is not None else ""
        if self.authority is not None:
            out += "//" + self.authority
        out += self.path or ""
        if self.query is not None:
            out += "?" + self.query
        if self.fragment is not None:
            out += "#" + self.fragment
        return out


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: resolve ``.`` and ``..`` segments."""
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./"):
            path = path[2:]
        elif path.startswith("/./"):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if output:
                output.pop()
        elif path == "/..":
            path = "/"
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            start = 1 if path.startswith("/") else 0
            end = path.find("/", start)
            end = len(path) if end < 0 else end
            output.append(path[:end])
            path = path[end:]
    return "".join(output)


def _join(base: _Ref, ref: _Ref) -> _Ref:
    """RFC 3986 section 5.2.2 (strict): *ref* resolved against *base*."""
    out = _Ref("")
    if ref.scheme is not None:
        out.scheme, out.authority = ref.scheme, ref.authority
        out.path, out.query = _remove_dot_segments(ref.path or ""), ref.query
    else:
        out.scheme = base.scheme
        if ref.authority is not None:
            out.authority = ref.authority
            out.path, out.query = _remove_dot_segments(ref.path or ""), ref.query
        else:
            out.authority = base.authority
            if not ref.path:
                out.path = base.path
                out.query = ref.query if ref.query is not None else base.query
            else:
                if ref.path.startswith("/"):
                    path = ref.path
                elif base.authority is not None and not base.path:
                    path = "/" + ref.path
                else:
                    folder = (base.path or "")[: (base.path or "").rfind("/") + 1]
                    path = folder + ref.path
                out.path, out.query = _remove_dot_segments(path), ref.query
    out.fragment = ref.fragment
    return out


def _escape_non_ascii(text: str) -> str:
    """Percent-escape only what is not ASCII (UTF-8), leaving every ``%XX`` as written."""
    if text.isascii():
        return text
    return "".join(ch if ch.isascii() else quote(ch, safe="") for ch in text)


def _checked(ref: _Ref, shown: str, schemes: dict[str, str] = _SCHEMES) -> str:
    """The reference as a usable WebSocket URL (or HTTP, with *schemes*), or
    :class:`AddressProblem`."""
    scheme = (ref.scheme or "").lower()
    if scheme not in _SCHEMES or ref.authority is None:
        if schemes is _HTTP_SCHEMES:
            raise AddressProblem(
                'must be an HTTP URL such as "http://localhost:8000/api" (starting with '
                "http:// or https://), or a path joined to the configured URL"
            )
        raise AddressProblem(
            f"must be a WebSocket URL such as {EXAMPLE} (starting with ws://, wss://, http:// "
            "or https://)"
        )
    if _UNSAFE.search(shown):
        raise AddressProblem(
            "contains a space or a control character; write a space in a path or query as %20"
        )
    if ref.fragment is not None and schemes is _HTTP_SCHEMES:
        ref.fragment = None  # a browser never sends it either
    if ref.fragment is not None:
        raise AddressProblem(
            'has a "#…" part, which a WebSocket address cannot carry; write a "#" in a path '
            "or query as %23"
        )
    authority = ref.authority
    userinfo, at, hostport = authority.rpartition("@")
    if at and ":" not in userinfo:
        raise AddressProblem(
            'names a user without a password ("user@host"); write "user:password@host", '
            "or send credentials as a header"
        )
    try:
        parts = urlsplit(f"{scheme}://{authority}")
        host, port = parts.hostname, parts.port
    except ValueError:
        port_text = hostport.rpartition("]")[2].rpartition(":")[2]
        raise AddressProblem(
            f'has the port "{port_text}"; a port is a whole number from 1 to 65535'
        ) from None
    if not host:
        raise AddressProblem(f"has no host name; it must be a WebSocket URL such as {EXAMPLE}")
    if port == 0:
        raise AddressProblem("has the port 0; a port is a whole number from 1 to 65535")
    if not host.isascii():
        try:
            idna = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise AddressProblem(f'has the host name "{host}", which is not valid') from None
        authority = authority.replace(host, idna)
    ref.scheme, ref.authority = schemes[scheme], authority
    ref.path = _escape_non_ascii(ref.path or "")  # websockets sends an empty path as "/"
    if ref.query is not None:
        ref.query = _escape_non_ascii(ref.query)
    return ref.text()


def websocket_url(text: str) -> str:
    """The configured address as the WebSocket URL wsbdd connects to.

    Kept exactly as written, except ``http(s)://`` becomes ``ws(s)://`` (and non-ASCII
    characters are percent-escaped).  Raises :class:`AddressProblem`.
    """
    text = text.strip()
    if not text:
        raise AddressProblem(f"must be a WebSocket URL such as {EXAMPLE}")
    return _checked(_Ref(text), text)


def resolve(base: str, target: str | None) -> str:
    """*target* joined to *base* as a browser joins a link to its page (see the module doc).

    ``None`` or ``""`` is *base* itself.  Raises :class:`AddressProblem` for a target that
    does not make a usable WebSocket URL.
    """
    if target is None or not target.strip():
        return websocket_url(base)
    target = target.strip()
    ref = _Ref(target)
    scheme = (ref.scheme or "").lower()
    if ref.scheme is not None and scheme not in _SCHEMES:
        raise AddressProblem(
            'is not a WebSocket address; write a path such as "/chat", a query such as '
            '"?room=1", or a full URL starting with ws://, wss://, http:// or https://'
        )
    return _checked(_join(_Ref(base.strip()), ref), target)


def resolve_http(base: str, target: str | None) -> str:
    """Like :func:`resolve`, for an HTTP request: the same joining rule, with ``ws(s)://``
    turned into ``http(s)://`` (a REST call beside the WebSocket app, on the same server)."""
    if target is None or not target.strip():
        return _checked(_Ref(base.strip()), base.strip(), _HTTP_SCHEMES)
    target = target.strip()
    ref = _Ref(target)
    if ref.scheme is not None and ref.scheme.lower() not in _SCHEMES:
        raise AddressProblem(
            'is not an HTTP address; write a path such as "/api/login", or a full URL '
            "starting with http:// or https://"
        )
    return _checked(_join(_Ref(base.strip()), ref), target, _HTTP_SCHEMES)


def append_query(url: str, name: str, value: str) -> str:
    """*url* with ``name=value`` added to its query; the query's other text kept as written."""
    ref = _Ref(url)
    pair = f"{quote(name, safe='')}={quote(value, safe='')}"
    query = ref.query
    ref.query = pair if not query else (query + ("" if query.endswith("&") else "&") + pair)
    return ref.text()


def mask_secrets(url: str, secrets: tuple[str, ...] = ("token",)) -> str:
    """*url* as shown to people: secret query values and a userinfo password become ``***``.

    Everything else keeps its spelling, so the address shown is the address sent.
    """
    ref = _Ref(url)
    if ref.authority and "@" in ref.authority:
        userinfo, _, hostport = ref.authority.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        ref.authority = f"{user}{':***' if colon else ''}@{hostport}"
    if ref.query:
        pieces = []
        for piece in ref.query.split("&"):
            name, equals, _value = piece.partition("=")
            if equals and is_secret_name(unquote_plus(name), secrets):
                piece = f"{name}=***"
            pieces.append(piece)
        ref.query = "&".join(pieces)
    return ref.text()


def resolve_request(base: str, target: str) -> str:
    """``target`` resolved against the server's address as a browser resolves a link, by the
    same rule as a WebSocket target (:func:`wsbdd.model.address.resolve_http`): ``/x`` replaces the
    path, ``x`` is relative to the base's folder, ``?q=1`` keeps the path, and a full
    ``http(s)://`` address is taken as it is (a ``ws(s)://`` one becomes ``http(s)://``).
    """
    target = target.strip()
    if not target:
        raise FeatureMistake('The address is empty; write a path like "/api/health".')
    try:
        return resolve_http(base, target)
    except AddressProblem as problem:
        raise FeatureMistake(f'The address "{target}" {problem}.') from None
