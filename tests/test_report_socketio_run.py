"""The reports of a real Socket.IO run: behave against the python-socketio and Node servers.

A small project (one feature, ``protocol = "socket.io"``) is run by behave in a
subprocess, writing the HTML report and JUnit XML, against each test app of
tests/socketio_apps (python-socketio and Node socket.io 4) on 127.0.0.1 port 0.  Its
steps are wsbdd's own generic steps plus a tiny steps module on wsbdd's public API (the
codec's ``Emit`` and ``JoinNamespace`` intents, as tests/line_steps.py does for the line
protocol), so this test does not wait for the Socket.IO step library.  The report is
read with html.parser and opened in real headless Chromium and Firefox, where the ack
link is followed with a click.
"""

from __future__ import annotations

import json
import re
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest
from browsers.chromium import INSTALL_HINT, find_chromium, visit
from browsers.firefox import FIREFOX_HINT, find_firefox, visit_firefox
from subprocesses import behave
from test_report_run import Node, parse

FEATURE = """\
Feature: A Socket.IO chat, as the report tells it

  Scenario: Alice chats in the lobby and the server acknowledges
    Given clients Alice, Bob and Mallory are connected
    When Alice pokes the server with "join" and {"room": "lobby"}
    And Bob pokes the server with "join" and {"room": "lobby"}
    Then Alice receives a message where $.type is "ack" and $.event is "join"
    And Bob receives a message where $.type is "ack" and $.event is "join"
    When Alice pokes the server with "chat" and {"room": "lobby", "text": "hi"}
    Then Bob receives a message where $.event is "chat" and $.args[0].text is "hi"
    And Alice receives a message where $.type is "ack" and $.event is "chat"
    When Mallory knocks on namespace "/admin" with {"username": "admin", "password": "wrong"}
    Then Mallory hears from namespace "/admin" within 5 seconds
    When Mallory pokes the server with "kick" and {}
    Then Mallory is disconnected

  Scenario: Bob waits for words nobody says
    Given clients Alice and Bob are connected
    When Bob pokes the server with "join" and {"room": "hall"}
    Then Bob receives a message where $.type is "ack" and $.event is "join"
    When Alice pokes the server with "join" and {"room": "hall"}
    Then Alice receives a message where $.type is "ack" and $.event is "join"
    When Alice pokes the server with "chat" and {"room": "hall", "text": "hello"}
    Then Bob receives a message where $.event is "chat" and $.args[0].text is "hi" within 1 second
"""

# The project's own words for the codec's intents, on wsbdd's public API only.
STEPS = '''\
from behave import step

from wsbdd.codec import Emit, JoinNamespace
from wsbdd.steps import wsbdd_step


@step('{client} pokes the server with "{event}" and {argument}')
@wsbdd_step
def pokes(session, context, client, event, argument):
    """Emit EVENT with one argument, asking for the server's acknowledgement."""
    emit = Emit(event, (session.vars.render_json(argument),), wants_ack=True)
    session.send(client, emit)


@step('{client} knocks on namespace "{namespace}" with {auth}')
@wsbdd_step
def knocks(session, context, client, namespace, auth):
    session.send(client, JoinNamespace(namespace, session.vars.render_json(auth)))


@step('{client} hears from namespace "{namespace}" within {seconds:d} seconds')
@wsbdd_step
def hears(session, context, client, namespace, seconds):
    """Wait (bounded) until the namespace's answer, a protocol message, is in the inbox."""
    inbox = session.client(client).inbox
    for _ in range(seconds * 20):
        if any(m.protocol and m.value.get("namespace") == namespace for m in inbox.messages):
            return
        session.receive_nothing(client, None, 0.05)  # waits on the client's loop
    raise AssertionError(f"{client} heard nothing from namespace {namespace}")
'''

PYPROJECT = """\
[tool.wsbdd]
protocol = "socket.io"
timeout = "5 s"
"""


