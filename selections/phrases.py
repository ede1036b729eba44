"""The phrases of saved searches and baskets (see `directory.phrases`)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from directory.phrases import Phrases, register_phrases


def register_selection_phrases():
    from .models import Basket, SavedSearch

    register_phrases(
        SavedSearch,
        Phrases(
            add=_("Add a saved search"),
            new=_("New search"),
            created=_("Saved search “%(object)s” created."),
            updated=_("Saved search “%(object)s” updated."),
            deleted=_("Saved search “%(object)s” deleted."),
            not_created=_("The search could not be saved: correct the fields shown."),
            not_saved=_("The search could not be saved: correct the fields shown."),
            confirm_delete=_("Delete this saved search?"),
            none_yet=_("There are no saved searches yet."),
            no_match=_("No saved search matches your search."),
            referenced=ngettext_lazy(
                "This saved search is used %(count)s time.",
                "This saved search is used %(count)s times.",
                "count",
            ),
        ),
    )
    register_phrases(
        Basket,
        Phrases(
            add=_("Add a basket"),
            new=_("New basket"),
            created=_("Basket “%(object)s” created."),
            updated=_("Basket “%(object)s” updated."),
            deleted=_("Basket “%(object)s” deleted."),
            not_created=_("The basket could not be created: correct the fields shown."),
            not_saved=_("The basket could not be saved: correct the fields shown."),
            confirm_delete=_("Delete this basket?"),
            none_yet=_("There are no baskets yet."),
            no_match=_("No basket matches your search."),
            referenced=ngettext_lazy(
                "This basket is referenced %(count)s time.",
                "This basket is referenced %(count)s times.",
                "count",
            ),
        ),
    )
