"""JUnit XML written from a :class:`~wsbdd.report.model.RunReport`, for merged runs.

A one-process ``wsbdd run`` keeps behave's own ``--junit`` files.  A merged run
(``wsbdd report merge``, ``wsbdd run --processes``) has no behave run behind it,
so :func:`write_junit` writes the same files from the records: one
``TESTS-<feature file>.xml`` per feature file (``features/chat/rooms.feature`` →
``TESTS-chat.rooms.xml``, as behave names them), a ``testsuite`` named
``<file>.<feature name>``, one ``testcase`` per scenario (each Outline row its
own) with behave's ``classname``, ``name``, ``status`` and ``time``, a
``failure`` or ``error`` holding the failure sentence, and in ``system-out`` the
scenario's steps and its conversation, as wsbdd's hooks print it under behave.

A scenario that failed and passed when run again (``--rerun``) is a passed
testcase with a ``flakyFailure`` element (the way Maven Surefire marks a rerun
that passed, which Jenkins and other JUnit readers show as flaky), a
``wsbdd.flaky`` property, and a line in ``system-out``.  Secrets are masked.
"""

from __future__ import annotations

import datetime
import os
import re
import socket
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from wsbdd.report.mask import Masker
from wsbdd.report.model import FeatureReport, RunReport, ScenarioReport, StepReport
from wsbdd.report.text import transcript_text

__all__ = ["write_junit", "junit_documents", "junit_stem"]

_ERROR_STATUSES = ("error", "hook_error")
_SKIPPED = ("skipped", "untested", "untested_undefined", "untested_pending")
# Characters XML 1.0 cannot hold (behave drops them too).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def junit_stem(filename: str, base: str) -> str:
    """The part of ``TESTS-<stem>.xml``: the file's path under ``base``, dots for slashes,
    without ``.feature``."""
    path = PurePosixPath(filename.replace("\\", "/"))
    try:
        path = path.relative_to(base) if base else path
    except ValueError:
        pass
    text = str(path)
    if "." in path.name:
        text = text.rsplit(".", 1)[0]
    return text.replace("/", ".")


def _base(features: list[FeatureReport]) -> str:
    """The folder all feature files are in (behave names files under the path it was given)."""
    folders = [str(PurePosixPath(f.filename.replace("\\", "/")).parent) for f in features]
    folders = [folder for folder in folders if folder and folder != "."]
    if not folders or len(folders) != len(features):
        return ""
    try:
        common = os.path.commonpath(folders)
    except ValueError:
        return ""
    return common


def _describe_step(step: StepReport, masker: Masker) -> str:
    status = step.status or "untested"
    timing = f" in {step.duration:0.3f}s" if step.duration is not None else ""
    text = f"{step.keyword} {step.shown or step.name} ... {status}{timing}\n"
    if step.text is not None:
        body = "\n".join("    " + line for line in step.text.splitlines())
        text += f'      """\n{body}\n      """\n'
    elif step.table:
        for row in masker.mask_cells(step.table):
            text += "      | " + " | ".join(row) + " |\n"
    return text


def _describe_scenario(scenario: ScenarioReport, masker: Masker) -> str:
    header = "\n@scenario.begin\n"
    if scenario.tags:
        header += "\n  " + " ".join(scenario.tags) + "\n"
    header += f"  {scenario.keyword}: {scenario.name}\n"
    steps = "".join(
        "    " + line + "\n"
        for step in scenario.steps
        for line in _describe_step(step, masker).splitlines()
    )
    return header + steps + "\n@scenario.end\n" + "-" * 80 + "\n"


def _captured(scenario: ScenarioReport, run: RunReport) -> str:
    """What the hooks print for JUnit under behave: the conversation, then load metrics."""
    conversation = scenario.conversation
    if conversation is None:
        return ""
    parts = []
    if conversation.events:
        parts.append(
            transcript_text(conversation.events, run.masker.mask, start=conversation.start)
        )
    for step, metrics in conversation.measurements:
        parts.append(run.masker.mask(f"Load metrics of: {step}\n{metrics.table()}"))
    return "\n".join(parts)


