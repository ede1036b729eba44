"""Activity criteria (`selections.activity_fields`) under the capacity
algebra of DESIGN.md, on the hand-made directory of conftest.py with these
activities:

* Alice ordered herself this year (a personal activity), and her Théâtre de
  Metz ordered too (600 € and 500 € this year, 40 $ as well); the festival
  where she sits on the board did nothing.
* Théâtre de Lyon (Bruno's) last ordered two years ago: a lapsed customer.
* Scène de Nancy (Emma director, Chloé press officer and former director)
  rented five months ago for 300 €.
* Denis registered six years ago.
* A theatre in the trash ordered this year, and Gaspard works there; Hugo,
  in the trash, ordered this year too.
"""

import datetime

import pytest

from directory import actions
from directory.models import ActivityKind
from selections.criteria import CriteriaError, compile_rows, describe_rule, parse
from selections.fields import builder_schema
from tests.activity_factories import activity, kind, months_ago
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    PositionFactory,
    administrator,
    staff,
)

from .test_capacity import directors, found, group, rule
from .test_recipients import basket_of, reached, saved, shown

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def shop(town):
    activity(town.alice, "order", TODAY, "80")
    activity(town.metz, "order", TODAY, "600")
    activity(town.metz, "order", TODAY, "500")
    activity(town.metz, "order", TODAY, "40", currency="USD")
    activity(town.lyon_theatre, "order", months_ago(24), "2000")
    activity(town.nancy, "rental", months_ago(5), "300")
    activity(town.denis, "registration", months_ago(72))
    closed = OrganisationFactory(name="Théâtre fermé")
    activity(closed, "order", TODAY, "5000")
    gaspard = PersonFactory(first_name="Gaspard", last_name="Gardien")
    PositionFactory(person=gaspard, organisation=closed, function=town.director)
    hugo = PersonFactory(first_name="Hugo", last_name="Hors")
    activity(hugo, "order", TODAY, "5000")
    admin = administrator(username="ariane")
    actions.trash_records(admin, [closed, hugo])
    return town


@pytest.fixture
def owner(db):
    return staff(username="camille")


def ordered(scope, months=12, code="order"):
    value = {"kind": kind(code).pk if code else None, "months": months}
    return rule(f"{scope}.activity", "had_activity", value)


def total(scope, operator, amount, period="this_year", code="order", currency="EUR"):
    value = {
        "kind": kind(code).pk if code else "",
        "period": period,
        "amount": amount,
        "currency": currency,
    }
    return rule(f"{scope}.activity", operator, value)


def lapsed(scope, years, code="order"):
    return rule(f"{scope}.activity", "none_for_years", {"kind": kind(code).pk, "years": years})


# Person rules and position rules --------------------------------------------------


def test_a_person_s_own_activity_is_a_person_rule_and_yields_their_personal_row(shop):
    assert found(group("all", ordered("person"))) == {"Alice (personal)"}


def test_an_organisation_s_activity_is_a_position_rule_on_its_current_positions(shop):
    assert found(group("all", ordered("organisation"))) == {"Alice @ Théâtre de Metz"}
    # Nancy's rental: Emma and Chloé as press officer; not Chloé's ended directorship.
    assert found(group("all", ordered("organisation", code="rental"))) == {
        "Emma @ Scène de Nancy",
        "Chloé @ Scène de Nancy",
    }


def test_in_an_all_group_the_position_stands_for_the_person_who_ordered(shop):
    tree = group("all", ordered("person"), ordered("organisation"))
    assert found(tree) == {"Alice @ Théâtre de Metz"}
    # Directors whose own organisation ordered: the same position, not Alice on the board.
    assert found(group("all", directors(shop), ordered("organisation"))) == {
        "Alice @ Théâtre de Metz"
    }


def test_in_an_any_group_each_rule_keeps_its_own_rows(shop):
    tree = group("any", ordered("person"), ordered("organisation"))
    assert found(tree) == {"Alice (personal)", "Alice @ Théâtre de Metz"}


