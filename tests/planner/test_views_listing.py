"""« Mes tâches »: the tabs, their counts, the search and the contact filter,
« Marquer comme faite » and its undo, the export."""

import datetime
import re

import pytest

from planner import actions
from planner.models import Task

from .conftest import paris, signed_in

NOW = paris(2026, 3, 29, 0, 30)  # just after midnight, the night summer time starts


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr("planner.schedule.now", lambda: NOW)


@pytest.fixture
def agenda(marie, theatre, director):
    made = paris(2026, 3, 1, 9, 0)

    def task(title, day, time=None, **fields):
        return actions.create_task(
            marie, title=title, due_date=day, due_time=time, now=made, **fields
        )

    done = task("Faite hier", datetime.date(2026, 3, 28))
    actions.mark_done(marie, done, now=paris(2026, 3, 28, 18, 0))
    return {
        "late": task("En retard d’un jour", datetime.date(2026, 3, 28), datetime.time(23, 30)),
        "today": task(
            "Répétition",
            datetime.date(2026, 3, 29),
            datetime.time(14, 0),
            organisation=theatre,
            place="Grande salle",
        ),
        "today_all_day": task("Dossier de presse", datetime.date(2026, 3, 29)),
        "soon": task("Première", datetime.date(2026, 3, 30), datetime.time(20, 0), person=director),
        "someday": actions.create_task(marie, title="Ranger les archives", now=made),
        "done": done,
    }


def titles(response) -> list[str]:
    body = response.content.decode()
    return [
        t
        for t in (
            "Faite hier",
            "En retard d’un jour",
            "Répétition",
            "Dossier de presse",
            "Première",
            "Ranger les archives",
        )
        if t in body
    ]


def test_today_is_the_default_tab_and_each_tab_holds_its_tasks(marie, agenda):
    browser = signed_in(marie)
    response = browser.get("/admin/planner/tasks/")
    assert response.status_code == 200
    assert titles(response) == ["Répétition", "Dossier de presse"] or set(titles(response)) == {
        "Répétition",
        "Dossier de presse",
    }
    assert set(titles(browser.get("/admin/planner/tasks/?tab=overdue"))) == {"En retard d’un jour"}
    assert set(titles(browser.get("/admin/planner/tasks/?tab=upcoming"))) == {
        "Première",
        "Ranger les archives",
    }
    assert set(titles(browser.get("/admin/planner/tasks/?tab=done"))) == {"Faite hier"}


def test_the_tabs_show_their_counts_in_french(marie, agenda):
    body = signed_in(marie).get("/admin/planner/tasks/?tab=today").content.decode()
    for label, count in (
        ("En retard", 1),
        ("Aujourd’hui", 2),
        ("À venir", 2),
        ("Faites / passées", 1),
    ):
        pattern = rf"{label} <span class=\"planner-tabs__count[^\"]*\">{count}</span>"
        assert re.search(pattern, body), label
    assert 'aria-current="page"' in body


def test_today_lists_the_all_day_task_first_then_by_time(marie, agenda):
    body = signed_in(marie).get("/admin/planner/tasks/?tab=today").content.decode()
    assert body.index("Dossier de presse") < body.index("Répétition")
    assert "29/03/2026 à 14\u00a0h\u00a000" in body


def test_an_unknown_tab_falls_back_to_today(marie, agenda):
    response = signed_in(marie).get("/admin/planner/tasks/?tab=<script>")
    assert response.status_code == 200
    assert set(titles(response)) == {"Répétition", "Dossier de presse"}


def test_the_search_finds_words_in_the_title_place_and_description_within_the_tab(marie, agenda):
    browser = signed_in(marie)
    assert set(titles(browser.get("/admin/planner/tasks/?tab=today&q=grande"))) == {"Répétition"}
    assert titles(browser.get("/admin/planner/tasks/?tab=overdue&q=grande")) == []
    results = browser.get("/admin/planner/tasks/results/?tab=today&q=presse")
    assert set(titles(results)) == {"Dossier de presse"}
    assert browser.get("/admin/planner/tasks/?q=" + "x" * 5000).status_code == 200


def test_the_search_ignores_accents_and_case_both_ways(marie, agenda):
    browser = signed_in(marie)
    assert set(titles(browser.get("/admin/planner/tasks/?tab=today&q=REPETITION"))) == {
        "Répétition"
    }
    assert set(titles(browser.get("/admin/planner/tasks/?tab=overdue&q=d%E2%80%99un"))) == {
        "En retard d’un jour"
    }
    edited = agenda["today"]
    actions.update_task(marie, edited, title="Réunion d’équipe")
    found = browser.get("/admin/planner/tasks/?tab=today&q=equipe reunion").content.decode()
    assert "Réunion d’équipe" in found
    assert titles(browser.get("/admin/planner/tasks/?tab=today&q=répétition")) == []


