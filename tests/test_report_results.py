"""results.json: a run written as data and read back shows what the run showed; runs merge.

Records built by hand here (every shape the writers know: backgrounds, doc strings,
tables, failures as data, strict-mode errors, conversations with codec values, binary
frames, cut payloads, load measurements); tests/test_report_merge_run.py does the same
with real ``wsbdd run`` processes.
"""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_report_cucumber import _every_shape, assert_valid_cucumber

from wsbdd import __version__
from wsbdd.load.metrics import Latencies, LoadMetrics
from wsbdd.model.failures import Failure
from wsbdd.model.transcript import Event, StepMark
from wsbdd.report.cucumber import to_cucumber
from wsbdd.report.html import render_html
from wsbdd.report.junit import junit_documents, junit_stem
from wsbdd.report.mask import Masker
from wsbdd.report.merge import merge_runs
from wsbdd.report.model import RunReport, ScenarioReport
from wsbdd.report.options import ReportOptions
from wsbdd.report.outputs import REPORT_FILES, write_reports
from wsbdd.report.results import RESULTS_FILE, dump_run, load_run, read_results, results_json

SECRET = "sk-live-9f8e7d6c5b4a"


def _rich_run() -> RunReport:
    """Every shape, plus a secret everywhere a run can carry one, a codec's decoded value,
    a binary frame, a payload cut for the report, and a load step's measurements."""
    run = _every_shape(transcripts=True)
    run.masker = Masker([SECRET])
    run.metadata = {"wsbdd": __version__, "commit": "abc123", "api": SECRET}
    run.version = __version__
    first = run.features[0].scenarios[0]
    first.started = run.started
    first.worker = "2"
    assert first.conversation is not None
    marks = first.conversation.marks
    first.conversation.events.extend(
        [
            Event(
                marks[1].at + 0.01,
                "Alice",
                "received",
                "text",
                json.dumps({"type": "chat", "token": SECRET, "content": "hi <b>"}),
                7,
                detail={"value": {"event": "chat", "args": [SECRET, 1.5, None]}, "label": "chat"},
                step=marks[1],
            ),
            Event(marks[1].at + 0.02, "Alice", "received", "binary", b"\x00\x01" + b"\xff", 8),
            Event(
                marks[1].at + 0.03,
                "Alice",
                "received",
                "text",
                '{"type": "big", "x": "' + "y" * 40,
                9,
                detail={"size": 5000, "cut": 4950},
                step=StepMark(marks[1].at, 99, "When an unlisted step"),
            ),
        ]
    )
    metrics = LoadMetrics(
        clients=20,
        connect_attempts=20,
        connected=19,
        connect_times=Latencies([0.01, 0.02, 0.03]),
        sent=40,
        expected=380,
        delivered=379,
        delivery=Latencies([0.001 * i for i in range(1, 380)]),
        took=1.5,
        sending_took=1.0,
        phases=["ramp up 20 clients over 1 s"],
    )
    first.conversation.measurements.append(("When 20 clients send", metrics))
    failing = run.features[0].scenarios[1]
    failing.steps[0].name = f'Bob sends {{"token": "{SECRET}"}}'
    failing.steps[0].failure = Failure(
        who="Bob",
        expected=f'a message where $.token is "{SECRET}"',
        observed="received nothing",
        candidates=(f"  #1 {SECRET}",),
        notes=("a note",),
    )
    failing.steps[0].error = f"Bob expected {SECRET}"
    failing.steps[0].table = [["Authorization", f"Bearer {SECRET}"], ["room", "lobby"]]
    failing.description = [f"Uses {SECRET}."]
    return run


def _read_back(run: RunReport) -> RunReport:
    return load_run(json.loads(json.dumps(dump_run(run))))


def test_a_run_read_back_shows_in_html_what_the_run_showed():
    run = _rich_run()
    assert render_html(_read_back(run)) == render_html(run)


