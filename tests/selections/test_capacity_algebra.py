"""The capacity algebra (`selections.capacity`), case by case: each case of
issue 14, section 1, and the ones a careful reader would try next, on the
hand-made directory of conftest.py (plus a few people added here)."""

import datetime

import pytest

from directory.models import Organisation, Person
from selections import resolution
from selections.capacity import (
    Selection,
    capacity_label,
    exclude,
    intersect,
    parse_row_key,
    parse_row_keys,
    position_label,
    row_key,
    union,
)
from selections.criteria import compile_rows, parse
from selections.disclosure import Disclosure
from selections.models import BasketEntry
from tests.factories import FunctionFactory, OrganisationFactory, PersonFactory, PositionFactory

from .test_capacity import directors, found, group, rule
from .test_recipients import basket_of, saved, shown

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def english():
    return rule("person.language", "in", ["en"])


def why(tree, target="people") -> dict[str, list[str]]:
    """Each row (as `found` names it) with its reasons."""
    rows = compile_rows(parse(tree, target), target)
    result = {}
    for row in resolution.page(rows, 0, 1000):
        if row.kind == "position":
            name = f"{row.person.first_name} @ {row.organisation.name}"
        elif row.kind == "personal":
            name = f"{row.person.first_name} (personal)"
        else:
            name = row.organisation.name
        result[name] = row.reasons
    return result


@pytest.fixture
def owner(db):
    from tests.factories import staff

    return staff(username="camille")


# Person rules in an `any` ---------------------------------------------------------------


def test_an_any_of_a_person_rule_and_a_position_group_keeps_personal_rows(town):
    """any[language en, all[director, venue]]: the English speakers' personal
    rows, people with no position included, and the directors' positions."""
    tree = group(
        "any",
        english(),
        group("all", directors(town), rule("organisation.kind", "in", [town.venue.pk])),
    )
    assert found(tree) == {
        "Bruno (personal)",
        "Denis (personal)",  # no position at all
        "Alice @ Théâtre de Metz",
        "Bruno @ Théâtre de Lyon",
        "Emma @ Scène de Nancy",
    }


def test_none_of_a_person_rule_removes_the_people_from_an_any_in_every_capacity(town):
    """all[any[language en, all[director]], none[do_not_contact]]: the any's
    rows, less the people who asked not to be contacted."""
    tree = group(
        "all",
        group("any", english(), group("all", directors(town))),
        group("none", rule("person.do_not_contact", "is_true")),
    )
    assert found(tree) == {
        "Bruno (personal)",
        "Denis (personal)",
        "Alice @ Théâtre de Metz",
        "Bruno @ Théâtre de Lyon",
        "Emma @ Scène de Nancy",
    }
    Person.objects.filter(pk=town.bruno.pk).update(do_not_contact=True)
    assert found(tree) == {
        "Denis (personal)",
        "Alice @ Théâtre de Metz",
        "Emma @ Scène de Nancy",
    }


def test_a_person_rule_and_a_position_rule_in_one_all_yield_the_position(town):
    """ "Directors who speak English" yields those directors' positions."""
    assert found(group("all", directors(town), english())) == {"Bruno @ Théâtre de Lyon"}
    assert found(group("all", english(), group("any", directors(town)))) == {
        "Bruno @ Théâtre de Lyon"
    }


# Baskets ---------------------------------------------------------------------------------


def grand_est_directors(town):
    return group(
        "all",
        directors(town),
        rule("organisation.kind", "in", [town.venue.pk]),
        rule("organisation.region", "in", ["44"]),
    )


def test_basket_directors_of_venues_in_grand_est_intersected_with_english_speakers(town, owner):
    Person.objects.filter(pk=town.emma.pk).update(language="en")
    directors_ge = saved(owner, "Directeurs Grand Est", grand_est_directors(town))
    speakers = saved(owner, "Anglophones", group("all", english()))
    assert shown(basket_of(owner, ("union", directors_ge), ("intersect", speakers))) == {
        "Emma @ Scène de Nancy"
    }
    # The other way round: the position still stands for the personal row.
    assert shown(basket_of(owner, ("union", speakers), ("intersect", directors_ge))) == {
        "Emma @ Scène de Nancy"
    }


