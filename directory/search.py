"""The directory's simple search: one box, any part of a name, e-mail, city,
organisation name or phone digits, whatever the case and accents.

Every organisation and person carries `search_text`, a folded (see
`directory.text.fold`) concatenation of what can be searched:

* organisation: name, e-mail, postcode, city, phone digits;
* person: first and last name, personal e-mail, city, phone digits, and for
  each of their positions the organisation's name, the function, the title,
  the professional e-mail and phone digits.

Punctuation inside words is left out of the search text and of the query
terms alike (`PUNCTUATION`): "Saint-Étienne" is stored "saintetienne",
"jean.dupont@theatre.fr" "jeanduponttheatrefr", and the queries
"saint-etienne", "saint etienne" and "jean.dupont@" find them. Dropping the
same characters from both sides never loses a match, and it leaves the
trigram index fewer word boundaries: frequent boundary trigrams ("  e",
" et") made "saint-etienne" read far more of the index than "saintetienne"
does.

Phones are indexed by their international digits and their French national
digits ("+33 6 12 34 56 78" -> "33612345678 0612345678"), so "06 12 34" and
"+33 6 12" both find it.

A query is folded the same way and split into terms; a row matches when its
search text contains every term; a query made only of punctuation finds
nothing. A query made only of digits and phone
punctuation is one term of digits. On PostgreSQL a trigram GIN index on
`search_text` (pg_trgm, migration 0003) serves these `LIKE '%term%'` filters.

The column (with the other derived columns: folded name, department,
region) is kept current by every write path: `save()` of the models,
position saves and deletions, the renaming of a function, the deletion of
an organisation (whose positions go by cascade), moving records to the trash
and back (a position in the trash is left out of its person's text), and the
models' querysets (`update`, `bulk_create`, `delete`), which imports and
bulk edits use; the demo loader computes the same values itself
(tests/crmsite/test_bulk_load.py).
"""

import re
from functools import lru_cache

from django.db.models import QuerySet

from .bulk import bulk_update
from .text import fold

PHONE_QUERY = re.compile(r"^[\d\s.+()/-]+$")
# ASCII punctuation but "|" (which separates the parts of a search text), and
# typographic punctuation. A fixed list, so that PostgreSQL's translate()
# can apply it exactly as `str.translate` does (migration 0004).
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{}~" + "‘’‚“”„«»‹›ʼ‐‑‒–—―−·•…"
# The same for ASCII texts, as bytes (five times faster than `str.translate`,
# which looks every character up in a dict), and as a pattern for the others.
_ASCII_PUNCTUATION = PUNCTUATION.encode("ascii", "ignore")
_PUNCTUATION_PATTERN = re.compile("[" + re.escape(PUNCTUATION) + "]")
MAX_TERMS = 8
MAX_QUERY_LENGTH = 200


def without_punctuation(text: str) -> str:
    if text.isascii():
        return text.encode("ascii").translate(None, _ASCII_PUNCTUATION).decode("ascii")
    return _PUNCTUATION_PATTERN.sub("", text)


def phone_digits(value: str) -> str:
    """ "+33612345678" -> "33612345678 0612345678"."""
    digits = "".join(c for c in value or "" if c.isdigit())
    if not digits:
        return ""
    if value.startswith("+33") and len(digits) > 2:
        return f"{digits} 0{digits[2:]}"
    return digits


# Organisation and function names recur in thousands of people's texts.
_fold = lru_cache(maxsize=8192)(fold)


def join_text(*parts: str) -> str:
    return " ".join(part for part in (_fold(p) for p in parts if p) if part)


def organisation_search_text(organisation) -> str:
    text = " | ".join(
        filter(
            None,
            [
                join_text(organisation.name),
                join_text(organisation.email, organisation.postcode, organisation.city),
                phone_digits(organisation.phone),
            ],
        )
    )
    return without_punctuation(text)


def person_search_text(person, positions=()) -> str:
    parts = [
        join_text(person.first_name, person.last_name),
        join_text(person.email, person.postcode, person.city),
        " ".join(filter(None, (phone_digits(person.phone), phone_digits(person.mobile)))),
    ]
    for position in positions:
        organisation = position.organisation
        function = position.function
        parts.append(
            join_text(
                organisation.name if organisation else "",
                function.name if function else "",
                position.title,
                position.email,
            )
        )
        parts.append(
            " ".join(filter(None, (phone_digits(position.phone), phone_digits(position.mobile))))
        )
    return without_punctuation(" | ".join(filter(None, parts)))


def query_terms(query: str) -> list[str]:
    """The folded terms a query looks for ("06 12 34" -> ["061234"])."""
    query = (query or "")[:MAX_QUERY_LENGTH]
    if PHONE_QUERY.match(query) and sum(c.isdigit() for c in query) >= 2:
        return ["".join(c for c in query if c.isdigit())]
    terms = []
    # "|" too: it separates the parts of a search text, so it is in all of them.
    for term in without_punctuation(fold(query)).replace("|", " ").split():
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def search(queryset: QuerySet, query: str) -> QuerySet:
    """Filter an Organisation or Person queryset by a simple-search query."""
    terms = query_terms(query)
    if not terms and (query or "").strip():
        return queryset.none()  # nothing but punctuation
    for term in terms:
        queryset = queryset.filter(search_text__contains=term)
    return queryset


DERIVED_FIELDS = ("name_key", "department", "region", "search_text")


def _save_derived(model, records) -> int:
    """Recompute the derived columns of `records` and write those that changed."""
    stale = []
    for record, positions in records:
        before = [getattr(record, name) for name in DERIVED_FIELDS]
        if positions is None:
            record.prepare_for_write()
        else:
            record.prepare_for_write(positions=positions)
        if [getattr(record, name) for name in DERIVED_FIELDS] != before:
            stale.append(record)
    bulk_update(model, stale, DERIVED_FIELDS)
    return len(stale)


def refresh_people(person_ids) -> int:
    """Recompute the derived columns of these people (after a bulk update, or
    after their positions changed); return how many were stale."""
    from .models import Person, Position

    ids = sorted({pk for pk in person_ids if pk})
    changed = 0
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        positions: dict[int, list] = {}
        for position in (
            Position.objects.filter(person_id__in=chunk)
            .select_related("organisation", "function")
            .order_by("pk")
        ):
            positions.setdefault(position.person_id, []).append(position)
        # The trash too (its positions are left out above, `Position.objects`).
        people = Person.all_objects.filter(pk__in=chunk)
        changed += _save_derived(Person, ((p, positions.get(p.pk, [])) for p in people))
    return changed


def refresh_organisations(organisation_ids, people_too: bool = True) -> int:
    """Recompute the derived columns of these organisations (and their people's)."""
    from .models import Organisation

    ids = sorted({pk for pk in organisation_ids if pk})
    organisations = Organisation.all_objects.filter(pk__in=ids)
    changed = _save_derived(Organisation, ((o, None) for o in organisations))
    if people_too and ids:
        refresh_people(people_of_organisations(ids))
    return changed


def people_of_organisations(organisation_ids) -> list[int]:
    """Ids of the people with a position (in the trash or not) in these organisations."""
    from .models import Position

    return list(
        Position.all_objects.filter(organisation_id__in=list(organisation_ids))
        .values_list("person_id", flat=True)
        .distinct()
    )
