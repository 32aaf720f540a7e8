"""The codec guide's examples (docs/codecs.md, "Your own protocol") run against real servers.

docs/examples/jsonrpc/ is a whole project: a JSON-RPC 2.0 codec in under 100 lines,
registered by name in its wsbdd.toml (``[codecs] jsonrpc = "jsonrpc_codec:JsonRpcCodec"``),
two phrases, and a feature with no Python steps.  The test copies it, points it at
tests/jsonrpc_app.py (jsonrpcserver on Starlette, on 127.0.0.1 port 0) and runs behave:
it passes; against a server whose ``add`` subtracts it fails with the sentence that says
so.  The guide shows the codec module as it is in the repository.

docs/examples/actioncable/ is the second example, the same way: an ActionCable codec run
against Rails' own ActionCable (Debian's ruby-actioncable on puma,
tests/actioncable_app/server.rb), a refused token and a server whose pings stop.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from socketio_servers import SocketIOServer, _serve
from subprocesses import behave

from wsbdd.codec import find_codec
from wsbdd.settings.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "jsonrpc"
CODEC = EXAMPLE / "jsonrpc_codec.py"
GUIDE = ROOT / "docs" / "codecs.md"
APP = Path(__file__).resolve().parent / "jsonrpc_app.py"


def _server(*flags: str) -> Iterator[SocketIOServer]:
    command = [sys.executable, str(APP), *flags]
    with _serve("jsonrpc", "JSON-RPC", command, APP.parent) as server:
        yield server


@pytest.fixture(scope="module")
def server() -> Iterator[SocketIOServer]:
    yield from _server()


@pytest.fixture(scope="module")
def broken_server() -> Iterator[SocketIOServer]:
    yield from _server("--broken")


def copy_example(tmp_path: Path) -> Path:
    project = tmp_path / "jsonrpc"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", "reports"))
    return project


def run(project: Path, server: SocketIOServer, *args: str) -> str:
    result = behave(project, *args, env={"WSBDD_URL": f"{server.ws_url}/rpc"})
    return result.stdout + result.stderr


def test_the_example_passes_against_a_json_rpc_server(tmp_path, server):
    output = run(copy_example(tmp_path), server)
    assert "4 scenarios passed, 0 failed" in output, output[-4000:]
    assert "Traceback" not in output


def test_against_a_broken_server_it_fails_saying_what_came(tmp_path, broken_server):
    output = run(copy_example(tmp_path), broken_server)
    assert "2 scenarios passed, 2 failed" in output, output[-4000:]
    sentence = (
        'ASSERT FAILED: Alice expected a message where $.method is "add" and $.type is '
        '"result" and $.result is 5 within 2.0 s, but had 1 unread message, it did not match:'
    )
    assert sentence in output, output[-4000:]
    closest = re.search(r"#1 \d\d:\d\d:\d\d\.\d{3} (.*)", output.split(sentence)[1])
    assert closest and closest.group(1) == "add result -1   ($.result was -1)"


VARIANT = """\
Feature: the feature chooses the protocol
  Scenario: by the step
    Given the server speaks jsonrpc
    And Alice is connected
    When Alice calls "add" with [2, 3]
    Then Alice gets the answer to "add" where $.result is 5

  @jsonrpc
  Scenario: by the tag
    Given Alice is connected
    When Alice calls "add" with [2, 3]
    Then Alice gets the answer to "add" where $.result is 5

  Scenario: without either, plain WebSocket sends the call as it is written
    Given Alice is connected
    When Alice calls "add" with [2, 3]
    Then Alice receives a message where $.error.code is -32600 and $.id is null