def test_a_run_read_back_writes_the_same_cucumber_json_and_junit():
    run = _rich_run()
    back = _read_back(run)
    assert to_cucumber(back) == to_cucumber(run)
    assert junit_documents(back).keys() == junit_documents(run).keys()
    for name, data in junit_documents(run).items():
        # The hostname and timestamps alike; the whole document equal.
        assert junit_documents(back)[name] == data


def test_no_secret_reaches_the_file_in_any_spelling():
    run = _rich_run()
    text = results_json(run)
    assert SECRET not in text
    assert SECRET[:14] not in text  # nor the beginning of one that a cut went through
    assert "***" in text
    # ... yet everything else is there: the message around the secret, the metrics.
    assert "hi <b>" in text and "ramp up 20 clients" in text


def test_load_measurements_keep_their_exact_samples():
    run = _rich_run()
    back = _read_back(run)
    conversation = back.features[0].scenarios[0].conversation
    assert conversation is not None
    ((step, metrics),) = conversation.measurements
    assert step == "When 20 clients send"
    assert isinstance(metrics, LoadMetrics)
    assert len(metrics.delivery) == 379
    assert metrics.delivery.percentile(99) == pytest.approx(0.376)
    assert metrics.rows() == run.features[0].scenarios[0].conversation.measurements[0][1].rows()


def test_binary_frames_and_codec_values_come_back_as_they_were():
    back = _read_back(_rich_run())
    conversation = back.features[0].scenarios[0].conversation
    assert conversation is not None
    binary = next(e for e in conversation.events if e.frame == "binary")
    assert binary.payload == b"\x00\x01\xff"
    coded = next(e for e in conversation.events if e.seq == 7)
    assert coded.detail["value"] == {"event": "chat", "args": ["***", 1.5, None]}
    assert coded.step is conversation.marks[1]


def test_new_record_fields_survive_the_round_trip():
    run = _rich_run()
    run.features[0].scenarios[0].flaky = "Bob expected a message."
    back = _read_back(run)
    scenario = back.features[0].scenarios[0]
    assert (scenario.started, scenario.worker, scenario.flaky) == (
        run.started,
        "2",
        "Bob expected a message.",
    )
    assert back.metadata == {"wsbdd": __version__, "commit": "abc123", "api": "***"}
    assert back.version == __version__
    assert back.features[0].scenarios[0].background == ("Background", "Connected", 2)


def test_read_results_reads_a_file(tmp_path: Path):
    path = tmp_path / RESULTS_FILE
    run = _rich_run()
    path.write_text(results_json(run), encoding="utf-8")
    assert render_html(read_results(path)) == render_html(run)


# -- merging ------------------------------------------------------------------------------


def _shard(run: RunReport, keep: set[str], started: float, duration: float) -> RunReport:
    shard = copy.deepcopy(run)
    shard.started, shard.duration = started, duration
    for feature in shard.features:
        feature.scenarios = [s for s in feature.scenarios if s.name in keep]
    return shard


def test_shards_merge_into_one_run_in_file_and_line_order():
    whole = _rich_run()
    names = [s.name for s in whole.scenarios]
    a = _shard(whole, {names[1], names[3]}, 1000.0, 5.0)
    b = _shard(whole, {names[0], names[2], names[4]}, 1001.0, 7.0)
    merged = merge_runs([a, b])
    assert [s.name for s in merged.scenarios] == names
    assert [s.number for s in merged.scenarios] == [1, 2, 3, 4, 5]
    assert (merged.started, merged.duration) == (1000.0, 8.0)
    assert merged.count("scenarios") == whole.count("scenarios")
    # The inputs are left as they were.
    assert [s.number for s in a.scenarios] == [2, 4]


def test_a_scenario_a_shard_skipped_never_hides_the_shard_that_ran_it():
    whole = _rich_run()
    ran = _shard(whole, {"Alice joins"}, 1000.0, 1.0)
    skipped = _shard(whole, {"Alice joins"}, 1001.0, 1.0)
    skipped.scenarios[0].status = "skipped"
    for order in ([ran, skipped], [skipped, ran]):
        assert merge_runs(order).scenarios[0].status == "passed"


