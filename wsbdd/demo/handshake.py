"""What the demo server reads from a client's opening HTTP request.

The path picks the route, the query string may carry a name or a token, the
``Authorization`` header may carry a bearer token, and ``X-`` headers are
shown back to the client by ``whoami``.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from websockets.http11 import Request

__all__ = ["bearer_token", "path_of", "query_of", "x_headers"]


def path_of(request: Request) -> str:
    """Return the request path without its query string (``/secure?token=t`` -> ``/secure``)."""
    return request.path.partition("?")[0]


def query_of(request: Request) -> dict[str, str]:
    """Return the query parameters, one value per name (the last one wins)."""
    return dict(parse_qsl(urlsplit(request.path).query, keep_blank_values=True))


def x_headers(request: Request) -> dict[str, str]:
    """Return the headers whose name starts with ``X-``, in their original case."""
    found: dict[str, str] = {}
    for name, value in request.headers.raw_items():
        if name[:2].lower() == "x-":
            found[name] = f"{found[name]}, {value}" if name in found else value
    return found


def bearer_token(request: Request) -> str | None:
    """Return the token from ``?token=`` or else ``Authorization: Bearer``; None if neither."""
    token = query_of(request).get("token")
    if token:
        return token
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None