"""


def test_the_step_and_the_tag_choose_a_codec_registered_by_name(tmp_path, server):
    project = copy_example(tmp_path)
    settings = project / "wsbdd.toml"
    lines = settings.read_text().splitlines(keepends=True)
    settings.write_text("".join(line for line in lines if not line.startswith("protocol")))
    (project / "features" / "jsonrpc.feature").write_text(VARIANT)
    output = run(project, server)
    assert "3 scenarios passed, 0 failed" in output, output[-4000:]


def test_a_bad_codecs_entry_stops_the_run_before_any_scenario(tmp_path, server):
    project = copy_example(tmp_path)
    settings = project / "wsbdd.toml"
    settings.write_text(settings.read_text().replace(":JsonRpcCodec", ":JsonRpc"))
    output = run(project, server)
    assert (
        'ConfigError: wsbdd.toml [codecs] jsonrpc is "jsonrpc_codec:JsonRpc": the module '
        'jsonrpc_codec has no "JsonRpc"; write "jsonrpc_codec:JsonRpcCodec".'
    ) in output
    assert "Scenario" not in output and "Traceback" not in output


# -- the settings ------------------------------------------------------------------------------


def test_a_codecs_entry_is_a_protocol_by_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cg_tokened.py").write_text(
        "from wsbdd.codec import BaseCodec\n\n\n"
        "class Tokened(BaseCodec):\n"
        "    name = 'tokened'\n\n"
        "    def __init__(self, token=None, room='lobby'):\n"
        "        self.token, self.room = token, room\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.wsbdd]\nprotocol = "tokened"\n\n[tool.wsbdd.codecs]\n'
        'tokened = { codec = "cg_tokened:Tokened", options = { token = "${env.RPC_TOKEN}" } }\n'
        'plain-too = "cg_tokened:Tokened"\n'
    )
    settings = load_settings(tmp_path, environ={})
    assert settings.codecs == {"tokened": "cg_tokened:Tokened", "plain-too": "cg_tokened:Tokened"}
    assert find_codec("tokened").__name__ == "Tokened"
    assert settings.per_client_codec()  # its options may use ${client}
    variables = settings.new_variables(environ={"RPC_TOKEN": "s3cret"})
    codec = settings.codec_for("tokened", variables=variables, room="quiz")()
    assert (codec.token, codec.room) == ("s3cret", "quiz")
    assert settings.codec_for("plain-too")().token is None
    assert "codec_options.tokened" not in str(settings.config_values())  # maybe a secret
    # Another project may give the name another codec (the suite reads many projects).
    (tmp_path / "cg_tokened2.py").write_text((tmp_path / "cg_tokened.py").read_text())
    second = '[tool.wsbdd.codecs]\ntokened = "cg_tokened2:Tokened"\n'
    (tmp_path / "pyproject.toml").write_text(second)
    load_settings(tmp_path, environ={})
    assert find_codec("tokened").__module__ == "cg_tokened2"


# -- the guide shows the example as it is --------------------------------------------------------


def guide_blocks(marker: str) -> list[str]:
    """The code blocks of docs/codecs.md that follow ``marker`` (the line before the fence)."""
    lines = GUIDE.read_text(encoding="utf-8").splitlines()
    found = []
    for i, line in enumerate(lines[:-1]):
        if line.strip() == marker and lines[i + 1].startswith("```"):
            end = next(j for j in range(i + 2, len(lines)) if lines[j].strip() == "```")
            found.append("\n".join(lines[i + 2 : end]) + "\n")
    return found


@pytest.mark.parametrize(
    ("marker", "path"),
    [
        ("<!-- example: run by tests/test_codec_guide.py -->", "jsonrpc_codec.py"),
        ("<!-- example: docs/examples/jsonrpc/wsbdd.toml -->", "wsbdd.toml"),
        (
            "<!-- example: docs/examples/jsonrpc/features/jsonrpc.feature -->",
            "features/jsonrpc.feature",
        ),
    ],
)
def test_the_guide_shows_the_examples_files_as_they_are(marker, path):
    assert guide_blocks(marker) == [(EXAMPLE / path).read_text(encoding="utf-8")]


def test_the_codec_is_under_100_lines():
    lines = CODEC.read_text(encoding="utf-8").splitlines()
    assert len(lines) < 100


# -- the second example: ActionCable ---------------------------------------------------------

CABLE = ROOT / "docs" / "examples" / "actioncable"
CABLE_APP = Path(__file__).resolve().parent / "actioncable_app" / "server.rb"


def _cable_server(*flags: str) -> Iterator[SocketIOServer]:
    ruby = shutil.which("ruby")
    found = ruby and subprocess.run(
        [ruby, "-e", 'require "action_cable"; require "puma"'],
        capture_output=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    if not found or found.returncode:
        pytest.fail(
            "The ActionCable example needs Ruby with Debian's ruby-actioncable and puma "
            "packages: run the README's test command (it installs them)."
        )
    with _serve("actioncable", "ActionCable", [ruby, str(CABLE_APP), *flags], ROOT) as server:
        yield server


@pytest.fixture(scope="module")
def cable_server() -> Iterator[SocketIOServer]:
    yield from _cable_server()


@pytest.fixture(scope="module")
def pingless_cable_server() -> Iterator[SocketIOServer]:
    yield from _cable_server("--no-pings")


def cable_project(tmp_path: Path, feature: str | None = None) -> Path:
    project = tmp_path / "actioncable"
    shutil.copytree(CABLE, project, ignore=shutil.ignore_patterns("__pycache__", "reports"))
    if feature is not None:
        (project / "features" / "chat.feature").write_text(feature)
    return project


def run_cable(project: Path, server: SocketIOServer) -> str:
    result = behave(project, env={"WSBDD_URL": f"{server.ws_url}/cable"})
    return result.stdout + result.stderr


def test_the_actioncable_example_passes_against_rails_actioncable(tmp_path, cable_server):
    output = run_cable(cable_project(tmp_path), cable_server)
    assert "4 scenarios passed, 0 failed" in output, output[-4000:]
    assert "Traceback" not in output


UNWELCOME = """\
Feature: what ActionCable refuses, and a heart-beat that stops
  Scenario: an unknown visitor
    Given Eve is connected with token "nobody-token"

  Scenario: a quiet connection stays up on the server's pings
    Given Alice is connected with token "alice-token"
    Then Alice receives no message within 7 seconds
