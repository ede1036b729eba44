"""What users own among saved searches and baskets, and what goes with them.

A search or a basket is its owner's (`owner`, CASCADE), so deleting a user
deletes them. But a basket step refers to its search or included basket with
PROTECT, so the steps that use them must go first, as when their owner
deletes a search that baskets use (`selections.actions.delete_search`): in
colleagues' baskets (it was shared with them) a union step is removed, an
intersection or exclusion is kept without its source and stops the basket
until its owner replaces it (`BasketStep.release_source`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from .models import Basket, BasketStep, SavedSearch


@dataclass
class OwnedSelections:
    # Names of those the viewer may see (shared with them); the others counted.
    searches: list[str] = field(default_factory=list)
    baskets: list[str] = field(default_factory=list)
    hidden_searches: int = 0
    hidden_baskets: int = 0
    # Baskets of other users that use one of these searches or baskets: their
    # steps on them are released (`BasketStep.release_source`).
    colleague_baskets: int = 0

    def __bool__(self):
        return bool(self.searches or self.baskets or self.hidden_searches or self.hidden_baskets)


def _ids(users) -> list[int]:
    if not isinstance(users, Iterable):
        users = [users]
    return [getattr(user, "pk", user) for user in users]


def _using_steps(owner_ids, using):
    return BasketStep.objects.using(using).filter(
        Q(search__owner_id__in=owner_ids) | Q(included_basket__owner_id__in=owner_ids)
    )


def selections_owned_by(users, viewer=None, using: str = "default") -> OwnedSelections:
    """The searches and baskets of `users` (a user, or several users or ids),
    and how many colleagues' baskets use them. Named only where `viewer` may
    see them (all when no viewer is given): an administrator deleting an
    account is not shown the names of its private selections."""
    ids = _ids(users)
    owned = OwnedSelections(
        colleague_baskets=_using_steps(ids, using)
        .exclude(basket__owner_id__in=ids)
        .values("basket")
        .distinct()
        .count()
    )
    for model, names, hidden in (
        (SavedSearch, "searches", "hidden_searches"),
        (Basket, "baskets", "hidden_baskets"),
    ):
        queryset = model.objects.using(using).filter(owner_id__in=ids)
        shown = queryset if viewer is None else queryset & model.objects.visible_to(viewer)
        setattr(owned, names, list(shown.values_list("name", flat=True)))
        setattr(owned, hidden, queryset.count() - len(getattr(owned, names)))
    return owned


def delete_selections_of(users, using: str = "default") -> None:
    """Delete the searches and baskets of `users` (a user, or several users
    or ids), with every basket step that uses them."""
    ids = _ids(users)
    with transaction.atomic(using=using):
        for step in _using_steps(ids, using).exclude(basket__owner_id__in=ids):
            step.release_source()
        _using_steps(ids, using).delete()
        Basket.objects.using(using).filter(owner_id__in=ids).delete()
        SavedSearch.objects.using(using).filter(owner_id__in=ids).delete()
