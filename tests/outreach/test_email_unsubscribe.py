"""Unsubscribe tokens: one per recipient, not forgeable, not transferable; RFC 8058 headers."""

import re

import pytest
from django.core import signing

from outreach.email.unsubscribe import (
    BadToken,
    make_token,
    read_token,
    token_matches,
    unsubscribe_headers,
)


def test_a_token_gives_back_its_delivery_and_matches_its_recipient():
    token = make_token(4021, 17, "direction@theatre.example")
    assert read_token(token) == 4021
    assert token_matches(token, 17, "direction@theatre.example")


def test_a_token_is_url_safe_and_short_enough_for_a_header():
    token = make_token(9_876_543_210, 123_456, "une.adresse.assez.longue@organisation.example")
    assert re.fullmatch(r"[A-Za-z0-9._-]+", token)
    assert len(token) <= 80


def test_the_coordinate_ignores_case_and_surrounding_spaces():
    token = make_token(1, 17, "Direction@Theatre.example")
    assert token_matches(token, 17, "  direction@theatre.EXAMPLE ")


def test_tokens_differ_per_delivery_and_per_recipient():
    tokens = {
        make_token(1, 17, "a@example.org"),
        make_token(2, 17, "a@example.org"),
        make_token(1, 18, "a@example.org"),
        make_token(1, 17, "b@example.org"),
    }
    assert len(tokens) == 4


def test_a_token_does_not_reveal_the_address():
    token = make_token(1, 17, "camille.martin@example.org")
    assert "camille" not in token.lower()
    assert "example" not in token.lower()


def test_changing_any_single_character_breaks_the_token():
    token = make_token(4021, 17, "direction@theatre.example")
    for index, character in enumerate(token):
        replacement = "A" if character != "A" else "B"
        altered = token[:index] + replacement + token[index + 1 :]
        with pytest.raises(BadToken):
            read_token(altered)
        assert not token_matches(altered, 17, "direction@theatre.example")


def test_another_delivery_id_cannot_be_substituted():
    token = make_token(4021, 17, "direction@theatre.example")
    _delivery, rest = token.split(".", 1)
    with pytest.raises(BadToken):
        read_token("4022." + rest)


def test_a_token_for_one_person_does_not_match_another():
    token_a = make_token(100, 1, "a@example.org")
    # delivery A's token presented with person B's coordinate, or B's id, or both
    assert not token_matches(token_a, 2, "b@example.org")
    assert not token_matches(token_a, 1, "b@example.org")
    assert not token_matches(token_a, 2, "a@example.org")
    assert token_matches(token_a, 1, "a@example.org")


def test_a_value_signed_for_another_purpose_is_refused():
    # same key and separator, but not our salt: another signed value of the site
    forged = signing.Signer(sep=".").sign("100.AAAAAAAAAAAAAAAA")
    with pytest.raises(BadToken):
        read_token(forged)


def test_a_token_signed_with_another_secret_is_refused(settings):
    token = make_token(100, 1, "a@example.org")
    settings.SECRET_KEY = "another-secret-key-for-another-site-0123456789abcdefghijkl"
    with pytest.raises(BadToken):
        read_token(token)
    assert not token_matches(token, 1, "a@example.org")


@pytest.mark.parametrize("junk", ["", "abc", "1.2.3", "." * 10, "x" * 500, None, 42])
def test_junk_is_a_bad_token(junk):
    with pytest.raises(BadToken):
        read_token(junk)
    assert not token_matches(junk, 1, "a@example.org")


def test_bad_token_has_a_clear_message():
    with pytest.raises(BadToken) as raised:
        read_token("nope")
    assert str(raised.value)


@pytest.mark.parametrize("bad", [0, -1, "12", 1.5, True])
def test_only_real_delivery_ids_make_tokens(bad):
    with pytest.raises(ValueError):
        make_token(bad, 1, "a@example.org")


def test_unsubscribe_headers_are_exactly_those_of_rfc_8058():
    url = "https://crm.example.org/desinscription/4021.abc.def/"
    assert unsubscribe_headers(url) == {
        "List-Unsubscribe": "<https://crm.example.org/desinscription/4021.abc.def/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@pytest.mark.parametrize(
    "url",
    ["", "https://x.example/a\r\nBcc: victim@example.org", "https://x.example/a b",
     "https://x.example/>, <mailto:x@y", "javascript:alert(1)", "/relative/"],
)  # fmt: skip
def test_an_unusable_url_is_refused(url):
    with pytest.raises(ValueError):
        unsubscribe_headers(url)