def test_a_rerun_that_passes_keeps_the_pass_and_flags_the_flake():
    first = _rich_run()
    rerun = _shard(first, {"Bob waits"}, first.started + 10, 2.0)
    for step in rerun.scenarios[0].steps:
        step.status, step.error, step.failure = "passed", "", None
    rerun.scenarios[0].status = "passed"
    merged = merge_runs([first, rerun], rerun=True)
    bob = next(s for s in merged.scenarios if s.name == "Bob waits")
    assert bob.outcome == "passed"
    assert bob.flaky == f"Bob expected {SECRET}"  # masked by every writer
    # Carol's, Dave's and Erin's failures stay.
    assert merged.count("scenarios")["failed"] == first.count("scenarios")["failed"] - 1 == 3
    assert "***" in render_html(merged) and SECRET not in render_html(merged)
    # Without --rerun the later result wins too, but nothing is called flaky.
    assert not any(s.flaky for s in merge_runs([first, rerun]).scenarios)


def test_a_rerun_that_fails_again_stays_failed_and_not_flaky():
    first = _rich_run()
    again = _shard(first, {"Bob waits"}, first.started + 10, 2.0)
    again.scenarios[0].steps[0].error = "Bob expected it again"
    merged = merge_runs([first, again], rerun=True)
    bob = next(s for s in merged.scenarios if s.name == "Bob waits")
    assert (bob.outcome, bob.flaky, bob.steps[0].error) == ("failed", "", "Bob expected it again")


def test_runs_of_different_versions_do_not_merge():
    a, b = _rich_run(), _rich_run()
    b.version = "0.0.9"
    with pytest.raises(Exception) as raised:
        merge_runs([a, b])
    assert str(raised.value) == (
        f"These results were written by different wsbdd versions ({__version__}, 0.0.9): "
        "run them again with one version to merge them."
    )


# -- the files of a merged run --------------------------------------------------------------


def test_write_reports_writes_the_four_files(tmp_path: Path):
    run = _rich_run()
    run.options = ReportOptions()  # conversations not attached (the validator's JSON)
    write_reports(run, tmp_path)
    assert (tmp_path / REPORT_FILES["html"]).read_text() == render_html(run)
    assert REPORT_FILES["results"] == RESULTS_FILE
    back = read_results(tmp_path / RESULTS_FILE)
    assert render_html(back) == render_html(run)
    converted = assert_valid_cucumber(tmp_path / REPORT_FILES["cucumber"])
    assert len(converted["features"][0]["elements"]) == 6
    (junit,) = (tmp_path / "junit").glob("*.xml")
    assert junit.name == "TESTS-chat.xml"
    suite = ET.parse(junit).getroot()
    assert suite.tag == "testsuite" and suite.get("name") == "chat.Chat"
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "5",
        "failures": "4",
        "errors": "0",
        "skipped": "0",
    }
    for file in tmp_path.rglob("*"):
        if file.is_file():
            assert SECRET not in file.read_text(encoding="utf-8"), file


def test_junit_names_files_as_behave_does():
    assert junit_stem("features/chat.feature", "features") == "chat"
    assert junit_stem("features/rooms/lobby.feature", "features") == "rooms.lobby"
    assert junit_stem("lobby.feature", "") == "lobby"


def _passed_flaky(run: RunReport) -> ScenarioReport:
    scenario = run.features[0].scenarios[1]
    scenario.status = "passed"
    for step in scenario.steps:
        step.status, step.error, step.error_detail, step.failure = "passed", "", "", None
    scenario.flaky = 'Bob expected a message where $.type is "chat", but had none.'
    return scenario