def test_a_none_group_of_an_organisation_rule_removes_those_positions_only(shop):
    tree = group("all", directors(shop), group("none", ordered("organisation")))
    assert found(tree) == {"Bruno @ Théâtre de Lyon", "Emma @ Scène de Nancy"}


def test_a_none_group_of_a_person_rule_removes_every_row_of_that_person(shop):
    tree = group("all", directors(shop), group("none", ordered("person")))
    assert found(tree) == {"Bruno @ Théâtre de Lyon", "Emma @ Scène de Nancy"}


def test_a_group_of_none_only_starts_from_everyone(shop):
    tree = group("none", rule("person.activity", "had_activity", {"kind": None, "months": 12}))
    assert found(tree) == {
        "Bruno (personal)",
        "Chloé (personal)",
        "Denis (personal)",
        "Emma (personal)",
        "Gaspard (personal)",  # his theatre is in the trash, he is not
    }


def test_records_in_the_trash_are_never_found_by_their_activities(shop):
    everything = group(
        "any",
        rule("person.activity", "had_activity", {"kind": None, "months": 600}),
        rule("organisation.activity", "had_activity", {"kind": None, "months": 600}),
    )
    rows = found(everything)
    assert not any("Gaspard" in row or "Hugo" in row for row in rows)
    organisations = found(
        group(
            "all",
            rule("organisation.activity", "had_activity", {"kind": None, "months": 600}),
        ),
        "organisations",
    )
    assert organisations == {"Théâtre de Metz", "Théâtre de Lyon", "Scène de Nancy"}


# Periods, totals and lapsed customers ------------------------------------------------


def test_within_the_last_n_months(shop):
    assert found(group("all", ordered("organisation", months=23))) == {"Alice @ Théâtre de Metz"}
    assert found(group("all", ordered("organisation", months=25))) == {
        "Alice @ Théâtre de Metz",
        "Bruno @ Théâtre de Lyon",
    }


def test_a_total_above_adds_the_amounts_of_one_currency_over_the_period(shop):
    def organisations(rule_):
        return found(group("all", rule_), "organisations")

    # 600 + 500 €: above 1 000, not above 1 100 (strictly); the 40 $ are not euros.
    assert organisations(total("organisation", "total_above", "1 000")) == {"Théâtre de Metz"}
    assert organisations(total("organisation", "total_above", "1100")) == set()
    assert organisations(total("organisation", "total_above", 39, currency="USD")) == {
        "Théâtre de Metz"
    }
    # Lyon's 2 000 € were two years ago: not this year, not last year, not the last 12 months.
    for period in ("this_year", "last_year", "last_12_months"):
        assert "Théâtre de Lyon" not in organisations(
            total("organisation", "total_above", "1", period=period)
        )
    assert organisations(
        total("organisation", "total_above", "100", period="last_12_months", code="rental")
    ) == {"Scène de Nancy"}
    assert organisations(total("organisation", "total_above", "0", code=None)) == {
        "Théâtre de Metz"
    } | ({"Scène de Nancy"} if months_ago(5).year == TODAY.year else set())


def test_a_total_below_counts_only_those_with_such_activities(shop):
    # Alice ordered 80 € herself: below 100. Nobody who never ordered is found.
    assert found(group("all", total("person", "total_below", "100"))) == {"Alice (personal)"}
    assert found(group("all", total("person", "total_below", "80"))) == set()
    assert found(group("all", total("organisation", "total_below", "1 200"))) == {
        "Alice @ Théâtre de Metz"
    }


def test_last_year_is_the_previous_calendar_year(shop):
    last_year = datetime.date(TODAY.year - 1, 6, 15)
    activity(shop.lyon_festival, "order", last_year, "250")
    assert found(
        group("all", total("organisation", "total_above", "200", period="last_year")),
        "organisations",
    ) == {"Festival de Lyon"}


def test_no_activity_for_n_years_finds_lapsed_customers_only(shop):
    # Lyon's last order was two years ago; Metz ordered this year; the festival never did.
    assert found(group("all", lapsed("organisation", 1))) == {"Bruno @ Théâtre de Lyon"}
    assert found(group("all", lapsed("organisation", 3))) == set()
    denis = rule("person.activity", "none_for_years", {"kind": None, "years": 5})
    assert found(group("all", denis)) == {"Denis (personal)"}


