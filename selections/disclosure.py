"""What a reader may learn of the searches and baskets a basket is made of.

Sharing a basket shares its rows, not the searches (or baskets) it
combines. The name and the criteria of a step's source are shown to a
reader only if that reader may open the source itself
(`SharedQuerySet.visible_to`: its owner and those it is shared with); any
other reader reads "a search not shared with you" (or "a basket not shared
with you"), with no link and no criteria. This holds wherever a basket
speaks of its steps: its composition, why each row is there, the errors of
a step that no longer resolves, its exports, and its snapshots, which keep
the source's id beside its name and decide when they are read, not when
they are frozen. It is asked at each reading, so a search unshared from a
colleague is no longer named to him from then on.

`Disclosure(None)` is the system's view (freezing a snapshot): every name.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SEARCH, BASKET = "search", "basket"

HIDDEN = {
    SEARCH: gettext_lazy("a search not shared with you"),
    BASKET: gettext_lazy("a basket not shared with you"),
}


class Disclosure:
    """Which searches and baskets `reader` may see named; one query per
    source asked about, remembered for the reader's request."""

    def __init__(self, reader):
        self.reader = reader
        self._known: dict[tuple[str, int | None], bool] = {}

    def may_read(self, kind: str, pk: int | None) -> bool:
        if self.reader is None:
            return True
        if pk is None:  # a source that no longer exists, or was never known
            return False
        if (kind, pk) not in self._known:
            from .models import Basket, SavedSearch

            model = SavedSearch if kind == SEARCH else Basket
            self._known[(kind, pk)] = model.objects.visible_to(self.reader).filter(pk=pk).exists()
        return self._known[(kind, pk)]

    def may_read_search(self, pk) -> bool:
        return self.may_read(SEARCH, pk)

    def may_read_basket(self, pk) -> bool:
        return self.may_read(BASKET, pk)

    def name(self, kind: str, pk: int | None, name: str) -> str:
        """The source's bare name, or what stands for it."""
        return name if self.may_read(kind, pk) else str(HIDDEN[kind])

    def label(self, kind: str, pk: int | None, name: str) -> str:
        """ "search “Directeurs Grand Est”", or what stands for it."""
        if not self.may_read(kind, pk):
            return str(HIDDEN[kind])
        if kind == SEARCH:
            return _("search “%(name)s”") % {"name": name}
        return _("basket “%(name)s”") % {"name": name}

    def search_label(self, pk, name) -> str:
        return self.label(SEARCH, pk, name)

    def basket_label(self, pk, name) -> str:
        return self.label(BASKET, pk, name)

    def step_label(self, step) -> str:
        kind, pk, name = step_source(step)
        return self.label(kind, pk, name)


def step_source(step) -> tuple[str, int, str]:
    """(kind, id, name) of what a basket step combines."""
    if step.search_id:
        return SEARCH, step.search_id, step.search.name
    return BASKET, step.included_basket_id, step.included_basket.name


def frozen_reason(label: str, source: tuple | None = None) -> dict:
    """A reason as a snapshot keeps it: the source's kind, id and name when
    it names one (read through `Disclosure.label`), else its text."""
    if source is None:
        return {"label": str(label)}
    kind, pk, name = source
    return {"kind": kind, "id": pk, "name": name}


def read_frozen_reason(reason, disclosure: Disclosure) -> str:
    if not isinstance(reason, dict):
        return ""
    if reason.get("kind") in HIDDEN:
        pk = reason.get("id")
        return disclosure.label(
            reason["kind"], pk if type(pk) is int else None, str(reason.get("name", ""))
        )
    return str(reason.get("label", ""))
