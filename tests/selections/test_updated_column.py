"""The « Mis à jour » column of "Mes recherches", "Mes paniers" and their
"Partagé(e)s avec moi" listings says when each was last changed.

It stayed empty: Wagtail's listings read the latest `ModelLogEntry`, and
searches and baskets log to their own `SelectionLogEntry`. It now shows the
later of the object's own `updated_at` and its last logged change (rows
added or removed by hand…), an export or a snapshot not counting."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from selections import actions
from selections.models import Basket, SavedSearch, SelectionLogEntry
from tests.factories import logged_in

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - datetime.timedelta(days=400)


def listed(user, url_name) -> dict:
    response = logged_in(user).get(reverse(url_name))
    assert response.status_code == 200
    return response, {obj.name: obj._updated_at for obj in response.context["object_list"]}


def age_of(model, obj):
    """As if `obj` had been created and last changed long ago."""
    model.objects.filter(pk=obj.pk).update(updated_at=LONG_AGO)
    SelectionLogEntry.objects.filter(object_id=str(obj.pk)).update(timestamp=LONG_AGO)


def test_my_searches_show_when_each_was_changed(town, marie):
    search = actions.create_search(marie, name="Directeurs", criteria={"match": "all", "rules": []})
    response, updated = listed(marie, "selections_searches:index")
    assert updated["Directeurs"] >= SavedSearch.objects.get(pk=search.pk).updated_at
    assert updated["Directeurs"] > timezone.now() - datetime.timedelta(minutes=5)
    page = response.content.decode()
    assert "Mis à jour" in page
    row = page.split("Directeurs")[1].split("</tr>")[0]
    assert '<time class="w-human-readable-date__date" datetime="' in row


def test_searches_shared_with_me_show_it_too(town, marie, paul):
    search = actions.create_search(marie, name="Zébulon", criteria={"match": "all", "rules": []})
    actions.set_sharing(marie, search, users=[paul])
    response, updated = listed(paul, "selections_searches:shared")
    assert updated["Zébulon"] is not None
    assert "<time" in response.content.decode().split("Zébulon")[1].split("</tr>")[0]


def test_rows_added_by_hand_update_a_basket(town, marie):
    basket = actions.create_basket(marie, name="Saison")
    age_of(Basket, basket)
    _response, before = listed(marie, "selections_baskets:index")
    assert before["Saison"] == LONG_AGO
    actions.add_rows(marie, basket, [f"personal-{town.denis.pk}"])
    _response, after = listed(marie, "selections_baskets:index")
    assert after["Saison"] > timezone.now() - datetime.timedelta(minutes=5)


def test_exporting_or_freezing_is_not_an_update(town, marie):
    basket = actions.create_basket(marie, name="Saison")
    age_of(Basket, basket)
    actions.record_export(marie, basket, rows=0, columns=["name"], file_format="csv")
    actions.freeze_basket(marie, basket, "Avant")
    _response, updated = listed(marie, "selections_baskets:index")
    assert updated["Saison"] == LONG_AGO


def test_baskets_shared_with_me_show_it(town, marie, paul):
    basket = actions.create_basket(marie, name="Zéphyr")
    actions.set_sharing(marie, basket, users=[paul])
    response, updated = listed(paul, "selections_baskets:shared")
    assert updated["Zéphyr"] is not None
    assert "<time" in response.content.decode().split("Zéphyr")[1].split("</tr>")[0]


def test_the_listing_sorts_on_it(town, marie):
    old = actions.create_search(marie, name="Ancienne", criteria={"match": "all", "rules": []})
    actions.create_search(marie, name="Récente", criteria={"match": "all", "rules": []})
    age_of(SavedSearch, old)
    browser = logged_in(marie)
    newest_first = browser.get(reverse("selections_searches:index"), {"ordering": "-_updated_at"})
    assert [obj.name for obj in newest_first.context["object_list"]] == ["Récente", "Ancienne"]
    oldest_first = browser.get(reverse("selections_searches:index"), {"ordering": "_updated_at"})
    assert [obj.name for obj in oldest_first.context["object_list"]] == ["Ancienne", "Récente"]
