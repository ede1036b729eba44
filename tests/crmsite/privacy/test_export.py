"""Access and portability: the ZIP holds everything about the person, and
nothing about anyone else; a new relation to Person is never forgotten."""

import io
import json
import zipfile

import pytest

from crmsite import actions
from crmsite.privacy import export
from directory.models import Person, Position

pytestmark = pytest.mark.django_db


def _relations(model):
    """ "app_label.Model.field" of every foreign key to `model`, hidden ones too."""
    found = set()
    for field in model._meta.get_fields(include_hidden=True):
        if field.is_relation and field.auto_created and not field.concrete:
            remote = field.field
            found.add(f"{remote.model._meta.label}.{remote.name}")
    return found


@pytest.mark.parametrize("model", [Person, Position])
def test_every_relation_to_a_person_or_position_is_exported(model):
    """Fails when a new model points at Person or Position without the export
    knowing of it: add it to a section of crmsite/privacy/export.py (or to
    NOT_EXPORTED, saying why)."""
    missing = _relations(model) - set(export.EXPORTED) - set(export.NOT_EXPORTED)
    if model is Position:
        missing.discard("directory.Person.positions")
    assert not missing, f"not in the export: {sorted(missing)}"
    for key, section in export.EXPORTED.items():
        assert section in export.SECTIONS, key


def _archive(world):
    data = actions.export_person_data(world.admin, world.elise.person)
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_archive_holds_every_section_and_a_french_summary(world):
    files = _archive(world)
    assert set(files) == {f"{name}.json" for name in export.SECTIONS} | {"resume.html"}
    person = json.loads(files["person.json"])
    assert person["email"] == world.elise.email
    assert person["email_consent_label"] == "Accepté"
    positions = json.loads(files["positions.json"])
    assert [p["email"] for p in positions] == [world.elise.work_email]
    assert positions[0]["organisation"] == "Théâtre du Lac"
    assert "Appeler Élise Vasseur" in files["comments.json"]
    activities = json.loads(files["activities.json"])
    assert activities[0]["amount"] == "120.50"
    baskets = json.loads(files["baskets.json"])
    assert baskets["entries"][0]["basket"] == "Invités"
    assert baskets["snapshots"][0]["email"] == world.elise.work_email
    deliveries = json.loads(files["deliveries.json"])
    assert deliveries[0]["coordinate"] == world.elise.work_email
    assert deliveries[0]["campaign"] == "Saison 2026"
    assert deliveries[0]["events"][0]["event"] == "delivered"
    assert json.loads(files["suppressions.json"])[0]["coordinate"] == world.elise.email
    tasks = json.loads(files["tasks.json"])
    assert tasks[0]["title"] == "Rappeler Élise Vasseur"
    account = json.loads(files["account.json"])
    assert account["username"] == "élise-compte" or account["email"] == world.elise.email
    log = json.loads(files["audit_log.json"])
    actions_logged = {entry["action"] for entry in log}
    assert {"wagtail.create", "wagtail.edit", "directory.position.edit"} <= actions_logged
    summary = files["resume.html"]
    assert '<html lang="fr">' in summary
    assert "Données personnelles de Élise Vasseur" in summary or "Élise Vasseur" in summary
    assert "Postes" in summary and "Théâtre du Lac" in summary


def test_tickets_hold_only_the_persons_own_messages(world):
    tickets = {t["subject"]: t for t in json.loads(_archive(world)["tickets.json"])}
    own = tickets["Question de Élise Vasseur"]
    assert [m["text"] for m in own["own_messages"]] == [f"Bonjour, ici Élise ({world.elise.phone})"]
    assert own["messages_in_ticket"] == 2  # the staff's answer is counted, not exported
    other = tickets["Question de Octave Brunel"]
    assert [m["text"] for m in other["own_messages"]] == ["Moi aussi, Élise."]


def test_nothing_about_another_person(world):
    files = _archive(world)
    everything = "\n".join(files.values())
    for value in (
        world.octave.email,
        world.octave.work_email,
        world.octave.phone,
        "Brunel",
        "Octave",
    ):
        if value == "Octave" or value == "Brunel":
            # Octave's ticket subject names him; only that subject may.
            body = everything.replace("Question de Octave Brunel", "")
            assert value not in body, value
        else:
            assert value not in everything, value


def test_the_export_is_logged_without_the_data(world):
    from wagtail.models import ModelLogEntry

    actions.export_person_data(world.admin, world.elise.person)
    entry = ModelLogEntry.objects.filter(action=actions.PRIVACY_EXPORT_ACTION).get()
    assert entry.object_id == str(world.elise.person.pk)
    assert entry.user == world.admin
    assert entry.data == {}
