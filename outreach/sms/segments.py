"""Characters and segments of an SMS, counted as carriers bill them.

The rule (3GPP TS 23.038 and TS 23.040):

- A text made only of characters of the GSM 7-bit default alphabet is sent in
  GSM-7. Each character of the basic table is one septet; each character of
  the extension table (``^ { } \\ [ ~ ] | €`` and form feed) is two septets, an
  escape and the character. One SMS holds 160 septets; a longer text is sent
  as concatenated segments of 153 septets (the user data header takes the
  rest), and an escape pair is never split across two segments: when only
  one septet is left, the pair starts the next segment.
- As soon as one character is outside that alphabet, the whole text is sent
  in UCS-2 (UTF-16): 70 units in one SMS, 67 per concatenated segment. A
  character outside the Basic Multilingual Plane (most emoji) takes two
  units, a surrogate pair, which is never split either.

French traps: é è ù à É Ç are in the basic table, but ê ë î ï ô û ç â œ and the
typographic apostrophe ’ or « » are not, and any one of them turns the whole
message into UCS-2 (70 characters instead of 160).

The same tables are in ``outreach/static/outreach/sms_counter.js`` (the live
counter of the template editor); a test checks that both agree.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

GSM7 = "gsm7"
UCS2 = "ucs2"

# The basic table, in code order 0x00-0x7F (0x1B, the escape, left out).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# The extension table: each is sent as escape (0x1B) + code, two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE = 160
GSM7_MULTIPART = 153
UCS2_SINGLE = 70
UCS2_MULTIPART = 67


@dataclass(frozen=True)
class SmsCount:
    encoding: str  # GSM7 or UCS2
    characters: int  # what the person typed (code points)
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int  # SMS billed; 0 for an empty text
    remaining_in_segment: int  # units still free in the last segment
    unicode_characters: tuple[str, ...] = ()  # what forced UCS-2, in order of appearance

    @property
    def per_segment(self) -> int:
        """Capacity of one segment for this text's encoding and length."""
        if self.encoding == GSM7:
            return GSM7_SINGLE if self.segments <= 1 else GSM7_MULTIPART
        return UCS2_SINGLE if self.segments <= 1 else UCS2_MULTIPART


def is_gsm7(char: str) -> bool:
    return char in GSM7_BASIC or char in GSM7_EXTENSION


def unicode_characters(text: str) -> tuple[str, ...]:
    """The distinct characters of `text` that GSM-7 cannot carry, in order."""
    seen = []
    for char in text:
        if not is_gsm7(char) and char not in seen:
            seen.append(char)
    return tuple(seen)


def _width(char: str, encoding: str) -> int:
    if encoding == GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def count(text: str) -> SmsCount:
    """Count `text` as a carrier does: encoding, units, segments, room left."""
    text = text or ""
    forcing = unicode_characters(text)
    encoding = UCS2 if forcing else GSM7
    if encoding == GSM7:
        single, multipart = GSM7_SINGLE, GSM7_MULTIPART
    else:
        single, multipart = UCS2_SINGLE, UCS2_MULTIPART
    widths = [_width(char, encoding) for char in text]
    units = sum(widths)
    if units == 0:
        return SmsCount(encoding, 0, 0, 0, single, forcing)
    if units <= single:
        return SmsCount(encoding, len(text), units, 1, single - units, forcing)
    # Concatenated: fill each segment, never splitting an escape pair or a
    # surrogate pair (a two-unit character that does not fit starts the next).
    segments, used = 1, 0
    for width in widths:
        if used + width > multipart:
            segments, used = segments + 1, 0
        used += width
    return SmsCount(encoding, len(text), units, segments, multipart - used, forcing)


def unicode_warning_template(how_many: int) -> str:
    """The translated warning, "%(characters)s" left to fill (the widget hands
    it to the browser counter)."""
    return ngettext(
        "The character %(characters)s requires Unicode encoding: "
        "70 characters per SMS instead of 160.",
        "The characters %(characters)s require Unicode encoding: "
        "70 characters per SMS instead of 160.",
        how_many,
    )


def quote_template() -> str:
    # Translators: one character quoted, in a list of characters.
    return _("“%(character)s”")


def summary_template() -> str:
    return _("Characters: %(characters)s · SMS: %(segments)s · left in this SMS: %(remaining)s")


def unicode_warning(result: SmsCount) -> str:
    """What the template editor says when a character forces UCS-2, or "":
    « Le caractère « ’ » oblige l’encodage Unicode… »."""
    forcing = result.unicode_characters
    if not forcing:
        return ""
    quoted = ", ".join(quote_template() % {"character": char} for char in forcing)
    return unicode_warning_template(len(forcing)) % {"characters": quoted}


def summary(result: SmsCount) -> str:
    """One line for a counter: characters, SMS, room left in the last one."""
    return summary_template() % {
        "characters": result.characters,
        "segments": result.segments,
        "remaining": result.remaining_in_segment,
    }
