"""A secret a sentence cut short ("s3cr3t-very-lo…") is masked like the whole: its
beginning gives the secret away as surely."""

from __future__ import annotations

from wsbdd.report.mask import Masker

SECRET = "s3cr3t-" + "very-long-" * 30


def test_a_secret_cut_short_by_a_sentence_is_masked():
    text = (
        '  #2 {"type":"echo","n":1}   ($.content.password was "s3cr3t-very-long-v… (first '
        'difference at character 1: expected "nope", was "s3cr3t-very…"))'
    )
    masked = Masker([SECRET]).mask(text)
    assert "s3cr" not in masked
    assert masked == (
        '  #2 {"type":"echo","n":1}   ($.content.password was "***… (first difference at '
        'character 1: expected "nope", was "***…"))'
    )


def test_the_end_of_a_secret_cut_short_after_other_words_is_masked_from_where_it_begins():
    assert Masker([SECRET]).mask("token=abcs3cr3t-very…") == "token=abc***…"


def test_text_that_only_resembles_a_secret_is_left_alone():
    masker = Masker([SECRET])
    assert masker.mask("the list goes on…") == "the list goes on…"
    assert masker.mask("s3c…") == "s3c…"  # shorter than any secret is masked by
    assert masker.mask("very-long-very…") == "very-long-very…"  # a middle, not a beginning
