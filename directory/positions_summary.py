"""The one position shown for a person in a list of people (the people
listing, the person chooser, the people export): fetched for a whole page
in one query."""

from .models import Position


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


def primary_position_values(person_ids, fields) -> dict[int, dict]:
    """The `fields` of the same position (as `values()` names them:
    "organisation__name", "function__name", "email"...), for each person:
    an export of many rows makes no objects for them."""
    chosen: dict[int, dict] = {}
    for row in _shown_positions(person_ids).values("person_id", *fields):
        chosen.setdefault(row["person_id"], row)
    return chosen
