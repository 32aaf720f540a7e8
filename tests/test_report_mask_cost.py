"""Console masking runs on every line behave prints, twice per step: a line that holds no
secret and no place where one could sit is told so by cheap searches, without the
per-field scan or one check per place."""

from __future__ import annotations

import pytest

import wsbdd.steps  # noqa: F401  (registers the codecs whose secret fields the masker reads)
from wsbdd.report import mask
from wsbdd.report.mask import Masker

STEP_LINE = (
    '    Then Alice receives a message where $.type is "echo" and $.content is "bench 17"'
    " ... passed in 0.000s\n"
)


def test_every_secret_field_has_text_that_tells_a_line_cannot_hold_it():
    fields = Masker().fields
    assert fields.secret
    for pattern in fields.secret:
        assert len(mask._literal(pattern)) >= 3, pattern.pattern
    init = next(p for p in fields.secret if "connection_init" in p.pattern)
    assert mask._literal(init) == '{"type": "connection_init", "payload": '


def test_a_step_line_is_not_scanned_field_by_field(monkeypatch):
    scanned = []
    real = mask._values_of
    monkeypatch.setattr(mask, "_values_of", lambda p, t: scanned.append(p) or real(p, t))
    masker = Masker(["s3cr3t-value"])
    assert masker.mask(STEP_LINE) == STEP_LINE
    assert scanned == []
    # …and a line that does hold one is still masked.
    line = '{"type": "connection_init", "payload": {"token": "abc"}}'
    assert masker.mask(line) == '{"type": "connection_init", "payload": ***}'
    assert scanned


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Authorization: Bearer abc.def", "Authorization: ***"),
        ('Alice connects with token "tok-123"', 'Alice connects with token "***"'),
        ('{"password": "pw-9"}', '{"password": "***"}'),
        ("ws://h/?api_token=zz9", "ws://h/?api_token=***"),
    ],
)
def test_each_place_is_still_found_behind_the_one_search(text, masked):
    assert Masker().mask(text) == masked


TEXTS = [
    STEP_LINE,
    "Authorization: Bearer abc.def",
    "AUTHORIZATION: Bearer abc.def",
    "x-api-key=zz9-key-value",
    'Alice connects with token "tok-123"',
    'ALICE CONNECTS WITH TOKEN "tok-123"',
    '{"password": "pw-9", "n": 1}',
    '{"Api_Key": "k-1"}',
    "passcode:abc\nlogin:guest",
    "PASSCODE:abc",
    'Alice connects as "guest" with passcode "p4ss-word"',
    '{"type": "connection_init", "payload": {"token": "abc"}}',
    "ws://h/?api_token=zz9&x=1",
    "the s3cr3t-known-value is here",
    "THE S3CR3T-KNOWN-VALUE, upper-cased, is not the value",
    "cut short: s3cr3t-known-v…",
    "the list goes on…",
    "",
    "İstanbul ßtraße 𝔘nicode ⏎ line",
]


@pytest.mark.parametrize("names", [(), ("x_session",)])
def test_the_screen_never_changes_what_is_masked(monkeypatch, names):
    from wsbdd.model import secrets

    monkeypatch.setattr(secrets, "_NAMES", list(names))
    texts = [*TEXTS, '{"x_session": "sess-1"}', "X_SESSION=sess-2"]
    screened = Masker(["s3cr3t-known-value"])
    full = Masker(["s3cr3t-known-value"])
    monkeypatch.setattr(full, "_screen_for", lambda fields: None)
    for text in texts:
        assert screened.mask(text) == full.mask(text), text
    assert screened.mask(texts[-2]) != texts[-2] or not names


def test_a_line_the_screen_lets_through_skips_every_pattern(monkeypatch):
    masker = Masker(["s3cr3t-known-value"])
    assert masker.mask("warm") == "warm"
    monkeypatch.setattr(mask, "_project_places", lambda: pytest.fail("ran the places"))
    monkeypatch.setattr(masker, "_mask_fields", lambda *a: pytest.fail("ran the fields"))
    assert masker.mask(STEP_LINE) == STEP_LINE
