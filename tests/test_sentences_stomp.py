"""The STOMP codec's and settings' sentences, pinned whole.

What a tester reads when the broker sends a malformed frame, when a step's intent cannot
be sent (the codec's reason ends "The stomp codec cannot send a StompAck: …"), and when the
``[stomp]`` settings are wrong.  The refusal and heart-beat sentences are pinned in
tests/test_stomp_codec.py and, through a real client, tests/test_stomp_client.py.
"""

# ruff: noqa: E501  (whole sentences, one string each)
from __future__ import annotations

import pytest

from tests.sentences import assert_config_sentence
from tests.test_stomp_codec import opened
from wsbdd.codec import (
    StompAck,
    StompCodec,
    StompNack,
    StompSend,
    StompSubscribe,
    StompUnsubscribe,
)
from wsbdd.codec.base import refused_intent
from wsbdd.settings.config import load_settings

# -- malformed frames ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "sentence"),
    [
        (
            "MESSAGE\ndestination:/q\nbody\0",
            'the broker sent a malformed STOMP frame "MESSAGE⏎destination:/q⏎body^@": its headers do not end with a blank line',
        ),
        (
            "MESSAGE\ndestination:/q\0\n\nbody\0",
            'the broker sent a malformed STOMP frame "MESSAGE⏎destination:/q^@": it ends before its headers do',
        ),
        (
            b"MESSAGE\ndestination:/\xff\n\nx\0",
            "the broker sent a malformed STOMP frame binary 22 bytes 0x4d4553534147450a64657374696e6174…: its command and headers are not UTF-8",
        ),
        (
            "MESSAGE\ncontent-length:two\n\nxx\0",
            'the broker sent a malformed STOMP frame "MESSAGE⏎content-length:two": its content-length "two" is not a number of bytes',
        ),
        (
            "MESSAGE\ncontent-length:1\n\nxx\0",
            'the broker sent a malformed STOMP frame "MESSAGE⏎content-length:1⏎⏎xx": no NUL follows its 1 bytes of content-length',
        ),
        (
            "HELLO\n\n\0",
            'the broker sent a malformed STOMP frame "HELLO⏎⏎^@": "HELLO" is no frame a broker sends (CONNECTED, MESSAGE, RECEIPT or ERROR)',
        ),
        (
            "MESSAGE\ndestination /q\n\n\0",
            'the broker sent a malformed STOMP frame "MESSAGE⏎destination /q⏎⏎^@": its header line "destination /q" has no name:',
        ),
        (
            "MESSAGE\nkey:a\\tb\n\n\0",
            'the broker sent a malformed STOMP frame "MESSAGE⏎key:a\\\\tb⏎⏎^@": its header \'key\' has "\\t" is no STOMP 1.2 escape',
        ),
    ],
)
def test_a_malformed_frame_fails_the_connection_with_one_sentence(frame, sentence):
    codec = opened()
    decoded = codec.decode(frame, 1)
    assert decoded.failed == sentence
    assert decoded.reason == "parse error"
    assert codec.next_deadline() is None
    assert codec.decode("MESSAGE\n\n\0", 2).messages == ()  # nothing more is read


def test_the_frames_before_a_malformed_one_are_kept():
    decoded = opened().decode("RECEIPT\nreceipt-id:r-1\n\n\0BAD\n\n\0", 1)
    assert [m.label for m in decoded.messages] == ["RECEIPT r-1"]
    assert decoded.failed.endswith(
        '"BAD" is no frame a broker sends (CONNECTED, MESSAGE, RECEIPT or ERROR)'
    )


def test_headers_that_never_end():
    codec = opened()
    assert codec.decode("MESSAGE\n" + "x" * 1000, 1).failed is None
    failed = codec.decode("y" * (1 << 20), 2).failed
    assert (
        failed
        == f'the broker sent a malformed STOMP frame "MESSAGE⏎{"x" * 51}…": its headers never end'
    )


def test_a_connected_frame_with_a_broken_heart_beat():
    codec = StompCodec()
    codec.opening(None, 0)
    assert codec.decode("CONNECTED\nversion:1.2\nheart-beat:soon\n\n\0", 0).failed == (
        'the broker sent a malformed STOMP frame "CONNECTED⏎version:1.2⏎heart-beat:soon⏎⏎^@": its heart-beat "soon" is not two numbers "sx,sy"'
    )


# -- intents the codec cannot send ---------------------------------------------------------


def refusal(intent, version: str = "1.2") -> str:
    codec = opened(version)
    with pytest.raises(TypeError) as raised:
        codec.encode(intent)
    return refused_intent(codec.name, intent, raised.value)


