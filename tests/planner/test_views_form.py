"""The task form: created from a record with that record chosen, bad input
refused with clear French messages on the fields and nothing saved."""

from urllib.parse import urlencode

import pytest

from directory import actions as directory_actions
from planner.models import Task

from .conftest import paris, signed_in

NOW = paris(2026, 5, 1, 12, 0)


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr("planner.schedule.now", lambda: NOW)


def form(**values):
    data = {
        "title": "Appeler la directrice",
        "place": "",
        "due_date": "14/05/2026",
        "due_time": "10:30",
        "reminder": "15",
        "organisation": "",
        "person": "",
        "description": "",
    }
    data.update(values)
    return data


def errors_of(response) -> str:
    return response.content.decode()


def test_a_task_is_created_from_the_form(marie, theatre):
    browser = signed_in(marie)
    response = browser.post("/admin/planner/tasks/add/", form(organisation=theatre.pk))
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.owner, task.title, task.organisation) == (marie, "Appeler la directrice", theatre)
    assert task.remind_at == paris(2026, 5, 14, 10, 15)
    page = browser.get(response["Location"]).content.decode()
    assert "Tâche «\u00a0Appeler la directrice\u00a0» créée." in page


def test_the_form_from_a_record_has_that_record_chosen_and_comes_back_to_it(marie, theatre):
    record = f"/admin/directory/organisations/inspect/{theatre.pk}/"
    browser = signed_in(marie)
    page = browser.get(f"/admin/planner/tasks/add/?organisation={theatre.pk}&next={record}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Théâtre de Metz" in body
    assert f'value="{theatre.pk}"' in body
    response = browser.post(
        f"/admin/planner/tasks/add/?organisation={theatre.pk}&next={record}",
        form(organisation=theatre.pk),
    )
    assert response["Location"] == record


def test_a_prefilled_record_that_is_not_one_answers_404(marie, admin, theatre):
    browser = signed_in(marie)
    assert browser.get("/admin/planner/tasks/add/?organisation=abc").status_code == 404
    assert browser.get("/admin/planner/tasks/add/?person=99999999").status_code == 404
    directory_actions.delete_record(admin, theatre)
    assert browser.get(f"/admin/planner/tasks/add/?organisation={theatre.pk}").status_code == 404


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"title": "  "}, "title", "Donnez un titre à la tâche."),
        ({"due_date": "31/02/2026"}, "due_date", "Cette date n’existe pas\u00a0: saisissez-la"),
        ({"due_date": "2026-13-45"}, "due_date", "Cette date n’existe pas"),
        ({"due_time": "25:61"}, "due_time", "Cette heure n’existe pas\u00a0: saisissez-la"),
        ({"due_date": "", "reminder": ""}, "due_time", "Une heure a besoin d’une date"),
        (
            {"due_date": "29/03/2026", "due_time": "02:30", "reminder": ""},
            "due_time",
            "cette nuit-là, on avance les horloges",
        ),
        (
            {"due_date": "01/05/2026", "due_time": "12:05"},
            "reminder",
            "Ce rappel serait dans le passé",
        ),
        (
            {"due_date": "", "due_time": "", "reminder": "60"},
            "reminder",
            "Un rappel a besoin d’une date",
        ),
        ({"reminder": "7"}, "reminder", "Sélectionnez un choix valide"),
        ({"due_date": "01/01/1850"}, "due_date", "Choisissez une date entre 2000 et 2100."),
        ({"organisation": "abc"}, "organisation", "Cette fiche de l’annuaire n’existe pas"),
        ({"organisation": "99999999999999999999"}, "organisation", "n’existe pas (ou plus)"),
        ({"title": "x" * 201}, "title", "200"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(marie, values, field, message):
    response = signed_in(marie).post("/admin/planner/tasks/add/", form(**values))
    assert response.status_code == 200, values
    body = errors_of(response)
    assert message in body, body[body.find("error") - 200 : body.find("error") + 800]
    assert "La tâche n’a pas pu être créée" in body
    assert not Task.objects.exists()


def test_a_record_in_the_trash_is_refused_by_the_form(marie, admin, theatre, director):
    directory_actions.delete_record(admin, theatre)
    directory_actions.delete_record(admin, director)
    response = signed_in(marie).post(
        "/admin/planner/tasks/add/", form(organisation=theatre.pk, person=director.pk)
    )
    body = response.content.decode()
    assert "Cette organisation est dans la corbeille" in body
    assert "Cette personne est dans la corbeille" in body
    assert not Task.objects.exists()


def test_editing_a_task_and_marking_it_done_from_the_form(marie, marie_task):
    browser = signed_in(marie)
    assert browser.get(f"/admin/planner/tasks/edit/{marie_task.pk}/").status_code == 200
    response = browser.post(
        f"/admin/planner/tasks/edit/{marie_task.pk}/",
        form(title="Rappeler le théâtre", due_date="14/05/2030", done="on"),
    )
    assert response.status_code == 302
    marie_task.refresh_from_db()
    assert marie_task.title == "Rappeler le théâtre"
    assert marie_task.done_at == NOW
    browser.post(
        f"/admin/planner/tasks/edit/{marie_task.pk}/",
        form(title="Rappeler le théâtre", due_date="14/05/2030"),
    )
    marie_task.refresh_from_db()
    assert marie_task.done_at is None


def test_a_task_edited_from_a_record_comes_back_to_the_record(marie, theatre):
    from planner import actions

    task = actions.create_task(marie, title="Relancer", organisation=theatre, due_date=None)
    record = f"/admin/directory/organisations/inspect/{theatre.pk}/"
    browser = signed_in(marie)
    page = browser.get(record).content.decode()
    edit = f"/admin/planner/tasks/edit/{task.pk}/?" + urlencode({"next": record})
    assert f'href="{edit}"' in page.replace("&amp;", "&")
    form_page = browser.get(edit).content.decode()
    assert f'action="{edit}"' in form_page.replace("&amp;", "&")
    response = browser.post(edit, form(title="Relancer le théâtre", organisation=theatre.pk))
    assert response["Location"] == record
    hostile = f"/admin/planner/tasks/edit/{task.pk}/?next=https://evil.example/"
    response = browser.post(hostile, form(title="Relancer", organisation=theatre.pk))
    assert response["Location"].startswith("/admin/planner/tasks/")


def test_a_refused_edit_keeps_the_task_as_it_was(marie, marie_task):
    response = signed_in(marie).post(
        f"/admin/planner/tasks/edit/{marie_task.pk}/", form(title="", due_date="31/02/2030")
    )
    assert response.status_code == 200
    assert "La tâche n’a pas pu être enregistrée" in response.content.decode()
    marie_task.refresh_from_db()
    assert marie_task.title == "Appeler le Théâtre de Metz"


def test_the_form_reads_in_french(marie):
    body = signed_in(marie).get("/admin/planner/tasks/add/").content.decode()
    for text in ("Nouvelle tâche", "Aucun rappel", "15 minutes avant", "1 jour avant", "Lieu"):
        assert text in body
