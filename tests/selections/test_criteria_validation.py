"""Bad criteria are refused with a clear message naming the rule, never ignored."""

import json

import pytest
from django.core.exceptions import ValidationError

from selections.criteria import MAX_DEPTH, MAX_RULES, CriteriaError, parse
from selections.models import SavedSearch
from tests.factories import FunctionFactory, staff

pytestmark = pytest.mark.django_db


def messages(data, target="people"):
    with pytest.raises(CriteriaError) as error:
        parse(data, target)
    return " | ".join(error.value.messages)


def test_a_valid_tree_is_normalised():
    director = FunctionFactory(name="Directeur·rice")
    tree = parse(
        {
            "match": "all",
            "rules": [
                {"field": "position.function", "operator": "in", "value": [str(director.pk)]},
                {"field": "person.language", "operator": "in", "value": "fr"},
                {"field": "person.created_at", "operator": "within_last_days", "value": "30"},
                {"field": "person.do_not_contact", "operator": "is_false", "value": "ignored"},
            ],
        }
    )
    assert tree["rules"][0]["value"] == [director.pk]
    assert tree["rules"][1]["value"] == ["fr"]
    assert tree["rules"][2]["value"] == 30
    assert tree["rules"][3]["value"] is None


@pytest.mark.parametrize(
    "data, expected",
    [
        ("{not json", "JSON valide"),
        ("[]", "n’est pas un groupe"),
        ({"match": "most", "rules": []}, "« most »"),
        ({"match": "all", "rules": "x"}, "doivent être une liste"),
        (
            {"rules": [{"field": "person.shoe_size", "operator": "equals", "value": "42"}]},
            "shoe_size",
        ),
        ({"rules": [{"field": "person.language", "operator": "before", "value": "fr"}]}, "Langue"),
        ({"rules": [{"field": "person.language", "operator": "in", "value": ["tlh"]}]}, "« tlh »"),
        ({"rules": [{"field": "person.language", "operator": "in", "value": []}]}, "au moins une"),
        ({"rules": [{"field": "person.language", "value": ["fr"]}]}, "choisissez comment comparer"),
        ({"rules": [{"field": "person.language", "operator": None}]}, "comment comparer"),
        ({"rules": [{"match": "all", "rules": []}] * 41}, "Trop de groupes (au plus 40)"),
        (
            {
                "rules": [
                    {"field": "person.created_at", "operator": "before", "value": "31/12/2025"}
                ]
            },
            "AAAA-MM-JJ",
        ),
        (
            {
                "rules": [
                    {"field": "person.created_at", "operator": "within_last_days", "value": "-3"}
                ]
            },
            "entre 1 et",
        ),
        (
            {
                "rules": [
                    {"field": "person.created_at", "operator": "within_last_days", "value": True}
                ]
            },
            "nombre de jours",
        ),
        (
            {"rules": [{"field": "position.function", "operator": "in", "value": [{"id": 1}]}]},
            "n’est pas un choix",
        ),
        (
            {"rules": [{"field": "position.function", "operator": "in", "value": [999999]}]},
            "n’existe plus",
        ),
        (
            {"rules": [{"field": "person.name", "operator": "contains", "value": "x" * 201}]},
            "trop longue",
        ),
        (
            {"rules": [{"field": "person.name", "operator": "contains", "value": ["a"]}]},
            "valeur est requise",
        ),
        ({"rules": ["person.name"]}, "n’est pas une règle"),
    ],
)
def test_bad_criteria_are_refused_with_a_clear_message(data, expected):
    assert expected in messages(data)


def test_every_problem_is_listed_with_where_it_is():
    text = messages(
        {
            "rules": [
                {"field": "nope", "operator": "equals", "value": "a"},
                {
                    "match": "any",
                    "rules": [{"field": "person.language", "operator": "in", "value": ["xx"]}],
                },
            ]
        }
    )
    assert "Règle 1.1" in text and "Règle 1.2.1" in text


def test_oversized_and_too_deep_trees_are_refused():
    rules = [{"field": "person.name", "operator": "contains", "value": "a"}] * (MAX_RULES + 5)
    assert "Trop de règles" in messages({"rules": rules})
    deep = {"match": "all", "rules": []}
    for _ in range(MAX_DEPTH + 2):
        deep = {"match": "all", "rules": [deep]}
    assert "trop profondément" in messages(deep)
    assert "trop volumineux" in messages("[" * 200_000)
    assert "JSON valide" in messages("[" * 50_000)


def test_a_saved_search_with_bad_criteria_is_not_saved():
    search = SavedSearch(
        owner=staff(username="camille"),
        name="Mauvaise",
        criteria={"rules": [{"field": "person.language", "operator": "in", "value": ["tlh"]}]},
    )
    with pytest.raises(ValidationError) as error:
        search.full_clean()
    assert "criteria" in error.value.message_dict
    assert SavedSearch.objects.count() == 0
    assert json.dumps(search.criteria)  # still serialisable for the form to show it again
