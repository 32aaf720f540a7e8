"""Who a client is at its handshake: the address it opens, its headers, its token.

Pure functions over the configured URL, the settings and the scenario's variables
(no I/O, no loop): :class:`~wsbdd.session.Session` calls them before anything
connects, so a template naming a missing value fails the step before the first
handshake, and a crowd whose handshake has no ``${`` is prepared once.  HTTP
steps resolve their addresses here too, by the same rule (:func:`resolve_request`).

A handshake is ``(url, headers, first message)``; the first message is the token
sent as the first frame when ``token.place`` is ``"message"``, otherwise None::

    >>> from wsbdd.config import TokenSettings
    >>> from wsbdd.model.variables import Variables
    >>> prepare("ws://h/ws", "/chat", "t1", None, {}, TokenSettings(), Variables())
    ('ws://h/chat?token=t1', {}, None)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from wsbdd.model.address import AddressProblem, append_query, resolve, resolve_request
from wsbdd.model.errors import ConnectionProblem, FeatureMistake
from wsbdd.model.variables import Variables
from wsbdd.settings.config import TokenSettings

__all__ = ["Handshake", "url_for", "http_url", "resolve_request", "prepare", "handshakes"]

Handshake = tuple[str, dict[str, str], str | None]
"""One client's (url, headers, first message)."""


def url_for(base_url: str, target: str | None) -> str:
    """The URL a step's target names: ``None`` → the configured URL as written; a path,
    query or full URL → joined to it as a browser joins a link (see :mod:`wsbdd.model.address`).

    A bad configured URL is a :class:`ConnectionProblem` (the settings are wrong), a bad
    target a :class:`FeatureMistake` (the step is)."""
    try:
        return resolve(base_url, target)
    except AddressProblem as problem:
        if not target:
            raise ConnectionProblem(f'The configured URL "{base_url}" {problem}.') from None
        raise FeatureMistake(f'The address "{target}" {problem}.') from None


def http_url(base_url: str, target: str) -> str:
    """An HTTP address: ``target`` resolved against the server's (``ws`` → ``http``)."""
    return resolve_request(base_url or "http://127.0.0.1/", target)


def prepare(
    base_url: str,
    target: str | None,
    token: str | None,
    headers: Mapping[str, str] | None,
    configured_headers: Mapping[str, str],
    how: TokenSettings,
    variables: Variables,
) -> Handshake:
    """One handshake: the address, the configured headers (rendered) plus ``headers``, and
    the token placed where ``how`` says (query, header or first message)."""
    url = url_for(base_url, target)
    all_headers = {k: variables.render_text(v) for k, v in configured_headers.items()}
    all_headers.update(headers or {})
    first_message = None
    if token is not None:
        if how.place == "query":
            url = append_query(url, how.query_param, token)
        elif how.place == "header":
            all_headers[how.header] = f"{how.scheme} {token}".strip() if how.scheme else token
        else:
            # A JSON template gets JSON-escaped values; any other text (a bare
            # "${token}") is sent as written, not as a JSON string.
            with_token = variables.child(token=token)
            if how.message.lstrip().startswith(("{", "[")):
                first_message = with_token.render_json_text(how.message)
            else:
                first_message = with_token.render_text(how.message)
    return url, all_headers, first_message


def _filled(text: str | None, variables: Variables) -> str | None:
    return variables.render_text(text) if text and "${" in text else text


def handshakes(
    names: Sequence[str],
    base_url: str,
    target: str | None,
    token: str | None,
    headers: Mapping[str, str] | None,
    configured_headers: Mapping[str, str],
    how: TokenSettings,
    variables: Variables,
) -> Callable[[str], Handshake]:
    """Each client's handshake, filled in before anything connects.

    ``target``, ``token`` and the ``headers`` are templates: each client gets
    ``${client}`` (its name) and ``${index}`` (its place in ``names``, from 1).
    Without ``${`` anywhere they are prepared once for all the clients (a crowd
    of 10,000 renders nothing 10,000 times).  A template that names a missing
    value (``${tokens.player21}``) raises a :class:`FeatureMistake` naming the client.
    """
    texts = [target or "", token or "", *(headers or {}).keys(), *(headers or {}).values()]
    if not any("${" in text for text in texts):
        same = prepare(base_url, target, token, headers, configured_headers, how, variables)
        return lambda name: same

    prepared: dict[str, Handshake] = {}
    for index, name in enumerate(names, 1):
        member = variables.child(client=name, index=index)
        try:
            prepared[name] = prepare(
                base_url,
                _filled(target, member),
                _filled(token, member),
                {_filled(k, member) or k: _filled(v, member) or v for k, v in headers.items()}
                if headers
                else None,
                configured_headers,
                how,
                variables,  # the configured headers and token message: the scenario's
            )
        except FeatureMistake as mistake:
            raise FeatureMistake(f"For {name}: {mistake}") from None
    return prepared.__getitem__
