"""Dormant contacts: the boundaries of each sign of life, the kept ones, the
screen, and the monthly notice to administrators (Celery, eager)."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from crmsite import actions
from crmsite.models import DormantReview
from crmsite.privacy.dormant import count_dormant, cutoff_for, dormant_people
from crmsite.tasks import notify_dormant_contacts
from directory.models import Comment, Person
from helpdesk.models import Message, Ticket
from outreach.models import Campaign, Delivery
from planner.models import Task
from tests import activity_factories, factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_at_once")]


NOW = timezone.make_aware(datetime.datetime(2026, 6, 15, 12, 0))
CUTOFF = cutoff_for(36, NOW)  # 15 June 2023, noon
LONG_AGO = CUTOFF - datetime.timedelta(days=400)
JUST_BEFORE = CUTOFF - datetime.timedelta(minutes=1)
JUST_AFTER = CUTOFF + datetime.timedelta(minutes=1)


def _old_person(**fields):
    person = factories.PersonFactory(**fields)
    Person.all_objects.filter(pk=person.pk).update(created_at=LONG_AGO, updated_at=LONG_AGO)
    return person


def _dormant_ids(months=36):
    return set(dormant_people(months, now=NOW).values_list("pk", flat=True))


def test_cutoff_is_three_years_by_default():
    from crmsite.privacy.dormant import period_months

    assert period_months() == 36
    assert timezone.make_aware(datetime.datetime(2023, 6, 15, 12, 0)) == CUTOFF


def test_an_old_record_without_any_sign_is_dormant():
    person = _old_person()
    assert _dormant_ids() == {person.pk}
    assert _dormant_ids(months=50) == set()  # created 4 years and 1 month ago


def _sign(kind, person, when):
    if kind == "record":
        Person.all_objects.filter(pk=person.pk).update(updated_at=when)
    elif kind == "log":
        entry = log(person, "wagtail.edit")
        ModelLogEntry.objects.filter(pk=entry.pk).update(timestamp=when)
    elif kind == "comment":
        comment = Comment.objects.create(person=person, body="Vu au festival")
        Comment.objects.filter(pk=comment.pk).update(created_at=when)
    elif kind == "activity":
        activity = activity_factories.activity(person, date=when.date())
        type(activity).objects.filter(pk=activity.pk).update(created_at=LONG_AGO)
    elif kind == "delivery":
        campaign = Campaign.objects.create(name="Lettre", channel="email", frozen_at=when)
        Delivery.objects.create(
            campaign=campaign, kind="personal", person=person, name="x", capacity="x"
        )
    elif kind == "ticket":
        ticket = Ticket.objects.create(subject="Question", person=person)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=when, last_message_at=when)
    elif kind == "task":
        task = Task.objects.create(owner=factories.staff(), title="Rappeler", person=person)
        Task.objects.filter(pk=task.pk).update(updated_at=when)
    elif kind == "kept":
        review = DormantReview.objects.create(person=person, reason="Partenaire historique")
        DormantReview.objects.filter(pk=review.pk).update(kept_at=when)

    elif kind == "message":
        # Written from their client account in a ticket about nobody in particular.
        account = factories.client()
        account.person = person
        account.save()
        ticket = Ticket.objects.create(subject="Question")
        message = Message.objects.create(ticket=ticket, number=1, author=account, text="Bonjour")
        Message.objects.filter(pk=message.pk).update(created_at=when)


SIGNS = ["record", "log", "comment", "activity", "delivery", "ticket", "task", "kept", "message"]


def test_a_message_wakes_only_the_person_behind_its_author():
    """The message's sign is about its author's person, whatever the ids."""
    sleeper = _old_person()
    writer = _old_person()
    account = factories.client()
    account.person = writer
    account.save()
    ticket = Ticket.objects.create(subject="Question")
    # A message whose id happens to be its author's person's id.
    Message.objects.create(pk=writer.pk, ticket=ticket, number=1, author=account, text="Bonjour")
    Message.objects.filter(pk=writer.pk).update(created_at=JUST_AFTER)
    assert _dormant_ids() == {sleeper.pk}


@pytest.mark.parametrize("kind", SIGNS)
def test_a_sign_of_life_inside_the_period_wakes_the_person(kind):
    person = _old_person()
    _sign(kind, person, JUST_AFTER)
    assert person.pk not in _dormant_ids(), kind


@pytest.mark.parametrize("kind", SIGNS)
def test_a_sign_of_life_before_the_period_does_not(kind):
    person = _old_person()
    when = JUST_BEFORE if kind != "activity" else JUST_BEFORE - datetime.timedelta(days=1)
    _sign(kind, person, when)
    assert person.pk in _dormant_ids(), kind


def test_a_position_changed_in_the_period_wakes_the_person():
    person = _old_person()
    position = factories.PositionFactory(person=person)
    type(position).all_objects.filter(pk=position.pk).update(updated_at=JUST_AFTER)
    assert person.pk not in _dormant_ids()


def test_the_trash_and_erased_people_are_left_out(admin_user):
    trashed = _old_person()
    Person.all_objects.filter(pk=trashed.pk).update(trashed_at=LONG_AGO)
    erased = _old_person(first_name="Zoé", last_name="Martin")
    actions.erase_person(admin_user, erased, "Zoé Martin")
    Person.all_objects.filter(pk=erased.pk).update(updated_at=LONG_AGO)
    ModelLogEntry.objects.update(timestamp=LONG_AGO)
    assert _dormant_ids() == set()


def test_a_kept_person_comes_back_once_the_period_passes_again(admin_user):
    person = _old_person()
    actions.keep_dormant(admin_user, person, "  Partenaire   historique ")
    assert person.pk not in set(dormant_people(36).values_list("pk", flat=True))
    review = DormantReview.objects.get()
    assert review.reason == "Partenaire historique" and review.kept_by == admin_user
    later = timezone.now() + datetime.timedelta(days=3 * 366)
    ModelLogEntry.objects.update(timestamp=LONG_AGO)  # the keep's own log entry
    assert person.pk in set(dormant_people(36, now=later).values_list("pk", flat=True))


def test_keep_without_a_reason_is_refused(admin_user, staff_user):
    from django.core.exceptions import PermissionDenied, ValidationError

    person = _old_person()
    with pytest.raises(ValidationError) as error:
        actions.keep_dormant(admin_user, person, "   ")
    assert error.value.message_dict["reason"] == ["Indiquez pourquoi ce contact est gardé."]
    with pytest.raises(ValidationError):
        actions.keep_dormant(admin_user, person, "x" * 501)
    with pytest.raises(PermissionDenied):
        actions.keep_dormant(staff_user, person, "Partenaire")
    assert not DormantReview.objects.exists()


def test_the_screen_lists_pages_and_keeps(as_admin):
    people = [_old_person(last_name=f"Dormant{n:03d}") for n in range(55)]
    url = reverse("crmsite_privacy:dormant")
    page = as_admin.get(url).content.decode().replace("\u00a0", " ")
    assert "55 contacts dormants" in page
    assert "Dormant000" in page and "Dormant054" not in page  # 50 a page
    assert "Dormant054" in as_admin.get(url + "?p=2").content.decode()
    response = as_admin.post(
        reverse("crmsite_privacy:keep", args=(people[0].pk,)), {"reason": "Mécène", "months": "36"}
    )
    assert response.status_code == 302 and response["Location"] == url + "?months=36"
    assert "54 contacts dormants" in as_admin.get(url).content.decode().replace("\u00a0", " ")
    # Bad input: an empty reason, a period that is not a number.
    as_admin.post(reverse("crmsite_privacy:keep", args=(people[1].pk,)), {"reason": ""})
    assert DormantReview.objects.count() == 1
    page = as_admin.get(url + "?months=abc").content.decode().replace("\u00a0", " ")
    assert "Indiquez un nombre de mois entre 1 et 1200." in page
    assert "54 contacts dormants" in page
    assert "0 contact dormant" in as_admin.get(url + "?months=60").content.decode().replace(
        "\u00a0", " "
    )


def test_the_dormant_screen_is_in_the_settings_menu_for_administrators(as_admin, as_staff):
    url = reverse("crmsite_privacy:dormant")
    assert url in as_admin.get(reverse("wagtailadmin_home")).content.decode()
    assert url not in as_staff.get(reverse("wagtailadmin_home")).content.decode()


@override_settings(CELERY_TASK_ALWAYS_EAGER=True, PRIVACY_DORMANT_MONTHS=36)
def test_the_monthly_notice_tells_active_administrators(admin_user):
    factories.administrator(username="ancien", is_active=False)
    factories.administrator(username="sans-courriel", email="")
    factories.staff(username="equipe")
    _old_person()
    _old_person()
    assert count_dormant() == 2
    sent = notify_dormant_contacts.delay().get()
    assert sent == 1
    (message,) = mail.outbox
    assert message.to == [admin_user.email]
    assert message.subject.endswith("2 contacts dormants à revoir")
    assert "2 personnes de l’annuaire n’ont donné aucun signe de vie depuis 36 mois" in message.body
    assert "/admin/privacy/dormant/" in message.body


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_no_notice_when_nobody_is_dormant(admin_user):
    assert notify_dormant_contacts.delay().get() == 0
    assert mail.outbox == []


def test_the_notice_is_in_the_beat_schedule():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["crmsite-notify-dormant-contacts"]
    assert entry["task"] == "crmsite.notify_dormant_contacts"
    assert entry["schedule"].day_of_month == {1}


def test_an_export_of_their_data_is_no_sign_of_life():
    person = _old_person()
    entry = log(person, "crmsite.privacy.export")
    ModelLogEntry.objects.filter(pk=entry.pk).update(timestamp=JUST_AFTER)
    assert _dormant_ids() == {person.pk}
    edit = log(person, "wagtail.edit")
    ModelLogEntry.objects.filter(pk=edit.pk).update(timestamp=JUST_AFTER)
    assert _dormant_ids() == set()
