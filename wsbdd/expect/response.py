"""Verdicts on an HTTP response: status, JSON conditions, templates, headers, body text.

Pure (no sockets): each check takes a :class:`~wsbdd.model.response.Response` and the
step's words, and raises :class:`~wsbdd.errors.ExpectationFailed` with one
sentence naming the step, what was wanted and what came (status, content type
and the start of the body).  The matchers are the message ones
(:mod:`wsbdd.match`): a response body is matched as a message would be.
"""

from __future__ import annotations

import re
from typing import Any

from wsbdd.match import Condition, Like, MessageMatcher, Where
from wsbdd.model.errors import ExpectationFailed, FeatureMistake
from wsbdd.model.message import Message
from wsbdd.model.response import Response

__all__ = [
    "as_message",
    "describe",
    "expect_status",
    "expect_matches",
    "expect_header",
    "expect_no_header",
    "expect_text",
    "capture",
    "value_at",
]

BODY_SHOWN = 160


def describe(response: Response) -> str:
    """``HTTP 200 OK, text/html, body starting "<!doctype html>…"`` for sentences."""
    text = f"HTTP {response.status}"
    if response.reason:
        text += f" {response.reason}"
    content_type = response.header("content-type")
    text += f", {content_type}" if content_type else ", no content type"
    body = " ".join(response.text.split())
    if not body:
        return text + ", empty body"
    shown = body if len(body) <= BODY_SHOWN else body[: BODY_SHOWN - 1] + "…"
    return (
        f'{text}, body starting "{shown}"' if len(body) > BODY_SHOWN else f'{text}, body "{shown}"'
    )


def as_message(response: Response) -> Message:
    """The response body as a message, so message matchers judge it unchanged."""
    return Message(0, 0.0, "text", response.text)


def _needs_json(matcher: MessageMatcher) -> bool:
    if isinstance(matcher, Like):
        return True
    if isinstance(matcher, Where):
        return any(condition.path.text not in ("$", "$.") for condition in matcher.conditions)
    return False


def expect_status(response: Response, status: int, step: str = "") -> None:
    if response.status != status:
        where = response.extra.get("not_followed")
        note = (
            f" (a redirect to {where}, another origin, which wsbdd does not follow)"
            if where
            else ""
        )
        raise ExpectationFailed(
            f"the response status should be {status}, but it was {describe(response)}{note}.",
            step=step,
        )


def expect_matches(response: Response, matcher: MessageMatcher, step: str = "") -> None:
    """The body meets ``matcher`` (conditions or a template), read as JSON."""
    if _needs_json(matcher) and not response.is_json:
        raise ExpectationFailed(
            f"the response should be JSON {matcher.describe()}, but its body "
            f"is not JSON: {describe(response)}.",
            step=step,
        )
    message = as_message(response)
    if not matcher.matches(message):
        raise ExpectationFailed(
            f"the response should be {matcher.describe()}, but "
            f"{matcher.mismatch(message)} ({describe(response)}).",
            step=step,
        )


_CREDENTIAL_WORDS = ("authorization", "cookie", "api-key", "apikey", "token", "secret")


def _carries_credentials(header: str) -> bool:
    """A header whose value a failure never prints (``Set-Cookie``, ``Authorization``, …)."""
    lowered = header.lower()
    return any(word in lowered for word in _CREDENTIAL_WORDS)


def _missing_header(response: Response, name: str, step: str) -> ExpectationFailed:
    return ExpectationFailed(
        f'the response has no header "{name}": {describe(response)}.',
        step=step,
    )


def expect_header(response: Response, name: str, condition: Condition, step: str = "") -> None:
    """The header ``name`` meets ``condition`` (a ``$`` condition on the header's text)."""
    value = response.header(name)
    words = condition.matcher.describe()
    if value is None:
        if words.startswith("does not exist"):
            return
        raise _missing_header(response, name, step)
    if not condition.test(value):
        saw = (
            "its value did not (not shown: it carries credentials)"
            if _carries_credentials(name)
            else f"it {condition.matcher.mismatch([value])}"
        )
        raise ExpectationFailed(
            f'the response header "{name}" should be one that {words}, but '
            f"{saw} ({describe(response)}).",
            step=step,
        )


def expect_no_header(response: Response, name: str, step: str = "") -> None:
    value = response.header(name)
    if value is not None:
        raise ExpectationFailed(
            f'the response should have no header "{name}", but it has one ({describe(response)}).',
            step=step,
        )


def expect_text(response: Response, condition: Condition, step: str = "") -> None:
    """The body's text (never parsed as JSON) meets ``condition``."""
    text = response.text
    if not condition.test(text):
        raise ExpectationFailed(
            f"the response body should be text that "
            f"{condition.matcher.describe()}, but it was {describe(response)}.",
            step=step,
        )


def value_at(response: Response, path: Any, step: str = "") -> Any:
    """The first value the compiled JSONPath ``path`` selects in the JSON body."""
    if not response.is_json and path.text not in ("$", "$."):
        raise ExpectationFailed(
            f"the response has no {path.text}: its body is not JSON ({describe(response)}).",
            step=step,
        )
    found = path.find(response.value)
    if not found:
        raise ExpectationFailed(
            f"the response has no {path.text} ({describe(response)}).",
            step=step,
        )
    return found[0]


def compile_capture(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled; a broken one is one sentence that shows how to mark the part."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise FeatureMistake(
            f'"{pattern}" is not a valid regular expression ({exc}); mark the part to keep '
            'with parentheses, e.g. "ack:(\\d+)" or value="([^"]+)".'
        ) from None


def first_capture(compiled: re.Pattern[str], text: str) -> str | None:
    """The first group (else the whole match) of ``compiled`` searched in ``text``; None when
    nothing matches."""
    found = compiled.search(text)
    if found is None:
        return None
    if compiled.groups:
        group = found.group(1)
        return group if group is not None else ""
    return found.group()


def capture(text: str, pattern: str, what: str, step: str = "", shown: str = "") -> str:
    """The first group (else the whole match) of ``pattern`` searched in ``text``."""
    value = first_capture(compile_capture(pattern), text)
    if value is None:
        raise ExpectationFailed(
            f'nothing in {what} matches "{pattern}" ({shown or text[:160]}).',
            step=step,
        )
    return value
