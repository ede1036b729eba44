"""Hostile input on every selections screen gets a normal page or a clear,
translated refusal, and changes nothing: page numbers and sizes, NUL
characters, ids past 64 bits, and a basket step row that belongs to another
basket."""

import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from crmsite.roles import STAFF
from selections.models import Basket, BasketEntry, BasketStep, SavedSearch, Snapshot
from tests.factories import logged_in

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # past 64 bits
HOSTILE_NUMBERS = ["-5", "0", "-1", HUGE, "9" * 400, "abc", "1e3", "1.5", "", " 2", "٣"]
HOSTILE_IDS = [HUGE, "18446744073709551616", "-1", "0", "abc", "1e3", "1.5", "٣", "9" * 400]


def directors(town):
    return {
        "match": "all",
        "rules": [{"field": "position.function", "operator": "in", "value": [town.director.pk]}],
    }


@pytest.fixture
def saison(town, marie):
    search = SavedSearch.objects.create(owner=marie, name="Directeurs", criteria=directors(town))
    basket = Basket.objects.create(owner=marie, name="Saison")
    BasketStep.objects.create(basket=basket, search=search, operation="union")
    BasketEntry.objects.create(basket=basket, action="add", person=town.denis)
    return basket


def search_of(basket) -> SavedSearch:
    return basket.steps.get().search


# Page numbers and page sizes -------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
@pytest.mark.parametrize("parameter", ["per_page", "p"])
def test_any_page_or_page_size_gives_a_normal_page_of_results(saison, marie, parameter, value):
    browser = logged_in(marie)
    search = search_of(saison)
    preview = {"target": "people", "criteria": json.dumps(search.criteria)}
    for url, query in (
        (reverse("selections_searches:results", args=(search.pk,)), {}),
        (reverse("selections_baskets:basket", args=(saison.pk,)), {}),
        (reverse("selections_searches:add"), preview),
    ):
        response = browser.get(url, {**query, parameter: value})
        assert response.status_code == 200, (url, parameter, value)
        assert 1 <= len(response.context["table"].page.object_list) <= 200
        assert response.context["row_count"] >= 1


def test_a_page_past_the_last_shows_the_last_and_a_sane_size_is_kept(saison, marie):
    browser = logged_in(marie)
    url = reverse("selections_baskets:basket", args=(saison.pk,))
    page = browser.get(url, {"per_page": "2", "p": HUGE})
    assert [len(page.context["table"].page.object_list), page.context["table"].page.number] == [
        2,
        2,
    ]


# NUL characters ------------------------------------------------------------------------------


def nul_criteria(value) -> str:
    return json.dumps({"match": "all", "rules": [value]})


NUL_RULES = [
    {"field": "person.name", "operator": "contains", "value": "a\u0000b"},
    {"field": "person.city", "operator": "in", "value": ["Metz", "a\u0000b"]},
    {"field": "organisation.name", "operator": "starts_with", "value": "\u0000"},
]


@pytest.mark.parametrize("rule", NUL_RULES)
def test_a_nul_character_in_a_criteria_value_is_refused_by_the_count_and_the_save(
    town, marie, rule
):
    browser = logged_in(marie)
    criteria = nul_criteria(rule)
    assert "\\u0000" in criteria and "\x00" not in criteria  # the JSON escape, not a raw byte
    count = browser.post(reverse("selections_searches:count"), {"criteria": criteria})
    assert count.status_code == 400
    assert any("NUL" in error for error in count.json()["errors"])

    saved = browser.post(
        reverse("selections_searches:add"),
        {"name": "Nulle", "target": "people", "criteria": criteria},
    )
    assert saved.status_code == 200
    assert "NUL" in saved.content.decode()
    assert not SavedSearch.objects.exists()

    preview = browser.get(
        reverse("selections_searches:add"), {"target": "people", "criteria": criteria}
    )
    assert preview.status_code == 200 and "NUL" in preview.content.decode()


def test_a_snapshot_label_with_a_nul_character_is_refused(saison, marie):
    response = logged_in(marie).post(
        reverse("selections_baskets:freeze", args=(saison.pk,)), {"label": "Avant\x00après"}
    )
    assert response.status_code in (302, 400)
    assert not Snapshot.objects.exists()


def test_a_snapshot_label_too_long_is_refused_rather_than_cut(saison, marie):
    response = logged_in(marie).post(
        reverse("selections_baskets:freeze", args=(saison.pk,)), {"label": "x" * 201}, follow=True
    )
    assert response.status_code == 200
    assert not Snapshot.objects.exists()


def test_a_new_basket_name_with_a_nul_character_is_refused(town, marie):
    response = logged_in(marie).post(
        reverse("selections_baskets:add_rows"),
        {"row": [f"personal-{town.alice.pk}"], "new_basket_name": "Sai\x00son"},
    )
    assert response.status_code in (302, 400)
    assert not Basket.objects.exists()


def test_a_nul_character_in_the_organisation_chooser_finds_nothing_and_fails_nothing(town, marie):
    response = logged_in(marie).get(
        reverse("selections_searches:organisations"), {"q": "th\x00eatre"}
    )
    assert response.status_code in (200, 400)


