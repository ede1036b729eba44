"""The builder's value pickers and its live count, as the server prepares them.

List values (interest centres, kinds, functions, regions, departments…) are
picked in a searchable multi-select with chips (`multiselect.js`, over a
native <select multiple> that `builder.js` draws from the registry): the
page loads that script before the builder, the registry gives every list
field its choices with their labels, and the widget's own words are French.
The live count is asked only for complete rules (builder.js); whatever it
is sent, it answers in French, never with a 500."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from directory.models import InterestCentre
from selections.fields import builder_schema
from selections.models import SavedSearch
from tests.factories import (
    FunctionFactory,
    InterestCentreFactory,
    OrganisationKindFactory,
    logged_in,
)
from tests.factories import client as client_factory

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "selections" / "static" / "selections"
LIST_FIELDS = (
    "organisation.interest_centres",
    "organisation.kind",
    "position.function",
    "organisation.region",
    "organisation.department",
    "person.region",
    "person.department",
    "person.language",
)


def builder_data(response) -> dict:
    page = response.content.decode()
    raw = page.split('<script id="crm-builder-data" type="application/json">')[1]
    return json.loads(raw.split("</script>")[0])


def test_the_builder_loads_the_multiselect_before_itself(marie):
    page = logged_in(marie).get(reverse("selections_searches:add")).content.decode()
    multiselect = page.index("selections/multiselect.js")
    builder = page.index("selections/builder.js")
    assert multiselect < builder
    # Both as files of our own (the CSP allows only 'self' scripts), deferred in order.
    for name in ("multiselect.js", "builder.js"):
        tag = page[page.rindex("<script", 0, page.index(f"selections/{name}")) :].split(">")[0]
        assert "defer" in tag and "://" not in tag


def test_the_multiselect_script_depends_on_nothing_outside():
    source = (STATIC / "multiselect.js").read_text()
    assert "import " not in source and "require(" not in source
    assert "http://" not in source and "https://" not in source
    # Keyboard: filter, Enter to add, Backspace to remove, Escape to close; screen readers.
    for needed in ('"Enter"', '"Backspace"', '"Escape"', '"ArrowDown"', "aria-label", "combobox"):
        assert needed in source, needed


def test_the_widget_speaks_french(marie):
    labels = builder_data(logged_in(marie).get(reverse("selections_searches:add")))["labels"]
    assert labels["msPlaceholder"] == "Tapez pour filtrer, Entrée pour ajouter"
    assert labels["msRemove"] == "Retirer %s"
    assert labels["msNoMatch"] == "Aucune valeur ne correspond."
    assert labels["msChosen"] == "Valeurs choisies"
    assert labels["needValues"] == "Choisissez au moins une valeur."
    assert labels["incomplete"] == "Complétez la condition pour voir combien de lignes elle trouve."


def test_every_list_field_comes_with_its_choices_and_labels(marie):
    centres = [InterestCentreFactory(name=name) for name in ("Théâtre", "Danse", "Arts de la rue")]
    OrganisationKindFactory(name="Lieu de spectacle")
    FunctionFactory(name="Directeur·rice")
    data = builder_data(logged_in(marie).get(reverse("selections_searches:add")))
    fields = {field["key"]: field for field in data["schema"]["people"]}
    for key in LIST_FIELDS:
        field = fields[key]
        assert field["choices"], key
        assert all(isinstance(value, str) and label for value, label in field["choices"]), key
        # Every operator takes a list of values (or none): the chips fit them all.
        assert {op["key"] for op in field["operators"]} <= {
            "in",
            "not_in",
            "all_of",
            "is_empty",
            "is_not_empty",
        }, key
    centre_choices = dict(fields["organisation.interest_centres"]["choices"])
    assert {centre_choices[str(centre.pk)] for centre in centres} == {
        "Théâtre",
        "Danse",
        "Arts de la rue",
    }
    assert fields["organisation.region"]["choices"][0] != ["", ""]
    assert "Grand Est" in dict(fields["organisation.region"]["choices"]).values()
    # The organisation chooser searches the server instead: no list of every organisation.
    assert "choices" not in fields["organisation"]


def test_organisation_searches_offer_only_organisation_fields():
    keys = {field["key"] for field in builder_schema("organisations")}
    assert "organisation.interest_centres" in keys
    assert not any(key.startswith(("person.", "position.")) for key in keys)


def test_a_saved_search_opens_with_its_chosen_values(marie):
    theatre = InterestCentreFactory(name="Théâtre")
    dance = InterestCentreFactory(name="Danse")
    search = SavedSearch.objects.create(
        owner=marie,
        name="Théâtre et danse",
        criteria={
            "match": "all",
            "rules": [
                {
                    "field": "organisation.interest_centres",
                    "operator": "in",
                    "value": [theatre.pk, dance.pk],
                }
            ],
        },
    )
    response = logged_in(marie).get(reverse("selections_searches:edit", args=(search.pk,)))
    data = builder_data(response)
    (rule,) = data["criteria"]["rules"]
    assert sorted(rule["value"]) == sorted([theatre.pk, dance.pk])
    fields = {field["key"]: field for field in data["schema"]["people"]}
    choices = dict(fields["organisation.interest_centres"]["choices"])
    assert choices[str(theatre.pk)] == "Théâtre" and choices[str(dance.pk)] == "Danse"


# The live count, whatever it is sent ---------------------------------------------------------


def count(user, criteria, target="people"):
    raw = criteria if isinstance(criteria, str) else json.dumps(criteria)
    return logged_in(user).post(
        reverse("selections_searches:count"), {"criteria": raw, "target": target}
    )


def one_rule(**rule):
    return {"match": "all", "rules": [rule]}


INCOMPLETE = [
    one_rule(field="organisation.interest_centres", operator="in", value=[]),
    one_rule(field="organisation.interest_centres", operator="in", value=None),
    one_rule(field="organisation.interest_centres", operator="in"),
    one_rule(field="organisation.interest_centres", operator="", value=None),
    one_rule(field="organisation.interest_centres"),
    one_rule(field="organisation.region", operator="in", value=[""]),
    one_rule(field="person.name", operator="contains", value=""),
    one_rule(field="person.name", operator="contains", value="   "),
    one_rule(field="person.created_at", operator="before", value=""),
    one_rule(field="person.created_at", operator="within_last_days", value=""),
    one_rule(field="person.created_at", operator="within_last_days", value="0"),
    one_rule(field="", operator="", value=None),
    one_rule(field="organisation.interest_centres", operator="before", value=["1"]),
    {"match": "all", "rules": [{"match": "any", "rules": [{"field": "person.name"}]}]},
]


@pytest.mark.parametrize("criteria", INCOMPLETE, ids=range(len(INCOMPLETE)))
def test_an_incomplete_rule_is_answered_in_french_never_with_a_500(marie, criteria):
    response = count(marie, criteria)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and all(isinstance(error, str) and error for error in errors)
    for error in errors:
        # "Règle 1.1 (Centres d'intérêt) : choisissez au moins une valeur."
        assert error.startswith("Règle 1."), error
        assert "\xa0: " in error, error
        assert "choose" not in error and "required" not in error, error


HOSTILE = [
    "",
    "{",
    "[]",
    "null",
    "\x00",
    '{"match": "all", "rules": [{"field": "person.name", "operator": "contains", '
    '"value": "a\\u0000b"}]}',
    '{"match": "all", "rules": [{"field": "organisation.interest_centres", "operator": "in", '
    '"value": [99999999999999999999999]}]}',
    '{"match": "all", "rules": [{"field": "organisation.interest_centres", "operator": "in", '
    '"value": [{"a": 1}]}]}',
    "[" * 10_000,
    "x" * 300_000,
]


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_criteria_get_a_french_answer_not_a_500(marie, raw):
    response = count(marie, raw)
    assert response.status_code in (200, 400)
    if "\x00" in raw:  # refused for the whole site before the view (crmsite.middleware)
        assert response.status_code == 400
        assert "La requête contient un caractère nul" in response.content.decode()
        return
    body = response.json()
    assert ("count" in body) or body["errors"]


def test_an_unknown_target_is_refused_in_french(marie):
    response = count(marie, one_rule(field="person.name", operator="contains", value="a"), "x")
    assert response.status_code == 400
    assert response.json()["errors"] == ["Type de recherche inconnu."]


def test_a_complete_rule_is_counted(marie):
    theatre = InterestCentreFactory(name="Théâtre")
    response = count(
        marie, one_rule(field="organisation.interest_centres", operator="in", value=[theatre.pk])
    )
    assert response.status_code == 200
    assert response.json() == {"count": 0, "label": "0 ligne"}


def test_the_count_is_for_staff_only(db):
    client_user = client_factory(username="cliente")
    criteria = json.dumps(one_rule(field="person.name", operator="contains", value="a"))
    assert (
        logged_in(client_user)
        .post(reverse("selections_searches:count"), {"criteria": criteria})
        .status_code
        == 403
    )
    anonymous = Client().post(reverse("selections_searches:count"), {"criteria": criteria})
    assert anonymous.status_code == 302
    assert InterestCentre.objects.count() == 0
