"""Each sentence of "The central idea: capacity" (../shared/DESIGN.md), on
the hand-made directory of conftest.py."""

import datetime

import pytest

from selections import resolution
from selections.criteria import compile_rows, parse

pytestmark = pytest.mark.django_db


def rule(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


def group(match, *rules):
    return {"match": match, "rules": list(rules)}


def found(tree, target="people"):
    """Each row as "Name @ Organisation", "Name (personal)" or "Organisation"."""
    rows = compile_rows(parse(tree, target), target)
    shown = set()
    for row in resolution.page(rows, 0, 1000):
        if row.kind == "position":
            shown.add(f"{row.person.first_name} @ {row.organisation.name}")
        elif row.kind == "personal":
            shown.add(f"{row.person.first_name} (personal)")
        else:
            shown.add(row.organisation.name)
    return shown


def directors(town):
    return rule("position.function", "in", [town.director.pk])


# "A search over people returns rows, each a person in one capacity:
# personal, or one of their positions."
def test_a_search_over_people_returns_each_person_in_one_capacity(town):
    assert found(group("all", directors(town))) == {
        "Alice @ Théâtre de Metz",
        "Bruno @ Théâtre de Lyon",
        "Emma @ Scène de Nancy",
    }
    rows = compile_rows(parse(group("all", directors(town))))
    page = resolution.page(rows, 0, 10)
    assert [row.capacity for row in page][0] == "Directeur·rice – Théâtre de Metz"
    assert resolution.count(rows) == 3


# "A search over organisations returns organisations, reached at their
# generic coordinates."
def test_a_search_over_organisations_returns_organisations_at_their_coordinates(town):
    tree = group(
        "all",
        rule("organisation.kind", "in", [town.venue.pk]),
        rule("organisation.region", "in", ["44"]),
    )
    assert found(tree, "organisations") == {"Théâtre de Metz", "Scène de Nancy"}
    rows = resolution.page(compile_rows(parse(tree, "organisations"), "organisations"), 0, 10)
    assert {row.email for row in rows} == {"contact@theatre-metz.fr", "bonjour@scene-nancy.fr"}
    assert rows[0].address_lines[0] in ("1 place de la Comédie", "3 rue Stanislas")


def test_an_organisation_search_refuses_person_and_position_fields(town):
    with pytest.raises(Exception) as error:
        parse(group("all", rule("person.language", "in", ["fr"])), "organisations")
    assert "organisations" in str(error.value) or "organisation" in str(error.value)


# "A group with no position rule anywhere inside it yields the personal rows
# of the people it matches."
def test_person_rules_alone_yield_personal_rows(town):
    assert found(group("all", rule("person.language", "in", ["en"]))) == {
        "Bruno (personal)",
        "Denis (personal)",
    }
    rows = resolution.page(
        compile_rows(parse(group("all", rule("person.language", "in", ["en"])))), 0, 9
    )
    assert {row.email for row in rows} == {"bruno@perso.fr", "denis@perso.fr"}


# "In an all group every position rule holds on the same position": a
# director in Metz who is a board member in Lyon does not match "directors
# in Lyon".
def test_position_rules_of_an_all_group_hold_on_the_same_position(town):
    tree = group("all", directors(town), rule("organisation.city", "equals", "Lyon"))
    assert found(tree) == {"Bruno @ Théâtre de Lyon"}


# "... and every person rule on its person."
def test_person_rules_of_an_all_group_hold_on_the_position_s_person(town):
    tree = group("all", directors(town), rule("person.language", "in", ["fr"]))
    assert found(tree) == {"Alice @ Théâtre de Metz", "Emma @ Scène de Nancy"}
    nested = group("all", directors(town), group("any", rule("person.language", "in", ["en"])))
    assert found(nested) == {"Bruno @ Théâtre de Lyon"}


# "An any group yields the union of its members' rows."
def test_an_any_group_yields_the_union_of_its_members_rows(town):
    tree = group(
        "any",
        group("all", rule("person.language", "in", ["en"])),
        rule("position.function", "in", [town.press.pk]),
    )
    assert found(tree) == {"Bruno (personal)", "Denis (personal)", "Chloé @ Scène de Nancy"}
    positions = group("any", rule("position.function", "in", [town.board.pk]), directors(town))
    assert found(positions) == {
        "Alice @ Théâtre de Metz",
        "Alice @ Festival de Lyon",
        "Bruno @ Théâtre de Lyon",
        "Emma @ Scène de Nancy",
    }


# "none removes from its group the rows that meet what its members would
# yield: a position for a position rule (the person may stay in another
# capacity)..."
def test_none_with_a_position_rule_removes_positions_and_the_person_may_stay(town):
    everyone = rule("position.function", "in", [town.director.pk, town.board.pk, town.press.pk])
    tree = group("all", everyone, group("none", directors(town)))
    assert found(tree) == {"Alice @ Festival de Lyon", "Chloé @ Scène de Nancy"}
    # A personal row meets its person's positions: French speakers who are not
    # directors now (Chloé's director position has ended).
    personal = group("all", rule("person.language", "in", ["fr"]), group("none", directors(town)))
    assert found(personal) == {"Chloé (personal)"}


# "... whole people for person rules."
def test_none_with_a_person_rule_removes_whole_people(town):
    tree = group(
        "any",
        directors(town),
        rule("position.function", "in", [town.board.pk]),
        group("none", rule("person.name", "contains", "arnaud")),
    )
    assert found(tree) == {"Bruno @ Théâtre de Lyon", "Emma @ Scène de Nancy"}
    personal = group(
        "any",
        group("all", rule("person.language", "in", ["en"])),
        group("none", rule("person.name", "contains", "dupont")),
    )
    assert found(personal) == {"Bruno (personal)"}


def test_a_none_group_at_the_top_removes_from_every_row_of_its_kind(town):
    assert found(group("none", rule("person.language", "in", ["fr"]))) == {
        "Bruno (personal)",
        "Denis (personal)",
    }


# "Ended positions (end date in the past) never match unless a rule on the
# position's dates or on "current" asks for them."
def test_ended_positions_never_match_unless_asked(town):
    nancy = rule("organisation.city", "equals", "Nancy")
    assert found(group("all", directors(town), nancy)) == {"Emma @ Scène de Nancy"}
    assert found(group("all", directors(town), nancy, rule("position.current", "is_false"))) == {
        "Chloé @ Scène de Nancy"
    }
    today = datetime.date.today().isoformat()
    assert found(
        group("all", directors(town), nancy, rule("position.end_date", "before", today))
    ) == {"Chloé @ Scène de Nancy"}
    assert found(group("any", directors(town), rule("position.current", "is_false"))) == {
        "Alice @ Théâtre de Metz",
        "Bruno @ Théâtre de Lyon",
        "Emma @ Scène de Nancy",
        "Chloé @ Scène de Nancy",
    }


# "Each row says who, in which capacity, why it matched, and the
# coordinates of that capacity."
def test_each_row_says_who_in_which_capacity_why_and_its_coordinates(town):
    tree = group("any", directors(town), rule("organisation.city", "equals", "Lyon"))
    rows = {row.key: row for row in resolution.page(compile_rows(parse(tree)), 0, 100)}
    board = rows[f"position-{town.positions.alice_board.pk}"]
    assert board.name == "Alice Arnaud"
    assert board.capacity == "Membre du CA – Festival de Lyon"
    assert board.email == "ca@festival-lyon.fr"
    assert len(board.reasons) == 1 and "Lyon" in board.reasons[0]
    bruno = rows[f"position-{town.positions.bruno_director.pk}"]
    assert len(bruno.reasons) == 2
    assert any("Directeur·rice" in reason for reason in bruno.reasons)
