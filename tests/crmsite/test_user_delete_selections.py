"""Deleting a staff account deletes their searches and baskets, says so
first (naming only those shared with the reader), and releases the steps of
colleagues' baskets that use them (as when the owner deletes a search that
colleagues' baskets use): a union step goes, an exclusion or intersection
stays without its source and stops the basket, which never silently widens.
Never a 500."""

import pytest
from django.contrib.auth import get_user_model

from crmsite.roles import LastAdministratorError
from selections.models import Basket, BasketStep, SavedSearch
from selections.owners import delete_selections_of, selections_owned_by

User = get_user_model()


@pytest.fixture
def marie_selections(staff_user, other_staff_user):
    """Marie's searches and baskets: her basket uses her search and includes
    her other basket; Paul's basket uses her search (shared with him)."""
    search = SavedSearch.objects.create(
        owner=staff_user, name="Directeurs du Grand Est", shared_with_all_staff=True
    )
    spare = SavedSearch.objects.create(owner=staff_user, name="Anglophones")
    inner = Basket.objects.create(owner=staff_user, name="Saison")
    BasketStep.objects.create(basket=inner, search=spare, operation="union")
    outer = Basket.objects.create(owner=staff_user, name="Tournée")
    BasketStep.objects.create(basket=outer, search=search, operation="union", sort_order=0)
    BasketStep.objects.create(basket=outer, included_basket=inner, operation="union", sort_order=1)
    pauls = Basket.objects.create(owner=other_staff_user, name="Festival de Paul")
    kept = SavedSearch.objects.create(owner=other_staff_user, name="Festivals")
    BasketStep.objects.create(basket=pauls, search=kept, operation="union", sort_order=0)
    BasketStep.objects.create(basket=pauls, search=search, operation="exclude", sort_order=1)
    return {"search": search, "pauls": pauls, "kept": kept}


def assert_marie_is_gone_with_her_selections(staff_user, selections):
    assert not User.objects.filter(pk=staff_user.pk).exists()
    assert not SavedSearch.objects.filter(owner_id=staff_user.pk).exists()
    assert not Basket.objects.filter(owner_id=staff_user.pk).exists()
    pauls = selections["pauls"]
    assert Basket.objects.filter(pk=pauls.pk).exists(), "the colleague's basket stays"
    steps = [(step.operation, step.search, step.source_deleted) for step in pauls.steps.all()]
    assert steps == [("union", selections["kept"], False), ("exclude", None, True)]


# --- selections.owners ---------------------------------------------------------


def test_what_a_user_owns(staff_user, marie_selections):
    owned = selections_owned_by(staff_user)
    assert sorted(owned.searches) == ["Anglophones", "Directeurs du Grand Est"]
    assert sorted(owned.baskets) == ["Saison", "Tournée"]
    assert owned.colleague_baskets == 1


def test_a_user_without_selections_owns_nothing(admin_user):
    assert not selections_owned_by(admin_user)


def test_delete_selections_of(staff_user, marie_selections):
    delete_selections_of(staff_user)
    assert not selections_owned_by(staff_user)
    assert marie_selections["pauls"].steps.filter(source_deleted=True).count() == 1


# --- the model layer -------------------------------------------------------------


def test_user_delete(staff_user, marie_selections):
    staff_user.delete()
    assert_marie_is_gone_with_her_selections(staff_user, marie_selections)


def test_queryset_delete(admin_user, staff_user, marie_selections):
    User.objects.filter(pk=staff_user.pk).delete()
    assert_marie_is_gone_with_her_selections(staff_user, marie_selections)


def test_deleting_both_owners_at_once(admin_user, staff_user, other_staff_user, marie_selections):
    User.objects.filter(pk__in=[staff_user.pk, other_staff_user.pk]).delete()
    assert not SavedSearch.objects.exists()
    assert not Basket.objects.exists()
    assert not BasketStep.objects.exists()