def _problem(scenario: ScenarioReport, element: str, masker: Masker) -> ElementTree.Element:
    problem = ElementTree.Element(element)
    step = scenario.failed_step
    if step is not None:
        sentence = "\n\n".join(x for x in (step.error, step.error_detail) if x)
        problem.set("type", "AssertionError" if element == "failure" else "Error")
        problem.set("message", _xml_text(step.error.strip() or step.status))
        described = _describe_step(step, masker).rstrip()
        text = f"\nFailing step: {described}\nLocation: {step.location or scenario.filename}\n"
        problem.text = _xml_text(text + sentence)
    else:
        sentence = "\n\n".join(x for x in (scenario.error, scenario.error_detail) if x)
        problem.set("type", "AssertionError" if element == "failure" else "Error")
        problem.set("message", _xml_text(scenario.error.strip() or scenario.status))
        problem.text = _xml_text("\n" + sentence)
    return problem


def _testcase(
    scenario: ScenarioReport, classname: str, run: RunReport, counts: dict[str, int]
) -> ElementTree.Element:
    case = ElementTree.Element("testcase")
    case.set("classname", classname)
    case.set("name", scenario.name or "")
    case.set("status", scenario.status)
    case.set("time", str(round(scenario.duration, 6)))
    counts["tests"] += 1
    if scenario.flaky:
        properties = ElementTree.SubElement(case, "properties")
        flaky = ElementTree.SubElement(properties, "property")
        flaky.set("name", "wsbdd.flaky")
        flaky.set("value", _xml_text(scenario.flaky))
    if scenario.outcome == "failed":
        kind = "error" if scenario.status in _ERROR_STATUSES else "failure"
        counts["errors" if kind == "error" else "failures"] += 1
        case.append(_problem(scenario, kind, run.masker))
    elif scenario.status in _SKIPPED or scenario.outcome == "skipped":
        counts["skipped"] += 1
        ElementTree.SubElement(case, "skipped")
    if scenario.flaky:
        rerun = ElementTree.SubElement(case, "flakyFailure")
        rerun.set("message", _xml_text(scenario.flaky))
        rerun.set("type", "AssertionError")
    out = ElementTree.SubElement(case, "system-out")
    text = _describe_scenario(scenario, run.masker)
    if scenario.flaky:
        text = (
            f"\nFlaky: this scenario failed, then passed when run again. "
            f"The first failure: {scenario.flaky}\n" + text
        )
    captured = _captured(scenario, run)
    if captured:
        text += f"\nCaptured stdout:\n{captured}\n"
    out.text = _xml_text(text)
    return case


def junit_documents(run: RunReport) -> dict[str, bytes]:
    """``{file name: XML}``: one JUnit document per feature file, secrets masked."""
    base = _base(run.features)
    host = socket.gethostname()
    documents: dict[str, bytes] = {}
    for feature in run.features:
        stem = junit_stem(feature.filename or feature.name, base)
        name = feature.name or stem
        classname = f"{stem}.{name}"
        counts = dict.fromkeys(("tests", "errors", "failures", "skipped"), 0)
        suite = ElementTree.Element("testsuite")
        suite.set("name", classname)
        cases = [_testcase(s, classname, run, counts) for s in feature.scenarios]
        for key in ("tests", "errors", "failures", "skipped"):
            suite.set(key, str(counts[key]))
        suite.set("time", str(round(sum(s.duration for s in feature.scenarios), 6)))
        starts = [s.started for s in feature.scenarios if s.started is not None]
        stamp = min(starts) if starts else run.started
        suite.set("timestamp", datetime.datetime.fromtimestamp(stamp).isoformat())
        suite.set("hostname", host)
        suite.extend(cases)
        masked = _mask_tree(suite, run)
        documents[f"TESTS-{stem}.xml"] = ElementTree.tostring(
            masked, encoding="UTF-8", xml_declaration=True
        )
    return documents


def _mask_tree(element: ElementTree.Element, run: RunReport) -> ElementTree.Element:
    mask = run.masker.mask
    for node in element.iter():
        if node.text:
            node.text = mask(node.text)
        for key, value in list(node.attrib.items()):
            node.set(key, mask(value))
    return element


def write_junit(run: RunReport, folder: Path) -> list[Path]:
    """Write :func:`junit_documents` into ``folder`` (its older ``TESTS-*.xml`` removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("TESTS-*.xml"):
        old.unlink()
    written = []
    for name, data in junit_documents(run).items():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written
