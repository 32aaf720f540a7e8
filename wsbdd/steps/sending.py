"""Steps that send frames: JSON inline or as a docstring, text, binary, several at once."""

from __future__ import annotations

from typing import Any

from behave import step

from wsbdd.facade.session import Session
from wsbdd.match.grammar import NAME, decode_binary, payload_text, quoted
from wsbdd.match.refusals import messages_to_send
from wsbdd.model.errors import FeatureMistake
from wsbdd.steps.base import wsbdd_step


def _docstring(context: Any, example: str) -> str:
    text = context.text
    if text is None:
        raise FeatureMistake(
            f'This step needs a docstring under it (between """ lines), e.g. {example}'
        )
    return text


# A payload followed by ` to "<destination>"` (and the STOMP send's words) is never JSON:
# that line is the STOMP step's (wsbdd/steps/stomp.py), "Ann sends {…} to "/topic/x"".
_NOT_TO_A_DESTINATION = r'(?!.*[\]}] to "[^"]+"(?: (?:with|and|in) .*)?$)'


@step(NAME + r" sends (?P<payload>" + _NOT_TO_A_DESTINATION + r"[\[{].*)")
@wsbdd_step
def sends_inline(session: Session, context: Any, name: str, payload: str) -> None:
    """Send the JSON written on the step line (variables like ${room} filled in)."""
    session.send(name, payload_text(payload, session.vars))


@step(NAME + r" sends:")
@wsbdd_step
def sends_docstring(session: Session, context: Any, name: str) -> None:
    """Send the docstring: JSON when it starts with { or [, text otherwise."""
    session.send(name, payload_text(_docstring(context, '{"type": "ping"}'), session.vars))


@step(NAME + r' sends the text "(?P<text>.*)"')
@wsbdd_step
def sends_text(session: Session, context: Any, name: str, text: str) -> None:
    """Send a text frame as written (not checked as JSON); ``\\n`` is a new line."""
    session.send(name, quoted(text, session.vars))


@step(NAME + r" sends the text:")
@wsbdd_step
def sends_text_docstring(session: Session, context: Any, name: str) -> None:
    session.send(name, session.vars.render_text(_docstring(context, "any text")))


@step(NAME + r' sends binary (?P<encoding>hex|base64) "(?P<data>[^"]*)"')
@wsbdd_step
def sends_binary(session: Session, context: Any, name: str, encoding: str, data: str) -> None:
    """Send a binary frame given as hex (``01 ff``) or base64."""
    session.send(name, decode_binary(encoding, session.vars.render_text(data)))


@step(NAME + r" sends (?P<count>\d+) messages:")
@wsbdd_step
def sends_many(session: Session, context: Any, name: str, count: str) -> None:
    """Send the docstring N times; ``${i}`` is 1, 2, … N in each copy."""
    template = _docstring(context, '{"type": "echo", "content": "${i}"}')
    n = messages_to_send(count)
    payloads = [payload_text(template, session.vars.child(i=i, n=n)) for i in range(1, n + 1)]
    session.send_many(name, payloads)


@step(NAME + r" sends (?P<count>\d+) messages (?P<payload>[\[{].*)")
@wsbdd_step
def sends_many_inline(session: Session, context: Any, name: str, count: str, payload: str) -> None:
    n = messages_to_send(count)
    payloads = [payload_text(payload, session.vars.child(i=i, n=n)) for i in range(1, n + 1)]
    session.send_many(name, payloads)
