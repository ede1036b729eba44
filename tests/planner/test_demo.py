"""The demo seed gives the demo staff member tasks in every tab, about
records of the directory, and the administrator one of their own."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from planner import schedule
from planner.models import Task


def test_seed_demo_gives_the_demo_users_their_tasks_once():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    users = get_user_model().objects
    equipe, admin = users.get(username="equipe"), users.get(username="admin")
    mine = Task.objects.owned_by(equipe)
    now = schedule.now()
    for tab in schedule.TAB_NAMES:
        assert mine.filter(schedule.tab_filter(tab, now)).exists(), tab
    assert mine.filter(organisation__name="La Comète").exists()
    assert mine.filter(person__last_name="Lefèvre").exists()
    assert Task.objects.owned_by(admin).count() == 1
    assert not Task.objects.filter(owner__username="client").exists()
    titles = list(Task.objects.values_list("owner_id", "title"))
    assert len(titles) == len(set(titles))
