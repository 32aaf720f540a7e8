"""docs/demo-protocol.md and features/demo_protocol.feature name the same fields.

The page's "Every message, field by field" tables list each message the demo server
sends and every field it can carry; the feature checks each one against the running
server (its value, its kind or its absence) and counts each message's fields with
``$ has length N``. This test ties the two together: every field in the tables is
checked by a step about that message, no step checks a field the tables leave out,
and every message's field count in the feature is the one the tables give (all its
fields, less those the page says appear only sometimes). The feature itself runs
with the bundled suite, so the page, the feature and the server agree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from behave.model import Scenario, Step
from behave.parser import parse_file

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "demo-protocol.md"
FEATURE = ROOT / "features" / "demo_protocol.feature"

Kind = tuple[str, str]  # ("ws", "pong"), ("event", "chat"), ("ack", "join"), …

_ROW = re.compile(r"^\| (?P<message>[^|]+?) \| `(?P<field>[^`]+)` \| (?P<holds>.+) \|$")
_PATH = re.compile(r"\$(?:\.[A-Za-z_][\w-]*|\[\d+\])*")


def doc_kind(message: str) -> Kind:
    """``welcome`` → ("ws", "welcome"); ``chat` event`` → ("event", "chat");
    ``join` acknowledgement`` → ("ack", "join"); refusal → ("ack", "refusal")."""
    names = re.findall(r"`([^`]+)`", message)
    if message.endswith(" event"):
        return ("event", names[0])
    if message.endswith(" acknowledgement"):
        return ("ack", " ".join(names) if names else message.split()[0])
    assert len(names) == 1, message
    return ("ws", names[0])


def doc_fields() -> tuple[dict[Kind, set[str]], dict[Kind, set[str]]]:
    """Fields by message from the page's tables, and those present only sometimes."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Every message, field by field", 1)[1]
    fields: dict[Kind, set[str]] = defaultdict(set)
    sometimes: dict[Kind, set[str]] = defaultdict(set)
    for line in section.splitlines():
        match = _ROW.match(line)
        if match is None or match["message"] == "message":
            continue
        kind = doc_kind(match["message"])
        fields[kind].add(match["field"])
        if "only when" in match["holds"]:
            sometimes[kind].add(match["field"])
    return fields, sometimes


def field_name(path: str) -> str:
    """``$.standings[0].rank`` → ``standings[].rank``; ``$`` → ``""``."""
    return re.sub(r"\[\d+\]", "[]", path[2:] if path.startswith("$.") else path[1:])


def _cells(step: Step) -> list[list[str]]:
    if step.table is None:
        return []
    return [list(step.table.headings)] + [list(row.cells) for row in step.table.rows]


def step_kinds(step: Step, last_emit: str | None) -> set[Kind]:
    """Which messages a step checks: the `type` it names, the event it waits for, or the
    acknowledgement of the scenario's latest emit."""
    name = step.name
    event = re.search(r'receives the event "([^"]+)"', name)
    if event:
        return {("event", event.group(1))}
    if name.startswith("the acknowledgement"):
        if "$.ok is false" in name:
            return {("ack", "refusal")}
        assert last_emit is not None, name
        return {("ack", last_emit)}
    kinds = {("ws", t) for t in re.findall(r'\$\.type is "([^"]+)"', name)}
    rows = _cells(step)
    if rows and rows[0][:2] == ["path", "matcher"]:
        kinds |= {("ws", r[2]) for r in rows[1:] if r[0] == "$.type" and r[1] == "is"}
    elif rows and "$.type" in rows[0]:  # a table headed by paths: one message per row
        column = rows[0].index("$.type")
        kinds |= {("ws", r[column]) for r in rows[1:]}
    return kinds


def step_paths(step: Step) -> tuple[set[str], set[int]]:
    """The fields a step checks, and the field counts it states (``$ has length N``)."""
    paths = set(_PATH.findall(step.name))
    lengths = {int(n) for n in re.findall(r"\$ has length (\d+)", step.name)}
    rows = _cells(step)
    if rows and rows[0][:2] == ["path", "matcher"]:
        for path, matcher, value in (r[:3] for r in rows[1:]):
            paths.add(path)
            if path == "$" and matcher == "has length":
                lengths.add(int(value))
    elif rows:
        paths |= {cell for cell in rows[0] if cell.startswith("$")}
    return {field_name(p) for p in paths} - {""}, lengths


def feature_checks() -> tuple[dict[Kind, set[str]], dict[Kind, set[int]]]:
    checked: dict[Kind, set[str]] = defaultdict(set)
    counted: dict[Kind, set[int]] = defaultdict(set)
    feature = parse_file(str(FEATURE))
    assert feature is not None
    for scenario in feature.scenarios:
        assert isinstance(scenario, Scenario)
        last_emit = None
        for step in scenario.steps:
            emit = re.search(r' emits "([^"]+)"(?: to namespace "([^"]+)")?', step.name)
            if emit:
                last_emit = emit.group(1) if not emit.group(2) else f"{emit[2]} {emit[1]}"
                continue
            kinds = step_kinds(step, last_emit)
            if not kinds:
                continue
            assert len(kinds) == 1, f"{step.location}: one message per step, please: {kinds}"
            (kind,) = kinds
            paths, lengths = step_paths(step)
            checked[kind] |= paths
            counted[kind] |= lengths
    return checked, counted


def test_the_page_lists_the_messages_and_fields_it_describes():
    fields, sometimes = doc_fields()
    assert ("ws", "quiz:finished") in fields
    assert ("event", "poll_result") in fields
    assert ("ack", "refusal") in fields
    assert ("ack", "/secure whoami") in fields
    assert sometimes[("ws", "pong")] == {"id"}
    assert sometimes[("ws", "chat")] == {"client_msg_id"}
    assert sometimes[("ws", "error")] == {"request_type"}


def test_every_field_on_the_page_is_checked_by_the_feature():
    fields, _ = doc_fields()
    checked, _ = feature_checks()
    missing = {
        f"{kind[1]} ({kind[0]}): {field}"
        for kind, names in fields.items()
        for field in names - checked.get(kind, set())
    }
    assert not missing, "features/demo_protocol.feature checks no " + ", ".join(sorted(missing))


def test_the_feature_checks_no_field_the_page_leaves_out():
    fields, _ = doc_fields()
    checked, _ = feature_checks()
    extra = {
        f"{kind[1]} ({kind[0]}): {field}"
        for kind, names in checked.items()
        for field in names
        # A whole object or list may be checked at once (question, standings[0], error).
        if not any(f == field or f.startswith((field + ".", field + "[")) for f in fields[kind])
        # "question.answer does not exist": a field checked for its absence.
        and not field.endswith(".answer")
    }
    assert not extra, "docs/demo-protocol.md lists no " + ", ".join(sorted(extra))


def test_every_message_has_its_fields_counted_as_the_page_says():
    fields, sometimes = doc_fields()
    _, counted = feature_checks()
    for kind, names in fields.items():
        top = {re.split(r"[.\[]", name)[0] for name in names}
        optional = {re.split(r"[.\[]", name)[0] for name in sometimes[kind]}
        assert counted.get(kind), f"no step counts the fields of {kind[1]} ({kind[0]})"
        allowed = set(range(len(top) - len(optional), len(top) + 1))
        assert counted[kind] <= allowed, (kind, sorted(counted[kind]), sorted(top))
