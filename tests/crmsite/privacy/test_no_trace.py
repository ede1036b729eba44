"""After an erasure, no column of any table still holds the erased person's
name, e-mail, phone or address: every table of the database is read with
SQL (so that a model added later, a many-to-many table or a third-party
app's table is read too) and each value is searched, in its plain and its
JSON-escaped forms.

The person here is as hard as it gets: an accented name with an apostrophe,
created by a spreadsheet import, a helpdesk client with a ticket, in a
basket by hand and in a campaign, named in another person's comment and in
a colleague's task, with a failed sign-in."""

import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from crmsite import actions
from directory import actions as directory_actions
from directory.imports.jobs import run_job
from directory.models import Comment, Consent, Person
from helpdesk import actions as helpdesk_actions
from outreach.models import Campaign, Delivery
from planner.models import Task
from selections.models import Basket, BasketEntry, SavedSearch
from tests import activity_factories, factories

pytestmark = pytest.mark.django_db(transaction=False)

FIRST, LAST = "Hélène", "D'Aubigné-Lœuvre"
EMAIL = "helene.daubigne@exemple-perso.fr"
WORK_EMAIL = "h.daubigne@scene-exemple.fr"
MOBILE = "+33611223344"
STREET = "7 impasse des Glycines"
PASSWORD = "pas-le-bon-mot-de-passe"

# Kept on purpose: outreach's exclusion list holds the coordinates that must
# never be written to again (the refusal outlives the erasure).
KEPT = {("outreach_suppression", "coordinate")}


def _erased_values():
    return [
        f"{FIRST} {LAST}",
        f"{LAST} {FIRST}",
        LAST,
        "D’Aubigné",  # typed with a typographic apostrophe
        "helene.daubigne",  # her user name
        "d'aubigne",  # folded (search texts, name keys)
        EMAIL,
        WORK_EMAIL,
        MOBILE,
        "0611223344",
        "06 11 22 33 44",
        STREET,
    ]


def _forms(value):
    """The value as stored in a text column and in JSON (SQLite escapes
    non-ASCII characters in JSON)."""
    return {value.casefold(), json.dumps(value)[1:-1].casefold()}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).decode("utf-8", "ignore")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False) + json.dumps(value)
    return str(value)


def _traces(values) -> list[tuple[str, str, str]]:
    """(table, column, value) for every cell of the database that contains a value."""
    found = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            columns = [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            ]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, cell in zip(columns, row, strict=True):
                    text = _cell_text(cell).casefold()
                    if not text or (table, column) in KEPT:
                        continue
                    for value in values:
                        if any(form in text for form in _forms(value)):
                            found.append((table, column, value))
    return found