# Saved searches, baskets and campaigns ----------------------------------------------


def test_saved_searches_and_baskets_combine_activity_searches_by_the_meeting_rule(shop, owner):
    customers = saved(owner, "Clients de l'année", group("all", ordered("organisation")))
    buyers = saved(owner, "Acheteurs", group("all", ordered("person")))
    every_director = saved(owner, "Directeurs", group("all", directors(shop)))
    assert shown(basket_of(owner, ("union", every_director), ("intersect", customers))) == {
        "Alice @ Théâtre de Metz"
    }
    # A personal row meets the person's positions: the director's position stays.
    assert shown(basket_of(owner, ("union", every_director), ("intersect", buyers))) == {
        "Alice @ Théâtre de Metz"
    }
    assert shown(basket_of(owner, ("union", every_director), ("exclude", customers))) == {
        "Bruno @ Théâtre de Lyon",
        "Emma @ Scène de Nancy",
    }


def test_a_campaign_reaches_the_customers_in_their_capacity(shop, owner):
    """The director of the venue that ordered, at the theatre's address, not her own."""
    rows = compile_rows(parse(group("all", directors(shop), ordered("organisation"))))
    assert reached(rows) == {"a.arnaud@theatre-metz.fr"}
    buyers = compile_rows(parse(group("all", ordered("person"))))
    assert reached(buyers) == {"alice@perso.fr"}


