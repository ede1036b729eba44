"""Nobody but its owner reaches a task, administrators included: on every
URL of the planner, as read from Django's resolver (a URL added later fails
here until it is stated below), with two members of staff who each own a
task, an administrator, a client and an anonymous visitor. Another user's
task id answers 404, the same as an id that does not exist."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.admin.views.bulk_action.registry import bulk_action_registry

from planner import actions, schedule
from planner.models import Task, TaskLogEntry

from .conftest import signed_in

NAMESPACES = ("planner_tasks", "planner_task_chooser")

# Who reaches each URL of the planner's namespaces:
OWN_TASK = "a task of the reader's: 404 for anyone else's"
LISTING = "the reader's own tasks only"
NOBODY = "404 for everyone"

EXPECTED = {
    "planner_tasks:list": LISTING,
    "planner_tasks:list_results": LISTING,
    "planner_tasks:add": LISTING,
    "planner_tasks:calendar": LISTING,
    "planner_tasks:edit": OWN_TASK,
    "planner_tasks:delete": OWN_TASK,
    "planner_tasks:inspect": OWN_TASK,
    "planner_tasks:history": OWN_TASK,
    "planner_tasks:history_results": OWN_TASK,
    "planner_tasks:usage": OWN_TASK,
    "planner_tasks:done": OWN_TASK,
    "planner_tasks:reopen": OWN_TASK,
    "planner_task_chooser:choose": LISTING,
    "planner_task_chooser:choose_results": LISTING,
    "planner_task_chooser:chosen": OWN_TASK,
    "planner_task_chooser:chosen_multiple": LISTING,
    "planner_task_chooser:create": NOBODY,
}
BULK_ACTIONS = {"delete", "mark_done"}
# Views that change a task on POST (their GET is refused or shows a confirmation).
POST_ONLY = {"planner_tasks:done", "planner_tasks:reopen"}

MARIE = "Tâche Zorglub de Marie"
PAUL = "Tâche Xanadu de Paul"


def planner_routes():
    found = {}

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and namespace in NAMESPACES and pattern.name:
                found[f"{namespace}:{pattern.name}"] = "/" + prefix + str(pattern.pattern)

    walk(get_resolver().url_patterns)
    return found


def fill(route: str, pk) -> str:
    return re.sub(r"<(?:\w+:)?\w+>", str(pk), route).replace("^", "").replace("$", "")


@pytest.fixture
def world(marie, paul, theatre):
    today = schedule.local_today(schedule.now())
    mine = actions.create_task(marie, title=MARIE, due_date=today, organisation=theatre)
    his = actions.create_task(paul, title=PAUL, due_date=today, organisation=theatre)
    return {"marie": mine, "paul": his}


def test_every_url_of_the_planner_is_stated_here():
    assert set(planner_routes()) == set(EXPECTED), "state who may reach the new URLs in EXPECTED"
    bulk_action_registry._scan_for_bulk_actions()
    assert set(bulk_action_registry.actions["planner"]["task"]) == BULK_ACTIONS


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_url_answers_each_role_as_stated(name, world, marie, paul, admin, theo):
    route = planner_routes()[name]
    expected = EXPECTED[name]
    mine, his = world["marie"].pk, world["paul"].pk
    urls = {"own": fill(route, mine), "other": fill(route, his)}
    if name == "planner_task_chooser:chosen_multiple":
        base = fill(route, mine)
        urls = {"own": f"{base}?id={mine}", "other": f"{base}?id={his}"}

    # An anonymous visitor is sent to sign in; a client is refused.
    for method in ("get", "post"):
        response = getattr(Client(), method)(urls["own"])
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
        refused = getattr(signed_in(theo), method)(urls["own"])
        assert refused.status_code in (403, 404), f"{method} {urls['own']} as a client"

    for user, other_title, other_url in (
        (marie, PAUL, urls["other"]),
        (paul, MARIE, fill(route, mine)),
    ):
        browser = signed_in(user)
        if expected == NOBODY:
            assert browser.get(urls["own"]).status_code == 404
            assert browser.post(urls["own"]).status_code == 404
            continue
        if expected == OWN_TASK:
            natural = "post" if name in POST_ONLY else "get"
            for method in ("get", "post"):
                response = getattr(browser, method)(other_url)
                # 405 (the same for every id) for a method the view does not take.
                allowed = {404} if method == natural else {404, 405}
                assert response.status_code in allowed, f"{method} {other_url} as {user}"
                assert other_title not in response.content.decode()
            own_url = fill(route, world["marie" if user == marie else "paul"].pk)
            if name in POST_ONLY:
                assert browser.get(own_url).status_code == 405
                assert browser.post(own_url).status_code == 302
            else:
                response = browser.get(own_url)
                assert response.status_code == 200, f"GET {own_url} as {user}"
        else:  # a listing of the reader's own tasks
            response = browser.get(urls["own"] if user == marie else urls["other"])
            assert response.status_code in (200, 404)
            body = response.content.decode()
            assert other_title not in body

    # An administrator reaches the listings (empty for them) and none of the tasks.
    browser = signed_in(admin)
    for url in urls.values():
        for method in ("get", "post"):
            response = getattr(browser, method)(url)
            body = response.content.decode()
            assert MARIE not in body and PAUL not in body, f"{method} {url} as administrator"
            if expected in (OWN_TASK, NOBODY):
                assert response.status_code in (404, 405), f"{method} {url} as administrator"
    # Nothing was changed by anyone but the owners' own requests.
    assert Task.objects.filter(title=MARIE, owner=marie).exists()
    assert Task.objects.filter(title=PAUL, owner=paul).exists()


def test_posting_to_another_users_task_changes_nothing(world, marie, paul, admin):
    his = world["paul"]
    for user in (marie, admin):
        browser = signed_in(user)
        assert (
            browser.post(f"/admin/planner/tasks/edit/{his.pk}/", {"title": "Volée"}).status_code
            == 404
        )
        assert browser.post(f"/admin/planner/tasks/delete/{his.pk}/").status_code == 404
        assert browser.post(f"/admin/planner/tasks/done/{his.pk}/").status_code == 404
    his.refresh_from_db()
    assert his.title == PAUL and his.done_at is None


@pytest.mark.parametrize("action", sorted(BULK_ACTIONS))
def test_bulk_actions_reach_only_the_readers_tasks(action, world, marie, paul, admin):
    mine, his = world["marie"], world["paul"]
    url = f"/admin/bulk/planner/task/{action}/"
    browser = signed_in(marie)
    # Another's task alone: 404; with one's own: only one's own is named.
    assert browser.get(f"{url}?id={his.pk}").status_code == 404
    confirmation = browser.get(f"{url}?id={mine.pk}&id={his.pk}")
    assert confirmation.status_code == 200
    body = confirmation.content.decode()
    assert MARIE in body and PAUL not in body
    assert browser.post(f"{url}?id={his.pk}").status_code == 404
    # "Select all" means the reader's tasks of a tab.
    everything = browser.get(f"{url}?id=all&childOf=today")
    assert PAUL not in everything.content.decode()
    for user in (admin,):
        assert signed_in(user).get(f"{url}?id={mine.pk}").status_code == 404
        assert signed_in(user).post(f"{url}?id={mine.pk}").status_code == 404
    browser.post(f"{url}?id={mine.pk}&id={his.pk}")
    his.refresh_from_db()
    assert his.done_at is None
    if action == "delete":
        assert not Task.objects.filter(pk=mine.pk).exists()
    else:
        mine.refresh_from_db()
        assert mine.done_at is not None


def test_the_export_holds_the_readers_tasks_only(world, marie, admin):
    body = signed_in(marie).get("/admin/planner/tasks/?tab=today&export=csv")
    text = b"".join(body.streaming_content).decode() if body.streaming else body.content.decode()
    assert MARIE in text and PAUL not in text
    admin_body = signed_in(admin).get("/admin/planner/tasks/?tab=today&export=csv")
    admin_text = (
        b"".join(admin_body.streaming_content).decode()
        if admin_body.streaming
        else admin_body.content.decode()
    )
    assert MARIE not in admin_text and PAUL not in admin_text


def test_the_calendar_feed_holds_the_owners_tasks_only(world, marie):
    token = actions.turn_feed_on(marie)
    body = Client().get(f"/calendrier/{token}.ics").content.decode()
    assert MARIE in body and PAUL not in body


def test_the_site_history_shows_task_entries_to_their_owner_only(world, marie, paul, admin):
    assert TaskLogEntry.objects.viewable_by_user(marie).filter(label=MARIE).exists()
    assert not TaskLogEntry.objects.viewable_by_user(marie).filter(label=PAUL).exists()
    assert not TaskLogEntry.objects.viewable_by_user(admin).exists()
    for user, hidden in ((marie, PAUL), (paul, MARIE), (admin, MARIE)):
        response = signed_in(user).get("/admin/reports/site-history/")
        assert response.status_code == 200
        assert hidden not in response.content.decode()
    assert MARIE in signed_in(marie).get("/admin/reports/site-history/").content.decode()


def test_a_record_shows_each_reader_their_own_tasks_about_it(world, marie, paul, admin, theatre):
    url = f"/admin/directory/organisations/inspect/{theatre.pk}/"
    marie_page = signed_in(marie).get(url).content.decode()
    assert MARIE in marie_page and PAUL not in marie_page
    paul_page = signed_in(paul).get(url).content.decode()
    assert PAUL in paul_page and MARIE not in paul_page
    admin_page = signed_in(admin).get(url).content.decode()
    assert MARIE not in admin_page and PAUL not in admin_page


def test_a_records_usage_does_not_list_anyones_tasks(world, paul, theatre):
    response = signed_in(paul).get(f"/admin/directory/organisations/usage/{theatre.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert MARIE not in body and PAUL not in body


def test_the_dashboard_shows_each_reader_their_own_tasks(world, marie, admin):
    page = signed_in(marie).get("/admin/").content.decode()
    assert MARIE in page and PAUL not in page
    admin_page = signed_in(admin).get("/admin/").content.decode()
    assert MARIE not in admin_page and PAUL not in admin_page


def test_clients_have_no_planner_at_all(world, theo):
    browser = signed_in(theo)
    for url in ("/admin/planner/tasks/", "/admin/planner/tasks/add/", "/admin/planner/choose/"):
        assert browser.get(url).status_code == 403
    home = browser.get("/admin/", follow=True).content.decode()
    assert "Mes tâches" not in home and "/admin/planner/" not in home