@pytest.fixture
def helene(admin_user, staff_user):
    job = directory_actions.start_import(
        admin_user,
        "contacts.csv",
        (
            "Prénom;Nom;E-mail;Mobile;Adresse;Code postal;Ville\r\n"
            f"{FIRST};{LAST};{EMAIL};06 11 22 33 44;{STREET};57000;Metz\r\n"
            "Octave;Brunel;octave.brunel@exemple.fr;;;;Nancy\r\n"
        ).encode(),
    )
    job = directory_actions.map_import(admin_user, job, job.mapping)
    directory_actions.run_import(admin_user, job, "update", skip_invalid=False)
    run_job(job.pk)
    person = Person.objects.get(email=EMAIL)
    octave = Person.objects.get(email="octave.brunel@exemple.fr")
    assert person.last_name == LAST and person.mobile  # the import wrote her

    directory_actions.update_person(
        admin_user,
        person,
        email_consent=Consent.CONSENTED,
        email_consent_date=datetime.date(2025, 1, 2),
        email_consent_source=f"formulaire signé par {FIRST} {LAST}",
        notes=f"{FIRST} préfère être appelée au {MOBILE}",
    )
    organisation = factories.OrganisationFactory(name="Scène de l’Est")
    position = factories.PositionFactory(
        person=person, organisation=organisation, email=WORK_EMAIL, title="Administratrice"
    )
    directory_actions.update_position(admin_user, position, phone="+33387112233")
    Comment.objects.create(person=person, author=staff_user, body=f"Appeler {FIRST} en mars")
    # Other records that name her.
    Comment.objects.create(
        person=octave, author=staff_user, body=f"Collègue de {FIRST} {LAST} ({EMAIL})"
    )
    Task.objects.create(owner=staff_user, title=f"Écrire à {EMAIL}", description="")
    Task.objects.create(
        owner=staff_user, title="Relancer", description="Hélène D’Aubigné-Lœuvre, au 06 11 22 33 44"
    )
    activity_factories.activity(person, amount="80.00", details={"client": f"{FIRST} {LAST}"})
    basket = Basket.objects.create(owner=staff_user, name="Invités")
    BasketEntry.objects.create(basket=basket, action="add", person=person, added_by=staff_user)
    SavedSearch.objects.create(
        owner=staff_user,
        name="Sa recherche",
        target="people",
        criteria={"all": [{"field": "email", "op": "equals", "value": EMAIL}]},
    )
    campaign = Campaign.objects.create(
        name="Saison", channel="email", status="sent", frozen_at=timezone.now()
    )
    Delivery.objects.create(
        campaign=campaign,
        kind="position",
        person=person,
        position=position,
        name=f"{FIRST} {LAST}",
        capacity="Administratrice – Scène de l’Est",
        coordinate=WORK_EMAIL,
        source="position",
        status="delivered",
        sent_at=timezone.now(),
    )
    account = factories.client(
        username="helene.daubigne", email=EMAIL, first_name=FIRST, last_name=LAST
    )
    account.person = person
    account.save()
    ticket = helpdesk_actions.open_ticket(
        account, subject=f"Facture de {FIRST} {LAST}", text=f"Rappelez-moi au {MOBILE}"
    )
    helpdesk_actions.post_message(staff_user, ticket, f"Bonjour {FIRST}, c’est noté.")
    log(person, "wagtail.edit", user=admin_user)
    # A failed sign-in with her user name.
    Client().post(
        reverse("wagtailadmin_login"), {"username": "helene.daubigne", "password": PASSWORD}
    )
    return person


def test_the_database_holds_no_trace_of_an_erased_person(helene, admin_user):
    before = {(table, value) for table, _column, value in _traces(_erased_values())}
    # The test can fail: her values are everywhere before.
    for table in ("directory_person", "directory_importjob", "helpdesk_message"):
        assert any(t == table for t, _value in before), table

    actions.erase_person(admin_user, helene, f"{FIRST} {LAST}")

    left = sorted(set(_traces(_erased_values())))
    assert not left, "\n".join(" ".join(trace) for trace in left)


def test_the_other_people_are_still_there(helene, admin_user):
    actions.erase_person(admin_user, helene, f"{FIRST} {LAST}")
    octave = Person.objects.get(email="octave.brunel@exemple.fr")
    assert octave.last_name == "Brunel"
    assert Comment.objects.filter(person=octave, body__startswith="Collègue de").exists()


def test_only_whole_words_are_replaced(admin_user, staff_user):
    """Erasing « Anne Roy » leaves « Annecy » and « Royaume » in the texts of
    her ticket, and the other people's « Anne-Marie » elsewhere."""
    person = factories.PersonFactory(first_name="Anne", last_name="Roy", email="anne.roy@ex.fr")
    account = factories.client(username="anne.roy", first_name="Anne", last_name="Roy")
    account.person = person
    account.save()
    ticket = helpdesk_actions.open_ticket(
        account, subject="Billets pour Annecy", text="Je viens d’Annecy, Anne Roy"
    )
    helpdesk_actions.post_message(staff_user, ticket, "Le Royaume de Fantaisie, Anne.")
    other = Comment.objects.create(
        person=factories.PersonFactory(), author=staff_user, body="Anne-Marie et Anne Roy"
    )

    actions.erase_person(admin_user, person, "Anne Roy")

    ticket.refresh_from_db()
    assert ticket.subject == "Billets pour Annecy"
    texts = list(ticket.messages.order_by("number").values_list("text", flat=True))
    assert texts == [
        "Je viens d’Annecy, Personne effacée",
        "Le Royaume de Fantaisie, Personne effacée.",
    ]
    other.refresh_from_db()
    assert other.body == "Anne-Marie et Personne effacée"


def test_the_name_may_be_typed_with_a_typographic_apostrophe(admin_user):
    person = factories.PersonFactory(first_name="Hélène", last_name="D'Aubigné")
    actions.erase_person(admin_user, person, "hélène d’aubigné")
    person.refresh_from_db()
    assert person.last_name == "effacée"
