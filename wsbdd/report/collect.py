"""What wsbdd's behave hooks keep for the reports during one run.

The hooks in :mod:`wsbdd.environment` call a :class:`ReportRecorder`:

* ``before_all`` → :func:`start_recording`: the settings, the server address,
  the secrets written in the feature files, console output masked;
* ``before_scenario`` / ``before_step`` → :meth:`ReportRecorder.learn_session` /
  :meth:`~ReportRecorder.learn_step`: secret values met on the way;
  ``before_step`` → :meth:`~ReportRecorder.show_step`: the step's text with its
  ``${variables}`` filled in, as the report shows it (masked there);
* ``after_scenario`` (after the clients are closed) → :meth:`~ReportRecorder.keep`:
  the scenario's :class:`Conversation` is attached to behave's scenario object,
  where the report formatters find it, printed as text for JUnit and after a failure,
  and attached to the scenario's Allure result when allure-behave writes results;
* ``after_all`` → :meth:`~ReportRecorder.finish`: secrets masked in JUnit and Allure files.

Formatters run in the same process and read :func:`current_recorder`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from wsbdd.codec.registry import find_codec
from wsbdd.match import unescape
from wsbdd.model.address import mask_secrets
from wsbdd.model.secrets import is_secret_name, mentions_credential
from wsbdd.model.transcript import Event, StepMark
from wsbdd.model.variables import find_placeholders, root_name
from wsbdd.report.allure_results import allure_folders, attach_conversation
from wsbdd.report.console import PacedConsole, paces
from wsbdd.report.mask import Masker, MaskingStream, is_secret_header
from wsbdd.report.options import ReportOptions
from wsbdd.report.retention import retained
from wsbdd.report.text import transcript_text

__all__ = [
    "Conversation",
    "ReportRecorder",
    "start_recording",
    "current_recorder",
    "conversation_of",
    "note_start",
    "started_at",
    "shown_text_of",
]

log = logging.getLogger("wsbdd.report")

CONVERSATION_ATTRIBUTE = "wsbdd_conversation"
STARTED_ATTRIBUTE = "wsbdd_started"
SHOWN_ATTRIBUTE = "wsbdd_shown"
_LEARNED = "_wsbdd_learned"
"""The attribute a step read for good carries: the recorder's mark (one per recorder)."""


def _fixed_step(line: str, step: Any) -> bool:
    """Whether what a step gives cannot depend on variables: no ``${`` in its line, its
    doc string or its table."""
    if "${" in line:
        return False
    text = getattr(step, "text", None)
    if isinstance(text, str) and "${" in text:
        return False
    table = getattr(step, "table", None)
    if table is not None:
        for row in [getattr(table, "headings", ()), *(r.cells for r in table.rows)]:
            if any("${" in str(cell) for cell in row):
                return False
    return True


_QUOTED = r'((?:[^"\\]|\\.)*)'  # a step line's quoted text; \" is a quote inside it
_TOKEN_IN_STEP = re.compile(r'\bwith token "' + _QUOTED + '"', re.IGNORECASE)
_PASSCODE_IN_STEP = re.compile(r'\bwith passcode "' + _QUOTED + '"', re.IGNORECASE)
_HEADER_IN_STEP = re.compile(r'\bwith header "([^"]+)" "' + _QUOTED + '"', re.IGNORECASE)


@dataclass
class Conversation:
    """One scenario's transcript as the reports need it."""

    events: list[Event]
    marks: list[StepMark] = field(default_factory=list)
    started_at: float | None = None
    """Monotonic time the scenario's first step started (offsets count from here)."""
    measurements: list[tuple[str, Any]] = field(default_factory=list)
    """(step text, :class:`~wsbdd.load.metrics.LoadMetrics`) of the scenario's load steps."""

    @property
    def start(self) -> float | None:
        if self.started_at is not None:
            return self.started_at
        return self.events[0].at if self.events else None


def conversation_of(scenario: Any) -> Conversation | None:
    """The conversation wsbdd's hooks attached to a behave scenario, if any."""
    found = getattr(scenario, CONVERSATION_ATTRIBUTE, None)
    return found if isinstance(found, Conversation) else None


