"""The likely pairs among existing records ("Doublons probables"): each rule
finds its pair, a pair matching more rules comes first, records in the
trash and pairs marked "pas un doublon" are left out. Run on SQLite and on
PostgreSQL (the query is raw SQL)."""

import pytest

from directory import actions
from directory.duplicates import (
    SAME_EMAIL,
    SAME_NAME_AND_CITY,
    SAME_NAME_AND_ORGANISATION,
    SAME_NAME_AND_POSTCODE,
    SAME_PHONE,
    SAME_SIREN,
    count_pairs,
    likely_pairs,
    pair_reasons,
)
from directory.models import NotDuplicate
from tests.factories import OrganisationFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db


def pairs_of(kind):
    pairs, total = likely_pairs(kind, limit=100)
    assert total == len(pairs)
    return {(pair.first_id, pair.second_id): set(pair.reasons) for pair in pairs}


def key(a, b):
    return tuple(sorted((a.pk, b.pk)))


# People ---------------------------------------------------------------------------------------


def test_no_pair_among_different_people():
    PersonFactory(last_name="Martin", email="a@exemple.fr", city="Metz")
    PersonFactory(last_name="Durand", email="b@exemple.fr", city="Metz")
    assert pairs_of("person") == {}


def test_same_personal_email_whatever_the_case():
    a = PersonFactory(last_name="Martin", email="Elodie.Martin@opera.fr")
    b = PersonFactory(last_name="Dupont", email="elodie.martin@opera.fr")
    assert pairs_of("person") == {key(a, b): {SAME_EMAIL}}


def test_a_personal_email_and_a_professional_one():
    a = PersonFactory(last_name="Martin", email="direction@lune.fr")
    position = PositionFactory(email="Direction@lune.fr", person__last_name="Dupont")
    assert pairs_of("person") == {key(a, position.person): {SAME_EMAIL}}


def test_two_professional_emails():
    one = PositionFactory(email="accueil@lune.fr", person__last_name="Martin")
    two = PositionFactory(email="accueil@lune.fr", person__last_name="Dupont")
    assert pairs_of("person") == {key(one.person, two.person): {SAME_EMAIL}}


def test_same_phone_among_phones_and_mobiles_of_people_and_positions():
    a = PersonFactory(last_name="Martin", mobile="+33612345678")
    position = PositionFactory(mobile="+33612345678", person__last_name="Dupont")
    c = PersonFactory(last_name="Durand", phone="+33387000000")
    d = PositionFactory(phone="+33387000000", person__last_name="Petit").person
    assert pairs_of("person") == {
        key(a, position.person): {SAME_PHONE},
        key(c, d): {SAME_PHONE},
    }


def test_same_accentless_name_in_the_same_organisation():
    organisation = OrganisationFactory()
    one = PositionFactory(
        organisation=organisation, person__first_name="Élodie", person__last_name="Lefèvre"
    )
    two = PositionFactory(
        organisation=organisation, person__first_name="ELODIE", person__last_name="LEFEVRE"
    )
    # The same name in another organisation, without a city: not a pair.
    PositionFactory(person__first_name="Elodie", person__last_name="Lefevre")
    assert pairs_of("person") == {key(one.person, two.person): {SAME_NAME_AND_ORGANISATION}}


def test_same_accentless_name_and_city():
    a = PersonFactory(first_name="Élodie", last_name="Lefèvre", city="Metz")
    b = PersonFactory(first_name="Elodie", last_name="LEFEVRE", city="METZ")
    PersonFactory(first_name="Elodie", last_name="Lefevre", city="Nancy")
    PersonFactory(first_name="Elodie", last_name="Lefevre", city="")
    assert pairs_of("person") == {key(a, b): {SAME_NAME_AND_CITY}}


def test_more_rules_matched_come_first():
    weak_a = PersonFactory(last_name="Martin", email="x@lune.fr")
    weak_b = PersonFactory(last_name="Dupont", email="x@lune.fr")
    strong_a = PersonFactory(
        first_name="Jean", last_name="Petit", city="Metz", email="j@petit.fr", phone="+33387000001"
    )
    strong_b = PersonFactory(
        first_name="Jean", last_name="Petit", city="Metz", email="J@petit.fr", phone="+33387000001"
    )
    pairs, total = likely_pairs("person")
    assert total == 2
    assert [(pair.first_id, pair.second_id) for pair in pairs] == [
        key(strong_a, strong_b),
        key(weak_a, weak_b),
    ]
    assert pairs[0].score == 3
    assert pairs[0].reason_labels == ["même e-mail", "même téléphone", "même nom et même ville"]
    assert pairs[1].score == 1