def test_basket_directors_less_english_speakers_removes_them(town, owner):
    all_directors = saved(owner, "Directeurs", group("all", directors(town)))
    speakers = saved(owner, "Anglophones", group("all", english()))
    assert shown(basket_of(owner, ("union", all_directors), ("exclude", speakers))) == {
        "Alice @ Théâtre de Metz",
        "Emma @ Scène de Nancy",
    }


def test_basket_organisation_search_intersected_with_a_people_search(town, owner):
    venues_ge = saved(
        owner,
        "Lieux du Grand Est",
        group(
            "all",
            rule("organisation.kind", "in", [town.venue.pk]),
            rule("organisation.region", "in", ["44"]),
        ),
        "organisations",
    )
    french = saved(owner, "Francophones", group("all", rule("person.language", "in", ["fr"])))
    all_directors = saved(owner, "Directeurs", group("all", directors(town)))
    assert shown(basket_of(owner, ("union", venues_ge), ("intersect", all_directors))) == {
        "Alice @ Théâtre de Metz",
        "Emma @ Scène de Nancy",
    }
    assert shown(basket_of(owner, ("union", all_directors), ("intersect", venues_ge))) == {
        "Alice @ Théâtre de Metz",
        "Emma @ Scène de Nancy",
    }
    # Then a personal row meets its person's positions: French-speaking ones.
    Person.objects.filter(pk=town.emma.pk).update(language="en")
    assert shown(
        basket_of(owner, ("union", venues_ge), ("intersect", all_directors), ("intersect", french))
    ) == {"Alice @ Théâtre de Metz"}
    # Organisations meet the positions held in them, not personal rows.
    assert shown(basket_of(owner, ("union", venues_ge), ("intersect", french))) == set()


def test_basket_reasons_follow_the_steps_a_row_came_through(town, owner):
    Person.objects.filter(pk=town.emma.pk).update(language="en")
    speakers = saved(owner, "Anglophones", group("all", english()))
    directors_ge = saved(owner, "Directeurs Grand Est", grand_est_directors(town))
    lyon = saved(owner, "Lyon", group("all", rule("organisation.city", "equals", "Lyon")))
    basket = basket_of(owner, ("union", speakers), ("intersect", directors_ge), ("union", lyon))
    rows = resolution.basket_rows(basket, Disclosure(None))
    reasons = {row.key: row.reasons for row in resolution.page(rows, 0, 100)}
    assert reasons == {
        row_key("position", town.positions.emma_director.pk): [
            "recherche « Anglophones »",
            "recherche « Directeurs Grand Est »",
        ],
        # Bruno speaks English, but his Lyon position came through "Lyon" only.
        row_key("position", town.positions.bruno_director.pk): ["recherche « Lyon »"],
        row_key("position", town.positions.alice_board.pk): ["recherche « Lyon »"],
    }


def test_rows_removed_by_hand_take_out_what_they_meet(town, owner):
    speakers = saved(owner, "Anglophones", group("all", english()))
    all_directors = saved(owner, "Directeurs", group("all", directors(town)))
    basket = basket_of(owner, ("union", speakers), ("union", all_directors))
    BasketEntry.objects.create(basket=basket, action="remove", person=town.bruno)
    BasketEntry.objects.create(
        basket=basket, action="remove", position=town.positions.alice_director
    )
    assert shown(basket) == {"Denis (personal)", "Emma @ Scène de Nancy"}


# Dates -----------------------------------------------------------------------------------


@pytest.fixture
def former_lyon_director(town):
    fabien = PersonFactory(first_name="Fabien", last_name="Faure", language="fr")
    PositionFactory(
        person=fabien,
        organisation=town.lyon_theatre,
        function=town.director,
        start_date=datetime.date(2010, 9, 1),
        end_date=datetime.date(2018, 6, 30),
    )
    return fabien


def test_a_date_rule_in_a_nested_any_lets_no_ended_position_into_the_other_branch(
    town, former_lyon_director
):
    tree = group(
        "all",
        directors(town),
        group(
            "any",
            rule("position.start_date", "after", "2024-01-01"),
            rule("organisation.city", "contains", "Lyon"),
        ),
    )
    assert found(tree) == {"Bruno @ Théâtre de Lyon"}


