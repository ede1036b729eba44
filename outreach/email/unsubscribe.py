"""Personal unsubscribe tokens and the one-click unsubscribe headers (RFC 8058).

A token names one delivery and is bound to the person and the coordinate it
was sent to: `make_token(delivery_id, person_id, coordinate)` signs, with
`django.core.signing` and a salt of its own (so no other signed value of the
site can stand in for it), the delivery id and a keyed digest of
"person id + coordinate". It looks like `1234.k3J9…_Qw.<signature>`: URL-safe
(letters, digits, `-`, `_`, `.`), about 70 characters, fit for a path and a
header. Changing any character breaks the signature; the digest cannot be
recomputed without the secret key, and does not reveal the address.

- `read_token(token)` gives the delivery id, or raises `BadToken`;
- `token_matches(token, person_id, coordinate)` says whether the token was
  made for that person at that coordinate (the coordinate ignores case and
  surrounding spaces), so a token of delivery A presented for person B,
  or for another address, does not match.

Tokens do not expire: an unsubscribe link must work as long as the message
sits in a mailbox. `unsubscribe_headers(url)` gives the `List-Unsubscribe`
and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` headers.
"""

import re

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

__all__ = ["BadToken", "make_token", "read_token", "token_matches", "unsubscribe_headers"]

SALT = "outreach.email.unsubscribe"
_DIGEST_SALT = "outreach.email.unsubscribe.recipient"
_SEPARATOR = "."
_MAX_LENGTH = 200  # anything longer is not one of ours
_TOKEN_VALUE = re.compile(r"([1-9][0-9]{0,18})\.([A-Za-z0-9_-]{16})")


class BadToken(Exception):
    """A token that was not made here, was altered, or is malformed."""

    def __init__(self, message=None):
        super().__init__(message or _("This unsubscribe link is not valid."))


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=_SEPARATOR)


def _recipient_digest(person_id, coordinate: str) -> str:
    value = f"{person_id}\x00{(coordinate or '').strip().casefold()}"
    mac = salted_hmac(_DIGEST_SALT, value, algorithm="sha256").digest()
    return signing.b64_encode(mac[:12]).decode()  # 96 bits, 16 URL-safe characters


def make_token(delivery_id: int, person_id, coordinate: str) -> str:
    """The signed token of one delivery to one person at one coordinate."""
    if not isinstance(delivery_id, int) or isinstance(delivery_id, bool) or delivery_id < 1:
        raise ValueError("delivery_id must be a positive integer")
    return _signer().sign(f"{delivery_id}{_SEPARATOR}{_recipient_digest(person_id, coordinate)}")


def _unsign(token) -> tuple[int, str]:
    if not isinstance(token, str) or not token or len(token) > _MAX_LENGTH:
        raise BadToken()
    try:
        value = _signer().unsign(token)
    except signing.BadSignature as error:
        raise BadToken() from error
    match = _TOKEN_VALUE.fullmatch(value)
    if match is None:
        raise BadToken()
    return int(match.group(1)), match.group(2)


def read_token(token: str) -> int:
    """The delivery id a token was made for; BadToken when it is forged, altered or malformed."""
    return _unsign(token)[0]


def token_matches(token: str, person_id, coordinate: str) -> bool:
    """Whether a valid token was made for this person at this coordinate."""
    try:
        _delivery_id, digest = _unsign(token)
    except BadToken:
        return False
    return constant_time_compare(digest, _recipient_digest(person_id, coordinate))


_UNSAFE_IN_HEADER = re.compile(r"[\s<>\"]")


def unsubscribe_headers(url: str) -> dict[str, str]:
    """The RFC 2369 / RFC 8058 headers of a one-click unsubscribe URL (which POST must accept)."""
    if not url or _UNSAFE_IN_HEADER.search(url) or not url.startswith(("https://", "http://")):
        raise ValueError(f"not a usable unsubscribe URL: {url!r}")
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
