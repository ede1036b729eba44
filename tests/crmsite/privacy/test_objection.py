"""Objection: an erased person, a « ne pas contacter » person or a refused
channel is honoured by every channel (recipients of e-mail, SMS and post), by
the API and by imports."""

import datetime
import json

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from crmsite import actions
from crmsite.models import ApiScope
from directory import actions as directory_actions
from directory.imports.jobs import run_job
from directory.models import Consent, Person
from selections.capacity import Selection
from selections.recipients import ORGANISATION, PERSONAL, Policy, resolve
from tests import factories

pytestmark = pytest.mark.django_db


def _rows(*people):
    ids = [person.pk for person in people]
    return Selection(positions=Q(person_id__in=ids), people=Q(pk__in=ids))


def _reached(rows, channel, fallback):
    return {
        r.person_id for r in resolve(rows, channel, Policy(fallback=fallback)) if not r.left_out
    }


@pytest.mark.parametrize("channel", ["email", "sms", "post"])
@pytest.mark.parametrize("fallback", ["skip", PERSONAL, ORGANISATION])
def test_an_erased_person_is_never_a_recipient(world, channel, fallback):
    elise, octave = world.elise.person, world.octave.person
    for person in (elise, octave):
        Person.objects.filter(pk=person.pk).update(
            **{f"{channel}_consent": Consent.CONSENTED}, do_not_contact=False
        )
    world.organisation.email = "contact@lac.fr"
    world.organisation.address_line1 = "1 quai du Lac"
    world.organisation.save()
    rows = _rows(elise, octave)
    assert elise.pk in _reached(rows, channel, ORGANISATION)

    actions.erase_person(world.admin, elise, "Élise Vasseur")

    reached = _reached(rows, channel, fallback)
    assert elise.pk not in reached
    if channel != "sms" or fallback != ORGANISATION:
        assert octave.pk in reached or fallback == "skip"


@pytest.mark.parametrize("channel", ["email", "sms", "post"])
def test_do_not_contact_and_refusals_leave_people_out_whatever_the_capacity(world, channel):
    elise, octave = world.elise.person, world.octave.person
    Person.objects.filter(pk=elise.pk).update(do_not_contact=True)
    Person.objects.filter(pk=octave.pk).update(**{f"{channel}_consent": Consent.REFUSED})
    reasons = {
        r.person_id: r.left_out
        for r in resolve(_rows(elise, octave), channel, Policy(fallback=ORGANISATION))
    }
    assert reasons[elise.pk] == "do_not_contact"
    assert reasons[octave.pk] == "refused"


def test_a_record_created_again_with_an_erased_email_is_not_contactable(world):
    actions.erase_person(world.admin, world.elise.person, "Élise Vasseur")
    again = directory_actions.create_person(
        world.staff,
        first_name="Élise",
        last_name="Vasseur",
        email=world.elise.email.upper(),
        email_consent=Consent.CONSENTED,
    )
    again.refresh_from_db()
    assert again.do_not_contact
    assert again.email_consent == Consent.REFUSED
    # A position given an erased professional phone marks its person too.
    someone = factories.PersonFactory(first_name="Léa", last_name="Nouvelle")
    directory_actions.add_position(
        world.staff, someone, world.organisation, mobile=world.elise.phone
    )
    someone.refresh_from_db()
    assert someone.do_not_contact


def test_the_api_cannot_turn_a_refusal_into_consent_nor_reach_an_erased_email(world):
    client, token = actions.create_api_client(
        world.admin,
        name="Billetterie",
        scopes=[ApiScope.READ_DIRECTORY, ApiScope.WRITE_DIRECTORY],
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    http = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    octave = world.octave.person
    Person.objects.filter(pk=octave.pk).update(email_consent=Consent.REFUSED, do_not_contact=True)
    response = http.post(
        "/api/v1/people",
        data=json.dumps(
            {
                "last_name": "Brunel",
                "first_name": "Octave",
                "email": world.octave.email,
                "email_consent": "consented",
                "do_not_contact": False,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code in (200, 201, 422), response.content
    octave.refresh_from_db()
    assert octave.email_consent == Consent.REFUSED and octave.do_not_contact

    actions.erase_person(world.admin, world.elise.person, "Élise Vasseur")
    response = http.post(
        "/api/v1/people",
        data=json.dumps(
            {"last_name": "Vasseur", "first_name": "Élise", "email": world.elise.email}
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = Person.objects.get(pk=response.json()["person"]["id"])
    assert created.do_not_contact and created.email_consent == Consent.REFUSED


def _import(user, csv: str):
    job = directory_actions.start_import(user, "contacts.csv", csv.encode())
    job = directory_actions.map_import(user, job, job.mapping)
    directory_actions.run_import(user, job, "update", skip_invalid=False)
    run_job(job.pk)


def test_an_import_keeps_do_not_contact_when_the_file_says_nothing(world):
    octave = world.octave.person
    Person.objects.filter(pk=octave.pk).update(do_not_contact=True, email_consent=Consent.REFUSED)
    _import(world.admin, f"Prénom;Nom;E-mail;Ville\r\nOctave;Brunel;{world.octave.email};Nancy\r\n")
    octave.refresh_from_db()
    assert octave.city == "Nancy"  # the import did run
    assert octave.do_not_contact and octave.email_consent == Consent.REFUSED


def test_an_import_can_never_turn_a_refusal_into_consent(world):
    octave = world.octave.person
    Person.objects.filter(pk=octave.pk).update(do_not_contact=True, email_consent=Consent.REFUSED)
    _import(
        world.admin,
        "Prénom;Nom;E-mail;Consentement email;Ne pas contacter\r\n"
        f"Octave;Brunel;{world.octave.email};oui;non\r\n",
    )
    octave.refresh_from_db()
    assert octave.email_consent == Consent.REFUSED
    assert octave.do_not_contact


def test_an_import_never_recreates_a_contactable_erased_person(world):
    actions.erase_person(world.admin, world.elise.person, "Élise Vasseur")
    _import(world.admin, f"Prénom;Nom;E-mail\r\nÉlise;Vasseur;{world.elise.email}\r\n")
    again = Person.objects.get(email=world.elise.email)
    assert again.do_not_contact
