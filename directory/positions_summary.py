"""The one position shown for a person in a list of people (the people
listing, the person chooser): fetched for a whole page in one query."""

from .models import Position
from .models.positions import position_label


def _shown_positions(person_ids):
    """Current positions of these people, the one to show first for each."""
    return (
        Position.objects.current()
        .filter(person_id__in=person_ids)
        .order_by("person_id", "-is_primary", "pk")
    )


def primary_positions(person_ids) -> dict[int, Position]:
    """The position to show for each person of a page: primary first, then current."""
    chosen: dict[int, Position] = {}
    for position in _shown_positions(person_ids).select_related("organisation", "function"):
        chosen.setdefault(position.person_id, position)
    return chosen


def primary_position_texts(person_ids) -> dict[int, tuple[str, str]]:
    """(“Function (title) – Organisation”, professional e-mail) of the same
    position, read as values: an export of many rows makes no objects for it."""
    chosen: dict[int, tuple[str, str]] = {}
    rows = _shown_positions(person_ids).values_list(
        "person_id", "function__name", "title", "organisation__name", "email"
    )
    for person_id, function, title, organisation, email in rows:
        if person_id not in chosen:
            chosen[person_id] = (f"{position_label(function, title)} – {organisation}", email)
    return chosen