def test_a_campaign_sent_from_an_activity_basket_goes_to_the_customers(shop, owner):
    from django.core import mail
    from django.test import TestCase

    from crmsite.celery import app
    from outreach import actions as outreach
    from outreach.models import EmailTemplate

    customers = saved(
        owner, "Directeurs clients", group("all", directors(shop), ordered("organisation"))
    )
    template = EmailTemplate.objects.create(
        name="Merci", subject="Merci {{ prenom }}", html="<p>Merci pour votre commande.</p>"
    )
    campaign = outreach.create_campaign(
        owner,
        basket=basket_of(owner, ("union", customers)),
        name="Remerciements",
        channel="email",
        email_template=template,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            outreach.send_campaign(owner, campaign)
    finally:
        app.conf.task_always_eager = eager
    deliveries = list(campaign.deliveries.values_list("name", "coordinate"))
    assert deliveries == [("Alice Arnaud", "a.arnaud@theatre-metz.fr")]
    assert [message.to for message in mail.outbox] == [["a.arnaud@theatre-metz.fr"]]


def test_an_activity_search_follows_the_activities_on_the_day_it_is_used(shop, owner):
    customers = saved(owner, "Clients", group("all", ordered("organisation")))
    basket = basket_of(owner, ("union", customers))
    assert shown(basket) == {"Alice @ Théâtre de Metz"}
    activity(shop.lyon_theatre, "order", TODAY, "10")
    assert shown(basket) == {"Alice @ Théâtre de Metz", "Bruno @ Théâtre de Lyon"}


# Validation and words ---------------------------------------------------------------


def errors(tree, target="people") -> str:
    """The refusal, apostrophes read alike (older catalogue entries have straight ones)."""
    with pytest.raises(CriteriaError) as error:
        parse(tree, target)
    return " ".join(error.value.messages).replace("'", "’")


@pytest.mark.parametrize(
    "value, message",
    [
        ({"kind": None, "months": 0}, "entre 1 et 600"),
        ({"kind": None, "months": 601}, "entre 1 et 600"),
        ({"kind": None, "months": "douze"}, "entre 1 et 600"),
        ({"kind": None, "months": True}, "entre 1 et 600"),
        ({"kind": None, "months": None}, "entre 1 et 600"),
        ({"kind": None, "months": 1.5}, "entre 1 et 600"),
        ({"kind": 999_999, "months": 12}, "n’existe plus"),
        ({"kind": "commande", "months": 12}, "n’est pas un choix valide"),
        ({"kind": 2**40, "months": 12}, "n’est pas un choix valide"),
        ({"kind": [1], "months": 12}, "n’est pas un choix valide"),
        ("12", "incomplète"),
        ([12], "incomplète"),
        (None, "incomplète"),
    ],
)
def test_bad_values_of_a_recent_activity_rule_are_refused(shop, value, message):
    text = errors(group("all", rule("person.activity", "had_activity", value)))
    assert "Activité de la personne" in text and message in text


@pytest.mark.parametrize(
    "amount",
    ["-5", "1e3", "12.345", "10" * 8, "NaN", "Infinity", "", "mille", None, True, [100], "1\x00"],
)
def test_bad_amounts_are_refused(shop, amount):
    text = errors(group("all", total("organisation", "total_above", amount)))
    assert "montant" in text


@pytest.mark.parametrize(
    "amount, stored",
    [("1 234,50", "1234.50"), ("1\u202f234,5 €", "1234.50"), (1000, "1000.00"), (99.9, "99.90")],
)
def test_amounts_are_read_the_french_way(shop, amount, stored):
    tree = parse(group("all", total("organisation", "total_above", amount)))
    assert tree["rules"][0]["value"]["amount"] == stored


def test_other_bad_parts_are_refused(shop):
    assert "période" in errors(
        group("all", total("organisation", "total_above", "10", period="forever"))
    )
    assert "trois lettres" in errors(
        group("all", total("organisation", "total_above", "10", currency="EURO"))
    )
    assert "«\u00a0in\u00a0»" in errors(group("all", rule("person.activity", "in", [1])))
    assert "années" in errors(
        group("all", rule("person.activity", "none_for_years", {"kind": None, "years": 101}))
    )
    assert "recherche d’organisations" in errors(group("all", ordered("person")), "organisations")


def test_a_deleted_kind_is_named_in_the_refusal(shop):
    unused = ActivityKind.objects.create(code="don", name="Don")
    tree = group("all", ordered("person", code="don"))
    parse(tree)
    unused.delete()
    assert "type d’activité n’existe plus" in errors(tree)


def test_rules_read_as_french_sentences(shop):
    def said(rule_):
        return describe_rule(parse(group("all", rule_))["rules"][0])

    assert said(ordered("organisation")) == (
        "Activité de l’organisation\u00a0: au moins une (Commande) dans les 12 derniers mois"
    )
    assert said(ordered("person", months=1, code=None)) == (
        "Activité de la personne\u00a0: au moins une (tout type) dans le dernier mois"
    )
    assert said(total("organisation", "total_above", "1000")) == (
        "Activité de l’organisation\u00a0: total (Commande, cette année) "
        "supérieur à 1\u00a0000,00\u00a0€"
    )
    assert said(total("person", "total_below", "50", period="last_12_months")) == (
        "Activité de la personne\u00a0: total (Commande, les 12 derniers mois) "
        "inférieur à 50,00\u00a0€, avec au moins une"
    )
    assert said(lapsed("organisation", 3)) == (
        "Activité de l’organisation\u00a0: aucune (Commande) depuis 3 ans, mais au moins une avant"
    )


def test_the_builder_gets_the_activity_rules_from_the_registry(shop):
    people = {field["key"]: field for field in builder_schema("people")}
    organisations = {field["key"]: field for field in builder_schema("organisations")}
    assert "person.activity" in people and "organisation.activity" in people
    assert "person.activity" not in organisations and "organisation.activity" in organisations
    field = people["organisation.activity"]
    assert field["widget"] == "activity" and field["group"] == "Activité"
    assert [op["key"] for op in field["operators"]] == [
        "had_activity",
        "total_above",
        "total_below",
        "none_for_years",
    ]
    kinds = field["parts"]["had_activity"][0]
    assert kinds["choices"][0] == ["", "Tout type"]
    assert [label for _value, label in kinds["choices"][1:]] == [
        "Abonnement",
        "Commande",
        "Inscription",
        "Location",
    ]
    currencies = field["parts"]["total_above"][3]["choices"]
    assert ["EUR", "EUR"] in currencies and ["USD", "USD"] in currencies
