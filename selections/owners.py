"""What users own among saved searches and baskets, and what goes with them.

A search or a basket is its owner's (`owner`, CASCADE), so deleting a user
deletes them. But a basket step refers to its search or included basket with
PROTECT, so the steps that use them must go first, as when their owner
deletes a search that baskets use (`selections.views.access.ProtectedDeleteMixin`):
the steps of colleagues' baskets (it was shared with them) are removed, the
rest of those baskets stays.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from .models import Basket, BasketStep, SavedSearch


@dataclass
class OwnedSelections:
    searches: list[str] = field(default_factory=list)
    baskets: list[str] = field(default_factory=list)
    # Baskets of other users that use one of these searches or baskets: their
    # steps on them are removed.
    colleague_baskets: int = 0

    def __bool__(self):
        return bool(self.searches or self.baskets)


def _ids(users) -> list[int]:
    if not isinstance(users, Iterable):
        users = [users]
    return [getattr(user, "pk", user) for user in users]


def _using_steps(owner_ids, using):
    return BasketStep.objects.using(using).filter(
        Q(search__owner_id__in=owner_ids) | Q(included_basket__owner_id__in=owner_ids)
    )


def selections_owned_by(users, using: str = "default") -> OwnedSelections:
    """The searches and baskets of `users` (a user, or several users or ids),
    by name, and how many colleagues' baskets use them."""
    ids = _ids(users)
    return OwnedSelections(
        searches=list(
            SavedSearch.objects.using(using).filter(owner_id__in=ids).values_list("name", flat=True)
        ),
        baskets=list(
            Basket.objects.using(using).filter(owner_id__in=ids).values_list("name", flat=True)
        ),
        colleague_baskets=_using_steps(ids, using)
        .exclude(basket__owner_id__in=ids)
        .values("basket")
        .distinct()
        .count(),
    )


def delete_selections_of(users, using: str = "default") -> None:
    """Delete the searches and baskets of `users` (a user, or several users
    or ids), with every basket step that uses them."""
    ids = _ids(users)
    with transaction.atomic(using=using):
        _using_steps(ids, using).delete()
        Basket.objects.using(using).filter(owner_id__in=ids).delete()
        SavedSearch.objects.using(using).filter(owner_id__in=ids).delete()
