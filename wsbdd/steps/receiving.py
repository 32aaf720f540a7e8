"""Steps that wait for what clients receive: match, silence, counts, order, collect, forget.

"Receives" claims the first unread message that matches and skips (without
claiming) the others; see docs/receiving.md for the exact rules.
"""

from __future__ import annotations

from typing import Any

from behave import step

from wsbdd.expect import message_lines
from wsbdd.facade.session import Session
from wsbdd.match import BytesAre, TextIs
from wsbdd.match.grammar import (
    COUNT as COUNT_WORD,
)
from wsbdd.match.grammar import (
    NAME,
    WITHIN,
    conditions,
    count_word,
    decode_binary,
    quoted,
    row_matchers,
    seconds,
    table_matcher,
    template_matcher,
    templates,
)
from wsbdd.model.errors import ExpectationFailed, FeatureMistake
from wsbdd.model.failures import Failure
from wsbdd.steps.base import wsbdd_step

COUNT = rf"(?:(?P<op>exactly|at least|at most) )?(?P<count>{COUNT_WORD}) messages?"


@step(NAME + r" receives (?:a|any) message" + WITHIN)
@wsbdd_step
def receives_any(session: Session, context: Any, name: str, amount: Any, unit: Any) -> None:
    """Wait for any unread message (configured noise such as welcomes is skipped)."""
    session.receive(name, None, seconds(amount, unit))


@step(NAME + r" receives a message where (?P<where>(?!.*:$).+?)" + WITHIN)
@wsbdd_step
def receives_where(
    session: Session, context: Any, name: str, where: str, amount: Any, unit: Any
) -> None:
    """Wait for a message meeting every condition: ``where $.type is "chat" and $.room is "x"``."""
    session.receive(name, conditions(where, session.vars), seconds(amount, unit))


@step(NAME + r" receives a message" + WITHIN + r" where:")
@wsbdd_step
def receives_table(session: Session, context: Any, name: str, amount: Any, unit: Any) -> None:
    """Wait for one message meeting every row of a | path | matcher | value | table."""
    session.receive(name, table_matcher(context.table, session.vars), seconds(amount, unit))


@step(NAME + r" receives a message (?:like|matching)" + WITHIN + r":")
@wsbdd_step
def receives_like(session: Session, context: Any, name: str, amount: Any, unit: Any) -> None:
    """Wait for a message containing the docstring JSON (markers like "#uuid" allowed)."""
    session.receive(name, template_matcher(context.text, session.vars), seconds(amount, unit))


@step(NAME + r' receives the text "(?P<text>.*)"' + WITHIN)
@wsbdd_step
def receives_text(
    session: Session, context: Any, name: str, text: str, amount: Any, unit: Any
) -> None:
    """Wait for a text frame equal to the text (``\\n`` is a new line, ``\\"`` a quote)."""
    session.receive(name, TextIs(quoted(text, session.vars)), seconds(amount, unit))


@step(NAME + r" receives the text" + WITHIN + r":")
@wsbdd_step
def receives_text_docstring(
    session: Session, context: Any, name: str, amount: Any, unit: Any
) -> None:
    """Wait for a text frame equal to the docstring (several lines allowed, taken as written)."""
    if context.text is None:
        raise FeatureMistake(
            'This step needs the expected text in a docstring under it (between """ lines).'
        )
    session.receive(name, TextIs(session.vars.render_text(context.text)), seconds(amount, unit))


@step(NAME + r' receives binary (?P<encoding>hex|base64) "(?P<data>[^"]*)"' + WITHIN)
@wsbdd_step
def receives_binary(
    session: Session,
    context: Any,
    name: str,
    encoding: str,
    data: str,
    amount: Any,
    unit: Any,
) -> None:
    expected = decode_binary(encoding, session.vars.render_text(data))
    session.receive(name, BytesAre(expected), seconds(amount, unit))


@step(NAME + r" receives no messages?(?: where (?P<where>.+?))?" + WITHIN)
@wsbdd_step
def receives_nothing(
    session: Session, context: Any, name: str, where: str | None, amount: Any, unit: Any
) -> None:
    """A quiet window: no unread (matching) message is there or arrives within the time."""
    matcher = conditions(where, session.vars) if where else None
    session.receive_nothing(name, matcher, seconds(amount, unit))


@step(NAME + r" has received " + COUNT + r"(?: where (?P<where>.+?))?" + WITHIN)
@wsbdd_step
def has_received(
    session: Session,
    context: Any,
    name: str,
    op: str | None,
    count: str,
    where: str | None,
    amount: Any,
    unit: Any,
) -> None:
    """Count messages since connecting (or since the client forgot), waiting for them to arrive."""
    matcher = conditions(where, session.vars) if where else None
    session.count(name, op or "exactly", count_word(count), matcher, seconds(amount, unit))  # type: ignore[arg-type]


@step(NAME + r" receives these messages in (?P<order>order|any order)" + WITHIN + r":")
@wsbdd_step
def receives_these(
    session: Session, context: Any, name: str, order: str, amount: Any, unit: Any
) -> None:
    """Several messages, one per table row (headings are JSONPaths) or per docstring template."""
    if context.table is not None:
        matchers: list[Any] = row_matchers(context.table, session.vars)
    elif context.text is not None:
        matchers = templates(context.text, session.vars)
    else:
        raise FeatureMistake(
            "Put the expected messages under the step, as a table whose headings are "
            "JSONPaths (| $.type | $.content |) or a docstring JSON array of templates."
        )
    timeout = seconds(amount, unit)
    if order == "order":
        session.receive_in_order(name, matchers, timeout)
    else:
        session.receive_in_any_order(name, matchers, timeout)


@step(NAME + r" receives messages until one where (?P<where>.+?)" + WITHIN)
@wsbdd_step
def receives_until(
    session: Session, context: Any, name: str, where: str, amount: Any, unit: Any
) -> None:
    """Collect every unread message up to and including the marker message."""
    session.collect_until(name, conditions(where, session.vars), seconds(amount, unit))


@step(NAME + r" collected " + COUNT + r"(?: where (?P<where>.+))?")
@wsbdd_step
def collected(
    session: Session,
    context: Any,
    name: str,
    op: str | None,
    count: str,
    where: str | None,
) -> None:
    """Check how many of the collected messages there are (optionally matching)."""
    messages = session.collected_by(name)
    matcher = conditions(where, session.vars) if where else None
    hits = [m for m in messages if matcher is None or matcher.matches(m)]
    n = count_word(count)
    op = op or "exactly"
    ok = {"exactly": len(hits) == n, "at least": len(hits) >= n, "at most": len(hits) <= n}[op]
    if not ok:
        what = f" {matcher.describe()}" if matcher else ""
        raise ExpectationFailed(
            Failure(
                who=name,
                expected=f"to have collected {op} {n} messages{what}",
                observed=f"collected {len(hits)} of {len(messages)}" + (":" if messages else ""),
                candidates=message_lines(messages, matcher, limit=10),
            )
        )


@step(NAME + r" forgets (?:her|his|their|its|all|the) messages")
@wsbdd_step
def forgets(session: Session, context: Any, name: str) -> None:
    """Mark every message so far as read and restart counting from zero."""
    session.forget(name)