"""


def test_a_refused_connection_fails_in_one_sentence(tmp_path, cable_server):
    output = run_cable(cable_project(tmp_path, UNWELCOME), cable_server)
    assert "1 scenario passed, 1 failed" in output, output[-4000:]
    refused = re.search(r"ASSERT FAILED: (Eve could not connect .*)", output)
    assert refused, output[-4000:]
    assert re.fullmatch(
        r"Eve could not connect to ws://127\.0\.0\.1:\d+/cable\?token=\*\*\*: the server "
        r"refused the connection \(unauthorized\)\.",
        refused.group(1),
    )


def test_a_server_whose_pings_stop_fails_the_connection(tmp_path, pingless_cable_server):
    output = run_cable(cable_project(tmp_path, UNWELCOME), pingless_cable_server)
    assert "0 scenarios passed, 2 failed" in output, output[-4000:]
    assert (
        "ASSERT FAILED: Alice expected no message within 7.0 s, but the connection closed "
        "with code 1000 (stale connection): the server sent no ping for 6.0 s (it pings every "
        "3 s) after 6.0 s, so the rest of the time went unwatched."
    ) in output, output[-4000:]


@pytest.mark.parametrize(
    ("marker", "path"),
    [
        (
            "<!-- example: docs/examples/actioncable/actioncable_codec.py -->",
            "actioncable_codec.py",
        ),
        ("<!-- example: docs/examples/actioncable/wsbdd.toml -->", "wsbdd.toml"),
        (
            "<!-- example: docs/examples/actioncable/features/chat.feature -->",
            "features/chat.feature",
        ),
    ],
)
def test_the_guide_shows_the_actioncable_files_as_they_are(marker, path):
    assert guide_blocks(marker) == [(CABLE / path).read_text(encoding="utf-8")]


def test_the_actioncable_codec_is_under_100_lines():
    lines = (CABLE / "actioncable_codec.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 100


# -- the codecs on strings (sans-I/O: no server) ---------------------------------------------


def load_module(path: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"guide_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_json_rpc_codec_numbers_requests_and_matches_responses():
    from wsbdd.codec import refused_intent

    jsonrpc = load_module(CODEC)
    codec = jsonrpc.JsonRpcCodec()
    assert codec.encode('{"method": "add", "params": [2, 3]}') == (
        '{"jsonrpc": "2.0", "id": 1, "method": "add", "params": [2, 3]}',
    )
    assert codec.encode(jsonrpc.Call("ping")) == ('{"jsonrpc": "2.0", "id": 2, "method": "ping"}',)
    batch = codec.decode(
        '[{"jsonrpc": "2.0", "id": 2, "result": "pong"},'
        ' {"jsonrpc": "2.0", "id": 1, "error": {"code": 7, "message": "no"}},'
        ' {"jsonrpc": "2.0", "method": "tick", "params": {"n": 1}},'
        ' {"jsonrpc": "2.0", "id": 9, "result": 0}]',
        0.0,
    )
    values = [message.value for message in batch.messages]
    assert values == [
        {"type": "result", "id": 2, "method": "ping", "result": "pong"},
        {"type": "error", "id": 1, "method": "add", "error": {"code": 7, "message": "no"}},
        {"type": "notification", "method": "tick", "params": {"n": 1}},
        {"type": "result", "id": 9, "method": None, "result": 0},  # an id never sent
    ]
    labels = [message.label for message in batch.messages]
    assert labels == ['ping result "pong"', "add error 7 no", 'tick {"n": 1}', "None result 0"]
    assert codec.decode("not json", 0.0) is None
    for wrong in ("add 2 3", '{"params": [1]}', b"\x01"):
        with pytest.raises(TypeError) as refused:
            codec.encode(wrong)
        what = "bytes" if isinstance(wrong, bytes) else "text"
        assert refused_intent(codec.name, wrong, refused.value) == (
            f"The jsonrpc codec cannot send {what}: it sends a call written as JSON, such as "
            '{"method": "add", "params": [2, 3]}' + (", not bytes." if what == "bytes" else ".")
        )


def test_the_actioncable_codec_on_strings():
    cable = load_module(CABLE / "actioncable_codec.py").ActionCableCodec
    codec = cable()
    opened = codec.opening("actioncable-v1-json", 100.0)
    assert not opened.ready and codec.next_deadline() == 106.0
    assert codec.decode('{"type": "welcome"}', 100.1).ready
    assert codec.decode('{"type": "ping", "message": 1}', 102.0).messages == ()  # chatter
    assert codec.next_deadline() == 108.0
    room = {"channel": "ChatChannel", "room": "lobby"}
    subscribe = json.dumps({"subscribe": room})
    (frame,) = codec.encode(subscribe)
    assert json.loads(frame) == {"command": "subscribe", "identifier": json.dumps(room)}
    (frame,) = codec.encode('{"perform": "speak", "text": "hi"}')
    assert json.loads(frame) == {
        "command": "message",
        "identifier": json.dumps(room),
        "data": '{"action": "speak", "text": "hi"}',
    }
    (frame,) = codec.encode(json.dumps({"unsubscribe": True, "on": room}))
    assert json.loads(frame) == {"command": "unsubscribe", "identifier": json.dumps(room)}
    broadcast = json.dumps({"identifier": json.dumps(room), "message": {"text": "hi"}})
    (message,) = codec.decode(broadcast, 103.0).messages
    assert message.value == {
        "channel": "ChatChannel",
        "identifier": room,
        "type": "message",
        "message": {"text": "hi"},
    }
    assert message.label == 'ChatChannel {"text": "hi"}'
    confirm = json.dumps({"identifier": json.dumps(room), "type": "confirm_subscription"})
    (message,) = codec.decode(confirm, 103.0).messages
    assert (message.value["type"], message.label) == ("confirmed", "ChatChannel confirmed")
    stale = codec.tick(108.0)
    assert (stale.failed, stale.reason) == (
        "the server sent no ping for 6.0 s (it pings every 3 s)",
        "stale connection",
    )
    ended = codec.decode('{"type": "disconnect", "reason": "server_restart"}', 104.0)
    assert (ended.closing, ended.reason) == (True, "server_restart")
    refused = cable().decode('{"type": "disconnect", "reason": "unauthorized"}', 0.0)
    assert refused.failed == "the server refused the connection (unauthorized)"
    with pytest.raises(TypeError, match="subscribe to a channel first"):
        cable().encode('{"perform": "speak"}')
    with pytest.raises(TypeError, match=r"^it sends \{"):
        cable().encode(b"\x00")