@pytest.mark.parametrize(
    ("intent", "version", "sentence"),
    [
        (
            {"text": "hi"},
            "1.2",
            "The stomp codec cannot send a dict: it sends a StompSend, StompSubscribe, StompUnsubscribe, StompAck, StompNack, StompBegin, StompCommit or StompAbort, or text or bytes as a raw frame, not dict.",
        ),
        (
            StompSend(""),
            "1.2",
            "The stomp codec cannot send a StompSend: a SEND needs a destination (a non-empty text).",
        ),
        (
            StompSend("/q/a", 5),  # type: ignore[arg-type]
            "1.2",
            "The stomp codec cannot send a StompSend: a SEND's body is text or bytes, not int.",
        ),
        (
            StompSend("/q/a", "", {"k": [1]}),  # type: ignore[dict-item]
            "1.2",
            "The stomp codec cannot send a StompSend: the header 'k' must be text, not list.",
        ),
        (
            StompSend("/q/a", "", {"": "x"}),
            "1.2",
            "The stomp codec cannot send a StompSend: a header name is a non-empty text, not ''.",
        ),
        (
            StompSend("/q/a", "", {"k": "a\nb"}),
            "1.0",
            "The stomp codec cannot send a StompSend: the header 'k' holds a line break or a colon, which STOMP 1.0 cannot carry.",
        ),
        (
            StompSubscribe("/q/a", ack="manual"),
            "1.2",
            'The stomp codec cannot send a StompSubscribe: the ack mode "manual" is none of "auto", "client" or "client-individual".',
        ),
        (
            StompSubscribe(""),
            "1.2",
            "The stomp codec cannot send a StompSubscribe: a SUBSCRIBE needs a destination (a non-empty text).",
        ),
        (
            StompUnsubscribe(""),
            "1.2",
            "The stomp codec cannot send a StompUnsubscribe: an UNSUBSCRIBE needs the subscription's id.",
        ),
        (
            StompAck({"message-id": "m-1"}),
            "1.2",
            'The stomp codec cannot send a StompAck: the message has no "ack" header to ACK: it came on a subscription with ack "auto" (subscribe with ack "client" or "client-individual").',
        ),
        (
            StompNack({}),
            "1.1",
            'The stomp codec cannot send a StompNack: the message has no "message-id" header to NACK.',
        ),
        (
            StompAck({"message-id": "m-1"}),
            "1.1",
            'The stomp codec cannot send a StompAck: the message has no "subscription" header to ACK.',
        ),
        (
            StompNack({"message-id": "m-1"}),
            "1.0",
            "The stomp codec cannot send a StompNack: STOMP 1.0 has no NACK (the broker agreed on 1.0).",
        ),
    ],
)
def test_an_intent_the_codec_cannot_send(intent, version, sentence):
    assert refusal(intent, version) == sentence


def test_a_transaction_needs_a_name():
    from wsbdd.codec import StompBegin

    assert refusal(StompBegin("")) == (
        "The stomp codec cannot send a StompBegin: a BEGIN needs a transaction name (a non-empty text)."
    )


def test_codec_options_out_of_range():
    with pytest.raises(ValueError) as raised:
        StompCodec(version="2.0")
    assert str(raised.value) == (
        'STOMP version "2.0" is none of 1.0, 1.1 or 1.2; write one of them (or "1.1,1.2"), or leave it out to offer all three'
    )
    with pytest.raises(ValueError) as raised:
        StompCodec(heart_beat=(1,))  # type: ignore[arg-type]
    assert str(raised.value) == (
        "heart_beat must be two numbers of milliseconds [send, receive], not (1,)"
    )
    with pytest.raises(ValueError) as raised:
        StompCodec(heart_beat=(-1, 0))
    assert str(raised.value) == "heart_beat must be two numbers ≥ 0 (0: none), not (-1, 0)"


# -- settings ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # file names in sentences are relative to the folder


def write(tmp_path, text: str):
    (tmp_path / "wsbdd.toml").write_text(text)
    return lambda: load_settings(tmp_path, environ={})


@pytest.mark.parametrize(
    ("toml", "sentence"),
    [
        (
            "[stomp]\nurl = 5\n",
            'wsbdd.toml [stomp] url is 5: must be the broker\'s WebSocket URL such as "ws://127.0.0.1:15674/ws" in quotes.',
        ),
        (
            '[stomp]\nurl = "ftp://x"\n',
            'wsbdd.toml [stomp] url is "ftp://x": must be a WebSocket URL such as "ws://localhost:8000/ws" (starting with ws://, wss://, http:// or https://); leave it out to reach the broker at the run\'s url.',
        ),
        (
            "[stomp]\npasscode = []\n",
            'wsbdd.toml [stomp] passcode must be one line of text in quotes, e.g. passcode = "${env.STOMP_PASSCODE}" (its value is not shown: it is a password).',
        ),
        (
            '[stomp]\npasscode = "${env"\n',
            "wsbdd.toml [stomp] passcode has a ${ that starts no placeholder (its value is not shown: it is a password); write ${env.NAME} to take it from the environment, or $${ for a literal ${.",
        ),
        (
            "[stomp]\nheart_beat = 5000\n",
            "wsbdd.toml [stomp] heart_beat is 5000: must be two whole numbers of milliseconds, how often the client sends a heart-beat and how often it wants one, e.g. heart_beat = [10000, 10000] (0 turns one off).",
        ),
        (
            "[stomp]\nheart_beat = [100, -1]\n",
            "wsbdd.toml [stomp] heart_beat is [100, -1]: must be two whole numbers of milliseconds, how often the client sends a heart-beat and how often it wants one, e.g. heart_beat = [10000, 10000] (0 turns one off).",
        ),
        (
            '[stomp]\nversion = "1.3"\n',
            'wsbdd.toml [stomp] version is "1.3": must be the STOMP versions to offer, "1.0", "1.1" or "1.2" (or several: "1.1,1.2"); leave it out to offer all three.',
        ),
        (
            '[stomp]\nhost = ""\n',
            'wsbdd.toml [stomp] host is "": must not be empty.',
        ),
        (
            '[stomp]\nlogni = "guest"\n',
            'wsbdd.toml [stomp]: unknown key "logni"; did you mean "login"?',
        ),
    ],
)
def test_bad_stomp_settings(tmp_path, toml, sentence):
    assert_config_sentence(sentence, write(tmp_path, toml))


def test_a_bad_heart_beat_from_the_environment(tmp_path):
    assert_config_sentence(
        'environment variable WSBDD_STOMP_HEART_BEAT is "often": must be two whole numbers of milliseconds, how often the client sends a heart-beat and how often it wants one, e.g. heart_beat = [10000, 10000] (0 turns one off).',
        lambda: load_settings(tmp_path, environ={"WSBDD_STOMP_HEART_BEAT": "often"}),
    )