def test_a_date_rule_in_the_same_all_group_asks_for_ended_positions(town, former_lyon_director):
    tree = group(
        "all",
        directors(town),
        rule("organisation.city", "contains", "Lyon"),
        rule("position.end_date", "before", "2020-01-01"),
    )
    assert found(tree) == {"Fabien @ Théâtre de Lyon"}
    # In an `all` group inside it too, and for what is inside that group.
    nested = group(
        "all",
        group("any", directors(town), rule("position.function", "in", [town.board.pk])),
        group("all", rule("position.current", "is_false")),
    )
    assert found(nested) == {"Chloé @ Scène de Nancy", "Fabien @ Théâtre de Lyon"}


def test_current_no_finds_only_positions_that_are_not_current(town, former_lyon_director):
    assert found(group("all", directors(town), rule("position.current", "is_false"))) == {
        "Chloé @ Scène de Nancy",
        "Fabien @ Théâtre de Lyon",
    }


def test_a_position_starting_in_the_future_is_not_current(town):
    gaelle = PersonFactory(first_name="Gaëlle", last_name="Girard", language="fr")
    PositionFactory(
        person=gaelle,
        organisation=town.metz,
        function=town.director,
        start_date=TODAY + datetime.timedelta(days=30),
    )
    PositionFactory(
        person=PersonFactory(first_name="Hugo", last_name="Henry"),
        organisation=town.metz,
        function=town.director,
        start_date=TODAY,
        end_date=TODAY,
    )
    assert found(group("all", directors(town), rule("organisation.city", "equals", "Metz"))) == {
        "Alice @ Théâtre de Metz",
        "Hugo @ Théâtre de Metz",  # starts and ends today: current
    }
    assert found(
        group("all", directors(town), rule("position.start_date", "after", TODAY.isoformat()))
    ) == {"Gaëlle @ Théâtre de Metz"}
    assert "Gaëlle @ Théâtre de Metz" in found(
        group("all", directors(town), rule("position.current", "is_false"))
    )
    # Her future position does not make her a director to leave out either.
    assert "Gaëlle (personal)" in found(
        group("all", rule("person.name", "contains", "girard"), group("none", directors(town)))
    )


def test_a_person_with_no_position_is_found_by_person_rules_only(town):
    assert "Denis (personal)" in found(group("all", english()))
    assert not any("Denis" in row for row in found(group("all", directors(town), english())))
    assert found(group("none", rule("person.language", "in", ["fr"]))) == {
        "Bruno (personal)",
        "Denis (personal)",
    }


# Groups ----------------------------------------------------------------------------------


def test_groups_nested_three_deep(town):
    tree = group(
        "any",
        group(
            "all",
            rule("organisation.kind", "in", [town.venue.pk]),
            group(
                "any",
                group("all", directors(town), rule("organisation.city", "equals", "Metz")),
                group("all", rule("position.function", "in", [town.press.pk])),
            ),
        ),
        group("all", group("all", group("all", rule("person.name", "contains", "dupont")))),
    )
    assert found(tree) == {
        "Alice @ Théâtre de Metz",
        "Chloé @ Scène de Nancy",
        "Denis (personal)",
    }


def test_a_group_of_none_members_only_starts_from_every_row_of_the_kinds_they_name(town):
    # Position rules only: every current position, less the directors'.
    assert found(group("all", group("none", directors(town)))) == {
        "Alice @ Festival de Lyon",
        "Chloé @ Scène de Nancy",
    }
    # A person rule and a position rule: every personal row and every current
    # position, less what meets French speakers or directors.
    assert found(
        group(
            "any",
            group("none", rule("person.language", "in", ["fr"])),
            group("none", rule("position.function", "in", [town.board.pk])),
        )
    ) == {"Bruno (personal)", "Denis (personal)", "Bruno @ Théâtre de Lyon"}


def test_none_inside_a_none_group_takes_back_what_it_names(town):
    tree = group(
        "all",
        directors(town),
        group(
            "none",
            rule("organisation.region", "in", ["44"]),
            group("none", rule("organisation.city", "equals", "Metz")),
        ),
    )
    # Removed: directors in Grand Est but not in Metz (Emma in Nancy).
    assert found(tree) == {"Alice @ Théâtre de Metz", "Bruno @ Théâtre de Lyon"}


def test_an_organisation_search_with_groups_and_none(town):
    tree = group(
        "any",
        rule("organisation.city", "equals", "Lyon"),
        group("none", rule("organisation.kind", "in", [town.festival.pk])),
    )
    assert found(tree, "organisations") == {"Théâtre de Lyon"}
    assert found(
        group("none", rule("organisation.kind", "in", [town.venue.pk])), "organisations"
    ) == {"Festival de Lyon"}


