"""Recipients in the right capacity, fallbacks, merging, consent, and the
reasons rows are left out; baskets combining searches and hand-made rows."""

import pytest

from directory.models import Consent
from selections import resolution
from selections.criteria import CriteriaError, compile_rows, parse
from selections.disclosure import Disclosure
from selections.models import Basket, BasketEntry, BasketStep, SavedSearch
from selections.recipients import (
    BY_COORDINATE,
    BY_PERSON,
    NO_MERGE,
    ORGANISATION,
    PERSONAL,
    Policy,
    resolve,
    summarise,
)
from tests.factories import staff

from .test_capacity import directors, found, group, rule

pytestmark = pytest.mark.django_db


def rows_for(tree, target="people"):
    return compile_rows(parse(tree, target), target)


def reached(rows, channel="email", policy=None):
    return {r.coordinate for r in resolve(rows, channel, policy or Policy()) if not r.left_out}


def directors_of_venues_in_grand_est(town):
    return group(
        "all",
        directors(town),
        rule("organisation.kind", "in", [town.venue.pk]),
        rule("organisation.region", "in", ["44"]),
    )


def test_the_director_case(town):
    """Directors of venues in Grand Est are e-mailed at their director
    address, never their personal one, and Alice is not reached as the
    board member of a festival in Lyon."""
    town.emma.email_consent = Consent.UNKNOWN
    town.emma.save()
    recipients = list(resolve(rows_for(directors_of_venues_in_grand_est(town)), "email"))
    assert {(r.name, r.coordinate, r.left_out) for r in recipients} == {
        ("Alice Arnaud", "a.arnaud@theatre-metz.fr", ""),
        ("Emma Escoffier", "direction@scene-nancy.fr", ""),
    }
    assert all(r.source == "position" for r in recipients)
    assert "alice@perso.fr" not in reached(rows_for(directors_of_venues_in_grand_est(town)))
    assert "ca@festival-lyon.fr" not in reached(rows_for(directors_of_venues_in_grand_est(town)))


def test_person_only_criteria_reach_the_personal_capacity(town):
    rows = rows_for(group("all", rule("person.language", "in", ["en"])))
    assert reached(rows) == {"bruno@perso.fr", "denis@perso.fr"}
    assert reached(rows, "post") == {"5 rue des Lilas\n75011 PARIS"}


def test_several_positions_of_one_person_with_each_merge_policy(town):
    # Alice matches as director in Metz and as board member in Lyon.
    tree = group("any", directors(town), rule("position.function", "in", [town.board.pk]))
    rows = rows_for(tree)
    by_person = [
        r for r in resolve(rows, "email", Policy(merge=BY_PERSON)) if r.person_id == town.alice.pk
    ]
    assert [r.left_out for r in by_person].count("") == 1
    assert [r.left_out for r in by_person].count("duplicate") == 1
    every = reached(rows, policy=Policy(merge=NO_MERGE))
    assert {"a.arnaud@theatre-metz.fr", "ca@festival-lyon.fr"} <= every
    # Emma and Chloé's old position share direction@scene-nancy.fr; per address, one message.
    asked = group("any", directors(town), rule("position.current", "is_false"))
    town.emma.email_consent = Consent.UNKNOWN
    town.emma.save()
    per_address = [
        r
        for r in resolve(rows_for(asked), "email", Policy(merge=BY_COORDINATE))
        if r.coordinate == "direction@scene-nancy.fr"
    ]
    assert sorted(r.left_out for r in per_address) == ["", "duplicate"]
    per_person = [
        r
        for r in resolve(rows_for(asked), "email", Policy(merge=BY_PERSON))
        if r.coordinate == "direction@scene-nancy.fr"
    ]
    assert [r.left_out for r in per_person] == ["", ""]


def test_missing_coordinate_skips_or_falls_back_as_the_policy_says(town):
    press = rows_for(group("all", rule("position.function", "in", [town.press.pk])))
    skipped = list(resolve(press, "email", Policy()))
    assert [(r.name, r.left_out) for r in skipped] == [("Chloé Colin", "no_coordinate")]
    generic = list(resolve(press, "email", Policy(fallback=ORGANISATION)))
    assert [(r.coordinate, r.source) for r in generic] == [
        ("bonjour@scene-nancy.fr", "organisation")
    ]
    personal = list(resolve(press, "email", Policy(fallback=PERSONAL)))
    assert [r.left_out for r in personal] == ["no_coordinate"]  # Chloé has no personal e-mail
    # Alice's director position has a mobile; her board position does not.
    board = rows_for(group("all", rule("position.function", "in", [town.board.pk])))
    assert reached(board, "sms") == set()
    assert reached(board, "sms", Policy(fallback=PERSONAL)) == {"+33611111111"}


