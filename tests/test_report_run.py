"""The reports of a real run: `wsbdd run` on a project with passing, failing and skipped
scenarios, hostile chat messages and secrets, against the bundled demo server.

One run (module fixture) feeds every test: the HTML read with html.parser, JUnit
XML, Cucumber JSON put through the Cucumber project's own validator, secrets
searched in every file and in the console, and the report opened in real
headless Chromium and Firefox.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from browsers.chromium import INSTALL_HINT, find_chromium, visit
from browsers.firefox import FIREFOX_HINT, find_firefox, visit_firefox
from test_report_cucumber import assert_valid_cucumber

SECRETS = ("alice-token", "bob-token", "sk-live-0123456789", "cookie-secret-42")

FEATURE = """\
@chat
Feature: Reports show what was said
  Chat content is hostile; the report must show it, never run it.

  @smoke
  Scenario: Alice and Bob chat in the lobby
    Given clients Alice and Bob are connected
    When Alice sends {"type": "join", "room": "lobby", "name": "Alice"}
    And Bob sends {"type": "join", "room": "lobby", "name": "Bob"}
    Then Alice receives a message where $.type is "user_joined"
    When Alice sends ALICE_SAYS
    Then Bob receives a message where $.type is "chat"
    When Bob sends BOB_SAYS
    Then Alice receives a message where $.type is "chat" and $.from is "Bob"

  Scenario: Bob waits for a greeting that never comes
    Given clients Alice and Bob are connected
    When Alice sends {"type": "join", "room": "lobby"}
    And Bob sends {"type": "join", "room": "lobby"}
    And Alice sends {"type": "message", "room": "lobby", "content": "Hi"}
    Then Bob receives a message where $.content starts with "hello" within 300 ms
    And Alice sends {"type": "ping"}

  Scenario: Signing in with a token
    Given Alice is connected to "/secure" with token "alice-token"
    Then Alice receives a message where $.type is "authenticated" and $.user is "alice"
    When Bob tries to connect to "/secure"
    Then Bob's connection is rejected with status 401
    When Carol is connected to "/login"
    And Carol sends {"type": "auth", "token": "bob-token"}
    Then Carol receives a message where $.type is "authenticated" and $.user is "bob"
    When Erin is connected
    And Erin sends {"type": "crash"}
    Then Erin is disconnected with code 1006 abruptly

  Scenario: A secret in a failure stays hidden
    Given Dave is connected with headers:
      | name          | value                    |
      | Authorization | Bearer ${api_key}        |
      | Cookie        | session=cookie-secret-42 |
    When Dave sends {"type": "join", "room": "${api_key}"}
    Then Dave receives a message where $.type is "no-such-type" within 300 ms

  @later
  Scenario: Not run today
    Given Erin is connected
"""
# Chat content is hostile: what Alice and Bob say would run if the report let it.
ALICE_SAYS = json.dumps(
    {
        "type": "message",
        "room": "lobby",
        "content": "hi <script>window.pwned='script'; document.title='pwned'</script>",
    }
)
BOB_SAYS = json.dumps(
    {
        "type": "message",
        "room": "lobby",
        "content": "<img src=x onerror=\"window.pwned='img'; document.title='pwned'\"> "
        "<a href=\"javascript:window.pwned='link'\">click</a> "
        "</script><script>window.pwned='json'</script> \u202egnp.exe",
    },
    ensure_ascii=False,
)
FEATURE = FEATURE.replace("ALICE_SAYS", ALICE_SAYS).replace("BOB_SAYS", BOB_SAYS)

PYPROJECT = """\
[tool.wsbdd]
timeout = "5 s"
secrets = ["api_key"]

[tool.wsbdd.variables]
api_key = "sk-live-0123456789"

