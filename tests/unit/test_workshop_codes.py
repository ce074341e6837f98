"""Join codes and participant tokens (pure)."""

import re

import pytest

from maturity.workshops import codes


def test_alphabet_has_no_confusable_characters():
    for character in "0O1IL":
        assert character not in codes.ALPHABET
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET) == 31


def test_new_codes_use_the_alphabet_and_have_about_forty_bits():
    made = {codes.new_code() for _ in range(500)}
    assert len(made) == 500  # 31**8 codes: a repeat in 500 would be astonishing
    assert all(len(code) == 8 and set(code) <= set(codes.ALPHABET) for code in made)
    assert codes.entropy_bits() > 39


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ABCD2345", "ABCD2345"),
        ("abcd-2345", "ABCD2345"),
        ("  abcd 2345 ", "ABCD2345"),
        ("AB.CD_23-45", "ABCD2345"),
        ("ABCD234", None),  # too short
        ("ABCD23456", None),  # too long
        ("ABCD0345", None),  # 0 is not in the alphabet
        ("ABCDI345", None),  # nor is I
        ("", None),
        (None, None),
        (12345678, None),
        ("<script>", None),
    ],
)
def test_normalise(typed, expected):
    assert codes.normalise(typed) == expected


def test_tokens_are_long_random_and_url_safe():
    tokens = {codes.new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", token) for token in tokens)
