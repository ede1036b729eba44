"""Campaign fixtures: the small directory of tests/selections (`town`), a
basket of the directors of venues in Grand Est, and one template per channel."""

import pytest

from outreach.models import EmailTemplate, LabelTemplate, SmsTemplate
from selections.models import Basket, BasketStep, SavedSearch
from tests.selections.conftest import marie, paul, town  # noqa: F401  (shared fixtures)


def rule(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


def basket_for(owner, tree, name="Directeurs du Grand Est", target="people"):
    search = SavedSearch.objects.create(owner=owner, name=name, criteria=tree, target=target)
    basket = Basket.objects.create(owner=owner, name=name)
    BasketStep.objects.create(basket=basket, sort_order=0, operation="union", search=search)
    return basket


@pytest.fixture(autouse=True)
def no_tests_left_counted(db):
    """The hourly count of test messages lives in the shared cache (Redis in
    CI, kept between runs, where the next run's users have the same ids):
    each test leaves none behind."""
    yield
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from outreach.actions import tests_key

    for user in get_user_model().objects.all():
        cache.delete(tests_key(user))


@pytest.fixture(autouse=True)
def tasks_run_at_once(tasks_at_once):
    """The sending task runs on commit, in the caller, on Redis too (a real
    worker is tested in test_campaign_worker.py)."""


@pytest.fixture
def directors_basket(town, marie):  # noqa: F811  (fixtures)
    """The first seed's case: the directors of venues in Grand Est (Alice at
    Metz, Emma at Nancy; Emma refused e-mails)."""
    tree = {
        "match": "all",
        "rules": [
            rule("position.function", "in", [town.director.pk]),
            rule("organisation.kind", "in", [town.venue.pk]),
            rule("organisation.region", "in", ["44"]),
        ],
    }
    return basket_for(marie, tree)


@pytest.fixture
def email_template(db):
    return EmailTemplate.objects.create(
        name="Invitation",
        subject="Bonjour {{ prenom }}",
        html="<p>Bonjour {{ prenom }} {{ nom }}, directrice de {{ organisation }}.</p>",
    )


@pytest.fixture
def sms_template(db):
    return SmsTemplate.objects.create(name="Rappel", body="Bonjour {{ prenom }}, à ce soir !")


@pytest.fixture
def label_template(db):
    return LabelTemplate.objects.create(
        name="Avery L7160",
        preset="L7160",
        page_width=210,
        page_height=297,
        rows=7,
        columns=3,
        top_margin="15.15",
        left_margin="7.21",
        label_width="63.5",
        label_height="38.1",
        horizontal_pitch="66.04",
        vertical_pitch="38.1",
    )


@pytest.fixture(autouse=True)
def sms_allowed_whenever_the_suite_runs(request, monkeypatch):
    """Marketing SMS wait outside 08:00–22:00 and on Sundays and holidays
    (`outreach.sms.quiet_hours`): a test about something else must not fail
    because the suite runs at night. The tests of that rule say so with
    `@pytest.mark.real_quiet_hours` and keep it."""
    if request.node.get_closest_marker("real_quiet_hours"):
        return
    from outreach.sms import quiet_hours

    monkeypatch.setattr(quiet_hours, "is_quiet", lambda moment: "")