# Why each row is there ---------------------------------------------------------------------


def test_reasons_are_those_of_the_branch_that_matched(town):
    programmer = FunctionFactory(name="Programmateur·rice")
    PositionFactory(
        person=PersonFactory(first_name="Inès", last_name="Imbert"),
        organisation=town.metz,
        function=programmer,
    )
    tree = group(
        "any",
        group("all", rule("organisation.kind", "in", [town.venue.pk]), directors(town)),
        group("all", rule("position.function", "in", [programmer.pk])),
    )
    reasons = why(tree)
    assert reasons["Inès @ Théâtre de Metz"] == ["Fonction est l’un de Programmateur·rice"]
    assert reasons["Alice @ Théâtre de Metz"] == [
        "Type d’organisation est l’un de Lieu de spectacle",
        "Fonction est l’un de Directeur·rice",
    ]


def test_reasons_of_a_person_rule_go_to_the_personal_row_it_yielded(town):
    reasons = why(group("any", english(), directors(town)))
    assert reasons["Bruno (personal)"] == ["Langue préférée est l’un de Anglais"]
    assert reasons["Bruno @ Théâtre de Lyon"] == ["Fonction est l’un de Directeur·rice"]
    # In an `all`, the position says both.
    assert why(group("all", english(), group("any", directors(town))))[
        "Bruno @ Théâtre de Lyon"
    ] == ["Langue préférée est l’un de Anglais", "Fonction est l’un de Directeur·rice"]


def test_rows_of_a_top_level_none_say_why(town):
    reasons = why(group("none", rule("person.language", "in", ["fr"])))
    assert reasons == {
        "Bruno (personal)": ["sauf «\u00a0Langue préférée est l’un de Français\u00a0»"],
        "Denis (personal)": ["sauf «\u00a0Langue préférée est l’un de Français\u00a0»"],
    }
    # A none-only group inside an `any`: every personal row less the English
    # speakers', each saying so; the directors' positions say they are directors.
    nested = why(group("any", directors(town), group("all", group("none", english()))))
    assert nested["Bruno @ Théâtre de Lyon"] == ["Fonction est l’un de Directeur·rice"]
    assert nested["Alice @ Théâtre de Metz"] == ["Fonction est l’un de Directeur·rice"]
    assert nested["Alice (personal)"] == ["sauf «\u00a0Langue préférée est l’un de Anglais\u00a0»"]
    assert "Bruno (personal)" not in nested


def test_reasons_do_not_include_the_rules_of_a_none(town):
    tree = group("all", directors(town), group("none", rule("organisation.city", "equals", "Lyon")))
    assert why(tree) == {
        "Alice @ Théâtre de Metz": ["Fonction est l’un de Directeur·rice"],
        "Emma @ Scène de Nancy": ["Fonction est l’un de Directeur·rice"],
    }


# Text ------------------------------------------------------------------------------------


@pytest.fixture
def chalons(town):
    comete = OrganisationFactory(
        name="La Comète",
        kind=town.venue,
        postcode="51000",
        city="Châlons-en-Champagne",
        email="Accueil@La-Comete.fr",
    )
    jerome = PersonFactory(
        first_name="Jérôme",
        last_name="Lefèvre",
        email="jerome.lefevre@exemple.fr",
        city="Épernay",
        postcode="51200",
    )
    PositionFactory(
        person=jerome,
        organisation=comete,
        function=town.director,
        title="Directeur Général",
        email="Direction@La-Comete.fr",
    )
    return comete


@pytest.mark.parametrize(
    ("field", "operator", "value"),
    [
        ("organisation.city", "contains", "chalons"),
        ("organisation.city", "contains", "CHÂLONS"),
        ("organisation.city", "equals", "chalons-en-champagne"),
        ("organisation.city", "starts_with", "Chalons"),
        ("organisation.city", "in", ["CHALONS-EN-CHAMPAGNE", "Reims"]),
        ("organisation.postcode", "starts_with", "51"),
        ("organisation.name", "contains", "comete"),
        ("position.title", "contains", "general"),
        ("position.title", "equals", "DIRECTEUR GÉNÉRAL"),
        ("position.email", "contains", "direction@la-comete"),
        ("person.city", "contains", "EPERNAY"),
        ("person.postcode", "equals", "51200"),
        ("person.email", "starts_with", "JÉRÔME"),
        ("person.name", "contains", "lefevre"),
    ],
)
def test_text_rules_ignore_case_and_accents_on_every_text_field(chalons, field, operator, value):
    assert found(group("all", rule(field, operator, value))) in (
        {"Jérôme @ La Comète"},
        {"Jérôme (personal)"},
    )


