"""Steps that talk HTTP beside the WebSockets: requests, checks on the response, remembering.

``Alice`` makes requests with her own cookie jar (the one her WebSocket
handshake sends); ``I`` makes them with the scenario's anonymous jar.  "The
response" is the answer to the latest request.  See docs/http.md.
"""

from __future__ import annotations

from typing import Any

from behave import step

from wsbdd.expect.response import (
    capture,
    describe,
    expect_header,
    expect_matches,
    expect_no_header,
    expect_status,
    expect_text,
    value_at,
)
from wsbdd.facade.session import Session
from wsbdd.io.http import Body
from wsbdd.match import compile_path
from wsbdd.match.grammar import (
    NAME,
    QUOTED,
    condition,
    conditions,
    quoted,
    table_matcher,
    template_matcher,
)
from wsbdd.model.errors import ExpectationFailed, FeatureMistake
from wsbdd.steps.base import wsbdd_step

METHODS = r"(?P<method>GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)s?"
VERBS = {"opens": "GET", "posts": "POST", "puts": "PUT", "patches": "PATCH", "deletes": "DELETE"}
REQUEST_REST = (
    r"(?: (?:(?P<form>the form )?(?P<payload>[\[{].*?) )?to)?"
    rf' "(?P<target>{QUOTED})"'
    rf'(?: with header "(?P<header>[^"]+)" "(?P<header_value>{QUOTED})")?'
    r"(?: with (?P<argument>headers|query|the form|the JSON|the text):)?"
)
REQUEST = NAME + " " + METHODS + REQUEST_REST
REQUEST_IN_WORDS = NAME + r" (?P<verb>opens|posts|puts|patches|deletes)" + REQUEST_REST


def _rows(context: Any, what: str) -> list[tuple[str, str]]:
    table = context.table
    if table is None:
        raise FeatureMistake(
            f"Put the {what} in a table under the step:\n  | name | value |\n  | page | 2     |"
        )
    rows = [list(table.headings)] + [list(row.cells) for row in table.rows]
    return [
        (cells[0].strip(), cells[1].strip())
        for cells in rows
        if len(cells) >= 2 and cells[0].strip().lower() not in ("name", "header", "field")
    ]


def _json_body(text: str, session: Session, form: bool) -> Body:
    value = session.vars.render_json(text)
    if form:
        if not isinstance(value, dict):
            raise FeatureMistake(
                'A form is a JSON object of fields, e.g. {"username": "alice", "password": "…"}.'
            )
        return Body("form", value)
    return Body("json", value)


def _docstring(context: Any, example: str) -> str:
    if context.text is None:
        raise FeatureMistake(
            f'This step needs a docstring under it (between """ lines), e.g. {example}'
        )
    return context.text


@step(REQUEST)
@wsbdd_step
def request(session: Session, context: Any, name: str, method: str, **words: Any) -> None:
    """Send an HTTP request with the client's cookies (``I``: anonymous): JSON or a form on
    the line, a header, or under the step headers, a query, or a JSON, text or form body."""
    _request(session, context, name, method, **words)


@step(REQUEST_IN_WORDS)
@wsbdd_step
def request_in_words(session: Session, context: Any, name: str, verb: str, **words: Any) -> None:
    """The same request in words: ``opens``, ``posts``, ``puts``, ``patches`` and
    ``deletes`` are GET, POST, PUT, PATCH and DELETE (``Alice opens "/accounts/login/"``)."""
    _request(session, context, name, VERBS[verb], **words)


def _request(
    session: Session,
    context: Any,
    name: str,
    method: str,
    form: str | None,
    payload: str | None,
    target: str,
    header: str | None,
    header_value: str | None,
    argument: str | None,
) -> None:
    render = session.vars.render_text
    headers = {render(header): quoted(header_value or "", session.vars)} if header else {}
    query: list[tuple[str, str]] = []
    body = Body()
    if payload is not None:
        body = _json_body(payload, session, form=bool(form))
    if argument == "headers":
        headers.update({render(k): render(v) for k, v in _rows(context, "headers")})
    elif argument == "query":
        query = [(render(k), render(v)) for k, v in _rows(context, "query parameters")]
    elif argument == "the form":
        if context.table is not None:
            body = Body("form", {render(k): render(v) for k, v in _rows(context, "form fields")})
        else:
            body = _json_body(_docstring(context, '{"username": "alice"}'), session, form=True)
    elif argument == "the JSON":
        body = _json_body(_docstring(context, '{"text": "hello"}'), session, form=False)
    elif argument == "the text":
        body = Body("text", render(_docstring(context, "any text")))
    target = quoted(target, session.vars)
    session.request(name, method, target, headers=headers, query=query, body=body)


