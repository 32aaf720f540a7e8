"""GraphQL steps: connect with connection params, subscribe and run queries and mutations
as named operations, wait for their results, errors and completion, cancel them; queries
and mutations over HTTP, answered by the HTTP response steps.

In every step about an operation's result, ``$`` is the result: ``$.data.count``,
``$.errors[0].message`` (see :mod:`wsbdd.expect.operations`).  Variables are JSON on the
line (``with variables {"n": 3}``) or a table under the step (``with variables:``);
``${…}`` is filled in everywhere.  See docs/graphql.md.
"""

from __future__ import annotations

from typing import Any

from behave import given, step, then, when

from wsbdd.expect.operations import result_conditions
from wsbdd.facade.session import Session
from wsbdd.match.grammar import (
    COUNT,
    NAME,
    NAMES,
    QUOTED,
    WITHIN,
    cell_value,
    count_word,
    quoted,
    seconds,
    split_names,
)
from wsbdd.model.errors import FeatureMistake
from wsbdd.steps.base import wsbdd_step

GRAPHQL = r"(?P<protocol>GraphQL|graphql-ws|graphql-transport-ws)"
PARAMS = r"(?: with params (?P<params>[{].*))?"
OPERATION = r'"(?P<operation>[^"]+)"'
QUERY = rf'"(?P<query>{QUOTED})"'
VARIABLES = (
    r"(?: with variables (?P<variables>[{\[].*?))?"
    r'(?: (?:and|with) operation name "(?P<operation_name>[^"]+)")?'
    r"(?P<table> with variables:)?"
)
KIND = r"(?P<kind>query|mutation)"


def _json_object(text: str | None, session: Session, what: str) -> dict[str, Any] | None:
    if not text:
        return None
    value = session.vars.render_json(text)
    if not isinstance(value, dict):
        raise FeatureMistake(f'The {what} are a JSON object, e.g. {{"room": 1}}; not {text}.')
    return value


def _variables(context: Any, session: Session, inline: str | None, table: str | None) -> Any:
    """The operation's variables: JSON on the line, or a | name | value | table."""
    if not table:
        return _json_object(inline, session, "variables")
    if context.table is None:
        raise FeatureMistake(
            "Put the variables in a table under the step:\n"
            "  | name   | value |\n  | target | 3     |"
        )
    rows = [list(context.table.headings)] + [list(row.cells) for row in context.table.rows]
    values = dict(_json_object(inline, session, "variables") or {})
    for cells in rows:
        if len(cells) < 2 or cells[0].strip().lower() in ("name", "variable"):
            continue
        values[cells[0].strip()] = cell_value(cells[1].strip(), session.vars)
    return values


def _query(text: str, session: Session) -> str:
    return quoted(text, session.vars)


def _docstring(context: Any) -> str:
    if context.text is None:
        raise FeatureMistake(
            'This step needs the GraphQL document in a docstring under it (between """ '
            "lines), e.g. subscription { count(target: 3) }."
        )
    return str(context.text)


# -- connecting ---------------------------------------------------------------------------------


@given(NAME + r" is connected over " + GRAPHQL + PARAMS)
@when(NAME + r" is connected over " + GRAPHQL + PARAMS)
@wsbdd_step
def connected_over_graphql(
    session: Session, context: Any, name: str, protocol: str, params: str | None
) -> None:
    """Connect one client over GraphQL (graphql-transport-ws, or the legacy graphql-ws), with
    the configured connection params (or these); the server must acknowledge them."""
    session.connect_graphql(
        [name], params=session.vars.render_json(params) if params else None, protocol=protocol
    )


@given(rf"clients (?P<names>{NAMES}) are connected over " + GRAPHQL + PARAMS)
@when(rf"clients (?P<names>{NAMES}) are connected over " + GRAPHQL + PARAMS)
@wsbdd_step
def all_connected_over_graphql(
    session: Session, context: Any, names: str, protocol: str, params: str | None
) -> None:
    """Connect several clients over GraphQL at once (``${client}`` in the params is each
    one's name)."""
    listed = split_names(names)
    if params and ("${client}" in params or "${index}" in params):
        for index, name in enumerate(listed, 1):
            member = session.vars.child(client=name, index=index)
            session.connect_graphql([name], params=member.render_json(params), protocol=protocol)
        return
    rendered = session.vars.render_json(params) if params else None
    session.connect_graphql(listed, params=rendered, protocol=protocol)


# -- starting operations -----------------------------------------------------------------------


@step(NAME + r" subscribes to " + QUERY + r" as " + OPERATION + VARIABLES)
@wsbdd_step
def subscribes(
    session: Session,
    context: Any,
    name: str,
    query: str,
    operation: str,
    variables: str | None,
    operation_name: str | None,
    table: str | None,
) -> None:
    """Start a subscription named by the feature (connecting over GraphQL first if needed),
    with variables as JSON on the line or in a table, and an operation name."""
    session.subscribe(
        name,
        operation,
        _query(query, session),
        _variables(context, session, variables, table),
        operation_name,
    )


