"""Codecs as data: the raw WebSocket codec, auto_reply rules, the registry and the settings.

Pure tests on strings and bytes, with times passed in by hand (the codec seam is
sans-I/O).  The same codecs against real servers: tests/test_codec_session.py.
"""

from __future__ import annotations

import re

import pytest
from line_codec import LineCodec, Say

from wsbdd.codec import (
    AutoReply,
    AutoReplying,
    Codec,
    CodecNotFound,
    Decoded,
    Received,
    WebSocketCodec,
    codec_factory,
    find_codec,
    refused_intent,
    register_codec,
)
from wsbdd.model.errors import ConfigError
from wsbdd.model.inbox import Inbox
from wsbdd.settings.config import Settings, load_settings


def test_the_raw_codec_is_ready_at_open_and_every_frame_is_a_message_as_it_stands():
    codec = WebSocketCodec()
    assert isinstance(codec, Codec)
    opening = codec.opening(None, 1.0)
    assert opening.ready and not opening.replies and opening.failed is None
    assert codec.decode('{"a": 1}', 2.0) is None  # the fast path: the frame is the message
    assert codec.decode(b"\x00\x01", 2.0) is None
    assert codec.encode("hi") == ("hi",) and codec.encode(b"\x01") == (b"\x01",)
    assert codec.next_deadline() is None and codec.tick(3.0) == () and codec.closing() == ()


def test_the_raw_codec_refuses_an_intent_it_does_not_know_in_a_sentence():
    with pytest.raises(TypeError) as refused:
        WebSocketCodec().encode({"event": "chat"})
    assert refused_intent("websocket", {"event": "chat"}, refused.value) == (
        "The websocket codec cannot send a dict: it sends text or bytes, not dict; choose a "
        "codec that knows this kind of message in the codec setting."
    )


def test_a_refused_intent_is_named_by_its_kind_never_by_its_contents():
    secret = Say({"token": "s3cret"})
    sentence = refused_intent("websocket", secret, TypeError("no"))
    assert sentence == "The websocket codec cannot send a Say: no."
    assert refused_intent("line", b"x", TypeError("")) == (
        "The line codec cannot send bytes: it does not know this kind of message."
    )
    assert refused_intent("x", Exception(), TypeError("r.")).startswith(
        "The x codec cannot send an Exception: r."
    )


def test_the_line_codec_encodes_its_own_intent_and_refuses_others():
    codec = LineCodec()
    assert codec.encode(Say({"type": "said", "n": 1})) == ('SAY {"type": "said", "n": 1}',)
    with pytest.raises(TypeError, match="it sends text or a Say, not bytes"):
        codec.encode(b"\x01")


def test_a_user_codec_is_driven_on_strings_alone():
    codec = LineCodec(beat=0.5)
    assert codec.opening("line.v1", 0.0) == Decoded(replies=["HELLO wsbdd"])
    assert codec.decode("WELCOME", 1.0) == Decoded(ready=True)
    assert codec.next_deadline() == 1.5
    assert codec.tick(1.5) == ("BEAT",) and codec.next_deadline() == 2.0
    assert codec.decode("PING 7", 1.6) == Decoded(replies=["PONG 7"])
    assert codec.decode('EVENT {"type": "said"}', 1.7) == Decoded(
        messages=[Received({"type": "said"})]
    )
    assert codec.decode("DENIED full", 1.8).failed == "the server denied the HELLO (full)"
    assert codec.encode('{"x": 1}') == ('SAY {"x": 1}',)


def test_auto_reply_answers_exact_and_pattern_frames_and_passes_the_rest_on():
    rules = [
        AutoReply("PONG", when="PING"),
        AutoReply(r"pong \1", pattern=re.compile(r"^ping (\d+)$")),
    ]
    codec = AutoReplying(WebSocketCodec(), rules)
    assert codec.decode("PING", 0.0) == Decoded(replies=("PONG",))
    assert codec.decode("ping 42", 0.0) == Decoded(replies=("pong 42",))
    assert codec.decode("PING ", 0.0) is None  # exact means exact
    assert codec.decode('{"type": "chat"}', 0.0) is None
    assert codec.decode(b"PING", 0.0) is None  # rules are for text frames
    assert codec.answered == 2


def test_auto_reply_wraps_a_user_codec_too():
    make = codec_factory("websocket", [AutoReply("ok", when="are you there?")])
    codec = make()
    assert codec.decode("are you there?", 0.0) == Decoded(replies=("ok",))
    assert make() is not codec  # one codec per client


def test_a_decoded_value_is_what_matchers_see_and_the_frame_is_what_transcripts_show():
    inbox = Inbox()
    message = inbox.append_value("text", '42["chat",{"n":1}]', {"event": "chat", "n": 1}, 1.0)
    assert message.value == {"event": "chat", "n": 1} and message.raw == '42["chat",{"n":1}]'
    assert message.kind == "text" and message.is_json
    inbox.consume(message)  # a claimed raw message drops its parsed JSON; this one keeps it
    assert message.json == {"event": "chat", "n": 1}


