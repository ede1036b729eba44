"""The French catalogues: ours, and our overrides of Wagtail's own French."""

import re
from pathlib import Path

import django
import wagtail
from django.conf import settings

OURS = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
OVERRIDES = Path(settings.BASE_DIR) / "locale" / "overrides" / "fr" / "LC_MESSAGES" / "django.po"


def _entries(path: Path):
    """(msgid, msgstrs, flags) of each entry of a .po file, obsolete ones left out."""
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields, current = {}, None
        for line in lines:
            found = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if found:
                current = found.group(1)
                fields[current] = found.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            strs = [value for key, value in fields.items() if key.startswith("msgstr")]
            yield fields["msgid"], strs, flags


def _their_msgids() -> set[str]:
    found = set()
    for root in (Path(wagtail.__file__).parent, Path(django.__file__).parent):
        for po in root.rglob("locale/fr/LC_MESSAGES/django*.po"):
            found.update(msgid for msgid, _, _ in _entries(po))
    return found


def test_every_entry_of_ours_is_translated_and_none_is_fuzzy():
    entries = list(_entries(OURS))
    assert len(entries) > 500
    untranslated = [msgid for msgid, strs, _ in entries if not all(strs)]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_the_overrides_only_override_wagtail_or_django():
    """makemessages never writes to locale/overrides: what is there must be
    Wagtail's or Django's own strings, not ours (which would never be extracted)."""
    theirs = _their_msgids()
    overrides = [msgid for msgid, _, _ in _entries(OVERRIDES)]
    assert "Add %(model_name)s" not in overrides  # per model: directory.phrases
    assert overrides and not [msgid for msgid in overrides if msgid not in theirs]


def test_french_punctuation_in_every_translation():
    bad = []
    for path in (OURS, OVERRIDES):
        for msgid, strs, _ in _entries(path):
            for text in strs:
                if re.search(r"\w [:;!?](\s|$)|« | »", text):
                    bad.append((msgid, text))
    assert not bad, bad[:10]
