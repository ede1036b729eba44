"""Import jobs through the directory's actions: all or nothing, the valid
rows only when asked, nothing left by a failure half-way, one audit-log
entry naming the file, remembered mappings, the Celery task."""

import pytest
from django.db import connection
from wagtail.models import ModelLogEntry

from directory import actions
from directory.imports.jobs import run_job
from directory.models import (
    ImportJob,
    ImportStatus,
    Organisation,
    Person,
    Position,
    RememberedMapping,
)
from tests.factories import administrator

CSV = (
    "\ufeffPrénom;Nom;Structure;Fonction;E-mail;Code postal;Ville\r\n"
    "Hélène;Martin;Théâtre du Rond-Point;Directrice;h.martin@rondpoint.fr;75008;Paris\r\n"
    "Paul;Durand;Théâtre du Rond-Point;Chargé de presse;pas-un-email;75008;Paris\r\n"
    "Inès;Lefort;;;ines@example.fr;6000;Nice\r\n"
).encode()


def counts():
    return (
        Organisation.all_objects.count(),
        Person.all_objects.count(),
        Position.all_objects.count(),
    )


def start(user, data=CSV, name="contacts.csv"):
    job = actions.start_import(user, name, data)
    return actions.map_import(user, job, job.mapping)


def test_all_or_nothing_by_default_then_the_valid_rows_when_asked(admin_user):
    job = start(admin_user)
    plan = actions.preview_import(admin_user, job, "update")
    assert plan.counts == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
    assert counts() == (0, 0, 0)  # the preview wrote nothing

    actions.run_import(admin_user, job, "update", skip_invalid=False)
    job = run_job(job.pk)  # what the task does (eager: already done on commit)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "rien n’a été importé" in job.error or "nothing was imported" in job.error
    assert counts() == (0, 0, 0)
    assert "pas-un-email" in job.rejected_csv and ";3;" in job.rejected_csv

    job = start(admin_user)
    actions.run_import(admin_user, job, "update", skip_invalid=True)
    job = run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.counts == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
    assert counts() == (1, 2, 1)
    assert sorted(job.created_ids["people"]) == sorted(Person.objects.values_list("pk", flat=True))
    # The rejected rows, to fix and upload again: the file's columns, the line, the reason.
    lines = job.rejected_csv.splitlines()
    assert lines[0].startswith("Prénom;Nom;Structure")
    assert lines[1].startswith("Paul;Durand;") and "pas-un-email" in lines[1]


def test_every_import_is_one_audit_log_entry_naming_its_file(admin_user):
    job = start(admin_user, name="annuaire-2026.csv")
    actions.run_import(admin_user, job, "update", skip_invalid=True)
    run_job(job.pk)
    entries = ModelLogEntry.objects.filter(action="directory.import")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.user_id == admin_user.pk
    assert entry.data["file"] == "annuaire-2026.csv"
    assert entry.data["counts"]["create"] == 2


def _fail_position_inserts():
    """A database-level failure after the organisations and people are written."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_refuse() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse BEFORE INSERT ON directory_position "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_refuse BEFORE INSERT ON directory_position "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )


def test_an_import_that_fails_half_way_leaves_the_database_as_it_was(admin_user):
    actions.create_organisation(admin_user, name="Le Quai", postcode="49100", city="Angers")
    before = (
        list(Organisation.all_objects.values()),
        list(Person.all_objects.values()),
        list(Position.all_objects.values()),
    )
    job = start(admin_user)
    actions.run_import(admin_user, job, "update", skip_invalid=True)
    _fail_position_inserts()
    with pytest.raises(Exception, match="refused"):
        run_job(job.pk)
    after = (
        list(Organisation.all_objects.values()),
        list(Person.all_objects.values()),
        list(Position.all_objects.values()),
    )
    assert after == before
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error
    assert not ModelLogEntry.objects.filter(action="directory.import").exists()


def test_a_mapping_is_remembered_for_the_next_file_with_the_same_headers(admin_user):
    data = "Col A;Col B\r\nMartin;Théâtre X\r\n".encode()
    job = actions.start_import(admin_user, "a.csv", data)
    assert job.mapping == ["", ""]  # nothing guessed from such headers
    actions.map_import(admin_user, job, ["person.last_name", "organisation.name"])
    # Another administrator, another file with the same headers (whatever their case).
    other = administrator()
    job = actions.start_import(other, "b.csv", "col a;COL B\r\nDurand;Théâtre Y\r\n".encode())
    assert job.mapping == ["person.last_name", "organisation.name"]
    assert RememberedMapping.objects.count() == 1


def test_a_mapping_without_a_name_column_is_refused(admin_user):
    from django.core.exceptions import ValidationError

    job = actions.start_import(admin_user, "a.csv", b"Ville;E-mail\r\nNancy;a@b.fr\r\n")
    with pytest.raises(ValidationError) as caught:
        actions.map_import(admin_user, job, ["contact.city", "contact.email"])
    assert "Nom" in " ".join(caught.value.messages)
    with pytest.raises(ValidationError):
        actions.map_import(admin_user, job, ["person.last_name", "person.last_name"])
    with pytest.raises(ValidationError):
        actions.map_import(admin_user, job, ["person.nope", ""])
    with pytest.raises(ValidationError):
        actions.map_import(admin_user, job, ["person.last_name"])  # one column short


def test_only_administrators_import_and_only_their_own_jobs(admin_user, staff_user):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        actions.start_import(staff_user, "a.csv", CSV)
    job = start(admin_user)
    other = administrator()
    with pytest.raises(Http404):
        actions.preview_import(other, job, "update")
    with pytest.raises(Http404):
        actions.run_import(other, job, "update", skip_invalid=True)
    assert ImportJob.objects.get().status == ImportStatus.MAPPING


def test_a_job_runs_once_even_if_its_task_is_delivered_twice(admin_user):
    job = start(admin_user)
    actions.run_import(admin_user, job, "update", skip_invalid=True)
    run_job(job.pk)
    run_job(job.pk)
    assert counts() == (1, 2, 1)
    assert ModelLogEntry.objects.filter(action="directory.import").count() == 1


def test_the_csv_encoding_and_separator_can_be_changed_after_upload(admin_user):
    data = "Nom,Ville\r\nLefèvre,Besançon\r\n".encode("cp1252")
    job = actions.start_import(admin_user, "a.csv", data)
    assert (job.encoding, job.delimiter) == ("cp1252", ",")
    # The user says it is UTF-8 and ";" separated: the file is read again and mapped again.
    from directory.imports.reading import ImportFileError

    with pytest.raises(ImportFileError):
        actions.map_import(admin_user, job, job.mapping, encoding="utf-8", delimiter=";")
    job.refresh_from_db()
    job = actions.map_import(admin_user, job, job.mapping, encoding="cp1252", delimiter=";")
    assert job.headers == ["Nom,Ville"]
