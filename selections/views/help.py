"""The help page of the advanced search, whose examples open in the builder.

Each example is written with the names of the values it uses (functions,
kinds of organisation) and the codes of the others (regions, languages);
the page looks the names up in the directory and links each example to the
builder, pre-filled (`?criteria=…&target=…`, checked there as a saved search
is). An example whose values the directory does not have is shown without a link.
"""

import json

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from directory.models import Function, OrganisationKind

from ..criteria import CriteriaError, parse
from .common import SelectionPage

GRAND_EST, OCCITANIE = "44", "76"
DIRECTOR, PRESS_OFFICER = "Directeur·rice", "Attaché·e de presse"
VENUE, FESTIVAL = "Lieu de spectacle", "Festival"


class Missing(Exception):
    """A value an example names is not in the directory."""


def _rule(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


def _group(match, *rules):
    return {"match": match, "rules": list(rules)}


def _ids(model, names) -> list[int]:
    found = dict(model.objects.filter(name__in=names).values_list("name", "pk"))
    if set(names) - set(found):
        raise Missing(names)
    return sorted(found[name] for name in names)


def _examples():
    """{key: (target, tree)}, in the order of the page; raises nothing: an
    example whose values are missing is None."""

    def director():
        return _rule("position.function", "in", _ids(Function, [DIRECTOR]))

    def venue():
        return _rule("organisation.kind", "in", _ids(OrganisationKind, [VENUE]))

    def festival():
        return _rule("organisation.kind", "in", _ids(OrganisationKind, [FESTIVAL]))

    builders = {
        "grand_est_venue_directors": lambda: (
            "people",
            _group("all", director(), venue(), _rule("organisation.region", "in", [GRAND_EST])),
        ),
        "lyon_directors": lambda: (
            "people",
            _group("all", director(), _rule("organisation.city", "contains", "lyon")),
        ),
        "french_speakers": lambda: (
            "people",
            _group("all", _rule("person.language", "in", ["fr"])),
        ),
        "english_speakers_or_venue_directors": lambda: (
            "people",
            _group(
                "any", _rule("person.language", "in", ["en"]), _group("all", director(), venue())
            ),
        ),
        "directors_or_press_but_do_not_contact": lambda: (
            "people",
            _group(
                "all",
                _rule("position.function", "in", _ids(Function, [DIRECTOR, PRESS_OFFICER])),
                _group("none", _rule("person.do_not_contact", "is_true")),
            ),
        ),
        "occitanie_but_festivals": lambda: (
            "people",
            _group(
                "all",
                _rule("organisation.region", "in", [OCCITANIE]),
                _group("none", festival()),
            ),
        ),
        "former_directors": lambda: (
            "people",
            _group("all", director(), _rule("position.current", "is_false")),
        ),
        "occitanie_festivals": lambda: (
            "organisations",
            _group("all", festival(), _rule("organisation.region", "in", [OCCITANIE])),
        ),
    }
    examples = {}
    for key, build in builders.items():
        try:
            examples[key] = build()
        except Missing:
            examples[key] = None
    return examples


def builder_url(target: str, tree: dict) -> str:
    """The builder, opened on these criteria."""
    query = urlencode(
        {"criteria": json.dumps(tree, ensure_ascii=False, separators=(",", ":")), "target": target}
    )
    return f"{reverse('selections_searches:add')}?{query}"


def example_links() -> dict:
    """{key: the builder's URL for that example, or None}."""
    links = {}
    for key, example in _examples().items():
        if example is None:
            links[key] = None
            continue
        target, tree = example
        try:
            parse(tree, target)
        except CriteriaError:
            links[key] = None
        else:
            links[key] = builder_url(target, tree)
    return links


class HelpView(SelectionPage):
    template_name = "selections/help.html"
    page_title = gettext_lazy("How the advanced search works")
    header_icon = "help"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "examples": example_links()}
