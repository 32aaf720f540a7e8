"""Session is a facade: step libraries and the load driver use its public methods only.

A private Session member (``session._run``) reached from outside session.py ties
that code to Session's insides: it breaks when Session's plumbing changes.  This
scan reads the source (AST), so it names the file and line of any such use.
"""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest

import wsbdd
from wsbdd.facade.session import Session
from wsbdd.match import where

PACKAGE = Path(wsbdd.__file__).parent
CALLERS = ("load", "steps", "vocabulary")
"""The folders whose code drives a Session from outside it."""


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_session_members() -> set[str]:
    """Session's private methods and the private attributes its methods set on ``self``."""
    names = {name for name in vars(Session) if _private(name)}
    tree = ast.parse((PACKAGE / "facade" / "session.py").read_text())
    session_class = next(
        node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Session"
    )
    for node in ast.walk(session_class):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
            and _private(node.attr)
        ):
            names.add(node.attr)
    return names


def reaches_inside(source: str, private: set[str]) -> list[tuple[int, str]]:
    """(line, expression) of every ``x._member`` in ``source`` naming a private Session member,
    where ``x`` is not the code's own ``self``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Attribute) and node.attr in private):
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue  # the class's own member of that name, not Session's
        found.append((node.lineno, ast.unparse(node)))
    return sorted(found)


def test_the_scan_finds_a_private_session_member_however_it_is_reached():
    private = private_session_members()
    assert {"_run", "_call", "_sending", "_noise"} <= private
    source = (
        "def step(session, context, self):\n"
        "    session._run(drive(), 5)\n"
        "    context.wsbdd._noise\n"
        "    self.session._call(f)\n"
        "    self._run()\n"  # a class's own _run: not Session's
        "    session.run_on_loop(drive(), 5)\n"
    )
    assert reaches_inside(source, private) == [
        (2, "session._run"),
        (3, "context.wsbdd._noise"),
        (4, "self.session._call"),
    ]


def test_no_step_library_or_load_code_touches_a_private_session_member():
    private = private_session_members()
    uses = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {expression}"
        for folder in CALLERS
        for path in sorted((PACKAGE / folder).rglob("*.py"))
        for line, expression in reaches_inside(path.read_text(), private)
    ]
    assert uses == [], "use Session's public methods (e.g. run_on_loop) instead:\n" + "\n".join(
        uses
    )


# -- the public bridge ---------------------------------------------------------------------------


def test_run_on_loop_runs_a_coroutine_on_the_scenarios_loop_with_its_clients(s):
    s.connect("Alice")
    alice = s.client("Alice")

    async def on_the_loop() -> bool:
        await alice.send('{"type": "join", "room": "lobby"}')
        return asyncio.get_running_loop() is s.loop_thread.loop

    assert s.run_on_loop(on_the_loop(), 5) is True
    s.receive("Alice", where('$.type is "joined"'))

    async def fails() -> None:
        raise LookupError("from the loop")

    with pytest.raises(LookupError, match="from the loop"):
        s.run_on_loop(fails(), 5)
