"""HTTP beside WebSocket: the requests a scenario makes, each client with its own cookie jar.

The I/O shell of the HTTP steps, over ``httpx`` (no hand-written HTTP).  A
sync :class:`httpx.Client` per name runs on behave's thread: the loop thread
keeps serving WebSockets meanwhile.  ``Alice`` has her own jar (her
WebSocket handshake sends its cookies, see :meth:`HttpClients.cookie_header`);
``I`` is the scenario's anonymous visitor, with a jar of its own.

Redirects are followed only within one origin (scheme, host and port), by the
loop here rather than httpx's, so credentials (headers, cookies) never travel
to another origin: a redirect that leaves the origin is the answer, a 3xx
whose ``Location`` a step can assert on.  Only a GET, HEAD or OPTIONS follows
redirects by itself; the redirect answering a form's POST (Post/Redirect/Get)
is the response, and ``follows the redirect`` opens its ``Location``.

Every exchange is kept as an :class:`Exchange` for the transcript, its
address and body with secrets masked.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from typing import Any, Literal
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from wsbdd import __version__
from wsbdd.model.address import mask_secrets
from wsbdd.model.address import resolve_request as resolve  # the one rule, shared with Session
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake
from wsbdd.model.response import Response
from wsbdd.model.secrets import is_secret_name

__all__ = [
    "ANONYMOUS",
    "METHODS",
    "MAX_REDIRECTS",
    "FOLLOWED",
    "Body",
    "Exchange",
    "HttpClients",
    "http_base",
    "resolve",
    "origin_of",
]

ANONYMOUS = "I"
"""The name of the scenario's anonymous visitor (``When I GET "/health"``)."""
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
MAX_REDIRECTS = 10
FOLLOWED = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods whose same-origin redirects are followed.  The redirect answering a POST, PUT,
PATCH or DELETE (a login form's 302) is what the app said: it is the response, to assert
on and to follow with ``When Alice follows the redirect``."""
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Body:
    """What a request carries: JSON, form fields, text, or nothing."""

    kind: Literal["none", "json", "form", "text"] = "none"
    content: Any = None

    def as_httpx(self) -> dict[str, Any]:
        """The keyword argument ``httpx`` takes for this body."""
        if self.kind == "json":
            return {"json": self.content}
        if self.kind == "form":
            return {"data": {k: _form_value(v) for k, v in self.content.items()}}
        if self.kind == "text":
            return {"content": self.content.encode("utf-8")}
        return {}

    def shown(self) -> str:
        """The body as a transcript shows it, secret fields masked."""
        if self.kind == "json":
            return json.dumps(_masked_fields(self.content), ensure_ascii=False)
        if self.kind == "form":
            masked = _masked_fields(self.content)
            return urlencode({k: _form_value(v) for k, v in masked.items()}, safe="*")
        if self.kind == "text":
            return str(self.content)
        return ""


def _form_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def _masked_fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: "***" if isinstance(k, str) and is_secret_name(k) else _masked_fields(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_masked_fields(v) for v in value]
    return value


def masked_address(url: str) -> str:
    """``url`` as shown: query values named like a secret (token, password, …) and a
    password in it as ``***``, the rest as written."""
    return mask_secrets(url)


@dataclass
class Exchange:
    """One HTTP request and its answer (or why none came), for the transcript."""

    client: str
    method: str
    url: str
    """Secrets masked."""
    sent_at: float
    body: str = ""
    """The request body as shown (secret fields masked)."""
    answered_at: float | None = None
    status: int | None = None
    reason: str = ""
    content_type: str = ""
    answer: str = ""
    """The response body's text."""
    error: str | None = None
    step: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def elapsed(self) -> float | None:
        return None if self.answered_at is None else self.answered_at - self.sent_at


def http_base(url: str) -> str:
    """The HTTP address of a WebSocket server: ``ws://h:1/x`` → ``http://h:1/x``."""
    if url.startswith("ws://"):
        return "http://" + url[len("ws://") :]
    if url.startswith("wss://"):
        return "https://" + url[len("wss://") :]
    return url


def origin_of(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an ``http(s)``/``ws(s)`` address, default ports filled in."""
    parts = urlsplit(http_base(url))
    scheme = parts.scheme.lower()
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:  # a port out of range: an origin nothing else has
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def _with_query(url: str, query: Sequence[tuple[str, str]]) -> str:
    """``url`` with ``query`` added after the parameters it already has."""
    if not query:
        return url
    parts = urlsplit(url)
    added = urlencode(list(query))
    return parts._replace(query=f"{parts.query}&{added}" if parts.query else added).geturl()


def who_is(name: str) -> str:
    """How a sentence names the one who sends a request: a client's name, or ``I``."""
    return "I" if name == ANONYMOUS else name


def _whose(name: str) -> str:
    return "The" if name == ANONYMOUS else f"{name}'s"


def _error_text(exc: httpx.HTTPError, timeout: float) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer came within {timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        return f"the server could not be reached ({exc or 'connection refused'})"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"the address cannot be used ({exc})"
    if isinstance(exc, httpx.LocalProtocolError):
        # h11 refused to write it; its words show bytes (b'X N') where the tester wrote text.
        said = re.sub(r"b'([^']*)'", r'"\1"', str(exc))
        return (
            f"the request cannot be written ({said}); a header name is letters, digits "
            "and - without spaces"
        )
    return f"the request failed ({type(exc).__name__}: {exc})"


class HttpClients:
    """One scenario's HTTP side: an ``httpx`` client (and cookie jar) per name, the exchanges."""

    def __init__(
        self,
        timeout: float = 5.0,
        connect_timeout: float = 5.0,
        verify: Any = True,
    ) -> None:
        self.timeout = timeout
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self.verify = verify
        self._clients: dict[str, httpx.Client] = {}
        self._jars: dict[str, CookieJar] = {}
        """Each name's cookies, apart from its client: a handshake may fill a jar (a crowd
        of a thousand) without the cost of an ``httpx.Client`` each."""
        self.exchanges: list[Exchange] = []

    def _client(self, name: str) -> httpx.Client:
        client = self._clients.get(name)
        if client is None:
            client = httpx.Client(
                cookies=self._jar(name),  # shared, not copied: the jar is the name's
                follow_redirects=False,
                trust_env=False,  # only the addresses the feature names are contacted
                timeout=self._timeout,
                verify=self.verify,
                headers={"User-Agent": f"wsbdd/{__version__}"},
            )
            self._clients[name] = client
        return client

    def _jar(self, name: str) -> CookieJar:
        jar = self._jars.get(name)
        if jar is None:
            jar = self._jars[name] = CookieJar()
        return jar

    def cookies(self, name: str) -> httpx.Cookies:
        """``name``'s cookie jar (created empty on first use)."""
        return httpx.Cookies(self._jar(name))

    def cookie(self, name: str, cookie: str) -> str | None:
        """The value of ``name``'s cookie called ``cookie`` (any domain and path), or None."""
        for item in self._jars.get(name, ()):
            if item.name == cookie:
                return item.value
        return None

    def need_cookie(self, name: str, cookie: str, step: str = "") -> str:
        """The value of ``name``'s cookie ``cookie``; a sentence naming the cookies it has
        (and the step) when there is none."""
        value = self.cookie(name, cookie)
        if value is None:
            have = ", ".join(sorted({c.name for c in self._jars.get(name, ())})) or "none"
            who = "I have" if name == ANONYMOUS else f"{name} has"
            raise ExpectationFailed(f'{who} no cookie "{cookie}" (cookies: {have}).', step=step)
        return value

    def with_cookies(self, name: str, url: str, headers: dict[str, str]) -> dict[str, str]:
        """``headers`` plus ``name``'s cookies for ``url`` (a WebSocket handshake's), after any
        ``Cookie`` header the step gave; ``headers`` itself when the jar has none for ``url``."""
        cookies = self.cookie_header(name, url)
        if not cookies:
            return headers
        merged = dict(headers)
        given = next((k for k in merged if k.lower() == "cookie"), None)
        if given is None:
            merged["Cookie"] = cookies
        else:
            merged[given] = f"{merged[given]}; {cookies}"
        return merged

    def cookie_header(self, name: str, url: str) -> str | None:
        """The ``Cookie`` header ``name``'s jar gives a request to ``url`` (``ws(s)`` or
        ``http(s)``): the cookies whose domain, path and secure flag fit; None if none."""
        jar = self._jars.get(name)
        if not jar:
            return None
        request = httpx.Request("GET", http_base(url))
        httpx.Cookies(jar).set_cookie_header(request)
        return request.headers.get("cookie")

    def keep_cookies(self, name: str, url: str, headers: Sequence[tuple[str, str]]) -> None:
        """Store the ``Set-Cookie`` headers of a response to ``url`` in ``name``'s jar
        (a WebSocket handshake's answer)."""
        if not any(key.lower() == "set-cookie" for key, _ in headers):
            return
        request = httpx.Request("GET", http_base(url))
        response = httpx.Response(200, headers=list(headers), request=request)
        self.cookies(name).extract_cookies(response)

    def request(
        self,
        name: str,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] = (),
        body: Body = Body(),
        step: str = "",
    ) -> Response:
        """Send one request as ``name``, following same-origin redirects; the final answer.

        A redirect to another origin is not followed: its 3xx is the answer.
        Raises :class:`ConnectionProblem` (one sentence naming the step) for an
        unreachable server, a timeout, or a redirect loop.
        """
        method = method.upper()
        client = self._client(name)
        headers = dict(headers or {})
        if body.kind == "text" and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "text/plain; charset=utf-8"
        started = time.monotonic()
        try:
            request = client.build_request(
                method, _with_query(url, query), headers=headers, **body.as_httpx()
            )
        except UnicodeEncodeError as exc:
            # httpx's own words ("'ascii' codec can't encode …") name no header and no fix.
            raise FeatureMistake(
                f'"{masked_address(url)}" cannot be requested: a header holds '
                f'"{exc.object[exc.start : exc.end]}", and HTTP headers carry ASCII only; '
                "percent-encode it, or send it in the body."
            ) from None
        except (httpx.HTTPError, httpx.InvalidURL, ValueError, TypeError) as exc:
            # httpx.InvalidURL is no HTTPError: a URL too long for httpx ends here too.
            shown = masked_address(url)
            shown = shown if len(shown) <= 200 else shown[:100] + "…"
            raise FeatureMistake(f'"{shown}" cannot be requested ({exc}).') from None
        current_body = body
        for _ in range(MAX_REDIRECTS + 1):
            answer = self._send(client, name, request, current_body, step)
            current_body = Body()
            location = answer.headers.get("location")
            if (
                answer.status_code not in _REDIRECTS
                or not location
                or request.method not in FOLLOWED
            ):
                return self._response(answer, request, started)
            target = urljoin(str(request.url), location)
            if origin_of(target) != origin_of(str(request.url)) or urlsplit(target).scheme not in (
                "http",
                "https",
            ):
                # Another origin: stop here, so no header or cookie goes there.
                return self._response(answer, request, started, redirected_to=target)
            # Only GET, HEAD and OPTIONS get here: the next hop carries no body.
            request = client.build_request(request.method, target, headers=headers)
        who = who_is(name)
        raise ConnectionProblem(
            f"{who} was redirected more than {MAX_REDIRECTS} times, last to "
            f"{masked_address(str(request.url))}: the server redirects in a loop.",
            step=step,
        )

    def _send(
        self, client: httpx.Client, name: str, request: httpx.Request, body: Body, step: str
    ) -> httpx.Response:
        shown_url = masked_address(str(request.url))
        exchange = Exchange(
            who_is(name), request.method, shown_url, time.monotonic(), body.shown(), step=step
        )
        self.exchanges.append(exchange)
        try:
            answer = client.send(request)
        except httpx.HTTPError as exc:
            exchange.error = _error_text(exc, self.timeout)
            exchange.answered_at = time.monotonic()
            raise ConnectionProblem(
                f"{_whose(name)} {request.method} {shown_url} failed: {exchange.error}.",
                step=step,
            ) from None
        exchange.answered_at = time.monotonic()
        exchange.status = answer.status_code
        exchange.reason = answer.reason_phrase
        exchange.content_type = answer.headers.get("content-type", "")
        exchange.answer = answer.text
        return answer

    def _response(
        self,
        answer: httpx.Response,
        request: httpx.Request,
        started: float,
        redirected_to: str | None = None,
    ) -> Response:
        extra: dict[str, Any] = {}
        if redirected_to is not None:
            extra["not_followed"] = masked_address(redirected_to)
        return Response(
            status=answer.status_code,
            reason=answer.reason_phrase,
            headers=tuple(answer.headers.multi_items()),
            body=answer.content,
            url=masked_address(str(request.url)),
            method=request.method,
            elapsed=time.monotonic() - started,
            extra=extra,
        )

    def close(self) -> None:
        """Close every client (their connection pools) and empty the jars."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        self._jars.clear()
