"""A big run at a glance, on plain records: causes, tallies, the timeline, the header's
metadata, and ignored messages folded where a failure lists what arrived."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from wsbdd.expect import Receive
from wsbdd.match import where
from wsbdd.model.failures import Failure, ignored_line, render
from wsbdd.model.inbox import Inbox
from wsbdd.report.mask import Masker
from wsbdd.report.metadata import git_commit, run_metadata
from wsbdd.report.model import FeatureReport, RunReport, ScenarioReport, StepReport
from wsbdd.report.options import ReportOptions
from wsbdd.report.overview import (
    alike,
    failure_causes,
    mismatch_kind,
    step_pattern,
    tallies_by_feature,
    tallies_by_tag,
    timeline,
)
from wsbdd.settings.config import load_settings

TIMED_OUT = Failure(
    "Bob", "a message where $.n is 3 within 1.0 s", "received no message in that time"
)
NO_MATCH = Failure(
    "Bob", "a message where $.n is 3 within 1.0 s", "had 2 unread messages, none matched:"
)


def _step(name: str, failure: Failure | None = None, status: str = "") -> StepReport:
    status = status or ("failed" if failure else "passed")
    return StepReport(
        "Then", name, 3, status, 0.1, error=render(failure) if failure else "", failure=failure
    )


def _scenario(number: int, tags: list[str], *steps: StepReport, **more: object) -> ScenarioReport:
    status = "failed" if any(s.outcome == "failed" for s in steps) else "passed"
    return ScenarioReport(
        number,
        "Scenario",
        f"S{number}",
        number,
        "a.feature",
        status,
        tags,
        steps=list(steps),
        duration=1.0,
        **more,  # type: ignore[arg-type]
    )


def _run(*features: FeatureReport) -> RunReport:
    return RunReport("t", 0.0, 1.0, "", list(features), ReportOptions(), Masker())


def test_a_step_pattern_sets_values_aside():
    assert step_pattern('Bob receives a message where $.text is "hi 3" within 2 s') == (
        'Bob receives a message where $.text is "…" within N s'
    )
    assert step_pattern("user17 sends 4.5 to $.args[0]") == "userN sends N to $.args[N]"


def test_a_cause_says_what_its_sentences_share_and_sets_aside_where_they_differ():
    one = 'Bob expected a message where $.type is "echo" and $.n is 3 within 200 ms, but had 2'
    two = 'Bob expected a message where $.type is "echo" and $.n is 14 within 200 ms, but had 3'
    assert alike(one, two) == (
        'Bob expected a message where $.type is "echo" and $.n is N within 200 ms, but had N'
    )
    assert alike('Bob got "a b"', 'Bob got "c"') == 'Bob got "…"'
    assert alike("Bob waited", "Bob waited for Alice") == "Bob waited"
    assert alike(one, one) == one


def test_the_kind_of_mismatch_comes_from_the_failure_data_or_the_sentence():
    assert mismatch_kind(TIMED_OUT, "") == "timed out"
    assert mismatch_kind(NO_MATCH, "") == "no match"
    assert mismatch_kind(Failure("Bob", "no message within 1.0 s", "got #3"), "") == (
        "unexpected message"
    )
    assert mismatch_kind(None, "Alice could not connect to ws://x: connection refused") == (
        "connection refused"
    )
    assert mismatch_kind(None, "The step stopped with an unexpected error: KeyError") == "error"
    assert mismatch_kind(None, "", "undefined") == "undefined step"


def test_alike_failures_are_one_cause_with_their_scenarios_the_commonest_first():
    scenarios = [
        _scenario(n, ["@a"], _step(f"Bob receives a message where $.n is {n}", TIMED_OUT))
        for n in range(1, 5)
    ]
    scenarios.append(_scenario(5, ["@b"], _step("Bob receives a message where $.n is 5", NO_MATCH)))
    scenarios.append(_scenario(6, ["@b"], _step("Bob is connected")))
    run = _run(FeatureReport("Feature", "F", 1, "a.feature", scenarios=scenarios))
    causes = failure_causes(run)
    assert [(c.count, c.kind) for c in causes] == [(4, "timed out"), (1, "no match")]
    assert causes[0].step == "Then Bob receives a message where $.n is N"
    assert causes[0].sentence.startswith("Bob expected a message where $.n is 3 within 1.0 s")
    assert [s.number for s, _ in causes[0].scenarios] == [1, 2, 3, 4]


def test_tallies_count_per_feature_and_per_tag():
    one = FeatureReport(
        "Feature",
        "One",
        1,
        "a.feature",
        scenarios=[
            _scenario(1, ["@a", "@x"], _step("x", TIMED_OUT)),
            _scenario(2, ["@a"], _step("y")),
        ],
    )
    two = FeatureReport("Feature", "Two", 1, "b.feature", scenarios=[_scenario(3, ["@x"])])
    two.scenarios[0].status = "skipped"
    run = _run(one, two)
    rows = [(t.name, t.total, t.passed, t.failed, t.skipped) for t in tallies_by_feature(run)]
    assert rows == [("One", 2, 1, 1, 0), ("Two", 1, 0, 0, 1)]
    tags = [(t.name, t.total, t.passed, t.failed, t.skipped) for t in tallies_by_tag(run)]
    assert tags == [("@a", 2, 1, 1, 0), ("@x", 2, 0, 1, 1)]
    assert tallies_by_feature(run)[0].duration == "2.0 s"


def test_the_timeline_has_a_lane_per_process_and_bars_by_start_time():
    scenarios = [
        _scenario(1, [], _step("a"), started=100.0, worker="2"),
        _scenario(2, [], _step("a"), started=100.0, worker="1"),
        _scenario(3, [], _step("a"), started=101.0, worker="1"),
        _scenario(4, [], _step("a")),  # no start time: left out, counted
    ]
    found = timeline(scenarios)
    assert [lane.name for lane in found.lanes] == ["process 1", "process 2"]
    assert [(b.scenario.number, b.left, b.width) for b in found.lanes[0].bars] == [
        (2, 0.0, 50.0),
        (3, 50.0, 50.0),
    ]
    assert (found.bars, found.untimed, found.span) == (3, 1, 2.0)
    assert timeline(scenarios[:1]).lanes[0].name == "process 2"
    assert timeline([_scenario(9, [], started=5.0)]).lanes[0].name == "this run"


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_commit_is_read_from_git_with_its_branch_and_uncommitted_changes(tmp_path: Path):
    assert git_commit(tmp_path) is None  # not a checkout: quietly absent
    assert "Git commit" not in run_metadata("ws://x", (), tmp_path)
    _git(tmp_path, "init", "-q", "-b", "trunk")
    (tmp_path / "a.txt").write_text("1")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "-c", "user.name=T", "-c", "user.email=t@x.invalid", "commit", "-qm", "one")
    sha = _git(tmp_path, "rev-parse", "--short=12", "HEAD")
    assert git_commit(tmp_path) == f"{sha} (trunk)"
    (tmp_path / "a.txt").write_text("2")
    assert git_commit(tmp_path) == f"{sha} (trunk), with uncommitted changes"
    found = run_metadata("ws://x", [("App", "2.4"), ("Server", "mine")], tmp_path)
    assert list(found.items())[1:] == [
        ("Server", "mine"),
        ("Git commit", f"{sha} (trunk), with uncommitted changes"),
        ("App", "2.4"),
    ]


def test_user_fields_come_from_the_report_table_and_from_minus_d(tmp_path: Path):
    (tmp_path / "wsbdd.toml").write_text('[report]\nmetadata = { App = "2.4", Stage = 3 }\n')
    settings = load_settings(
        tmp_path,
        userdata={"wsbdd.report.metadata.Build": "77", "wsbdd.report.metadata.App": "2.5"},
        environ={},
    )
    options = ReportOptions.from_table(settings.extras["report"])
    assert options.metadata == (("App", "2.5"), ("Stage", "3"), ("Build", "77"))
    (tmp_path / "wsbdd.toml").write_text("")
    alone = load_settings(tmp_path, userdata={"wsbdd.report.metadata.Build": "7"}, environ={})
    assert ReportOptions.from_table(alone.extras["report"]).metadata == (("Build", "7"),)


def _message(inbox: Inbox, at: float, **fields: object) -> None:
    inbox.append("text", json.dumps(fields), at)


def test_background_messages_nothing_like_the_awaited_one_are_folded_into_one_line():
    inbox = Inbox()
    _message(inbox, 1.0, type="heartbeat")
    _message(inbox, 1.1, type="chat", text="hello")
    _message(inbox, 1.2, type="heartbeat")
    _message(inbox, 1.3, type="heartbeat", text="bye")  # the step's words partly fit: listed

    def background(message):
        return "heartbeat" if message.value.get("type") == "heartbeat" else None

    receive = Receive("Bob", where('$.text is "bye" and $.type is "chat"'), 1.0, None, background)
    receive.start(inbox, 0.0)
    assert receive.feed(inbox, 0.5) is None
    failure = receive.expire(inbox, 2.0).why
    assert failure is not None
    assert failure.observed == "had 4 unread messages, none matched:"
    assert [line.split()[0] for line in failure.candidates] == ["#2", "#4"]
    assert failure.folded == "  + 2 heartbeats ignored"
    assert [line.split()[0] for line in failure.ignored] == ["#1", "#3"]
    assert render(failure).splitlines()[-1] == "  + 2 heartbeats ignored"


def test_the_fold_line_names_what_was_ignored():
    assert ignored_line({"heartbeat": 1}) == "+ 1 heartbeat ignored"
    assert ignored_line({"heartbeat": 4}) == "+ 4 heartbeats ignored"
    assert ignored_line({"heartbeat": 4, "welcome": 1}) == ("+ 5 ignored: 4 heartbeats, 1 welcome")
    assert ignored_line({"": 2}) == "+ 2 messages ignored"


def test_the_header_shows_the_metadata_escaped_and_a_server_field_of_the_users_own():
    from wsbdd.report.html import render_html

    run = _run(FeatureReport("Feature", "F", 1, "a.feature", scenarios=[_scenario(1, [])]))
    run.base_url = "ws://127.0.0.1:1"
    run.metadata = {"wsbdd": "9.9", "Server": "wss://staging.example/ws", "App": "<b>2</b>"}
    html = render_html(run)
    assert '<dt>Server</dt><dd class="mono">wss://staging.example/ws</dd>' in html
    assert '<div class="md"><dt>App</dt><dd>&lt;b&gt;2&lt;/b&gt;</dd></div>' in html
    assert '<div class="md"><dt>wsbdd</dt><dd>9.9</dd></div>' in html
    assert "127.0.0.1:1" not in html