def test_text_rules_on_organisations_ignore_case_and_accents(chalons):
    tree = group("all", rule("organisation.city", "contains", "chalons"))
    assert found(tree, "organisations") == {"La Comète"}
    assert found(group("all", rule("organisation.city", "contains", "lyon")), "organisations") == {
        "Festival de Lyon",
        "Théâtre de Lyon",
    }


# One capacity, one key, one label ------------------------------------------------------------


def test_one_capacity_label_everywhere(chalons):
    from selections.recipients import resolve

    rows = compile_rows(parse(group("all", rule("organisation.city", "contains", "chalons"))))
    (row,) = resolution.page(rows, 0, 10)
    (recipient,) = resolve(rows, "email")
    assert row.capacity == recipient.capacity == "Directeur·rice (Directeur Général) – La Comète"
    assert row.position.label == position_label("Directeur·rice", "Directeur Général")
    assert capacity_label("personal") == "personnel"


@pytest.mark.parametrize(
    ("function", "title", "expected"),
    [
        ("Directeur·rice", "", "Directeur·rice"),
        ("", "Régie", "Régie"),
        ("A", "A", "A"),
        ("", "", "poste"),
    ],
)
def test_the_capacity_label_says_what_the_position_label_says(town, function, title, expected):
    position = PositionFactory(
        person=town.denis,
        organisation=town.metz,
        function=FunctionFactory(name=function) if function else None,
        title=title,
    )
    assert position.label == position_label(function, title) == expected


def test_row_keys_are_written_and_read_in_one_place():
    assert row_key("position", 12) == "position-12"
    assert parse_row_key("personal-3") == ("personal", 3)
    for bad in (
        "person-3",
        "position-",
        "position--1",
        "position-٣",
        "position-+1",
        "position-0",
        "organisation-99999999999999999999",
        "position-1_0",
        "",
        None,
    ):
        assert parse_row_key(bad) is None
    assert parse_row_keys(["position-1", "position-1", "personal-2", "bad"]) == {
        "position": {1},
        "personal": {2},
    }


def test_the_algebra_on_hand_made_selections(town):
    """The three operations, on conditions written by hand."""
    from django.db.models import Q

    bruno = Selection(people=Q(pk=town.bruno.pk))
    lyon_positions = Selection(positions=Q(organisation__city="Lyon"))
    lyon_organisations = Selection(organisations=Q(city="Lyon"))

    def keys(selection):
        return {key[:4] for key in resolution.keys(selection)}

    p = town.positions
    assert keys(intersect(bruno, lyon_positions)) == {
        ("position", town.bruno.pk, p.bruno_director.pk, town.lyon_theatre.pk)
    }
    assert keys(intersect(lyon_organisations, lyon_positions)) == {
        ("position", town.bruno.pk, p.bruno_director.pk, town.lyon_theatre.pk),
        ("position", town.alice.pk, p.alice_board.pk, town.lyon_festival.pk),
    }
    assert keys(exclude(lyon_organisations, Selection(positions=Q(pk=p.alice_board.pk)))) == {
        ("organisation", None, None, town.lyon_theatre.pk)
    }
    assert keys(exclude(union(bruno, lyon_positions), bruno)) == {
        ("position", town.alice.pk, p.alice_board.pk, town.lyon_festival.pk)
    }
    assert keys(intersect(bruno, lyon_organisations)) == set()
    assert Organisation.objects.count() == 4


def test_none_of_a_position_rule_keeps_people_with_no_position(town):
    """English speakers who are not directors: Bruno (a director) goes in
    his personal row, Denis (no position at all) stays."""
    tree = group("all", english(), group("none", directors(town)))
    assert found(tree) == {"Denis (personal)"}
    assert why(tree) == {"Denis (personal)": ["Langue préférée est l’un de Anglais"]}
