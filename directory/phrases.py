"""The real phrases of each model, where Wagtail has one phrase for all.

Wagtail builds "Add %(model_name)s", "%(model_name)s '%(object)s' created."
or "Are you sure you want to delete this %(model_name)s?" for any model, and
its French can only say "Ajouter un(e) organisation". Each of our models
says its own phrases here, in English, translated whole: "Add an
organisation" is « Ajouter une organisation », with the right article and
agreement. The admin's views read them through `directory.views.phrased`;
`phrases_for(model)` answers None for a model without phrases, whose views
keep Wagtail's.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy


@dataclass(frozen=True)
class Phrases:
    add: str  # the listing's button: "Add an organisation"
    new: str  # the creation page's title: "New organisation"
    created: str  # "Organisation “%(object)s” created."
    updated: str
    deleted: str
    not_created: str  # the creation form has errors
    not_saved: str  # the edit form has errors
    confirm_delete: str  # "Delete this organisation?"
    none_yet: str  # an empty listing
    no_match: str  # a search or filter that finds nothing
    # ngettext_lazy with a %(count)s: "This organisation is referenced %(count)s time."
    referenced: object = None
    choose: str | None = None  # the chooser's button and title: "Choose a person"
    choose_another: str | None = None  # "Choose another person"


_PHRASES: dict[type, Phrases] = {}


def register_phrases(model, phrases: Phrases):
    _PHRASES[model] = phrases


def phrases_for(model) -> Phrases | None:
    if model is None:
        return None
    if not isinstance(model, type):
        model = type(model)
    return _PHRASES.get(model._meta.concrete_model)


def referenced(model, count: int) -> str | None:
    """ "This organisation is referenced 3 times.", or None for a model without phrases."""
    phrases = phrases_for(model)
    if phrases is None or phrases.referenced is None:
        return None
    return phrases.referenced % {"count": count}


def register_directory_phrases():
    from .models import (
        ActivityKind,
        Function,
        InterestCentre,
        Organisation,
        OrganisationKind,
        Person,
    )

    register_phrases(
        Organisation,
        Phrases(
            add=_("Add an organisation"),
            new=_("New organisation"),
            created=_("Organisation “%(object)s” created."),
            updated=_("Organisation “%(object)s” updated."),
            deleted=_("Organisation “%(object)s” deleted."),
            not_created=_("The organisation could not be created: correct the fields shown."),
            not_saved=_("The organisation could not be saved: correct the fields shown."),
            confirm_delete=_("Delete this organisation?"),
            none_yet=_("There are no organisations yet."),
            no_match=_("No organisation matches your search."),
            referenced=ngettext_lazy(
                "This organisation is referenced %(count)s time.",
                "This organisation is referenced %(count)s times.",
                "count",
            ),
            choose=_("Choose an organisation"),
            choose_another=_("Choose another organisation"),
        ),
    )
    register_phrases(
        Person,
        Phrases(
            add=_("Add a person"),
            new=_("New person"),
            created=_("Person “%(object)s” created."),
            updated=_("Person “%(object)s” updated."),
            deleted=_("Person “%(object)s” deleted."),
            not_created=_("The person could not be created: correct the fields shown."),
            not_saved=_("The person could not be saved: correct the fields shown."),
            confirm_delete=_("Delete this person?"),
            none_yet=_("There are no people yet."),
            no_match=_("No person matches your search."),
            referenced=ngettext_lazy(
                "This person is referenced %(count)s time.",
                "This person is referenced %(count)s times.",
                "count",
            ),
            choose=_("Choose a person"),
            choose_another=_("Choose another person"),
        ),
    )
    register_phrases(
        InterestCentre,
        Phrases(
            add=_("Add an interest area"),
            new=_("New interest area"),
            created=_("Interest area “%(object)s” created."),
            updated=_("Interest area “%(object)s” updated."),
            deleted=_("Interest area “%(object)s” deleted."),
            not_created=_("The interest area could not be created: correct the fields shown."),
            not_saved=_("The interest area could not be saved: correct the fields shown."),
            confirm_delete=_("Delete this interest area?"),
            none_yet=_("There are no interest areas yet."),
            no_match=_("No interest area matches your search."),
            referenced=ngettext_lazy(
                "This interest area is used %(count)s time.",
                "This interest area is used %(count)s times.",
                "count",
            ),
            choose=_("Choose an interest area"),
            choose_another=_("Choose another interest area"),
        ),
    )
    register_phrases(
        OrganisationKind,
        Phrases(
            add=_("Add an organisation type"),
            new=_("New organisation type"),
            created=_("Organisation type “%(object)s” created."),
            updated=_("Organisation type “%(object)s” updated."),
            deleted=_("Organisation type “%(object)s” deleted."),
            not_created=_("The organisation type could not be created: correct the fields shown."),
            not_saved=_("The organisation type could not be saved: correct the fields shown."),
            confirm_delete=_("Delete this organisation type?"),
            none_yet=_("There are no organisation types yet."),
            no_match=_("No organisation type matches your search."),
            referenced=ngettext_lazy(
                "This organisation type is used %(count)s time.",
                "This organisation type is used %(count)s times.",
                "count",
            ),
            choose=_("Choose an organisation type"),
            choose_another=_("Choose another organisation type"),
        ),
    )
    register_phrases(
        Function,
        Phrases(
            add=_("Add a function"),
            new=_("New function"),
            created=_("Function “%(object)s” created."),
            updated=_("Function “%(object)s” updated."),
            deleted=_("Function “%(object)s” deleted."),
            not_created=_("The function could not be created: correct the fields shown."),
            not_saved=_("The function could not be saved: correct the fields shown."),
            confirm_delete=_("Delete this function?"),
            none_yet=_("There are no functions yet."),
            no_match=_("No function matches your search."),
            referenced=ngettext_lazy(
                "This function is used %(count)s time.",
                "This function is used %(count)s times.",
                "count",
            ),
            choose=_("Choose a function"),
            choose_another=_("Choose another function"),
        ),
    )
    register_phrases(
        ActivityKind,
        Phrases(
            add=_("Add an activity kind"),
            new=_("New activity kind"),
            created=_("Activity kind “%(object)s” created."),
            updated=_("Activity kind “%(object)s” updated."),
            deleted=_("Activity kind “%(object)s” deleted."),
            not_created=_("The activity kind could not be created: correct the fields shown."),
            not_saved=_("The activity kind could not be saved: correct the fields shown."),
            confirm_delete=_("Delete this activity kind?"),
            none_yet=_("There are no activity kinds yet."),
            no_match=_("No activity kind matches your search."),
            choose=_("Choose an activity kind"),
            choose_another=_("Choose another activity kind"),
        ),
    )