@dataclass
class SocketIORun:
    folder: Path
    result: CompletedProcess[str]
    html: str
    page: Node
    junit: str

    @property
    def output(self) -> str:
        return self.result.stdout + self.result.stderr


@pytest.fixture(scope="module")
def sio_run(tmp_path_factory: pytest.TempPathFactory, socketio_app: Any) -> SocketIORun:
    folder = tmp_path_factory.mktemp("sio-report")
    (folder / "features" / "steps").mkdir(parents=True)
    (folder / "features" / "environment.py").write_text("from wsbdd.environment import *\n")
    (folder / "features" / "steps" / "wsbdd_steps.py").write_text("from wsbdd.steps import *\n")
    (folder / "features" / "steps" / "sio_steps.py").write_text(STEPS)
    (folder / "features" / "chat.feature").write_text(textwrap.dedent(FEATURE))
    (folder / "pyproject.toml").write_text(PYPROJECT)
    result = behave(
        folder,
        "-f",
        "wsbdd.report.html:HtmlFormatter",
        "-o",
        "report.html",
        "-f",
        "plain",
        "--junit",
        "--junit-directory",
        "junit",
        "-D",
        f"wsbdd.url={socketio_app.url}",
    )
    report = folder / "report.html"
    assert report.exists(), (result.stdout + result.stderr)[-3000:]
    html = report.read_text(encoding="utf-8")
    junit = "\n".join(p.read_text(encoding="utf-8") for p in (folder / "junit").glob("*.xml"))
    return SocketIORun(folder, result, html, parse(html), junit)


def _arrows(page: Node) -> list[str]:
    return [row.find("b", "ar").find("span").text() for row in page.find_all("details", "msg")]


def test_the_run_passes_one_scenario_and_fails_the_other(sio_run: SocketIORun):
    assert "1 scenario passed, 1 failed" in sio_run.output, sio_run.output[-3000:]
    assert "Traceback" not in sio_run.output


def test_the_diagram_draws_events_as_chat_arrows_never_frames(sio_run: SocketIORun):
    arrows = _arrows(sio_run.page)
    assert any(
        re.fullmatch(r'emit chat \{"room": "lobby", "text": "hi"\} \(ack \d+\)', a) for a in arrows
    ), arrows
    assert any(a.startswith('chat {"room": "lobby", "text": "hi", "from": ') for a in arrows), (
        arrows
    )
    assert any(re.fullmatch(r'ack \d+ \{"ok": true\}', a) for a in arrows), arrows
    # No arrow is a Socket.IO frame (42[…], 43…, 40…): the frames are kept for when a row opens.
    assert not [a for a in arrows if re.match(r"4\d", a)], arrows
    frames = [p.text() for p in sio_run.page.find_all("p", "frame")]
    assert any('42["chat",' in f for f in frames), frames


def test_the_ack_is_linked_to_its_emit(sio_run: SocketIORun):
    rows = {row.attrs.get("id"): row for row in sio_run.page.find_all("details", "msg")}
    links = [
        (row, link)
        for key, row in rows.items()
        if (key or "").startswith("s1-")  # the first scenario's
        for link in row.find_all("a", "ack")
        if link.text().startswith("↩") and link.text().endswith(" of chat")
    ]
    assert len(links) == 1, [link.text() for _, link in links]
    ack, link = links[0]
    emit = rows[link.attrs["href"][1:]]
    assert emit.find("b", "ar").find("span").text().startswith("emit chat ")
    back = emit.find("a", "ack")
    assert back.attrs["href"] == "#" + ack.attrs["id"] and back.text().startswith("↪ acknowledged")


def test_namespace_news_and_a_kick_are_connection_events(sio_run: SocketIORun):
    marks = [m.text() for m in sio_run.page.find_all(cls="mk")]
    assert "namespace /admin refused the connection: authentication failed" in marks, marks
    # The server's DISCONNECT, then the close it led to, in Socket.IO's own words.
    assert "disconnected from namespace / by the server (io server disconnect)" in marks, marks
    assert any(
        m.startswith("closed with code ") and m.endswith("(io server disconnect)") for m in marks
    ), marks
    assert "wrong" not in sio_run.html  # the auth's password never reaches the report


