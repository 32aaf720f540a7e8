"""Steps that remember values for later steps (``${name}``) and deliberate pauses."""

from __future__ import annotations

import time
from typing import Any

from behave import step

from wsbdd.facade.session import Session
from wsbdd.match import parse_value
from wsbdd.match.grammar import NAME, NUMBER, UNIT, entries_from_table, seconds
from wsbdd.steps.base import wsbdd_step


@step(r"I remember (?P<path>\$.*?) from " + NAME + r"'s last message as \"(?P<variable>[^\"]+)\"")
@wsbdd_step
def remember(session: Session, context: Any, path: str, name: str, variable: str) -> None:
    """Store a value from the message the client's last receive step matched, as ${variable}."""
    session.remember(variable, path, name)


@step(
    r"I remember the text matching \"(?P<pattern>.+)\" from "
    + NAME
    + r"'s last message as \"(?P<variable>[^\"]+)\""
)
@wsbdd_step
def remember_text_match(
    session: Session, context: Any, pattern: str, name: str, variable: str
) -> None:
    """Store part of the client's last text frame as ${variable}: the regex's first group
    (or the whole match when it has no group), e.g. "ack:(\\d+)" keeps the number."""
    session.remember_match(variable, pattern, name)


@step(r'I set "(?P<variable>[^"]+)" to the table:')
@wsbdd_step
def set_table(session: Session, context: Any, variable: str) -> None:
    """Set ${variable} to a table of two columns, read entry by entry: ${tokens.player1}.

    The first column names each entry (a client, say), the second is its value:
    ``| client | token |`` rows give one token per client, for ``${tokens.${client}}``.
    """
    session.vars.set(variable, entries_from_table(context.table, variable, session.vars))


@step(r'I set "(?P<variable>[^"]+)" to a text of (?P<length>\d+) characters')
@wsbdd_step
def set_long_text(session: Session, context: Any, variable: str, length: str) -> None:
    """Set ${variable} to a text of exactly that many characters (for boundary tests)."""
    n = int(length)
    pattern = "abcdefghij"
    session.vars.set(variable, (pattern * (n // len(pattern) + 1))[:n])


# Not "the table:" nor "a text of N characters": those are the two steps above.
@step(r'I set "(?P<variable>[^"]+)" to (?!the table:$|a text of \d+ characters$)(?P<value>.+)')
@wsbdd_step
def set_variable(session: Session, context: Any, variable: str, value: str) -> None:
    """Set ${variable} to a value: "text", a number, true/false, or JSON."""
    text = value.strip()
    rendered = (
        session.vars.render_json_text(text)
        if text.startswith(('"', "{", "["))
        else (session.vars.render_text(text))
    )
    session.vars.set(variable, parse_value(rendered))


@step(rf"I wait (?P<amount>{NUMBER}) ?(?P<unit>{UNIT})")
@wsbdd_step
def pause(session: Session, context: Any, amount: str, unit: str) -> None:
    """A deliberate pause the scenario asks for (e.g. to let a rate limit reset).

    Never needed to wait for a message: receive steps already wait.
    """
    time.sleep(seconds(amount, unit) or 0.0)
