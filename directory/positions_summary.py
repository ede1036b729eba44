"""The one position shown for a person in a list of people (the people
listing, the person chooser): fetched for a whole page in one query."""

from .models import Position


def primary_positions(person_ids) -> dict[int, Position]:
    """The position to show for each person of a page: primary first, then current."""
    chosen: dict[int, Position] = {}
    positions = (
        Position.objects.current()
        .filter(person_id__in=person_ids)
        .select_related("organisation", "function")
        .order_by("person_id", "-is_primary", "pk")
    )
    for position in positions:
        chosen.setdefault(position.person_id, position)
    return chosen