def test_post_goes_to_the_position_address_or_its_organisation_s(town):
    rows = rows_for(group("all", directors(town), rule("organisation.city", "equals", "Metz")))
    assert reached(rows, "post") == {"1 place de la Comédie\n57000 METZ"}


def test_consent_and_do_not_contact_leave_people_out_with_their_reason(town):
    town.bruno.do_not_contact = True
    town.bruno.save()
    rows = rows_for(group("all", directors(town)))
    outcome = {r.name: r.left_out for r in resolve(rows, "email")}
    assert outcome == {
        "Alice Arnaud": "",
        "Bruno Blanc": "do_not_contact",
        "Emma Escoffier": "refused",
    }
    summary = summarise(rows, "email")
    assert summary.recipients == 1
    assert summary.describe("email") == "1 destinataire, 1 refus, 1 à ne pas contacter"


def test_reasons_of_left_out_rows_are_counted(town):
    tree = group(
        "any", directors(town), rule("position.function", "in", [town.press.pk, town.board.pk])
    )
    summary = summarise(rows_for(tree), "email")
    assert summary.recipients == 2  # Alice (once) and Bruno
    assert summary.left_out == {"refused": 1, "no_coordinate": 1, "duplicate": 1}


# Baskets ----------------------------------------------------------------------


@pytest.fixture
def owner(db):
    return staff(username="camille")


def saved(owner, name, tree, target="people"):
    return SavedSearch.objects.create(owner=owner, name=name, criteria=tree, target=target)


def basket_of(owner, *steps, name="Panier"):
    basket = Basket.objects.create(owner=owner, name=name)
    for index, (operation, source) in enumerate(steps):
        kwargs = (
            {"search": source} if isinstance(source, SavedSearch) else {"included_basket": source}
        )
        BasketStep.objects.create(basket=basket, sort_order=index, operation=operation, **kwargs)
    return basket


def shown(basket):
    rows = resolution.basket_rows(basket, Disclosure(None))
    out = set()
    for row in resolution.page(rows, 0, 100):
        out.add(
            f"{row.person.first_name} @ {row.organisation.name}"
            if row.kind == "position"
            else f"{row.person.first_name} (personal)"
        )
    return out


def test_union_intersection_and_exclusion_in_the_order_set(town, owner):
    all_directors = saved(owner, "Directeurs", group("all", directors(town)))
    lyon = saved(owner, "Lyon", group("all", rule("organisation.city", "equals", "Lyon")))
    english = saved(owner, "Anglophones", group("all", rule("person.language", "in", ["en"])))
    assert shown(basket_of(owner, ("union", all_directors), ("union", english))) == {
        "Alice @ Théâtre de Metz",
        "Bruno @ Théâtre de Lyon",
        "Emma @ Scène de Nancy",
        "Bruno (personal)",
        "Denis (personal)",
    }
    assert shown(basket_of(owner, ("union", all_directors), ("intersect", lyon))) == {
        "Bruno @ Théâtre de Lyon"
    }
    assert shown(basket_of(owner, ("union", all_directors), ("exclude", lyon))) == {
        "Alice @ Théâtre de Metz",
        "Emma @ Scène de Nancy",
    }
    # The order matters: exclude first, then add back.
    assert shown(
        basket_of(owner, ("union", lyon), ("exclude", all_directors), ("union", all_directors))
    ) == {
        "Alice @ Festival de Lyon",
        "Alice @ Théâtre de Metz",
        "Bruno @ Théâtre de Lyon",
        "Emma @ Scène de Nancy",
    }


def test_hand_made_additions_and_removals_and_the_removal_wins(town, owner):
    all_directors = saved(owner, "Directeurs", group("all", directors(town)))
    basket = basket_of(owner, ("union", all_directors))
    BasketEntry.objects.create(basket=basket, action="add", person=town.denis)
    BasketEntry.objects.create(
        basket=basket, action="remove", position=town.positions.emma_director
    )
    BasketEntry.objects.create(basket=basket, action="add", position=town.positions.emma_director)
    assert shown(basket) == {
        "Alice @ Théâtre de Metz",
        "Bruno @ Théâtre de Lyon",
        "Denis (personal)",
    }
    rows = resolution.basket_rows(basket, Disclosure(None))
    why = {row.key: row.reasons for row in resolution.page(rows, 0, 10)}
    assert why[f"personal-{town.denis.pk}"] == ["ajouté à la main"]
    assert why[f"position-{town.positions.alice_director.pk}"] == ["recherche « Directeurs »"]