@step(
    NAME
    + r" (?:subscribes|runs the (?P<kind>query|mutation)) as "
    + OPERATION
    + r"(?: with variables (?P<variables>[{\[].*?))?"
    + r'(?: (?:and|with) operation name "(?P<operation_name>[^"]+)")?'
    + r" to:"
)
@wsbdd_step
def operation_docstring(
    session: Session,
    context: Any,
    name: str,
    kind: str | None,
    operation: str,
    variables: str | None,
    operation_name: str | None,
) -> None:
    """Start an operation whose GraphQL document is the docstring under the step."""
    session.start_operation(
        name,
        operation,
        session.vars.render_text(_docstring(context)),
        _json_object(variables, session, "variables"),
        operation_name,
    )


@step(NAME + r" runs the " + KIND + " " + QUERY + r" as " + OPERATION + VARIABLES)
@wsbdd_step
def runs_operation(
    session: Session,
    context: Any,
    name: str,
    kind: str,
    query: str,
    operation: str,
    variables: str | None,
    operation_name: str | None,
    table: str | None,
) -> None:
    """Run a query or a mutation over the client's WebSocket, named by the feature: its
    result is checked like a subscription's ("q" gives a result where …)."""
    session.start_operation(
        name,
        operation,
        _query(query, session),
        _variables(context, session, variables, table),
        operation_name,
    )


@step(NAME + r" cancels " + OPERATION)
@wsbdd_step
def cancels(session: Session, context: Any, name: str, operation: str) -> None:
    """Stop an operation the client started (``complete``; legacy graphql-ws: ``stop``)."""
    session.cancel(name, operation)


# -- over HTTP ----------------------------------------------------------------------------------


@step(NAME + r" runs? the " + KIND + " " + QUERY + r" over HTTP" + VARIABLES)
@wsbdd_step
def runs_over_http(
    session: Session,
    context: Any,
    name: str,
    kind: str,
    query: str,
    variables: str | None,
    operation_name: str | None,
    table: str | None,
) -> None:
    """POST a query or a mutation as JSON to the GraphQL HTTP address (``[graphql]
    http_url``, else the WebSocket address turned http); "the response …" checks it."""
    session.graphql_over_http(
        name,
        _query(query, session),
        _variables(context, session, variables, table),
        operation_name,
    )


# -- results ------------------------------------------------------------------------------------


@then(
    OPERATION
    + rf" gives (?P<count>(?!(?:a|an|one|no) ){COUNT}) results?"
    + r"(?P<complete>,? then completes)?"
    + WITHIN
)
@wsbdd_step
def gives_results(
    session: Session,
    context: Any,
    operation: str,
    count: str,
    complete: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """The operation gives exactly that many results and then completes ("…, then
    completes"); without it, at least that many so far.  Claims them."""
    session.expect_results(
        operation, count_word(count), seconds(amount, unit), then_complete=bool(complete)
    )


@then(OPERATION + r" gives (?:a|one) result(?: where (?P<where>.+?))?" + WITHIN)
@wsbdd_step
def gives_a_result(
    session: Session,
    context: Any,
    operation: str,
    where: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """Wait for a result meeting every condition ($ is the result: $.data…) and claim it."""
    session.expect_result(operation, result_conditions(where, session.vars), seconds(amount, unit))


@then(r"the last result of " + OPERATION + r" is where (?P<where>.+?)" + WITHIN)
@wsbdd_step
def last_result(
    session: Session,
    context: Any,
    operation: str,
    where: str,
    amount: str | None,
    unit: str | None,
) -> None:
    """The newest result of the operation so far meets every condition ($ is the result)."""
    session.expect_last_result(
        operation, result_conditions(where, session.vars), seconds(amount, unit)
    )


@then(
    OPERATION
    + rf' fails with (?:the error "(?P<text>{QUOTED})"'
    + rf'|an error(?: containing "(?P<part>{QUOTED})")?)'
    + WITHIN
)
@wsbdd_step
def fails_with(
    session: Session,
    context: Any,
    operation: str,
    text: str | None,
    part: str | None,
    amount: str | None,
    unit: str | None,
) -> None:
    """The operation fails: an error whose message is this text ("the error …"), holds it
    ("an error containing …"), or any error."""
    if text is not None:
        session.expect_operation_error(operation, quoted(text, session.vars), seconds(amount, unit))
        return
    session.expect_operation_error(
        operation,
        quoted(part, session.vars) if part is not None else None,
        seconds(amount, unit),
        contains=True,
    )


@then(OPERATION + r" gives no results?" + WITHIN)
@wsbdd_step
def gives_no_result(
    session: Session, context: Any, operation: str, amount: str | None, unit: str | None
) -> None:
    """A quiet window: no unread result of the operation is there or comes in the time."""
    session.expect_no_result(operation, seconds(amount, unit))


@then(OPERATION + r" completes" + WITHIN)
@wsbdd_step
def completes(
    session: Session, context: Any, operation: str, amount: str | None, unit: str | None
) -> None:
    """The server completes the operation within the time (its results are left for other
    steps)."""
    session.expect_completed(operation, seconds(amount, unit))


__all__: list[str] = []
