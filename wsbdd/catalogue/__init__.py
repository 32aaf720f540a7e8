"""The step catalogue: every step a feature may use, in plain words, with a real example.

``wsbdd steps`` prints it as Markdown or writes one standalone HTML page.  Each
entry is one step definition (built-in, a configured phrase, or the project's
own Python step) with its readable form (``{client} joins room "{room}"``), a
one-line meaning, and the first line of a feature that uses it: the bundled
features run in CI, so every example shown is known to work.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from behave.matchers import SimplifiedRegexMatcher

from wsbdd.catalogue.project import Project, display, load_project, scenarios
from wsbdd.vocabulary.patterns import readable
from wsbdd.vocabulary.phrases import Phrase
from wsbdd.vocabulary.registration import phrase_of

__all__ = [
    "Example",
    "Entry",
    "Section",
    "collect",
    "bundled_features",
    "bundled_example_folders",
    "entry_key",
]

SECTIONS = {
    "wsbdd.steps.connection": (
        "Connecting",
        "Open and close connections, and check how the server answered the handshake.",
    ),
    "wsbdd.steps.groups": (
        "Groups of clients",
        "Many clients at once: connect a crowd, everyone sends, who received what. "
        "${client} is each member's name and ${index} its number.",
    ),
    "wsbdd.steps.sending": (
        "Sending",
        "A client sends JSON, text or binary frames. ${variables} are filled in first.",
    ),
    "wsbdd.steps.receiving": (
        "Checking what clients receive",
        "Each of these waits (up to the timeout) for what it describes; nothing is lost "
        'between steps. "matches" wants the whole text to match the regular expression '
        '(write ".*error.*" to search); in double quotes \\n is a new line and \\" a quote, '
        'other backslashes stay ("4\\d").',
    ),
    "wsbdd.steps.variables": (
        "Remembering values and pausing",
        "Values kept for later steps as ${name}, and deliberate pauses.",
    ),
    "wsbdd.steps.load": (
        "Load and latency",
        "Crowds at a rate, sends at a rate, and verdicts on what was measured. Each message "
        "carries ${correlation_id}, so every delivery is timed from send to arrival.",
    ),
    "wsbdd.steps.socketio": (
        "Socket.IO",
        'Events, acknowledgements and namespaces, for a server that speaks Socket.IO ("Given '
        'the server speaks Socket.IO" or the tag @socket.io). In event steps $ is the first '
        "argument; $args[1], $event and $namespace reach the rest.",
    ),
    "wsbdd.steps.graphql": (
        "GraphQL",
        'Subscriptions, queries and mutations named by the feature (as "counter"), for a '
        "server that speaks graphql-transport-ws or the legacy graphql-ws; queries and "
        "mutations over HTTP too. In operation steps $ is the result: $.data…, "
        "$.errors[0].message.",
    ),
    "wsbdd.steps.stomp": (
        "STOMP",
        "Destinations, bodies, headers, acknowledgements and transactions, for a message broker "
        "that speaks STOMP over WebSocket (RabbitMQ's Web-STOMP, ActiveMQ). In STOMP steps $ is "
        "the whole frame: $.body.text (a JSON body is parsed), $.headers.destination.",
    ),
    "wsbdd.steps.http": (
        "HTTP beside WebSocket",
        "Requests by a client (with its cookie jar, which its WebSocket handshake sends too) "
        "or by I (anonymous); checks on the latest response with the message matchers; "
        "values remembered from it. Redirects are followed only within one origin.",
    ),
}
ORDER = list(SECTIONS)

MEANINGS = {
    "wsbdd.steps.connection.all_connect": "Attempt to connect several clients at once; "
    "check each outcome in later steps.",
    "wsbdd.steps.connection.accepted": "The server accepted the client's handshake.",
    "wsbdd.steps.connection.uses_subprotocol": "The server chose this subprotocol "
    "(or none) for the connection.",
    "wsbdd.steps.connection.closes": "The client closes the connection, with a code and "
    "reason if given.",
    "wsbdd.steps.connection.pong": "The server answered the client's ping with a pong.",
    "wsbdd.steps.sending.sends_text_docstring": "Send the docstring as a text frame, "
    "exactly as written.",
    "wsbdd.steps.sending.sends_many_inline": "Send the JSON N times; ${i} is 1, 2, … N "
    "in each copy.",
    "wsbdd.steps.receiving.receives_binary": "Wait for a binary frame with exactly these "
    "bytes (hex or base64).",
    "wsbdd.steps.groups.every_sends_docstring": "Every member sends the docstring at the "
    "same moment; ${client} and ${index} differ per member.",
    "wsbdd.steps.groups.every_receives_table": "Every member receives a message meeting "
    "every row of the table.",
    "wsbdd.steps.groups.every_receives_like": "Every member receives a message containing "
    "the docstring JSON.",
    "wsbdd.steps.groups.every_disconnects": "Every member closes its connection normally.",
    "wsbdd.steps.socketio.leaves_namespace": "Leave a Socket.IO namespace (the connection stays).",
}
"""One-line meanings for built-in steps whose function has no docstring."""


@dataclass(frozen=True)
class Example:
    """A line of a feature file that uses a step, with its docstring or table."""

    keyword: str
    text: str
    file: str
    line: int
    docstring: str | None = None
    table: tuple[tuple[str, ...], ...] = ()

    def lines(self) -> list[str]:
        """The example as it reads in a feature file."""
        out = [f"{self.keyword} {self.text}"]
        if self.docstring is not None:
            out += ['  """', *("  " + line for line in self.docstring.splitlines()), '  """']
        if self.table:
            widths = [max(len(row[i]) for row in self.table) for i in range(len(self.table[0]))]
            for row in self.table:
                cells = " | ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                )
                out.append(f"  | {cells} |")
        return out


@dataclass
class Entry:
    """One step definition as a feature writer sees it."""

    text: str
    keywords: str
    meaning: str
    source: str
    example: Example | None = None
    also: str | None = None
    """Another way to write it (a phrase's group form)."""
    step_types: set[str] = field(default_factory=set)


@dataclass
class Section:
    title: str
    intro: str
    entries: list[Entry] = field(default_factory=list)


def entry_key(func: Any) -> Any:
    """Phrases register one function per keyword; they are one entry."""
    return getattr(func, "__wsbdd_phrase__", None) or func


def _module_of(func: Any) -> str:
    return getattr(func, "__module__", "") or ""


def _qualified(func: Any) -> str:
    return f"{_module_of(func)}.{getattr(func, '__name__', '')}"


def _meaning(func: Any) -> str:
    doc = inspect.getdoc(func) or ""
    first = doc.strip().split("\n\n", 1)[0].replace("\n", " ").strip()
    return first.replace("``", '"') or MEANINGS.get(_qualified(func), "")


def _keywords(step_types: set[str]) -> str:
    if "step" in step_types or step_types >= {"given", "when", "then"}:
        return "Given/When/Then"
    return "/".join(t.title() for t in ("given", "when", "then") if t in step_types)


def _section_for(func: Any, phrase: Phrase | None, project: Project) -> tuple[str, str]:
    if phrase is not None:
        if phrase.where.startswith("preset"):
            name = phrase.where.split('"')[1]
            return (
                f"Phrases: the {name} preset",
                f"Ready-made words for the bundled demo server ({phrase.where}).",
            )
        return (
            f"Phrases: your app's words ({phrase.where.split(' ', 1)[0]})",
            "Taught to wsbdd in configuration; see docs/vocabulary.md.",
        )
    module = _module_of(func)
    if module in SECTIONS:
        return SECTIONS[module]
    if module.startswith("wsbdd."):
        doc = inspect.getdoc(inspect.getmodule(func)) or module
        return (doc.split("\n", 1)[0].rstrip("."), "")
    file = inspect.getsourcefile(func) or module
    return (f"Your own steps ({display(file)})", "Python steps defined in this project.")


def _example(step: Any) -> Example:
    table: tuple[tuple[str, ...], ...] = ()
    if step.table is not None:
        rows = [tuple(step.table.headings)] + [tuple(row.cells) for row in step.table.rows]
        table = tuple(tuple(str(c) for c in row) for row in rows)
    return Example(
        step.keyword.strip(),
        step.name,
        display(step.filename),
        step.line,
        step.text if step.text is not None else None,
        table,
    )


def bundled_features() -> Path | None:
    """wsbdd's own features folder, when wsbdd runs from a source checkout."""
    root = Path(__file__).resolve().parent.parent.parent
    folder = root / "features"
    return folder if folder.is_dir() and (root / "environment.py").is_file() else None


def bundled_example_folders() -> list[Path]:
    """Where wsbdd's own examples are, in a source checkout: ``features/`` (run against the
    demo) and ``tests/features/`` (run by the tests against other real servers: the HTTP
    steps need an app that speaks HTTP, which the demo does not)."""
    features = bundled_features()
    if features is None:
        return []
    more = features.parent / "tests" / "features"
    return [features, *([more] if more.is_dir() else [])]


def find_examples(project: Project, features: Iterable[Any]) -> dict[Any, Example]:
    """The first use of each step definition in *features*."""
    found: dict[Any, Example] = {}
    for feature in features:
        for scenario in scenarios(feature):
            for step in scenario.all_steps:
                match = project.registry.find_match(step)
                if match is None:
                    continue
                key = entry_key(match.func)
                if key not in found:
                    found[key] = _example(step)
    return found


def collect(project: Project | None = None, extra_features: Iterable[Any] = ()) -> list[Section]:
    """Every registered step of *project*, grouped by purpose, with examples."""
    project = project or load_project()
    examples = find_examples(project, project.features)
    for key, example in find_examples(project, extra_features).items():
        examples.setdefault(key, example)

    entries: dict[Any, Entry] = {}
    titles: dict[Any, tuple[str, str]] = {}
    for step_type in ("given", "when", "then", "step"):
        for matcher in project.registry.steps.get(step_type, []):
            func = matcher.func
            key = entry_key(func)
            phrase = phrase_of(matcher)
            if key in entries:
                entries[key].step_types.add(step_type)
                continue
            if phrase is not None:
                text, meaning = _plain(phrase.step) + _within(phrase), phrase.describe()
                source = phrase.where
                if phrase.file:
                    source += f" ({display(phrase.file)}:{phrase.line or 1})"
                also = phrase.group_example and _group_form(phrase)
            else:
                pattern = matcher.pattern
                is_regex = isinstance(matcher, SimplifiedRegexMatcher)
                text = readable(pattern) if is_regex else pattern
                meaning, also = _meaning(func), None
                source = "built-in" if _module_of(func).startswith("wsbdd.") else matcher.location
                source = str(source)
            entries[key] = Entry(text, "", meaning, source, examples.get(key), also, {step_type})
            titles[key] = _section_for(func, phrase, project)

    sections: dict[str, Section] = {}
    for key, entry in entries.items():
        entry.keywords = _keywords(entry.step_types)
        title, intro = titles[key]
        sections.setdefault(title, Section(title, intro)).entries.append(entry)

    def rank(section: Section) -> tuple[int, str]:
        for index, module in enumerate(ORDER):
            if SECTIONS[module][0] == section.title:
                return (index, "")
        return (len(ORDER) + (0 if section.title.startswith("Phrases") else 1), section.title)

    return sorted(sections.values(), key=rank)


_SHOWN_TYPES = {"json": "JSON", "condition": "conditions"}
"""Parameter types a feature writer must know to fill in: the rest read as plain words."""


def _plain(step: str) -> str:
    """``{sender:client}`` → ``{sender}``: the type is for the engineer, not the reader.

    Except where the reader must write something particular: ``{profile:json}`` →
    ``{profile as JSON}``, ``{cond:condition}`` → ``{cond as conditions}``.
    """

    def shown(match: re.Match[str]) -> str:
        kind = _SHOWN_TYPES.get(match.group(2).strip().lower())
        return "{" + match.group(1) + (f" as {kind}" if kind else "") + "}"

    return re.sub(r"\{(\w+):(\w+)\}", shown, step)


def _within(phrase: Phrase) -> str:
    """A phrase that waits takes ``within …`` like the built-in steps that wait."""
    return " [within {time}]" if phrase.await_ else ""


def _group_form(phrase: Phrase) -> str:
    actor = phrase.actor
    assert actor is not None
    pattern = re.compile(r"\{" + re.escape(actor.name) + r"(?::[^}]*)?\}")
    return _plain(pattern.sub('every client in group "{group}"', phrase.step, count=1))