def test_a_refused_deletion_keeps_the_selections(admin_user):
    search = SavedSearch.objects.create(owner=admin_user, name="À garder")
    basket = Basket.objects.create(owner=admin_user, name="Panier à garder")
    BasketStep.objects.create(basket=basket, search=search)
    with pytest.raises(LastAdministratorError):
        admin_user.delete()
    assert SavedSearch.objects.filter(pk=search.pk).exists()
    assert basket.steps.count() == 1


# --- the user delete view ------------------------------------------------------


def test_the_delete_confirmation_lists_what_goes(as_admin, staff_user, marie_selections):
    response = as_admin.get(f"/admin/users/delete/{staff_user.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-owned-selections" in page
    assert "Ses 2 recherches enregistrées seront supprimées" in page
    assert "Ses 2 paniers seront supprimés" in page
    # Shared with every staff member: named. Private: counted, never named.
    assert "Directeurs du Grand Est" in page
    assert "Anglophones" not in page and "Saison" not in page and "Tournée" not in page
    assert "3 sont privés" in page
    assert "1 panier d’un collègue les utilise" in page
    assert "Festival de Paul" not in page, "colleagues' baskets are not named"


def test_the_delete_confirmation_of_a_user_without_selections(as_admin, other_staff_user):
    page = as_admin.get(f"/admin/users/delete/{other_staff_user.pk}/").content.decode()
    assert "data-owned-selections" not in page


def test_the_delete_view_deletes_them(as_admin, staff_user, marie_selections):
    response = as_admin.post(f"/admin/users/delete/{staff_user.pk}/")
    assert response.status_code == 302
    assert_marie_is_gone_with_her_selections(staff_user, marie_selections)


# --- the bulk delete -------------------------------------------------------------


def bulk_url(*users):
    ids = "&".join(f"id={u.pk}" for u in users)
    return f"/admin/bulk/crmsite/user/delete/?next=/admin/users/&{ids}"


def test_the_bulk_delete_confirmation_lists_what_goes(
    as_admin, staff_user, marie_selections, client_user
):
    response = as_admin.get(bulk_url(staff_user, client_user))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("data-owned-selections") == 2  # Marie's, and the colleagues' line
    assert "Directeurs du Grand Est" in page and "Tournée" not in page
    assert "1 panier d" in page


def test_the_bulk_delete_deletes_them(as_admin, staff_user, marie_selections, client_user):
    response = as_admin.post(bulk_url(staff_user, client_user))
    assert response.status_code == 302
    assert_marie_is_gone_with_her_selections(staff_user, marie_selections)
    assert not User.objects.filter(pk=client_user.pk).exists()


def test_many_names_are_cut_short(as_admin, staff_user):
    for number in range(25):
        SavedSearch.objects.create(
            owner=staff_user, name=f"Recherche {number:02d}", shared_with_all_staff=True
        )
    page = as_admin.get(f"/admin/users/delete/{staff_user.pk}/").content.decode()
    assert "Ses 25 recherches enregistrées" in page
    assert "et 5 autres" in page


def test_a_colleague_s_basket_that_excluded_the_search_stops_instead_of_widening(
    as_admin, staff_user, other_staff_user, marie_selections
):
    from django.test import Client

    as_admin.post(f"/admin/users/delete/{staff_user.pk}/")
    paul = Client()
    paul.force_login(other_staff_user)
    pauls = marie_selections["pauls"]
    page = paul.get(f"/admin/selections/baskets/{pauls.pk}/").content.decode()
    assert "une recherche ou un panier que son propriétaire a supprimé" in page
    assert "table" not in paul.get(f"/admin/selections/baskets/{pauls.pk}/").context
    export = paul.get(
        f"/admin/selections/baskets/export/{pauls.pk}/", {"format": "csv", "columns": ["name"]}
    )
    assert not getattr(export, "streaming", False), "no file of a basket that cannot resolve"
    assert "propriétaire a supprimé" in export.content.decode()
