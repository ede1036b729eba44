"""The record shows, for each consent, when and how it was given or refused."""

import json

import pytest
from django.urls import reverse
from wagtail.log_actions import LogContext

from crmsite import actions
from directory import actions as directory_actions
from directory.models import Consent, ConsentChange, Person
from outreach.models import Suppression
from tests import factories

pytestmark = pytest.mark.django_db


def _history(person):
    return list(
        ConsentChange.objects.filter(person=person)
        .order_by("pk")
        .values_list("channel", "value", "source_kind", "detail")
    )


def test_a_change_typed_in_the_workspace_is_recorded_with_its_source_and_author(admin_user):
    person = factories.PersonFactory()
    assert _history(person) == []
    with LogContext(user=admin_user):
        directory_actions.update_person(
            admin_user,
            person,
            email_consent=Consent.REFUSED,
            email_consent_source="appel téléphonique",
            do_not_contact=True,
        )
    assert _history(person) == [
        ("email", "refused", "form", "appel téléphonique"),
        ("contact", "refused", "form", ""),
    ]
    assert ConsentChange.objects.filter(changed_by=admin_user).count() == 2
    # Saving again without a change records nothing.
    with LogContext(user=admin_user):
        directory_actions.update_person(admin_user, person, city="Nancy")
    assert len(_history(person)) == 2


def test_a_new_person_with_answers_starts_their_history(staff_user):
    person = directory_actions.create_person(
        staff_user, last_name="Roux", sms_consent=Consent.CONSENTED, sms_consent_source="salon"
    )
    assert _history(person) == [("sms", "consented", "other", "salon")]


def test_unsubscribe_and_complaint_are_in_the_history():
    person = factories.PersonFactory(email="a@exemple.fr")
    Suppression.objects.create(
        channel="email", coordinate="a@exemple.fr", reason="unsubscribed", person=person
    )
    Suppression.objects.create(
        channel="email", coordinate="a@exemple.fr", reason="complained", person=person
    )
    Suppression.objects.create(
        channel="email", coordinate="a@exemple.fr", reason="bounced", person=person
    )
    assert _history(person) == [
        ("email", "refused", "unsubscribe", "a@exemple.fr"),
        ("email", "refused", "complaint", "a@exemple.fr"),
    ]


def test_the_erasure_is_in_the_history_without_the_erased_values(world):
    person = world.elise.person
    actions.erase_person(world.admin, person, "Élise Vasseur")
    history = _history(person)
    assert ("email", "refused", "erasure", "") in history
    assert ("sms", "refused", "erasure", "") in history
    assert ("contact", "refused", "erasure", "") in history
    assert not any(world.elise.email in row[3] for row in history)  # the unsubscribe's detail too


def test_the_record_shows_the_history(world, as_staff, admin_user):
    person = world.elise.person
    with LogContext(user=admin_user):
        directory_actions.update_person(
            admin_user,
            person,
            sms_consent=Consent.REFUSED,
            sms_consent_source="réponse au courrier",
        )
    url = reverse(Person.snippet_viewset.get_url_name("inspect"), args=(person.pk,))
    page = as_staff.get(url).content.decode().replace("\u00a0", " ")
    assert "Historique des consentements" in page
    assert "réponse au courrier" in page and "saisi dans l’espace" in page.lower()
    assert "lien de désinscription" in page.lower()


def test_the_export_holds_the_history(world):
    import io
    import zipfile

    data = actions.export_person_data(world.admin, world.elise.person)
    history = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("consent_history.json"))
    assert {row["source_kind"] for row in history} >= {"unsubscribe"}
    assert history[0]["source_label"]