def note_start(scenario: Any) -> None:
    """Note the wall-clock time a scenario starts (once), for the report's timeline."""
    if getattr(scenario, STARTED_ATTRIBUTE, None) is None:
        try:
            setattr(scenario, STARTED_ATTRIBUTE, time.time())
        except Exception:  # noqa: BLE001 - an odd model object: no timeline bar, no failure
            pass


def started_at(scenario: Any) -> float | None:
    """When the scenario started (``time.time()``), if noted."""
    found = getattr(scenario, STARTED_ATTRIBUTE, None)
    return found if isinstance(found, float) else None


def shown_text_of(step: Any) -> str:
    """The step's text as it ran (``${variables}`` filled in, not yet masked), or ""."""
    found = getattr(step, SHOWN_ATTRIBUTE, "")
    return found if isinstance(found, str) else ""


def _texts(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every text in a table (nested tables and lists too), with the key it is under."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, Mapping):
        for name, entry in value.items():
            yield from _texts(entry, str(name))
    elif isinstance(value, list | tuple):
        for entry in value:
            yield from _texts(entry, key)


class ReportRecorder:
    """Secrets met, the server address, and each scenario's conversation, for one run."""

    def __init__(self, settings: Any = None, base_url: str = "") -> None:
        self.masker = Masker()
        self.base_url = mask_secrets(base_url) if base_url else ""
        """The server's address as shown in the report: secret query values as ``***``."""
        self._noted: set[str] = set()
        self._learned = object()
        """Marks the steps this recorder has read for good (see :meth:`learn_step`)."""
        self.started = time.time()
        self.keeps_conversations = True
        """Whether :meth:`keep` builds each scenario's transcript.  :func:`start_recording`
        turns it off when nothing in the run reads one: no formatter that says it does
        (``reads_conversations``, as wsbdd's report formatters), and no JUnit."""
        self.allure_folders: list[Path] = []
        """The allure-behave result folders of the run: each scenario's conversation is
        attached to its Allure result, and their files are masked when the run ends."""
        self.secret_names: tuple[str, ...] = tuple(getattr(settings, "secrets", ()) or ())
        extras = getattr(settings, "extras", None) or {}
        self.options = ReportOptions.from_table(extras.get("report"))
        for name, value in (getattr(settings, "headers", None) or {}).items():
            self.masker.add_header(name, value)
        self._use_codec_fields(settings)
        for name in self.secret_names:
            value = (getattr(settings, "variables", None) or {}).get(name)
            if isinstance(value, str) and "${" not in value:
                self.masker.add(value)

    # -- secrets -----------------------------------------------------------------

    def _use_codec_fields(self, settings: Any) -> None:
        """Mask the ``secret_fields`` of every registered codec, and of the one the
        settings name as ``module:Class`` (see :func:`~wsbdd.report.mask.codec_fields`)."""
        extra = []
        spec = getattr(settings, "codec", None)
        if isinstance(spec, str) and ":" in spec:
            try:
                extra.append(find_codec(spec))
            except Exception:  # noqa: BLE001 - the settings say what is wrong with it
                pass
        self.masker.refresh_fields(extra)

    def _render(self, text: str, variables: Any) -> str | None:
        if "${" not in text:
            return text
        if variables is None:
            return None
        try:
            return str(variables.render_text(text))
        except Exception:  # noqa: BLE001 - an unknown variable is the step's problem, not ours
            return None

    def learn_step(self, step: Any, variables: Any = None) -> None:
        """Remember the token and credential headers a step gives (rendered when possible)."""
        # Called for every step three times (the features at the start, the scenario, the
        # step): a step with no ${variable} anywhere gives the same values each time, so it
        # is read once; the common step (a send, a receive) is turned down by substring
        # tests before any pattern or parser runs.
        if getattr(step, _LEARNED, None) is self._learned:
            return
        line = getattr(step, "name", "") or ""
        fixed = _fixed_step(line, step)
        if "with " in line or "With " in line:
            for token in (*_TOKEN_IN_STEP.findall(line), *_PASSCODE_IN_STEP.findall(line)):
                self.masker.add(self._render(unescape(token), variables))
                self._add_tables(token, variables)
            for header, value in _HEADER_IN_STEP.findall(line):
                self.masker.add_header(header, self._render(unescape(value), variables))
        for payload in (getattr(step, "text", None), _inline_json(line)):
            if payload and mentions_credential(payload):  # most steps send no credential
                self._add_json_secrets(payload, variables)
        table = getattr(step, "table", None)
        if table is not None:
            rows = [list(table.headings)] + [list(row.cells) for row in table.rows]
            for cells in rows:
                if len(cells) >= 2 and is_secret_header(cells[0]):
                    for cell in cells[1:]:
                        self.masker.add_header(cells[0], self._render(cell.strip(), variables))
        if fixed:
            with contextlib.suppress(Exception):  # a step that takes no attribute: read again
                setattr(step, _LEARNED, self._learned)

    def show_step(self, step: Any, variables: Any) -> None:
        """Keep the step's text with its ``${variables}`` filled in, as the report shows it
        (a variable not set yet leaves the text as written).  Never raises."""
        line = getattr(step, "name", "") or ""
        if "${" not in line:
            return
        rendered = self._render(line, variables)
        if rendered is not None and rendered != line:
            try:
                setattr(step, SHOWN_ATTRIBUTE, rendered)
            except Exception:  # noqa: BLE001 - the report shows the text as written
                pass

    def _add_json_secrets(self, text: str, variables: Any) -> None:
        """A JSON payload written in a step: the value of every key that names a secret
        (``"password": "…"``, ``"api_key": "…"``) is one, so the sentences that quote it
        (``$.content.password was "…"``) mask it too."""
        rendered = self._render(text, variables)
        if rendered is None:
            return
        try:
            value = json.loads(rendered)
        except ValueError:
            return
        # A short word ("wrong", a test's stand-in token) is left to the field masking: as
        # a value it would mask the same word wherever it stands ("A *** token").
        self.masker.add(*(v for v in _secret_values(value) if len(v) >= 8 or not v.isalpha()))

    def _add_tables(self, text: str, variables: Any) -> None:
        """A per-client token (``${tokens.${client}}``): every entry of its table is secret."""
        if variables is None or "${" not in text:
            return
        try:
            names = find_placeholders(text)
        except Exception:  # noqa: BLE001 - a malformed placeholder is the step's problem
            return
        for name in names:
            if "${" in name:
                try:
                    table = variables.get(root_name(name))
                except Exception:  # noqa: BLE001 - not set (yet)
                    continue
                if isinstance(table, Mapping):
                    self.masker.add(*(str(value) for value in table.values()))

    def learn_features(self, features: Iterable[Any]) -> None:
        """Remember every literal token and credential header written in the feature files."""
        for feature in features:
            try:
                scenarios = feature.walk_scenarios(with_outlines=True)
            except Exception:  # noqa: BLE001 - an odd model must not stop the run
                continue
            for scenario in scenarios:
                for step in getattr(scenario, "all_steps", None) or getattr(scenario, "steps", []):
                    self.learn_step(step)

    def learn_session(self, session: Any) -> None:
        """Remember the values of secret variables and configured credential headers."""
        variables = getattr(session, "vars", None)
        if variables is None:
            return
        for name in self.secret_names:
            try:
                value = variables.get(name)
            except Exception:  # noqa: BLE001 - not set (yet) in this scenario
                continue
            if isinstance(value, Mapping):  # a table of secrets: one token per client
                self.masker.add(*(str(entry) for entry in value.values()))
            else:
                self.masker.add(str(value))
        settings = getattr(session, "settings", None)
        for name, value in (getattr(settings, "headers", None) or {}).items():
            if is_secret_header(name):
                self.masker.add_header(name, self._render(value, variables))
        # The configured Socket.IO auth: a value under a secret-sounding key (password,
        # token) or filled in from a variable is a credential; a plain "name" is not.
        auth = getattr(getattr(settings, "socketio", None), "auth", None)
        for key, value in _texts(auth):
            if "${" in value or is_secret_name(key):
                self.masker.add(self._render(value, variables))
        # The configured GraphQL connection params, alike.
        params = getattr(getattr(settings, "graphql", None), "params", None)
        for key, value in _texts(params):
            if "${" in value or is_secret_name(key):
                self.masker.add(self._render(value, variables))
        # The configured STOMP passcode is a credential (a STOMP login is not: it stays
        # readable where a frame or a step names it).
        passcode = getattr(getattr(settings, "stomp", None), "passcode", None)
        if isinstance(passcode, str) and passcode:
            self.masker.add(self._render(passcode, variables))
        self._use_codec_fields(settings)

    # -- console -------------------------------------------------------------------

    def mask_formatters(self, formatters: Iterable[Any], hold: float = 0.0) -> None:
        """Make behave's own formatters (console, ``-o`` files) print secrets as ``***``.

        ``hold``: how long a console Python writes at every write may hold a step's line
        (:mod:`wsbdd.report.console`); 0 writes each at once."""
        for formatter in formatters:
            if getattr(formatter, "masks_itself", False):
                continue
            opener = getattr(formatter, "stream_opener", None)
            stream = getattr(formatter, "stream", None)
            if stream is not None and not isinstance(stream, MaskingStream):
                paced = PacedConsole(stream, hold) if hold > 0 and paces(stream) else stream
                wrapped = MaskingStream(paced, self.masker)
                formatter.stream = wrapped
                if opener is not None and getattr(opener, "stream", None) is stream:
                    opener.stream = wrapped
                _gather_results(formatter, wrapped)
                if paced is not stream:
                    _flush_on_close(formatter, wrapped)
            elif isinstance(stream, MaskingStream) and opener is not None:
                opener.stream = stream
            # behave's plain and pretty formatters print tables and doc strings through a
            # printer made with the stream before it was wrapped.
            printer = getattr(formatter, "printer", None)
            printed_to = getattr(printer, "stream", None)
            if (
                printer is not None
                and printed_to is not None
                and not isinstance(printed_to, MaskingStream)
            ):
                printer.stream = (
                    formatter.stream
                    if printed_to is stream
                    else MaskingStream(printed_to, self.masker)
                )

    # -- scenarios -----------------------------------------------------------------

    def note_server(self, address: str | None) -> None:
        """A second address the run's clients spoke to (the demo's chat over Socket.IO, on a
        port of its own), shown beside the first once."""
        if not address or address in self._noted:
            return
        self._noted.add(address)
        shown = mask_secrets(address)
        self.base_url = f"{self.base_url} and {shown} (Socket.IO)" if self.base_url else shown

    def keep(self, scenario: Any, session: Any, *, print_text: bool = False) -> Conversation | None:
        """Attach the scenario's conversation to ``scenario``; print it if asked (for JUnit,
        after a failure), and attach it to the scenario's Allure result when Allure is in
        the run.

        Nothing is built when nothing reads it (see :attr:`keeps_conversations`).

        Call after the clients are closed, so close events are part of it.  Never
        raises: a report problem must not fail a scenario.
        """
        self.learn_session(session)
        if not (self.keeps_conversations or print_text):
            return None  # nobody reads it: a crowd's transcript costs a tenth of a second
        try:
            # Kept until the run ends: each payload only as long as the report shows it.
            events = retained(session.transcript(), self.options.payload_cap)
        except Exception:  # noqa: BLE001
            log.warning("wsbdd: could not collect the conversation of %r", scenario, exc_info=True)
            return None
        marks = list(getattr(session, "step_marks", []) or [])
        texts = {mark.index: mark.text for mark in marks}
        measured = [
            (texts.get(index, ""), metrics)
            for index, metrics in getattr(session, "measurements", None) or []
        ]
        events = _mark_ignored(events, session, scenario)
        conversation = Conversation(events, marks, marks[0].at if marks else None, measured)
        try:
            setattr(scenario, CONVERSATION_ATTRIBUTE, conversation)
        except Exception:  # noqa: BLE001
            return None
        if not (print_text or self.allure_folders):
            return conversation
        shown = (
            [transcript_text(events, self.masker.mask, start=conversation.start)] if events else []
        )
        shown += [self.masker.mask(f"Load metrics of: {s}\n{m.table()}") for s, m in measured]
        if print_text:
            for text in shown:
                print(text)
        if self.allure_folders and shown:
            attach_conversation("\n\n".join(shown))
        return conversation

    def finish(self, junit_directory: str | Path | None) -> None:
        """Mask secrets in the JUnit files behave wrote during this run, and in the Allure
        results allure-behave wrote (its step names and failure messages quote the steps)."""
        folders = [(Path(junit_directory), "*.xml")] if junit_directory else []
        folders += [(folder, "*") for folder in self.allure_folders]
        for folder, pattern in folders:
            if not folder.is_dir():
                continue
            for path in folder.glob(pattern):
                try:
                    if path.is_file() and path.stat().st_mtime >= self.started - 1:
                        self.masker.mask_file(path)
                except OSError:
                    continue


IGNORED = "ignored"
"""An event's ``detail`` key: what the ``ignore`` setting calls this received message
(``heartbeat``; "" for an entry in other words).  The diagram folds such messages, and the
mark travels with the event wherever the conversation goes (``results.json``, merges)."""


def _gather_results(formatter: Any, stream: MaskingStream) -> None:
    """The formatter's ``result`` (a step's line and status, written in pieces) writes
    through ``stream`` as one write: one system call a step on an unbuffered console."""
    result = getattr(formatter, "result", None)
    if result is None:
        return

    def gathered_result(step: Any) -> Any:
        with stream.gathered():
            return result(step)

    formatter.result = gathered_result


def _flush_on_close(formatter: Any, stream: MaskingStream) -> None:
    """The formatter's ``close`` writes what its paced console holds first (behave leaves
    ``sys.stdout`` open, and prints its summary right after)."""
    close = getattr(formatter, "close", None)
    if close is None:
        return

    def flushed_close() -> Any:
        stream.flush()
        return close()

    formatter.close = flushed_close


def _mark_ignored(events: list[Event], session: Any, scenario: Any) -> list[Event]:
    """``events`` with the received messages the ``ignore`` setting names marked (see
    :data:`IGNORED`).  Never raises: the diagram then shows them unfolded."""
    try:
        finder = getattr(session, "ignored_in", None)
        found: dict[int, str] = finder(events) if finder is not None else {}
    except Exception:  # noqa: BLE001
        log.warning("wsbdd: could not tell the ignored messages of %r", scenario, exc_info=True)
        return events
    if not found:
        return events
    marked = list(events)
    for index, kind in found.items():
        event = marked[index]
        marked[index] = replace(event, detail={**event.detail, IGNORED: kind})
    return marked


_current: ReportRecorder | None = None


_JSON_START = re.compile(r"[\[{]")


def _inline_json(line: str) -> str | None:
    """The JSON a step line ends with (``Alice sends {"password": "…"}``), if any."""
    found = _JSON_START.search(line)
    return line[found.start() :] if found else None


def _secret_values(value: Any, secret: bool = False) -> Iterator[str]:
    """Every text under a key that names a secret, at any depth."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _secret_values(item, secret or is_secret_name(str(key)))
    elif isinstance(value, list):
        for item in value:
            yield from _secret_values(item, secret)
    elif secret and isinstance(value, str | int) and not isinstance(value, bool):
        yield str(value)


def start_recording(settings: Any, base_url: str, context: Any = None) -> ReportRecorder:
    """A fresh recorder for this run; masks behave's console output from now on."""
    global _current
    recorder = ReportRecorder(settings, base_url)
    _current = recorder
    runner = getattr(context, "_runner", None) if context is not None else None
    if runner is not None:
        formatters = getattr(runner, "formatters", None) or []
        recorder.learn_features(getattr(runner, "features", None) or [])
        recorder.mask_formatters(formatters, console_hold(settings, context))
        recorder.allure_folders = allure_folders(formatters)
        recorder.keeps_conversations = bool(recorder.allure_folders) or reads_conversations(
            formatters, getattr(getattr(context, "config", None), "junit", False)
        )
    return recorder


def console_hold(settings: Any, context: Any) -> float:
    """How long the console may hold a step's line: the ``console_hold`` setting, when
    behave captures what steps and hooks print (else a step's ``print`` would overtake
    the held lines); 0 otherwise."""
    config = getattr(context, "config", None)
    captures = bool(getattr(config, "capture_stdout", False)) and bool(
        getattr(config, "capture_hooks", False)
    )
    return float(getattr(settings, "console_hold", 0.0)) if captures else 0.0


def reads_conversations(formatters: Iterable[Any], junit: Any) -> bool:
    """Whether a run with these behave formatters (and ``--junit`` or not) reads the
    scenarios' conversations: a formatter of its own says so with ``reads_conversations``."""
    return bool(junit) or any(getattr(f, "reads_conversations", False) for f in formatters)


def current_recorder() -> ReportRecorder | None:
    """The recorder of the run in progress (``None`` when wsbdd's hooks are not installed)."""
    return _current
