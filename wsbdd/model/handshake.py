"""What a refused WebSocket handshake said: its HTTP response, as data and in a sentence.

Pure: built from a :class:`~wsbdd.io.client.ConnectionOutcome` (anything with
``status``, ``reason_phrase``, ``headers``, ``body`` and ``url``), so the
rejection steps can assert on the body and headers with the same matchers as
messages, and the HTTP steps' assertions work on it as "the response".
:func:`answer_headers` reads every header of an answer, accepted or refused, for
the client's cookie jar.
"""

from __future__ import annotations

from typing import Any

from wsbdd.model.response import Response
from wsbdd.model.secrets import MASK, is_secret_header

__all__ = ["refusal_response", "describe_refusal", "answer_headers"]

BODY_SHOWN = 200
"""Characters of a refusal's body a failure sentence shows."""
HEADERS_SHOWN = 8


def refusal_response(outcome: Any) -> Response:
    """The HTTP response that refused ``outcome``'s handshake."""
    body = outcome.body
    return Response(
        status=outcome.status,
        reason=outcome.reason_phrase or "",
        headers=tuple((str(k), str(v)) for k, v in (outcome.headers or {}).items()),
        body=body.encode("utf-8") if isinstance(body, str) else bytes(body or b""),
        url=outcome.url,
        method="GET",
    )


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe_refusal(response: Response) -> str:
    """``HTTP 401 Unauthorized, body "Invalid token", headers WWW-Authenticate: Basic …``.

    Bounded (the body is cut, at most a few headers are listed) and without
    secrets: the values of ``Set-Cookie``, ``Authorization`` and the like are masked.
    """
    text = f"HTTP {response.status}"
    if response.reason:
        text += f" {response.reason}"
    body = response.text.strip()
    text += f', body "{_one_line(body, BODY_SHOWN)}"' if body else ", no body"
    shown = [
        f"{name}: {MASK if is_secret_header(name) else _one_line(value, 80)}"
        for name, value in response.headers
        if name.lower() not in ("content-length", "date", "server", "connection")
    ]
    if shown:
        more = len(shown) - HEADERS_SHOWN
        listed = "; ".join(shown[:HEADERS_SHOWN]) + (f"; … {more} more" if more > 0 else "")
        text += f", headers {listed}"
    return text


def answer_headers(client: Any) -> list[tuple[str, str]]:
    """Every header of the server's answer to ``client``'s handshake (accepted or refused),
    repeats kept: several ``Set-Cookie`` headers each set a cookie."""
    items = client.handshake_header_items()
    if items is not None:
        return list(items)
    if client.outcome is not None and client.outcome.headers:
        return list(client.outcome.headers.items())
    return []