@step(NAME + r" follows the redirect")
@wsbdd_step
def follows_redirect(session: Session, context: Any, name: str) -> None:
    """Open the Location of the latest response (a 3xx), as after a form's POST; only
    within the same origin."""
    session.follow_redirect(name)


@step(r"the response status is (?P<status>\d{3})(?: and (?P<where>\$.+))?")
@wsbdd_step
def response_status(session: Session, context: Any, status: str, where: str | None) -> None:
    """The latest response has this status (and, after "and", meets JSON conditions)."""
    response = session.response()
    expect_status(response, int(status), session.current_step)
    if where:
        expect_matches(response, conditions(where, session.vars), session.current_step)


@step(r"the response is JSON where (?P<where>(?!.*:$).+)")
@wsbdd_step
def response_where(session: Session, context: Any, where: str) -> None:
    """The latest response's JSON body meets every condition: ``where $.queued is true``."""
    expect_matches(session.response(), conditions(where, session.vars), session.current_step)


@step(r"the response is JSON where:")
@wsbdd_step
def response_table(session: Session, context: Any) -> None:
    """The latest response's JSON body meets every row of a | path | matcher | value | table."""
    matcher = table_matcher(context.table, session.vars)
    expect_matches(session.response(), matcher, session.current_step)


@step(r"the response is like:")
@wsbdd_step
def response_like(session: Session, context: Any) -> None:
    """The latest response's JSON body contains the docstring JSON (markers like "#uuid")."""
    matcher = template_matcher(context.text, session.vars)
    expect_matches(session.response(), matcher, session.current_step)


@step(r'the response header "(?P<header>[^"]+)" (?P<rest>.+)')
@wsbdd_step
def response_header(session: Session, context: Any, header: str, rest: str) -> None:
    """A header of the latest response meets a matcher: ``starts with "Basic"``, ``exists``."""
    check = condition(f"$ {rest}", session.vars)
    expect_header(session.response(), session.vars.render_text(header), check, session.current_step)


@step(r'the response has no header "(?P<header>[^"]+)"')
@wsbdd_step
def response_no_header(session: Session, context: Any, header: str) -> None:
    """The latest response has no such header."""
    expect_no_header(session.response(), session.vars.render_text(header), session.current_step)


@step(r"the response body (?P<rest>.+)")
@wsbdd_step
def response_body(session: Session, context: Any, rest: str) -> None:
    """The latest response's body, as text, meets a matcher: ``contains "Welcome"``."""
    check = condition(f"$ {rest}", session.vars)
    expect_text(session.response(), check, session.current_step)


@step(r'I remember (?P<path>\$.*?) from the response as "(?P<variable>[^"]+)"')
@wsbdd_step
def remember_from_response(session: Session, context: Any, path: str, variable: str) -> None:
    """Store a value from the latest response's JSON body as ${variable}."""
    value = value_at(session.response(), compile_path(path), session.current_step)
    session.remember_value(variable, value)


@step(r'I remember the response header "(?P<header>[^"]+)" as "(?P<variable>[^"]+)"')
@wsbdd_step
def remember_header(session: Session, context: Any, header: str, variable: str) -> None:
    """Store a header of the latest response (``Location``, ``ETag``) as ${variable}."""
    response = session.response()
    value = response.header(header)
    if value is None:
        raise ExpectationFailed(
            f'the response has no header "{header}": {describe(response)}.',
            step=session.current_step,
        )
    session.remember_value(variable, value)


@step(
    r"I remember (?:my|" + NAME + r"'s) cookie \"(?P<cookie>[^\"]+)\" as \"(?P<variable>[^\"]+)\""
)
@wsbdd_step
def remember_cookie(
    session: Session, context: Any, name: str | None, cookie: str, variable: str
) -> None:
    """Store a cookie from a client's jar (``my``: the anonymous one) as ${variable}."""
    session.remember_value(variable, session.cookie(name or "I", cookie))


@step(r'I remember the text matching "(?P<pattern>.*)" from the response as "(?P<variable>[^"]+)"')
@wsbdd_step
def remember_match(session: Session, context: Any, pattern: str, variable: str) -> None:
    """Store the first group of a regular expression searched in the latest response's body
    (a CSRF token in a login page) as ${variable}; write \\" for a quote."""
    response = session.response()
    found = capture(
        response.text,
        pattern.replace('\\"', '"'),
        "the response body",
        session.current_step,
        describe(response),
    )
    session.remember_value(variable, found)


__all__: list[str] = []
