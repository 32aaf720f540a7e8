"""An HTTP response as data: what an HTTP step got back, or what refused a WebSocket handshake.

Pure (no sockets, no httpx): steps assert on it with the same JSONPath and
matchers as messages.  The HTTP steps make one from an ``httpx.Response``; a
rejected handshake makes one from the refusal websockets read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

__all__ = ["Response"]

_NOT_JSON = object()


@dataclass(frozen=True)
class Response:
    """One HTTP response: status, headers (in order, repeats kept) and body."""

    status: int
    reason: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    url: str = ""
    """The address that answered (after same-origin redirects), secrets masked."""
    method: str = "GET"
    elapsed: float = 0.0
    """Seconds from sending the request to reading the whole response."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case); repeated headers joined with ", "."""
        wanted = name.lower()
        values = [value for key, value in self.headers if key.lower() == wanted]
        return ", ".join(values) if values else None

    def header_values(self, name: str) -> list[str]:
        """Every value of header ``name`` (``Set-Cookie`` repeats), in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @cached_property
    def text(self) -> str:
        """The body as text (UTF-8, or the charset the ``Content-Type`` names)."""
        charset = "utf-8"
        content_type = self.header("content-type") or ""
        for part in content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.body.decode(charset, "replace")
        except LookupError:
            return self.body.decode("utf-8", "replace")

    @cached_property
    def _parsed(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return _NOT_JSON

    @property
    def is_json(self) -> bool:
        return self._parsed is not _NOT_JSON

    @property
    def json(self) -> Any:
        """The body parsed as JSON; raises ``ValueError`` when it is not JSON."""
        if self._parsed is _NOT_JSON:
            raise ValueError(
                "The response's body is not JSON; "
                "ask Response.is_json first, or read Response.text."
            )
        return self._parsed

    @property
    def value(self) -> Any:
        """What conditions see: the parsed JSON body, else the body's text."""
        return self.text if self._parsed is _NOT_JSON else self._parsed

    def summary(self, limit: int = 120) -> str:
        """``HTTP 401 Unauthorized ("Invalid token")``, for sentences."""
        text = f"HTTP {self.status}"
        if self.reason:
            text += f" {self.reason}"
        body = self.text.strip()
        if body:
            shown = body if len(body) <= limit else body[: limit - 1] + "…"
            text += f' ("{shown}")'
        return text
