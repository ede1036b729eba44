"""The trash ("Corbeille"): deleting an organisation or a person moves it
there with its positions and comments; while there it appears in no listing,
search, chooser, saved search, basket, export or count; staff restore it,
administrators delete it for good."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from directory import actions
from directory.models import Comment, Organisation, Person, Position
from directory.search import search
from selections.models import Basket, BasketEntry, BasketStep, SavedSearch
from tests import factories

pytestmark = pytest.mark.django_db

ORGS = "/admin/directory/organisations/"
PEOPLE = "/admin/directory/people/"
TRASH = "/admin/directory/trash/"


@pytest.fixture
def comete(staff_user):
    """La Comète, with two people (one also elsewhere), a comment, in a basket."""
    organisation = factories.OrganisationFactory(name="La Comète", city="Châlons")
    elsewhere = factories.OrganisationFactory(name="Le Manège", city="Reims")
    anne = factories.PersonFactory(first_name="Anne", last_name="Aubry")
    paul = factories.PersonFactory(first_name="Paul", last_name="Petit")
    director = factories.PositionFactory(person=anne, organisation=organisation)
    factories.PositionFactory(person=paul, organisation=organisation)
    factories.PositionFactory(person=paul, organisation=elsewhere)
    actions.add_comment(staff_user, organisation, "Saison à confirmer")
    basket = Basket.objects.create(owner=staff_user, name="Saison")
    BasketEntry.objects.create(basket=basket, action="add", position=director)
    return organisation, anne, paul, basket


def logged_in(user):
    browser = Client()
    browser.force_login(user)
    return browser


# Actions ------------------------------------------------------------------------


def test_trashing_an_organisation_takes_its_positions_and_comments(staff_user, comete):
    organisation, anne, paul, _ = comete
    assert actions.trash_summary(organisation) == {"positions": 2, "comments": 1, "baskets": 1}
    actions.trash_organisation(staff_user, organisation)
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    assert Organisation.all_objects.get(pk=organisation.pk).trashed_by == staff_user
    assert not Position.objects.filter(organisation=organisation).exists()
    assert Position.all_objects.filter(organisation=organisation, in_trash=True).count() == 2
    assert not Comment.objects.filter(organisation=organisation).exists()
    # The people stay, but are no longer found by its name.
    assert set(Person.objects.all()) == {anne, paul}
    assert not search(Person.objects.all(), "comete").exists()
    assert list(search(Person.objects.all(), "manege")) == [paul]
    entry = ModelLogEntry.objects.get(action="directory.trash")
    assert entry.data["moved"] == {"positions": 2, "comments": 1, "baskets": 1}
    assert "2\u00a0postes" in entry.message or "2 postes" in entry.message


def test_restoring_brings_everything_back(staff_user, comete):
    organisation, anne, paul, _ = comete
    actions.trash_organisation(staff_user, organisation)
    actions.restore_organisation(staff_user, Organisation.all_objects.get(pk=organisation.pk))
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert Position.objects.filter(organisation=organisation).count() == 2
    assert Comment.objects.filter(organisation=organisation).count() == 1
    assert set(search(Person.objects.all(), "comete")) == {anne, paul}
    assert ModelLogEntry.objects.filter(action="directory.restore").count() == 1


def test_a_position_stays_in_the_trash_while_its_person_is_there(staff_user, comete):
    organisation, anne, _, _ = comete
    actions.trash_person(staff_user, anne)
    actions.trash_organisation(staff_user, organisation)
    actions.restore_organisation(staff_user, Organisation.all_objects.get(pk=organisation.pk))
    assert not Position.objects.filter(person=anne).exists()
    actions.restore_person(staff_user, Person.all_objects.get(pk=anne.pk))
    assert Position.objects.filter(person=anne).count() == 1
    assert list(search(Person.objects.all(), "aubry comete")) == [anne]


def test_trashing_a_person_takes_their_comments(staff_user, comete):
    _, anne, _, _ = comete
    actions.add_comment(staff_user, anne, "Nouvelle adresse")
    actions.trash_person(staff_user, anne)
    assert not Comment.objects.filter(person=anne).exists()
    assert Comment.all_objects.filter(person=anne).exists()


def test_only_administrators_delete_for_good(staff_user, admin_user, comete):
    organisation, anne, _, basket = comete
    with pytest.raises(ValidationError):
        actions.delete_organisation_for_good(admin_user, organisation)  # not in the trash
    actions.trash_organisation(staff_user, organisation)
    with pytest.raises(PermissionDenied):
        actions.delete_organisation_for_good(staff_user, organisation)
    with pytest.raises(PermissionDenied):
        actions.empty_trash(staff_user)
    actions.trash_person(staff_user, anne)
    assert actions.empty_trash(admin_user) == 2
    assert not Organisation.all_objects.filter(pk=organisation.pk).exists()
    assert not Person.all_objects.filter(pk=anne.pk).exists()
    assert not basket.entries.exists()
    assert ModelLogEntry.objects.filter(action="wagtail.delete").count() == 2


def test_deleting_an_organisation_refreshes_its_peoples_search_texts(comete):
    organisation, anne, paul, _ = comete
    organisation.delete()  # the cascade bypasses Position.delete()
    assert not search(Person.objects.all(), "comete").exists()
    other = factories.PositionFactory(organisation=factories.OrganisationFactory(name="Le Cirque"))
    Organisation.objects.filter(pk=other.organisation_id).delete()
    assert not search(Person.objects.all(), "cirque").exists()


def test_renaming_an_organisation_in_bulk_refreshes_its_people(comete):
    organisation, anne, paul, _ = comete
    Organisation.objects.filter(pk=organisation.pk).update(name="La Comète Scène nationale")
    assert set(search(Person.objects.all(), "scene nationale")) == {anne, paul}


# Views ------------------------------------------------------------------------


def test_the_delete_confirmation_says_what_goes_with_it(as_staff, comete):
    organisation = comete[0]
    response = as_staff.get(f"{ORGS}delete/{organisation.pk}/")
    page = response.content.decode()
    assert "corbeille" in page
    assert "2 postes, 1 commentaire, présent dans 1 panier" in page


def test_deleting_through_the_view_moves_to_the_trash_and_hides_everywhere(
    as_staff, staff_user, comete
):
    organisation, anne, paul, basket = comete
    response = as_staff.post(f"{ORGS}delete/{organisation.pk}/", follow=True)
    assert "déplacé" in response.content.decode() or "corbeille" in response.content.decode()
    assert Organisation.all_objects.get(pk=organisation.pk).is_trashed
    # Listings, their search, counts, exports.
    assert "La Comète" not in as_staff.get(ORGS).content.decode()
    assert "La Comète" not in as_staff.get(ORGS, {"q": "comete"}).content.decode()
    export = b"".join(as_staff.get(ORGS, {"export": "csv"}).streaming_content).decode()
    assert "La Comète" not in export and "Le Manège" in export
    assert "La Comète" not in as_staff.get(PEOPLE).content.decode()
    assert as_staff.get(PEOPLE, {"q": "comete"}).context["paginator"].count == 0
    assert Organisation.objects.count() == 1
    # The quick search.
    quick = as_staff.get("/admin/directory/search/", {"q": "comete"})
    assert quick.context["organisations"]["count"] == 0
    assert quick.context["people"]["count"] == 0
    # Choosers.
    chooser = as_staff.get("/admin/snippets/choose/directory/organisation/", {"q": "comete"})
    assert "La Comète" not in chooser.content.decode()
    # The record and its edit form.
    assert as_staff.get(f"{ORGS}inspect/{organisation.pk}/").status_code == 404
    assert as_staff.get(f"{ORGS}edit/{organisation.pk}/").status_code == 404


def test_the_trash_lists_and_restores(as_staff, staff_user, comete):
    organisation, anne, _, _ = comete
    actions.trash_organisation(staff_user, organisation)
    page = as_staff.get(TRASH).content.decode()
    assert "La Comète" in page and "Restaurer" in page
    assert "Vider la corbeille" not in page  # administrators only
    response = as_staff.post(f"{TRASH}restore/organisation/{organisation.pk}/", follow=True)
    assert response.status_code == 200
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert list(search(Person.objects.all(), "aubry comete")) == [anne]


def test_staff_cannot_delete_for_good_through_the_views(as_staff, staff_user, comete):
    organisation = comete[0]
    actions.trash_organisation(staff_user, organisation)
    assert as_staff.post(f"{TRASH}delete/organisation/{organisation.pk}/").status_code == 403
    assert as_staff.post(f"{TRASH}empty/").status_code == 403
    assert Organisation.all_objects.filter(pk=organisation.pk).exists()


def test_administrators_delete_for_good_and_empty_the_trash(as_admin, staff_user, comete):
    organisation, anne, _, _ = comete
    actions.trash_organisation(staff_user, organisation)
    actions.trash_person(staff_user, anne)
    confirm = as_admin.get(f"{TRASH}delete/organisation/{organisation.pk}/")
    assert "définitivement" in confirm.content.decode()
    as_admin.post(f"{TRASH}delete/organisation/{organisation.pk}/")
    assert not Organisation.all_objects.filter(pk=organisation.pk).exists()
    as_admin.post(f"{TRASH}empty/")
    assert not Person.all_objects.filter(pk=anne.pk).exists()


def test_clients_see_no_trash(as_client):
    assert as_client.get(TRASH).status_code in (302, 403)


def test_bulk_delete_moves_to_the_trash(as_staff, comete):
    organisation, anne, paul, _ = comete
    url = reverse("wagtail_bulk_action", args=("directory", "person", "delete"))
    query = f"?id={anne.pk}&id={paul.pk}&next={PEOPLE}"
    confirm = as_staff.get(url + query).content.decode()
    assert "corbeille" in confirm and "1 commentaire" not in confirm
    as_staff.post(url + query)
    assert not Person.objects.exists()
    assert Person.all_objects.filter(trashed_at__isnull=False).count() == 2


# Selections, which read the directory through its default managers ---------------


def test_a_saved_search_and_a_basket_leave_the_trash_out(staff_user, comete):
    organisation, anne, paul, basket = comete
    search_ = SavedSearch.objects.create(
        owner=staff_user,
        name="Châlons",
        criteria={
            "match": "all",
            "rules": [{"field": "organisation.city", "operator": "contains", "value": "Châlons"}],
        },
    )
    BasketStep.objects.create(basket=basket, search=search_, operation="union")
    BasketEntry.objects.create(basket=basket, action="add", person=anne)
    browser = logged_in(staff_user)
    results = reverse("selections_searches:results", args=(search_.pk,))
    export = reverse("selections_baskets:export", args=(basket.pk,))

    def exported():
        response = browser.get(export, {"format": "csv", "columns": ["name"]})
        return b"".join(response.streaming_content).decode("utf-8-sig")

    assert "Aubry" in browser.get(results).content.decode()
    assert "Aubry" in exported() and "Petit" in exported()

    actions.trash_organisation(staff_user, organisation)
    assert "Aubry" not in browser.get(results).content.decode()
    text = exported()
    assert "Petit" not in text  # reached only through La Comète
    assert "Aubry" in text  # her personal row, added by hand

    actions.trash_person(staff_user, anne)
    assert "Aubry" not in exported()


def test_the_trash_confirmation_says_what_goes_with_it_and_no_usage_count(as_staff):
    from tests.factories import OrganisationFactory, PositionFactory

    organisation = OrganisationFactory(name="Théâtre Pluriel")
    PositionFactory(organisation=organisation)
    page = as_staff.get(f"/admin/directory/organisations/delete/{organisation.pk}/")
    body = page.content.decode()
    assert "1 poste" in body
    assert "référencé" not in body