def test_the_contact_filter_offers_the_contacts_of_ones_own_tasks(marie, paul, agenda, theatre):
    other = actions.create_task(paul, title="P", organisation=None, due_date=None)
    assert other
    browser = signed_in(marie)
    body = browser.get("/admin/planner/tasks/?tab=upcoming").content.decode()
    assert "Théâtre de Metz" in body and "Ysolde Quetzal" in body
    filtered = browser.get(f"/admin/planner/tasks/?tab=today&contact=organisation-{theatre.pk}")
    assert set(titles(filtered)) == {"Répétition"}
    for hostile in ("organisation-abc", "person-99999999999999999999", "x"):
        assert browser.get(f"/admin/planner/tasks/?contact={hostile}").status_code == 200


def test_the_search_form_keeps_the_tab(marie, agenda):
    body = signed_in(marie).get("/admin/planner/tasks/?tab=upcoming").content.decode()
    assert '<input type="hidden" name="tab" value="upcoming">' in body


def test_marking_done_from_the_listing_and_undoing_it(marie, agenda):
    browser = signed_in(marie)
    task = agenda["today"]
    back = "/admin/planner/tasks/?tab=today"
    response = browser.post(f"/admin/planner/tasks/done/{task.pk}/", {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    task.refresh_from_db()
    assert task.done_at == NOW
    page = browser.get(back).content.decode()
    assert "Tâche «\u00a0Répétition\u00a0» marquée comme faite." in page
    assert f'action="/admin/planner/tasks/reopen/{task.pk}/"' in page  # « Annuler »
    assert "Répétition" not in "".join(titles(browser.get(back)))
    browser.post(f"/admin/planner/tasks/reopen/{task.pk}/", {"next": back})
    task.refresh_from_db()
    assert task.done_at is None


def test_marking_done_goes_back_only_to_the_workspace(marie, agenda):
    response = signed_in(marie).post(
        f"/admin/planner/tasks/done/{agenda['today'].pk}/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin/planner/tasks/"


def test_the_export_escapes_formulae_and_writes_paris_dates(marie, agenda):
    actions.create_task(
        marie,
        title='=HYPERLINK("http://x")',
        due_date=datetime.date(2026, 3, 29),
        now=paris(2026, 3, 1),
    )
    response = signed_in(marie).get("/admin/planner/tasks/?tab=today&export=csv")
    text = (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else response.content.decode()
    )
    assert "'=HYPERLINK" in text
    assert "Répétition" in text and "14\u00a0h\u00a000" in text


def test_an_empty_tab_says_so(marie):
    body = signed_in(marie).get("/admin/planner/tasks/?tab=overdue").content.decode()
    assert "Aucune tâche en retard." in body


def test_staff_see_my_tasks_in_the_menu(marie):
    body = signed_in(marie).get("/admin/").content.decode()
    assert '"/admin/planner/tasks/"' in body  # the sidebar's menu, as JSON


def test_a_task_page_shows_it_with_its_done_button(marie, agenda):
    task = agenda["today"]
    body = signed_in(marie).get(f"/admin/planner/tasks/inspect/{task.pk}/").content.decode()
    assert "Répétition" in body and "Grande salle" in body and "Théâtre de Metz" in body
    assert f'action="/admin/planner/tasks/done/{task.pk}/"' in body


def test_deleting_a_task_through_its_confirmation(marie, agenda):
    task = agenda["soon"]
    browser = signed_in(marie)
    assert (
        "Supprimer cette tâche"
        in browser.get(f"/admin/planner/tasks/delete/{task.pk}/").content.decode()
    )
    browser.post(f"/admin/planner/tasks/delete/{task.pk}/")
    assert not Task.objects.filter(pk=task.pk).exists()


def test_every_done_button_posts_with_its_csrf_token(marie, agenda, theatre):
    """Browsers enforce CSRF, unlike the test client: each small form carries its token."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(marie)
    pages = [
        "/admin/planner/tasks/?tab=today",
        "/admin/planner/tasks/results/?tab=today",
        "/admin/",
        f"/admin/directory/organisations/inspect/{theatre.pk}/",
        f"/admin/planner/tasks/inspect/{agenda['today'].pk}/",
    ]
    for url in pages:
        body = browser.get(url).content.decode()
        forms = re.findall(
            r'<form method="post" action="/admin/planner/tasks/done/.*?</form>', body, re.S
        )
        assert forms, url
        for form in forms:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
            assert token, (url, form)
    form = re.findall(
        r'<form method="post" action="(/admin/planner/tasks/done/\d+/)".*?'
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        browser.get("/admin/planner/tasks/?tab=today").content.decode(),
        re.S,
    )[0]
    response = browser.post(form[0], {"csrfmiddlewaretoken": form[1], "next": "/admin/"})
    assert response.status_code == 302