def test_the_failure_names_the_event_and_the_argument_not_the_frame(sio_run: SocketIORun):
    # The sentence and its one candidate line (the transcript printed after it has frames).
    console = "\n".join(sio_run.output.split("ASSERT FAILED: ", 1)[1].splitlines()[:2])
    for text in (console, sio_run.page.find("div", "error").text()):
        assert 'Bob expected a message where $.event is "chat" and $.args[0].text is "hi"' in text
        assert re.search(
            r'#\d+ \S+ chat \{"room": "hall", "text": "hello", "from": "[^"]+"\}   '
            r"\(its first argument's \$\.text was \"hello\"\)",
            text,
        ), text
        assert '42["chat"' not in text


def test_junit_transcripts_say_events_and_link_acks(sio_run: SocketIORun):
    outs = "\n".join(
        e.text or ""
        for e in ET.fromstring(f"<all>{_strip_decl(sio_run.junit)}</all>").iter("system-out")
    )
    assert re.search(r'-> emit chat \{"room": "lobby", "text": "hi"\} \(ack \d+\)', outs), outs
    assert re.search(r'<- ack \d+ \{"ok": true\}  ↩ ack \d+ of chat   \(frame: 43', outs), outs
    assert "Mallory  namespace /admin refused the connection: authentication failed" in outs


def _strip_decl(xml: str) -> str:
    return re.sub(r"<\?xml[^>]*\?>", "", xml)


# -- in real browsers ----------------------------------------------------------------------

ARROWS = "[...document.querySelectorAll('details.msg .ar > span')].map(s => s.textContent)"
FOLLOW_CHAT_ACK = """new Promise(done => {
  const link = [...document.querySelectorAll('a.ack')].find(
    a => a.textContent[0] === '↩' && a.textContent.endsWith(' of chat'));
  const later = then => requestAnimationFrame(() => requestAnimationFrame(then));
  window.addEventListener('hashchange', () => later(() => {
    const target = document.querySelector(':target');
    done({
      target: target ? target.id : null,
      href: link.getAttribute('href'),
      label: target ? target.querySelector('.ar > span').textContent : null,
      open: target ? target.open : null,
      visible: target ? target.getBoundingClientRect().height > 0 : null,
      outline: target ? getComputedStyle(target.querySelector('summary')).outlineStyle : null,
    });
  }), {once: true});
  link.click();
})"""


@pytest.mark.parametrize("browser", ["chromium", "firefox"])
def test_in_a_browser_the_chat_arrows_show_and_the_ack_link_leads_to_the_emit(
    browser: str, sio_run: SocketIORun, tmp_path: Path
):
    report = sio_run.folder / "report.html"
    if browser == "chromium":
        if find_chromium() is None:
            pytest.fail(INSTALL_HINT, pytrace=False)
        seen = visit(report, evaluate=[ARROWS, FOLLOW_CHAT_ACK])
    else:
        if find_firefox() is None:
            pytest.fail(FIREFOX_HINT, pytrace=False)
        seen = visit_firefox(report, workdir=tmp_path / "ff", evaluate=[ARROWS, FOLLOW_CHAT_ACK])
    assert seen.evaluate_errors == {}
    assert (seen.console_errors, seen.exceptions, seen.requests) == ([], [], [])
    arrows = seen.evaluated[ARROWS]
    assert any(a.startswith('chat {"room": "lobby", "text": "hi"') for a in arrows), arrows
    followed = seen.evaluated[FOLLOW_CHAT_ACK]
    assert followed["href"] == "#" + followed["target"]
    assert followed["label"].startswith('emit chat {"room": "lobby", "text": "hi"} (ack ')
    assert followed["open"] and followed["visible"] and followed["outline"] == "solid"
    assert json.dumps(followed)  # a plain record came back from the page