def test_pages_of_pairs():
    people = [PersonFactory(last_name=f"P{n}", email=f"n{n // 2}@lune.fr") for n in range(6)]
    first, total = likely_pairs("person", limit=2)
    second, _total = likely_pairs("person", offset=2, limit=2)
    beyond, total_beyond = likely_pairs("person", offset=10, limit=2)
    assert total == 3 and total_beyond == 3
    assert len(first) == 2 and len(second) == 1 and beyond == []
    assert {p.key for p in first + second} == {
        f"{people[n].pk}-{people[n + 1].pk}" for n in (0, 2, 4)
    }


def test_records_in_the_trash_make_no_pair(staff_user):
    a = PersonFactory(last_name="Martin", email="x@lune.fr")
    b = PositionFactory(email="x@lune.fr", person__last_name="Dupont").person
    actions.trash_person(staff_user, b)
    assert pairs_of("person") == {}
    assert a.pk


def test_a_pair_marked_not_a_duplicate_does_not_come_back(staff_user):
    a = PersonFactory(last_name="Martin", email="x@lune.fr")
    b = PersonFactory(last_name="Dupont", email="x@lune.fr")
    c = PersonFactory(last_name="Durand", email="x@lune.fr")
    assert len(pairs_of("person")) == 3
    actions.mark_not_duplicate(staff_user, b, a)  # either order
    assert set(pairs_of("person")) == {key(a, c), key(b, c)}
    assert count_pairs("person") == 2
    actions.mark_not_duplicate(staff_user, a, b)  # twice: nothing more
    assert NotDuplicate.objects.count() == 1


def test_pair_reasons_of_two_records_read_as_the_listing():
    organisation = OrganisationFactory()
    a = PositionFactory(
        organisation=organisation, person__last_name="Lefèvre", person__email="a@lune.fr"
    ).person
    b = PositionFactory(
        organisation=organisation, person__last_name="LEFEVRE", email="A@lune.fr"
    ).person
    assert pair_reasons(a, b) == [SAME_EMAIL, SAME_NAME_AND_ORGANISATION]
    assert set(pairs_of("person")[key(a, b)]) == {SAME_EMAIL, SAME_NAME_AND_ORGANISATION}


# Organisations --------------------------------------------------------------------------------


def test_same_siren_and_name():
    # Two establishments of one company under the same name: it moved.
    a = OrganisationFactory(name="Compagnie du Lune", siret="73282932000074", postcode="57000")
    b = OrganisationFactory(name="Compagnie du LUNE", siret="73282932000090", postcode="54000")
    # Another establishment of that company, under another name: not a pair.
    OrganisationFactory(name="Salle Lune", siret="73282932000082")
    assert pairs_of("organisation") == {key(a, b): {SAME_SIREN}}


def test_same_accentless_name_and_postcode():
    a = OrganisationFactory(name="Théâtre de l'Œuvre", postcode="57000")
    b = OrganisationFactory(name="THEATRE DE L'OEUVRE", postcode="57000")
    OrganisationFactory(name="Théâtre de l'Œuvre", postcode="54000")
    assert pairs_of("organisation") == {key(a, b): {SAME_NAME_AND_POSTCODE}}


def test_same_generic_email_and_phone_of_organisations():
    a = OrganisationFactory(email="Contact@lune.fr", phone="+33387000000")
    b = OrganisationFactory(email="contact@lune.fr", phone="+33387000000")
    pairs = pairs_of("organisation")
    assert pairs == {key(a, b): {SAME_EMAIL, SAME_PHONE}}
    assert pair_reasons(a, b) == [SAME_EMAIL, SAME_PHONE]


def test_an_organisation_pair_marked_not_a_duplicate(staff_user):
    a = OrganisationFactory(name="Lune", postcode="57000")
    b = OrganisationFactory(name="Lune", postcode="57000")
    actions.mark_not_duplicate(staff_user, a, b)
    assert pairs_of("organisation") == {}
    # The same ids as people are another pair.
    assert not NotDuplicate.objects.filter(kind="person").exists()