def test_the_registry_finds_names_and_module_class_specs():
    assert find_codec("websocket") is WebSocketCodec
    assert find_codec("line_codec:LineCodec") is LineCodec
    register_codec("line-test", LineCodec, replace=True)
    assert isinstance(codec_factory("line-test")(), LineCodec)


def test_registering_a_taken_name_is_refused():
    register_codec("line-once", LineCodec, replace=True)
    with pytest.raises(ValueError, match='a codec called "line-once" is already registered'):
        register_codec("line-once", WebSocketCodec)


def test_an_unknown_codec_is_one_sentence_with_a_suggestion():
    with pytest.raises(CodecNotFound) as error:
        find_codec("websockets")
    assert str(error.value) == (
        'there is no codec called "websockets"; did you mean "websocket"? write one of '
        + ", ".join(f'"{n}"' for n in sorted(__import__("wsbdd.codec").codec.codec_names()))
        + ', or "package.module:Class" for a codec of your own.'
    )
    with pytest.raises(CodecNotFound, match=r'the codec "no_such_module:X" cannot be imported'):
        find_codec("no_such_module:X")
    with pytest.raises(CodecNotFound, match='line_codec has no class or function "Nope"'):
        find_codec("line_codec:Nope")


# -- the settings ------------------------------------------------------------------------------


def test_the_codec_setting_defaults_to_raw_websocket(tmp_path):
    assert load_settings(tmp_path, environ={}).codec == "websocket"
    assert Settings().auto_reply == ()


def test_a_project_codec_is_found_in_the_project_folder(tmp_path):
    (tmp_path / "my_protocol.py").write_text(
        "from wsbdd.codec import BaseCodec\nclass Mine(BaseCodec):\n    name = 'mine'\n"
    )
    (tmp_path / "wsbdd.toml").write_text('codec = "my_protocol:Mine"\n')
    assert load_settings(tmp_path, environ={}).codec == "my_protocol:Mine"


def test_an_unknown_codec_setting_stops_the_run_with_one_sentence(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wsbdd.toml").write_text('codec = "mqtt"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path, environ={})
    text = str(error.value)
    assert text.startswith('wsbdd.toml codec is "mqtt": there is no codec called "mqtt";')
    assert text.endswith('or "package.module:Class" for a codec of your own.')
    assert "\n" not in text


def test_auto_reply_rules_from_toml(tmp_path):
    (tmp_path / "wsbdd.toml").write_text(
        '[[auto_reply]]\nwhen = "PING"\nreply = "PONG"\n\n'
        "[[auto_reply]]\nmatches = '^ping (\\d+)$'\nreply = 'pong \\1'\n"
    )
    rules = load_settings(tmp_path, environ={}).auto_reply
    assert [r.describe() for r in rules] == [
        "when 'PING' reply 'PONG'",
        "when matching '^ping (\\\\d+)$' reply 'pong \\\\1'",
    ]
    assert rules[1].answer("ping 3") == "pong 3"


def test_auto_reply_rules_from_the_environment_are_json(tmp_path):
    env = {"WSBDD_AUTO_REPLY": '[{"when": "2", "reply": "3"}]'}
    (rule,) = load_settings(tmp_path, environ=env).auto_reply
    assert rule.answer("2") == "3"


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ('[[auto_reply]]\nwhen = "PING"\n', "the rule has no reply text"),
        ('[[auto_reply]]\nwhen = "a"\nmatches = "b"\nreply = "c"\n', "give either when or"),
        ('[[auto_reply]]\nmatches = "("\nreply = "c"\n', "matches is not a valid regular"),
        ("[[auto_reply]]\nmatches = \"^x$\"\nreply = '\\1'\n", "but matches has no group 1"),
        ('[[auto_reply]]\nwhen = "a"\nanswer = "b"\n', 'unknown key "answer"'),
    ],
)
def test_a_wrong_auto_reply_rule_is_one_sentence(tmp_path, monkeypatch, rules, problem):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wsbdd.toml").write_text(rules)
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path, environ={})
    text = str(error.value)
    assert text.startswith("wsbdd.toml auto_reply is ") and problem in text, text


def test_only_the_io_module_imports_websockets_on_the_client_side():
    """Client, Session, the load engine and everything else above the I/O layer reach
    websockets through wsbdd/io/connection.py only (the demo server and the browser
    drivers, which are servers and tools, may use it themselves)."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "wsbdd"
    allowed = {"io/connection.py", "report/browser.py", "report/firefox.py"}
    importers = []
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        if name.startswith("demo/") or name in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(m == "websockets" or m.startswith("websockets.") for m in modules):
                importers.append(name)
    assert importers == []