# Ids past 64 bits, negative or not numbers -----------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
@pytest.mark.parametrize("field", ["shared_with_users", "shared_with_groups"])
def test_sharing_with_an_impossible_id_is_refused_with_a_form_error(
    saison, marie, paul, field, hostile
):
    browser = logged_in(marie)
    staff_group = Group.objects.get(name=STAFF)
    for url in (
        reverse("selections_baskets:share", args=(saison.pk,)),
        reverse("selections_searches:share", args=(search_of(saison).pk,)),
    ):
        valid = paul.pk if field == "shared_with_users" else staff_group.pk
        response = browser.post(url, {field: [str(valid), hostile]})
        assert response.status_code == 200, (url, hostile)
        assert response.context["form"].errors[field]
    saison.refresh_from_db()
    assert not saison.is_shared and not search_of(saison).is_shared


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_impossible_ids_in_a_basket_step_are_refused(saison, marie, hostile):
    search = search_of(saison)
    for field in ("search", "included_basket"):
        data = {
            "name": "Saison",
            "description": "",
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000",
            "steps-0-operation": "union",
            "steps-0-ORDER": "1",
            "steps-0-DELETE": "",
            "steps-0-id": "",
            f"steps-0-{field}": hostile,
        }
        response = logged_in(marie).post(
            reverse("selections_baskets:edit", args=(saison.pk,)), data
        )
        assert response.status_code == 200, (field, hostile)
    assert [step.search for step in saison.steps.all()] == [search]


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_impossible_ids_in_a_step_row_id_are_refused(saison, marie, hostile):
    step = saison.steps.get()
    response = logged_in(marie).post(
        reverse("selections_baskets:edit", args=(saison.pk,)),
        step_rows(saison, [(hostile, step.search)]),
    )
    assert response.status_code == 200
    assert "n’existe plus ici" in response.content.decode()
    assert list(saison.steps.all()) == [step]


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_impossible_ids_as_the_basket_to_add_rows_to_are_refused(saison, marie, town, hostile):
    response = logged_in(marie).post(
        reverse("selections_baskets:add_rows"),
        {"row": [f"personal-{town.alice.pk}"], "basket": hostile},
    )
    assert response.status_code == 302
    assert Basket.objects.count() == 1 and saison.entries.count() == 1


@pytest.mark.parametrize(
    "row", [f"personal-{HUGE}", "position--1", "organisation-abc", f"position-{'9' * 400}"]
)
def test_impossible_row_keys_change_nothing(saison, marie, row):
    browser = logged_in(marie)
    for url in (
        reverse("selections_baskets:remove_rows", args=(saison.pk,)),
        reverse("selections_baskets:add_rows"),
    ):
        response = browser.post(url, {"row": [row], "basket": saison.pk})
        assert response.status_code == 302, (url, row)
    assert saison.entries.count() == 1


def test_impossible_ids_in_urls_answer_404(saison, marie):
    browser = logged_in(marie)
    for url in (
        f"/admin/selections/baskets/{HUGE}/",
        f"/admin/selections/searches/{HUGE}/",
        f"/admin/selections/baskets/export/{HUGE}/",
        f"/admin/selections/baskets/snapshot/{saison.pk}/{HUGE}/",
        f"/admin/selections/baskets/snapshot/{HUGE}/1/",
        f"/admin/selections/baskets/snapshot/{saison.pk}/{HUGE}/csv/",
        f"/admin/selections/baskets/snapshot/{saison.pk}/{HUGE}/xlsx/",
        f"/admin/selections/baskets/edit/{HUGE}/",
        f"/admin/selections/searches/edit/{HUGE}/",
        f"/admin/selections/baskets/share/{HUGE}/",
    ):
        assert browser.get(url).status_code == 404, url
    for url in (
        f"/admin/selections/baskets/cancel/{saison.pk}/{HUGE}/",
        f"/admin/selections/baskets/cancel/{HUGE}/1/",
        f"/admin/selections/baskets/freeze/{HUGE}/",
        f"/admin/selections/baskets/remove-rows/{HUGE}/",
        f"/admin/selections/searches/copy/{HUGE}/",
    ):
        assert browser.post(url).status_code == 404, url
    assert saison.entries.count() == 1


# A step row of another basket ------------------------------------------------------------------


def step_rows(basket, rows) -> dict:
    """The basket's edit form with one inline row per (id, search)."""
    data = {
        "name": basket.name,
        "description": "",
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": str(len(rows)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for index, (pk, search) in enumerate(rows):
        data.update(
            {
                f"steps-{index}-id": str(pk),
                f"steps-{index}-operation": "union",
                f"steps-{index}-search": str(search.pk),
                f"steps-{index}-ORDER": str(index + 1),
                f"steps-{index}-DELETE": "",
            }
        )
    return data


def test_a_step_row_of_another_basket_is_refused_and_nothing_changes(saison, marie):
    other = Basket.objects.create(owner=marie, name="Autre")
    search = search_of(saison)
    foreign = BasketStep.objects.create(basket=other, search=search, operation="exclude")
    own = saison.steps.get()

    response = logged_in(marie).post(
        reverse("selections_baskets:edit", args=(saison.pk,)),
        {**step_rows(saison, [(foreign.pk, search)]), "name": "Renommé"},
    )
    assert response.status_code == 200
    assert "Une ligne de cette liste n’existe plus ici" in response.content.decode()
    saison.refresh_from_db()
    assert saison.name == "Saison"
    assert list(saison.steps.all()) == [own]
    assert list(other.steps.all()) == [foreign]
    foreign.refresh_from_db()
    assert foreign.operation == "exclude"


def test_a_step_row_of_a_colleagues_basket_is_refused_too(saison, marie, paul):
    his = Basket.objects.create(owner=paul, name="Le sien")
    search = search_of(saison)
    search.shared_with_users.add(paul)
    foreign = BasketStep.objects.create(basket=his, search=search)
    response = logged_in(marie).post(
        reverse("selections_baskets:edit", args=(saison.pk,)),
        step_rows(saison, [(foreign.pk, search)]),
    )
    assert response.status_code == 200
    assert list(his.steps.all()) == [foreign]
    assert saison.steps.count() == 1
