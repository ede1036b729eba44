"""Characters and segments of an SMS, as carriers bill them (3GPP 23.038)."""

import pytest
from django.utils import translation

from outreach.sms.segments import GSM7, UCS2, count, summary, unicode_warning


def test_empty_text_is_no_sms():
    result = count("")
    assert (result.segments, result.units, result.remaining_in_segment) == (0, 0, 160)


def test_160_gsm_characters_fit_in_one_sms():
    result = count("a" * 160)
    assert (result.encoding, result.units, result.segments, result.remaining_in_segment) == (
        GSM7,
        160,
        1,
        0,
    )


def test_161_gsm_characters_make_two_segments_of_153():
    result = count("a" * 161)
    assert (result.segments, result.remaining_in_segment) == (2, 153 - 8)


@pytest.mark.parametrize(("length", "segments"), [(306, 2), (307, 3), (459, 3), (460, 4)])
def test_long_gsm_texts_are_cut_every_153_septets(length, segments):
    assert count("x" * length).segments == segments


def test_extension_characters_count_two_septets():
    text = "Prix : 10 €, [option] {a|b} ~ ^ \\"
    result = count(text)
    assert result.encoding == GSM7
    assert result.characters == len(text)
    assert result.units == len(text) + 9  # € [ ] { | } ~ ^ \ take two septets each
    assert count("€").units == 2
    assert count("\f").units == 2


def test_extension_character_at_the_edge_of_one_sms():
    assert count("a" * 158 + "€").segments == 1  # 160 septets
    assert count("a" * 159 + "€").segments == 2  # 161 septets


def test_escape_pair_is_not_split_across_segments():
    # 152 + 2 + 152 = 306 septets = 2 x 153, but the € cannot straddle the
    # first boundary: it opens the second segment, and one septet spills over.
    result = count("a" * 152 + "€" + "a" * 152)
    assert result.units == 306
    assert result.segments == 3
    assert result.remaining_in_segment == 152
    # With one septet fewer after it, everything fits in two.
    assert count("a" * 152 + "€" + "a" * 151).segments == 2


def test_70_ucs2_characters_fit_in_one_sms_71_make_two():
    assert (count("ê" * 70).encoding, count("ê" * 70).segments) == (UCS2, 1)
    result = count("ê" * 71)
    assert (result.segments, result.remaining_in_segment) == (2, 67 - 4)


def test_emoji_counts_two_units():
    result = count("a" * 68 + "😀")
    assert (result.encoding, result.characters, result.units, result.segments) == (UCS2, 69, 70, 1)
    assert count("a" * 69 + "😀").segments == 2


def test_emoji_is_not_split_across_segments():
    # 66 + 2 + 66 = 134 units = 2 x 67, but the emoji's surrogate pair moves
    # whole to the second segment.
    result = count("ê" + "a" * 65 + "😀" + "a" * 66)
    assert result.units == 134
    assert result.segments == 3
    assert count("ê" + "a" * 65 + "😀" + "a" * 65).segments == 2


@pytest.mark.parametrize(
    "text",
    [
        "Rendez-vous à l'église à 20 h, entrée 5 €.",
        "Été, où, déjà là, très",  # É é è ù à
        "Ça commence !",  # capital Ç is in the basic table
        "Ñandu, Äpfel, Øre, Æsir, Å, ß, É",
    ],
)
def test_french_and_latin_texts_that_stay_gsm(text):
    assert count(text).encoding == GSM7


@pytest.mark.parametrize(
    ("text", "culprit"),
    [
        ("Rendez-vous à l’église", "’"),  # typographic apostrophe
        ("La fête", "ê"),
        ("ça commence", "ç"),  # small ç is not in the table
        ("Château", "â"),
        ("Le gîte", "î"),
        ("Bientôt", "ô"),
        ("Sûr", "û"),
        ("Le cœur", "œ"),
        ("« Bravo »", "«"),
        ("À bientôt", "À"),  # small à is in the table, capital À is not
    ],
)
def test_one_french_character_turns_the_whole_text_into_unicode(text, culprit):
    result = count(text)
    assert result.encoding == UCS2
    assert culprit in result.unicode_characters


def test_the_characters_that_force_unicode_are_listed_once_in_order():
    assert count("l’été, ça tête ’").unicode_characters == ("’", "ç", "ê")


def test_a_french_message_of_150_characters_costs_three_sms_because_of_an_apostrophe():
    opening = "Bonjour, la saison de l’Opéra s’ouvre le 12 : "
    text = opening + "a" * (150 - len(opening))
    assert len(text) == 150
    assert count(text.replace("’", "'")).segments == 1
    assert count(text).segments == 3  # 150 UCS-2 units: 67 + 67 + 16


def test_line_breaks_count():
    assert count("a\nb").units == 3
    assert count("a\r\nb").units == 4


def test_warning_names_the_character_in_french():
    with translation.override("fr"):
        warning = unicode_warning(count("l’été"))
    assert "«\u00a0’\u00a0»" in warning
    assert "Unicode" in warning
    assert unicode_warning(count("l'été")) == ""


def test_warning_names_every_character():
    with translation.override("en"):
        warning = unicode_warning(count("ça et là, fête"))
    assert warning.startswith("The characters “ç”, “ê” require Unicode")


def test_summary_gives_characters_sms_and_room_left():
    with translation.override("en"):
        assert summary(count("a" * 161)) == "Characters: 161 · SMS: 2 · left in this SMS: 145"
