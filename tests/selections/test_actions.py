"""Every write on searches and baskets goes through `selections.actions`: it
checks access, validates, writes and logs what changed. Called directly here,
and through the screens, which only carry input to the actions."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from crmsite.roles import CLIENTS, STAFF
from selections import actions
from selections.models import (
    EXPORT_ACTION,
    FREEZE_ACTION,
    SHARE_ACTION,
    UNSHARE_ACTION,
    Basket,
    BasketEntry,
    BasketStep,
    SavedSearch,
    SelectionLogEntry,
)
from tests.factories import administrator, logged_in, staff
from tests.factories import client as client_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return administrator(username="alix", first_name="Alix", last_name="Admin")


def directors(town):
    return {
        "match": "all",
        "rules": [{"field": "position.function", "operator": "in", "value": [town.director.pk]}],
    }


def english():
    return {
        "match": "all",
        "rules": [{"field": "person.language", "operator": "in", "value": ["en"]}],
    }


def entries(selection, action=None):
    found = SelectionLogEntry.objects.filter(object_id=str(selection.pk)).filter(
        content_type__model=selection._meta.model_name
    )
    return list(found.filter(action=action) if action else found)


def message(entry) -> str:
    with translation.override("fr"):
        return str(entry.message)


@pytest.fixture
def search(town, marie):
    return actions.create_search(marie, name="Directeurs", criteria=directors(town))


# Saved searches -----------------------------------------------------------------------


def test_saving_a_search_logs_its_creation_then_each_change_before_and_after(town, marie):
    search = actions.create_search(
        marie, name="Directeurs", description="", criteria=directors(town)
    )
    assert search.owner == marie
    assert [entry.action for entry in entries(search)] == ["wagtail.create"]

    actions.update_search(marie, search, name="Directeurs de lieux", criteria=english())
    edit = entries(search, "wagtail.edit")[0]
    changed = {change["field"]: change for change in edit.data["changes"]}
    assert changed["name"]["before"] == "Directeurs"
    assert changed["name"]["after"] == "Directeurs de lieux"
    assert "Directeur·rice" in changed["criteria"]["before"]
    assert changed["criteria"]["after"] == (
        "Toutes ces conditions\u00a0: Langue préférée est l’un de Anglais"
    )
    assert set(changed) == {"name", "criteria"}
    assert "Nom\u00a0: «\u00a0Directeurs\u00a0» → «\u00a0Directeurs de lieux\u00a0»" in message(
        edit
    )

    actions.update_search(marie, search, name="Directeurs de lieux")
    assert len(entries(search, "wagtail.edit")) == 1, "nothing changed, nothing logged"


def test_a_search_with_bad_criteria_is_refused_and_nothing_is_saved(marie):
    bad = {"match": "all", "rules": [{"field": "nope", "operator": "in", "value": [1]}]}
    with pytest.raises(ValidationError):
        actions.create_search(marie, name="Cassée", criteria=bad)
    assert not SavedSearch.objects.exists()
    assert not SelectionLogEntry.objects.exists()


def test_only_the_owner_changes_a_search_and_only_staff_create_one(town, marie, paul, search):
    search.shared_with_users.add(paul)
    for write in (
        lambda: actions.update_search(paul, search, name="À moi"),
        lambda: actions.delete_search(paul, search),
        lambda: actions.share(paul, search, all_staff=True),
    ):
        with pytest.raises(PermissionDenied, match="Seul son propriétaire"):
            write()
    with pytest.raises(PermissionDenied):
        actions.create_search(client_factory(username="theo"), name="X", criteria=english())
    with pytest.raises(PermissionDenied):
        actions.create_search(None, name="X", criteria=english())
    with pytest.raises(PermissionDenied):  # a search made for someone else
        actions.create_search(paul, SavedSearch(owner=marie), name="X", criteria=english())
    search.refresh_from_db()
    assert search.name == "Directeurs" and not search.shared_with_all_staff


def test_a_copy_is_its_copier_s_and_only_of_what_they_may_see(town, marie, paul, search):
    with pytest.raises(PermissionDenied, match="ni à vous ni partagée"):
        actions.copy_search(paul, search)
    actions.share(marie, search, users=[paul])
    copy = actions.copy_search(paul, search)
    assert copy.owner == paul and copy.criteria == search.criteria
    assert copy.name.startswith("Directeurs") and copy.name != "Directeurs"
    assert entries(copy, "wagtail.create")[0].data == {"copied_from": search.pk}


def test_deleting_a_search_is_blocked_by_the_owner_s_baskets_and_removes_colleagues_steps(
    town, marie, paul, search
):
    mine = actions.create_basket(marie, name="Saison", steps=[("union", search)])
    actions.share(marie, search, users=[paul])
    his = actions.create_basket(paul, name="Le mien", steps=[("union", search)])
    with pytest.raises(ValidationError, match="Saison"):
        actions.delete_search(marie, search)
    assert SavedSearch.objects.filter(pk=search.pk).exists()

    actions.compose_basket(marie, mine, [])
    pk = search.pk
    actions.delete_search(marie, search)
    assert not SavedSearch.objects.filter(pk=pk).exists()
    assert not BasketStep.objects.filter(basket=his).exists()
    removed = entries(his, actions.STEP_REMOVED_ACTION)[0]
    assert removed.user is None, "the owner of the search is not shown his colleague's basket"
    deleted = SelectionLogEntry.objects.get(object_id=str(pk), action="wagtail.delete")
    assert deleted.user == marie


# Sharing --------------------------------------------------------------------------------


def test_sharing_and_unsharing_say_who_gained_and_who_lost_access(town, marie, paul, search):
    team = Group.objects.get(name=STAFF)
    assert actions.share(marie, search, users=[paul], groups=[team])
    assert search.is_visible_to(paul)
    shared = entries(search, SHARE_ACTION)[0]
    assert {item.get("name") for item in shared.data["gained"]} == {"Paul Petit", STAFF}
    assert shared.data["lost"] == []
    assert message(shared) == "Partagé avec le groupe «\u00a0Équipe\u00a0», Paul Petit"

    assert not actions.share(marie, search, users=[paul]), "nothing new: nothing logged"
    assert len(entries(search, SHARE_ACTION)) == 1

    assert actions.unshare(marie, search, users=[paul], groups=[team])
    assert not search.is_visible_to(paul)
    unshared = entries(search, UNSHARE_ACTION)[0]
    assert [item["name"] for item in unshared.data["lost"]] == [STAFF, "Paul Petit"]
    assert message(unshared) == "Plus partagé avec le groupe «\u00a0Équipe\u00a0», Paul Petit"
    fields = {change["field"] for change in unshared.data["changes"]}
    assert fields == {"shared_with_users", "shared_with_groups"}


def test_sharing_with_every_staff_member_then_stopping(town, marie, paul, search):
    actions.set_sharing(marie, search, all_staff=True)
    assert search.is_visible_to(paul)
    assert message(entries(search, SHARE_ACTION)[0]) == "Partagé avec tous les membres de l’équipe"
    actions.unshare(marie, search, all_staff=True)
    assert not search.is_visible_to(paul)


def test_a_selection_is_shared_with_staff_only(town, marie, search):
    theo = client_factory(username="theo")
    with pytest.raises(ValidationError) as refused:
        actions.share(marie, search, users=[theo])
    assert "shared_with_users" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        actions.share(marie, search, groups=[Group.objects.get(name=CLIENTS)])
    assert "shared_with_groups" in refused.value.error_dict
    inactive = staff(username="parti", is_active=False)
    with pytest.raises(ValidationError):
        actions.share(marie, search, users=[inactive])
    assert not search.is_shared and not entries(search, SHARE_ACTION)


# Baskets ----------------------------------------------------------------------------------


def test_composing_a_basket_logs_its_steps_before_and_after(town, marie, search):
    other = actions.create_search(marie, name="Anglophones", criteria=english())
    basket = actions.create_basket(marie, name="Saison", steps=[("union", search)])
    assert [step.search for step in basket.steps.all()] == [search]
    actions.compose_basket(marie, basket, [("union", search), ("exclude", other)])
    assert [(s.operation, s.search) for s in basket.steps.all()] == [
        ("union", search),
        ("exclude", other),
    ]
    edit = entries(basket, "wagtail.edit")[0]
    (change,) = edit.data["changes"]
    assert change["field"] == "steps"
    assert change["before"] == f"ajouter (union)\u00a0: recherche enregistrée n°{search.pk}"
    assert change["after"].endswith(f"\u00a0: recherche enregistrée n°{other.pk}")
    assert "Directeurs" not in change["after"], "sources by number, never by name"


def test_a_basket_has_at_most_fifty_steps(town, marie, search):
    basket = actions.create_basket(marie, name="Saison")
    with pytest.raises(ValidationError, match="50"):
        actions.compose_basket(marie, basket, [("union", search)] * 51)
    assert not BasketStep.objects.filter(basket=basket).exists()
    assert not entries(basket, "wagtail.edit")
    actions.compose_basket(marie, basket, [("union", search)] * 50)
    assert BasketStep.objects.filter(basket=basket).count() == 50


def test_a_basket_never_includes_itself(town, marie, search):
    outer = actions.create_basket(marie, name="Extérieur", steps=[("union", search)])
    inner = actions.create_basket(marie, name="Intérieur", steps=[("union", outer)])
    with pytest.raises(ValidationError):
        actions.compose_basket(marie, outer, [("union", outer)])
    with pytest.raises(ValidationError, match="inclurait lui-même"):
        actions.compose_basket(marie, outer, [("union", search), ("union", inner)])
    assert [step.search for step in BasketStep.objects.filter(basket=outer)] == [search]


def test_a_step_of_another_basket_is_refused(town, marie, search):
    first = actions.create_basket(marie, name="Premier", steps=[("union", search)])
    second = actions.create_basket(marie, name="Second")
    stolen = first.steps.get()
    with pytest.raises(ValidationError, match="rechargez la page"):
        actions.compose_basket(marie, second, [stolen])
    assert BasketStep.objects.get(pk=stolen.pk).basket_id == first.pk
    assert not BasketStep.objects.filter(basket=second).exists()


def test_a_step_uses_only_what_the_owner_may_see(town, marie, paul, search):
    his = actions.create_basket(paul, name="Le mien")
    with pytest.raises(ValidationError, match="pas partagée avec vous"):
        actions.compose_basket(paul, his, [("union", search)])
    with pytest.raises(ValidationError):
        actions.compose_basket(paul, his, [("union", BasketStep())])


def test_rows_added_removed_and_cancelled_by_hand_are_logged(town, marie):
    basket = actions.create_basket(marie, name="Saison")
    keys = [f"personal-{town.denis.pk}", f"position-{town.positions.alice_director.pk}"]
    assert actions.add_rows(marie, basket, keys) == 2
    assert actions.add_rows(marie, basket, keys) == 0
    assert actions.remove_rows(marie, basket, [f"personal-{town.bruno.pk}"]) == 1
    counts = [
        (entry.action, entry.data["rows"])
        for entry in reversed(entries(basket))
        if entry.action.startswith("selections.rows")
    ]
    assert counts == [
        ("selections.rows_added", 2),
        ("selections.rows_added", 0),
        ("selections.rows_removed", 1),
    ]
    assert message(entries(basket, "selections.rows_added")[-1]) == "2 lignes ajoutées à la main"

    entry = basket.entries.get(person=town.denis)
    actions.cancel_entry(marie, basket, entry)
    assert not BasketEntry.objects.filter(pk=entry.pk).exists()
    assert "Denis Dupont" in entries(basket, "selections.entry_cancelled")[0].data["entry"]["row"]

    other = actions.create_basket(marie, name="Autre")
    with pytest.raises(ValidationError):
        actions.cancel_entry(marie, other, basket.entries.first())
    with pytest.raises(ValidationError):
        actions.add_rows(marie, basket, ["personal-999999", "nonsense"])
    with pytest.raises(ValidationError):
        actions.add_rows(marie, basket, [])


def test_a_new_basket_with_rows_is_not_made_when_the_rows_are_refused(town, marie):
    with pytest.raises(ValidationError):
        actions.add_rows_to_new_basket(marie, "Vide", ["personal-999999"])
    assert not Basket.objects.exists()
    basket, added = actions.add_rows_to_new_basket(
        marie, " Nouveau ", [f"personal-{town.denis.pk}"]
    )
    assert basket.name == "Nouveau" and added == 1


def test_a_colleague_reads_a_shared_basket_but_neither_fills_nor_freezes_it(town, marie, paul):
    basket = actions.create_basket(marie, name="Saison")
    actions.share(marie, basket, users=[paul])
    for write in (
        lambda: actions.add_rows(paul, basket, [f"personal-{town.denis.pk}"]),
        lambda: actions.freeze_basket(paul, basket),
        lambda: actions.delete_basket(paul, basket),
        lambda: actions.update_basket(paul, basket, name="À moi"),
    ):
        with pytest.raises(PermissionDenied):
            write()
    actions.record_export(paul, basket, rows=0, columns=["name"], file_format="csv")


def test_freezing_logs_the_snapshot_and_its_rows(town, marie, search):
    basket = actions.create_basket(marie, name="Saison", steps=[("union", search)])
    snapshot = actions.freeze_basket(marie, basket, "Avant l'envoi")
    assert snapshot.row_count == 3  # the three current directors
    (entry,) = entries(basket, FREEZE_ACTION)
    assert entry.data == {"snapshot": snapshot.pk, "rows": 3}
    assert message(entry) == "Instantané gardé avec 3 lignes"
    with pytest.raises(ValidationError):
        actions.freeze_basket(marie, basket, "x" * 201)


def test_an_export_is_logged_with_its_rows_columns_and_format(town, marie, paul, search):
    basket = actions.create_basket(marie, name="Saison", steps=[("union", search)])
    with pytest.raises(PermissionDenied):
        actions.record_export(paul, basket, rows=3, columns=["name"], file_format="csv")
    with pytest.raises(ValidationError):
        actions.record_export(marie, basket, rows=3, columns=["password"], file_format="csv")
    actions.record_export(marie, basket, rows=3, columns=["name", "email"], file_format="xlsx")
    (entry,) = entries(basket, EXPORT_ACTION)
    assert entry.data == {"rows": 3, "columns": ["name", "email"], "format": "xlsx"}
    assert entry.user == marie
    assert message(entry) == "3 lignes exportées en Excel, colonnes\u00a0: Nom complet, E-mail"


# Through the screens ----------------------------------------------------------------------


def test_the_screens_write_through_the_actions(town, marie, paul, search):
    browser = logged_in(marie)
    response = browser.post(
        reverse("selections_searches:share", args=(search.pk,)),
        {"shared_with_users": [paul.pk]},
    )
    assert response.status_code == 302
    assert entries(search, SHARE_ACTION)[0].data["gained"][0]["name"] == "Paul Petit"

    basket = actions.create_basket(marie, name="Saison", steps=[("union", search)])
    response = browser.get(
        reverse("selections_baskets:export", args=(basket.pk,)),
        {"format": "csv", "columns": ["name", "capacity"]},
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    (export,) = entries(basket, EXPORT_ACTION)
    assert export.data == {"rows": 3, "columns": ["name", "capacity"], "format": "csv"}

    snapshot = actions.freeze_basket(marie, basket)
    response = browser.get(
        reverse("selections_baskets:snapshot_csv", args=(basket.pk, snapshot.pk))
    )
    b"".join(response.streaming_content)
    assert entries(basket, EXPORT_ACTION)[0].data["snapshot"] == snapshot.pk

    response = browser.post(reverse("selections_searches:delete", args=(search.pk,)), follow=True)
    assert "Saison" in response.content.decode()
    assert SavedSearch.objects.filter(pk=search.pk).exists()


def test_the_share_screen_refuses_a_client_through_the_action(town, marie, search):
    theo = client_factory(username="theo")
    response = logged_in(marie).post(
        reverse("selections_searches:share", args=(search.pk,)),
        {"shared_with_users": [theo.pk]},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not search.shared_with_users.exists()


def test_editing_a_search_on_screen_logs_before_and_after(town, marie, search):
    import json

    response = logged_in(marie).post(
        reverse("selections_searches:edit", args=(search.pk,)),
        {
            "name": "Directeurs partout",
            "description": "",
            "target": "people",
            "criteria": json.dumps(directors(town)),
        },
    )
    assert response.status_code == 302
    (edit,) = entries(search, "wagtail.edit")
    assert edit.data["changes"] == [
        {"field": "name", "label": "Nom", "before": "Directeurs", "after": "Directeurs partout"}
    ]
    history = logged_in(marie).get(
        reverse("selections_searches:history_results", args=(search.pk,))
    )
    assert "Directeurs\u00a0» → «\u00a0Directeurs partout" in history.content.decode()


# Who reads these entries in the site history -------------------------------------------------


SITE_HISTORY = "/admin/reports/site-history/results/"


def test_administrators_see_sharing_exports_and_snapshots_without_private_names(
    town, marie, paul, admin, search
):
    basket = actions.create_basket(marie, name="Mécènes confidentiels", steps=[("union", search)])
    actions.freeze_basket(marie, basket, "Gel")
    actions.record_export(marie, basket, rows=3, columns=["name"], file_format="csv")
    actions.share(marie, basket, users=[paul])
    actions.unshare(marie, basket, users=[paul])

    administrator = logged_in(admin)
    page = administrator.get(SITE_HISTORY)
    shown = {(entry.action, entry.label) for entry in page.context["object_list"]}
    hidden = "un panier non partagé avec vous"
    for action in (FREEZE_ACTION, EXPORT_ACTION, SHARE_ACTION, UNSHARE_ACTION):
        assert (action, hidden) in shown
    assert "wagtail.create" not in {action for action, _label in shown if _label == hidden}
    body = page.content.decode()
    assert "Mécènes confidentiels" not in body and "Directeurs" not in body
    assert "3 lignes exportées en CSV" in body and "Paul Petit" in body

    found = administrator.get(SITE_HISTORY + "?label=confidentiels").context["object_list"]
    assert list(found) == [], "a hidden name cannot be guessed through the filter"
    exported = administrator.get("/admin/reports/site-history/?export=csv")
    assert "confidentiels" not in b"".join(exported.streaming_content).decode()

    owner = logged_in(marie).get(SITE_HISTORY)
    labels = {entry.label for entry in owner.context["object_list"]}
    assert "Mécènes confidentiels" in labels and hidden not in labels

    colleague = logged_in(staff(username="zoe")).get(SITE_HISTORY)
    assert not [e for e in colleague.context["object_list"] if e.action in (FREEZE_ACTION,)]


def test_deleting_a_search_a_colleague_excludes_stops_his_basket_instead_of_widening_it(
    town, marie, paul, search
):
    from selections.criteria import CriteriaError
    from selections.disclosure import Disclosure
    from selections.resolution import basket_rows

    actions.share(marie, search, users=[paul])
    everyone = actions.create_search(paul, name="Tout le monde", criteria=directors(town))
    his = actions.create_basket(
        paul, name="Sans les directeurs", steps=[("union", everyone), ("exclude", search)]
    )
    actions.delete_search(marie, search)
    step = his.steps.get(operation="exclude")
    assert step.source_deleted and step.search is None
    with pytest.raises(CriteriaError, match="supprimé"):
        basket_rows(his, Disclosure(paul))
    browser = Client()
    browser.force_login(paul)
    assert browser.get(reverse("selections_baskets:edit", args=(his.pk,))).status_code == 200
    # Paul replaces it: the basket works again.
    step.search = everyone
    step.save()
    assert not step.source_deleted
    basket_rows(his, Disclosure(paul))


def test_a_person_in_the_trash_is_not_named_among_rows_added_by_hand(town, marie):
    from directory import actions as directory_actions

    basket = actions.create_basket(marie, name="À la main")
    actions.add_rows(marie, basket, [f"personal-{town.denis.pk}"])
    browser = Client()
    browser.force_login(marie)
    url = reverse("selections_baskets:basket", args=(basket.pk,))
    assert town.denis.last_name in browser.get(url).content.decode()
    directory_actions.trash_person(marie, town.denis)
    assert town.denis.last_name not in browser.get(url).content.decode()