[tool.wsbdd.report]
title = "Chat <service> & friends"
"""


# -- a tiny DOM on html.parser --------------------------------------------------------------

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Any] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self) -> Any:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        return [
            n
            for n in self.walk()
            if (tag is None or n.tag == tag)
            and (cls is None or cls in n.classes)
            and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}>"
        return found[0]


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# -- the run ------------------------------------------------------------------------------


@dataclass
class Run:
    folder: Path
    reports: Path
    result: subprocess.CompletedProcess[str]
    html: str
    page: Node

    def scenario(self, name: str) -> Node:
        for node in self.page.find_all("details", "scenario"):
            if node.find("span", "name").text().endswith(f": {name}"):
                return node
        raise AssertionError(f"scenario {name!r} is not in the report")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("report-project")
    (folder / "features" / "steps").mkdir(parents=True)
    (folder / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (folder / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (folder / "features" / "report.feature").write_text(FEATURE, encoding="utf-8")
    (folder / "pyproject.toml").write_text(PYPROJECT)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "wsbdd.cli",
            "run",
            "--reports",
            "reports",
            "--no-color",
            "--tags",
            "not @later",
        ],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    reports = folder / "reports"
    html_file = reports / "report.html"
    assert html_file.is_file(), (result.stdout + result.stderr)[-3000:]
    html = html_file.read_text(encoding="utf-8")
    return Run(folder, reports, result, html, parse(html))


def test_wsbdd_run_writes_three_reports_and_says_where(run: Run):
    assert run.result.returncode == 1, run.result.stdout[-3000:] + run.result.stderr[-3000:]
    out = run.result.stdout
    assert "wsbdd: report         reports/report.html  (open it in a browser)" in out
    assert "wsbdd: JUnit XML      reports/junit/" in out
    assert "wsbdd: Cucumber JSON  reports/cucumber.json" in out
    # The console still shows behave's own output.
    assert "Scenario: Bob waits for a greeting that never comes" in out
    assert "2 scenarios passed, 2 failed, 1 skipped" in out
    assert "Traceback" not in out + run.result.stderr


def test_the_summary_counts_and_names_the_server(run: Run):
    page = run.page
    assert page.find("title").text() == "Chat <service> & friends"
    assert page.find("p", "verdict").text() == "2 of 5 scenarios failed."
    facts = page.find("dl", "facts").text()
    assert "5: 2 passed, 2 failed, 1 skipped" in facts
    assert re.search(r"Server\s*ws://127\.0\.0\.1:\d+", facts)
    assert re.search(r"Started\s*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", facts)
    attention = page.find("section", "attention")
    assert [a.text() for a in attention.find_all("a")] == [
        "Reports show what was said › Bob waits for a greeting that never comes",
        "Reports show what was said › A secret in a failure stays hidden",
    ]


def test_each_scenario_is_there_in_the_writers_words_with_status_and_tags(run: Run):
    seen = {
        node.find("span", "name").text(): (node.attrs["data-outcome"], node.attrs["data-tags"])
        for node in run.page.find_all("details", "scenario")
    }
    assert seen == {
        "Scenario: Alice and Bob chat in the lobby": ("passed", "@smoke @chat"),
        "Scenario: Bob waits for a greeting that never comes": ("failed", "@chat"),
        "Scenario: Signing in with a token": ("passed", "@chat"),
        "Scenario: A secret in a failure stays hidden": ("failed", "@chat"),
        "Scenario: Not run today": ("skipped", "@later @chat"),
    }
    failed = run.scenario("Bob waits for a greeting that never comes")
    assert "open" in failed.attrs  # failures are open; passing ones are one line each
    assert "open" not in run.scenario("Signing in with a token").attrs
    steps = [
        (li.find("b", "kw").text(), li.find("span", "text").text(), _outcome(li))
        for li in failed.find_all("li", "step")
    ]
    assert steps[-2:] == [
        (
            "Then",
            'Bob receives a message where $.content starts with "hello" within 300 ms',
            "failed",
        ),
        ("And", 'Alice sends {"type": "ping"}', "skipped"),
    ]


def test_a_failed_step_explains_itself_at_the_step_and_in_the_diagram(run: Run):
    scenario = run.scenario("Bob waits for a greeting that never comes")
    sentence = 'Bob expected a message where $.content starts with "hello" within 300 ms, but had '
    at_step = scenario.find("li", "st-failed").find("p", "sentence").text()
    assert at_step.startswith(sentence) and "ASSERT FAILED" not in at_step
    # The failure's fields, from the exception's data, folded under the sentence.
    fields = scenario.find("li", "st-failed").find("details", "fields").text()
    # How many arrived by then (2 or 3) depends on when the server's acks land.
    assert re.match(
        r'Expected and observedWhoBobExpecteda message where \$\.content starts with "hello" '
        r"within 300 msObservedhad [23] unread messages, none matched:Closest#\d ",
        fields,
    ), fields
    # Bob's greeting is what the demo's ignore setting names: folded, listed when opened.
    assert re.search(r"Ignored\+ 1 welcome ignored\s*#1 ", fields), fields
    rows = scenario.find("div", "dg").children
    rows = [r for r in rows if isinstance(r, Node)]
    failure = next(i for i, r in enumerate(rows) if "fail" in r.classes)
    assert rows[failure].text().startswith("✗ " + sentence) or sentence in rows[failure].text()
    # Right after the step that failed, before wsbdd closed the clients.
    before = [r for r in rows[:failure] if "step-row" in r.classes][-1]
    assert before.text().endswith(
        'Then Bob receives a message where $.content starts with "hello" within 300 ms'
    )
    after = [r.attrs.get("data-mark") for r in rows[failure:]]
    assert after.count("closed") == 2


def _outcome(step: Node) -> str:
    return next(c[3:] for c in step.classes if c.startswith("st-"))


def _arrows(scenario: Node) -> dict[tuple[str, str], list[str]]:
    arrows: dict[tuple[str, str], list[str]] = {}
    for row in scenario.find_all("details", "msg"):
        arrow = row.find("b", "ar")
        points = "right" if "right" in arrow.classes else "left"
        arrows.setdefault((row.attrs["data-client"], row.attrs["data-dir"]), []).append(points)
    return arrows


def _junit_case(run: Run, name: str) -> ET.Element:
    tree = ET.parse(next((run.reports / "junit").glob("*.xml")))
    return next(case for case in tree.iter("testcase") if case.get("name") == name)


def test_the_diagram_draws_every_frame_as_an_arrow_between_client_and_server(run: Run):
    scenario = run.scenario("Alice and Bob chat in the lobby")
    lanes = [b.text() for b in scenario.find("div", "head").find_all("b")]
    assert lanes == ["Alice", "Server", "Bob"]
    arrows = _arrows(scenario)
    # Alice is left of the server: her frames go right, her inbox comes from the right.
    assert set(arrows[("Alice", "sent")]) == {"right"}
    assert set(arrows[("Alice", "received")]) == {"left"}
    assert set(arrows[("Bob", "sent")]) == {"left"}
    assert set(arrows[("Bob", "received")]) == {"right"}
    assert len(arrows[("Alice", "sent")]) == 2 and len(arrows[("Bob", "sent")]) == 2
    # joined, user_joined, her own chat, Bob's chat (her welcome is folded: ignored)
    assert len(arrows[("Alice", "received")]) >= 4
    assert len(arrows[("Bob", "received")]) >= 2
    folded = {
        row.attrs["data-client"]: row.find("pre").text().count("\n") + 1
        for row in scenario.find_all(data_mark="ignored")
    }
    assert folded == {"Alice": 1, "Bob": 1}
    # Exactly the frames of the JUnit transcript, client by client (the folded too).
    out = _junit_case(run, "Alice and Bob chat in the lobby").findtext("system-out") or ""
    for (client, direction), drawn in arrows.items():
        sign = "->" if direction == "sent" else "<-"
        hidden = folded[client] if direction == "received" else 0
        assert len(re.findall(rf"\s{client}\s+{sign} ", out)) == len(drawn) + hidden
    marks = [(r.attrs["data-client"], r.attrs["data-mark"]) for r in scenario.find_all(cls="mark")]
    assert marks.count(("Alice", "connected")) == 1 and marks.count(("Bob", "closed")) == 1


def test_connection_marks_show_rejection_status_and_close_codes(run: Run):
    scenario = run.scenario("Signing in with a token")
    rejected = scenario.find(data_mark="rejected")
    assert rejected.attrs["data-client"] == "Bob"
    assert rejected.find("b", "mk").text() == "rejected with HTTP 401 Unauthorized"
    assert "Missing token" in rejected.find("pre").text()
    closed = [m.find("b", "mk").text() for m in scenario.find_all(data_mark="closed")]
    assert "closed with code 1000 by the client" in closed
    # The demo dropped Erin's TCP connection: neither side closed it.
    assert "the connection was lost without a closing handshake (1006)" in closed
    assert not any(text.startswith("closed with code 1006") for text in closed)


def test_hostile_chat_text_is_shown_as_text(run: Run):
    scenario = run.scenario("Alice and Bob chat in the lobby")
    labels = " ".join(row.find("b", "ar").text() for row in scenario.find_all("details", "msg"))
    assert "hi <script>window.pwned='script'; document.title='pwned'</script>" in labels
    assert "⟨U+202E⟩gnp.exe" in labels
    assert len(run.page.find_all("script")) == 1
    assert not run.page.find_all("img") and not [
        a
        for a in run.page.find_all("a")
        if not (a.attrs.get("href") or "").startswith(("#s", "#f"))
    ]


def test_secrets_appear_in_no_output_file_and_not_on_the_console(run: Run):
    files = [p for p in run.reports.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"report.html", "cucumber.json", "TESTS-report.xml"}
    for path in files:
        content = path.read_text(encoding="utf-8")
        for secret in SECRETS:
            assert secret not in content, f"{secret} in {path.name}"
    for secret in SECRETS:
        assert secret not in run.result.stdout + run.result.stderr
    # Masked, not dropped: the reader still sees that a token was given.
    assert 'with token "***"' in run.html
    assert '"room":"***"' in run.html


def test_junit_has_each_scenarios_conversation_in_system_out(run: Run):
    case = _junit_case(run, "Bob waits for a greeting that never comes")
    out = case.findtext("system-out") or ""
    assert "WebSocket conversation (2 clients," in out
    assert "-- Then Bob receives a message where $.content starts with" in out
    assert re.search(
        r"Alice\s+-> \{\"type\": \"message\", \"room\": \"lobby\", \"content\": "
        r"\"Hi\"\}",
        out,
    )
    assert case.find("failure") is not None


# -- Cucumber JSON, read by the Cucumber project's own validator --------------------------------


def test_cucumber_json_passes_the_cucumber_projects_validator(run: Run):
    # @cucumber/cucumber-json-converter checks the file against the Cucumber
    # implementations' schemas (closed objects: an unknown key fails too), then
    # converts it to the common schema; we read the run back from what it made.
    # test_report_cucumber.py shows it rejects broken files.
    converted = assert_valid_cucumber(run.reports / "cucumber.json")
    (feature,) = converted["features"]
    assert feature["uri"] == "features/report.feature"
    elements = feature["elements"]
    statuses = {e["name"]: [s["result"]["status"] for s in e["steps"]] for e in elements}
    assert statuses["Bob waits for a greeting that never comes"][-2:] == ["failed", "skipped"]
    assert set(statuses["Signing in with a token"]) == {"passed"}
    assert set(statuses["Not run today"]) == {"skipped"}
    failed = [s for e in elements for s in e["steps"] if s["result"]["status"] == "failed"]
    assert failed[0]["result"]["error_message"].startswith("Bob expected a message where")
    rows = next(s["rows"] for e in elements for s in e["steps"] if "rows" in s)
    assert rows[0]["cells"] == ["name", "value"] and rows[1]["cells"][1] == "***"
    data = json.loads((run.reports / "cucumber.json").read_text(encoding="utf-8"))
    durations = [
        s["result"]["duration"]
        for f in data
        for e in f["elements"]
        for s in e["steps"]
        if "duration" in s["result"]
    ]
    assert durations and all(isinstance(d, int) and d >= 0 for d in durations)


# -- real browsers ---------------------------------------------------------------------------

_ARROW_COUNT = "document.querySelectorAll('details.msg .ar').length"
_OPEN_ROWS = "document.querySelectorAll('details.msg[open] .full pre').length"
BROWSERS = {
    "chromium": (find_chromium, INSTALL_HINT),
    "firefox": (find_firefox, FIREFOX_HINT),
}


@pytest.fixture(scope="module", params=sorted(BROWSERS))
def browser_visit(
    request: pytest.FixtureRequest, run: Run, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """The report of the run opened in headless Chromium, then in headless Firefox."""
    find, hint = BROWSERS[request.param]
    if find() is None:
        pytest.fail(hint, pytrace=False)
    folder = tmp_path_factory.mktemp(request.param)
    options: dict[str, Any] = {
        "open_all": True,
        "screenshot": folder / "report.png",
        "evaluate": [_ARROW_COUNT, _OPEN_ROWS],
    }
    if request.param == "firefox":
        return visit_firefox(run.reports / "report.html", workdir=folder / "home", **options)
    return visit(run.reports / "report.html", **options)


def test_the_browser_opens_the_report_without_errors_or_network(browser_visit: Any):
    assert browser_visit.console_errors == []
    assert browser_visit.exceptions == []
    assert browser_visit.requests == []


def test_chat_payloads_do_not_run_in_the_browser(browser_visit: Any, run: Run):
    assert browser_visit.title == "Chat <service> & friends"
    assert browser_visit.title_after_opening == "Chat <service> & friends"
    assert browser_visit.pwned is None
    assert browser_visit.opened > 20
    assert browser_visit.evaluated[_ARROW_COUNT] == len(run.page.find_all("details", "msg"))


def test_a_screenshot_of_the_report_is_a_png(browser_visit: Any):
    data = browser_visit.screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


def test_opening_a_message_lays_out_its_payload(run: Run, browser_visit: Any):
    # Every opened message got its payload laid out by the report's script (textContent):
    # the script ran, allowed by its hash under the report's Content-Security-Policy.
    assert browser_visit.evaluated[_OPEN_ROWS] == len(run.page.find_all("details", "msg"))