def test_a_basket_that_includes_itself_through_another_is_refused(town, owner):
    first = basket_of(owner, name="Premier")
    second = basket_of(owner, ("union", first), name="Second")
    BasketStep.objects.create(basket=first, operation="union", included_basket=second)
    with pytest.raises(CriteriaError) as error:
        resolution.basket_rows(first, Disclosure(None))
    assert "Premier" in str(error.value)


def test_a_step_that_would_make_a_basket_include_itself_is_not_saved(town, owner):
    from django.core.exceptions import ValidationError

    first = basket_of(owner, name="Premier")
    second = basket_of(owner, ("union", first), name="Second")
    step = BasketStep(basket=first, operation="union", included_basket=second)
    with pytest.raises(ValidationError) as error:
        step.full_clean()
    assert "s’inclurait lui-même" in str(error.value)
    assert not first.steps.exists()
    BasketStep(
        basket=second, operation="union", included_basket=basket_of(owner, name="Autre")
    ).full_clean()


def test_a_search_pointing_at_a_deleted_interest_centre_says_so(town, owner):
    from tests.factories import InterestCentreFactory

    centre = InterestCentreFactory(name="Cirque")
    search = saved(
        owner, "Cirque", group("all", rule("organisation.interest_centres", "in", [centre.pk]))
    )
    basket = basket_of(owner, ("union", search))
    centre.delete()
    with pytest.raises(CriteriaError) as error:
        resolution.basket_rows(basket, Disclosure(None))
    assert "n’existe plus" in str(error.value) or "no longer exists" in str(error.value)


def test_organisation_rows_in_a_basket_reach_generic_coordinates(town, owner):
    venues = saved(
        owner,
        "Lieux du Grand Est",
        group("all", rule("organisation.region", "in", ["44"])),
        "organisations",
    )
    rows = resolution.basket_rows(basket_of(owner, ("union", venues)), Disclosure(owner))
    assert reached(rows) == {"contact@theatre-metz.fr", "bonjour@scene-nancy.fr"}
    assert found(group("all", rule("organisation.region", "in", ["44"])), "organisations") == {
        "Théâtre de Metz",
        "Scène de Nancy",
    }


# SMS, the contact rule, the cursor setting -------------------------------------------


def test_sms_goes_to_mobile_numbers_only_and_says_why_a_landline_is_left_out(town):
    from directory.models import Person, Position
    from selections.recipients import NOT_MOBILE, SMS

    # A landline typed in mobile fields before the forms refused it.
    Position.objects.filter(pk=town.positions.bruno_director.pk).update(mobile="+33326473040")
    Person.objects.filter(pk=town.denis.pk).update(mobile="+33326473041")
    directors_rows = rows_for(group("all", directors(town)))
    outcome = {r.name: (r.coordinate, r.left_out) for r in resolve(directors_rows, SMS)}
    assert outcome["Alice Arnaud"] == ("+33622222222", "")
    assert outcome["Bruno Blanc"] == ("+33326473040", NOT_MOBILE)
    (bruno,) = [r for r in resolve(directors_rows, SMS) if r.name == "Bruno Blanc"]
    assert bruno.reason == "pas un numéro de mobile"
    personal = rows_for(group("all", rule("person.name", "contains", "dupont")))
    assert [(r.left_out) for r in resolve(personal, SMS)] == [NOT_MOBILE]
    summary = summarise(directors_rows, SMS)
    assert "1 sans numéro de mobile" in summary.describe(SMS)
    # A fallback to a mobile is taken when the capacity's number is a landline.
    Person.objects.filter(pk=town.bruno.pk).update(mobile="+33612121212")
    fallback = {
        r.name: (r.coordinate, r.source, r.left_out)
        for r in resolve(directors_rows, SMS, Policy(fallback=PERSONAL))
    }
    assert fallback["Bruno Blanc"] == ("+33612121212", "personal", "")


def test_the_contact_rule_is_the_person_s_own(town, monkeypatch):
    """`recipients` asks `Person.may_be_contacted_by`, and nothing else."""
    from directory.models import Person

    asked = []

    def nobody(self, channel):
        asked.append(channel)
        return False

    monkeypatch.setattr(Person, "may_be_contacted_by", nobody)
    rows = rows_for(group("all", directors(town)))
    assert {r.left_out for r in resolve(rows, "email")} == {"refused"}
    assert set(asked) == {"email"}


@pytest.mark.django_db(transaction=True)
def test_the_cursor_setting_holds_for_its_transaction_only(town):
    from django.db import connection

    rows = rows_for(group("all", directors(town)))
    recipients = resolve(rows, "email")
    next(recipients)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW cursor_tuple_fraction")
            assert cursor.fetchone()[0] == "1"
    list(recipients)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW cursor_tuple_fraction")
            assert cursor.fetchone()[0] == "0.1"