def test_a_flake_shows_in_junit_and_cucumber():
    run = _rich_run()
    flaky = _passed_flaky(run)
    document = junit_documents(run)["TESTS-chat.xml"]
    case = next(c for c in ET.fromstring(document) if c.get("name") == flaky.name)
    assert case.get("status") == "passed"
    assert case.find("failure") is None
    assert case.find("flakyFailure").get("message") == flaky.flaky  # type: ignore[union-attr]
    prop = case.find("properties/property")
    assert prop is not None and prop.attrib == {"name": "wsbdd.flaky", "value": flaky.flaky}
    assert "Flaky: this scenario failed, then passed when run again." in (
        case.findtext("system-out") or ""
    )
    element = to_cucumber(run)[0]["elements"][2]
    assert element["name"] == flaky.name
    assert element["description"].endswith(
        f"Flaky: failed at first ({flaky.flaky}), passed when run again."
    )


def test_each_row_of_an_outline_is_its_own_scenario_when_merging():
    run = _rich_run()
    feature = run.features[0]
    row = feature.scenarios[0]
    rows = [copy.deepcopy(row) for _ in range(3)]
    for n, scenario in enumerate(rows):
        scenario.name = f"Alice joins -- @1.{n + 1} rooms"
        scenario.line = 40 + n
    feature.scenarios = rows
    first = copy.deepcopy(run)
    first.features[0].scenarios[1].status = "failed"
    first.features[0].scenarios[1].error = "Row two failed."
    rerun = _shard(run, {rows[1].name}, run.started + 5, 1.0)
    merged = merge_runs([first, rerun], rerun=True)
    assert [(s.line, s.outcome, s.flaky) for s in merged.scenarios] == [
        (40, "passed", ""),
        (41, "passed", "Row two failed."),
        (42, "passed", ""),
    ]


def test_the_run_that_started_later_wins_whatever_the_order_given():
    first = _rich_run()
    rerun = _shard(first, {"Bob waits"}, first.started + 10, 2.0)
    for step in rerun.scenarios[0].steps:
        step.status, step.error, step.failure = "passed", "", None
    rerun.scenarios[0].status = "passed"
    merged = merge_runs([rerun, first], rerun=True)
    bob = next(s for s in merged.scenarios if s.name == "Bob waits")
    assert (bob.outcome, bob.flaky) == ("passed", f"Bob expected {SECRET}")
    assert merged.started == first.started


def test_odd_text_from_the_wire_cannot_break_the_file(tmp_path: Path):
    run = _rich_run()
    conversation = run.features[0].scenarios[0].conversation
    assert conversation is not None
    odd = '{"content": "\udcff lone half \u202e of a pair, \x00 and ünïcödé"}'
    conversation.events.append(Event(conversation.events[-1].at, "Alice", "received", "text", odd))
    path = tmp_path / RESULTS_FILE
    path.write_text(results_json(run), encoding="utf-8")
    back = read_results(path)
    assert back.features[0].scenarios[0].conversation.events[-1].payload == odd  # type: ignore[union-attr]


def test_odd_text_from_the_wire_is_drawn_and_sized():
    run = _rich_run()
    conversation = run.features[0].scenarios[0].conversation
    assert conversation is not None
    odd = '{"content": "\udcff lone half"}'
    conversation.events.append(Event(conversation.events[-1].at, "Alice", "received", "text", odd))
    html = render_html(run)
    assert "lone half" in html
    back = json.loads(json.dumps(to_cucumber(run)))
    assert back


def test_json_nested_deeper_than_python_reads_is_drawn_as_text():
    from wsbdd.model.message import NOT_JSON, Message
    from wsbdd.report.text import pretty_payload

    run = _rich_run()
    conversation = run.features[0].scenarios[0].conversation
    assert conversation is not None
    deep = "[" * 5000 + "]" * 5000
    conversation.events.append(Event(conversation.events[-1].at, "Alice", "sent", "text", deep))
    conversation.events.append(Event(conversation.events[-1].at, "Alice", "received", "text", deep))
    assert "[[[[" in render_html(run)
    assert pretty_payload(deep, 20000) == (deep, 0)
    assert Message(1, 0.0, "text", deep).json is NOT_JSON
