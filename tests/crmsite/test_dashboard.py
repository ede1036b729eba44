"""The dashboard: what each role finds when the day starts."""

from bs4 import BeautifulSoup
from wagtail.log_actions import log

from crmsite.dashboard import RECENT_COUNT
from directory import actions
from selections.models import SHARE_ACTION, Basket, SavedSearch
from tests import factories

HOME = "/admin/"
CRITERIA = {"match": "all", "rules": []}


def text_of(response) -> str:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    for hidden in soup(["script", "style", "template", "noscript"]):
        hidden.decompose()
    return " ".join(soup.get_text(" ").split())


def section(response, marker) -> str:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    found = soup.select_one(f"[{marker}]")
    return " ".join(found.get_text(" ").split()) if found else ""


def test_a_staff_member_sees_their_selections_and_those_shared_with_them(
    as_staff, staff_user, other_staff_user, admin_user
):
    SavedSearch.objects.create(owner=staff_user, name="Mes directeurs", criteria=CRITERIA)
    Basket.objects.create(owner=staff_user, name="Mon panier de saison")
    shared = SavedSearch.objects.create(
        owner=other_staff_user, name="Festivals de Paul", criteria=CRITERIA
    )
    shared.shared_with_users.add(staff_user)
    log(shared, SHARE_ACTION, user=other_staff_user)
    SavedSearch.objects.create(owner=other_staff_user, name="Secret de Paul", criteria=CRITERIA)
    Basket.objects.create(owner=admin_user, name="Panier privé de l'admin")

    response = as_staff.get(HOME)
    assert response.status_code == 200
    own = section(response, "data-dashboard-own-selections")
    assert "Mes directeurs" in own and "Mon panier de saison" in own
    shared_text = section(response, "data-dashboard-shared-selections")
    assert "Festivals de Paul" in shared_text
    other = other_staff_user.get_full_name() or other_staff_user.get_username()
    assert f"de {other}, partage du" in shared_text
    body = text_of(response)
    assert "Secret de Paul" not in body
    assert "Panier privé de l'admin" not in body


def test_a_selection_shared_with_every_staff_member_shows_who_shared_it(as_staff, other_staff_user):
    search = SavedSearch.objects.create(
        owner=other_staff_user, name="Pour toute l'équipe", criteria=CRITERIA
    )
    search.shared_with_all_staff = True
    search.save()
    shared_text = section(as_staff.get(HOME), "data-dashboard-shared-selections")
    assert "Pour toute l'équipe" in shared_text
    assert "de " in shared_text


def test_the_records_a_staff_member_opens_are_listed_as_recently_viewed(as_staff):
    organisation = factories.OrganisationFactory(name="Théâtre du Vieux Quai")
    person = factories.PersonFactory(first_name="Ysolde", last_name="Marchal")
    assert (
        as_staff.get(f"/admin/directory/organisations/inspect/{organisation.pk}/").status_code
        == 200
    )
    assert as_staff.get(f"/admin/directory/people/inspect/{person.pk}/").status_code == 200
    viewed = section(as_staff.get(HOME), "data-dashboard-recently-viewed")
    assert viewed.index("Ysolde Marchal") < viewed.index("Théâtre du Vieux Quai")


def test_recently_viewed_records_are_still_there_at_the_next_sign_in(as_staff, staff_user):
    organisation = factories.OrganisationFactory(name="Théâtre du Lendemain")
    as_staff.get(f"/admin/directory/organisations/inspect/{organisation.pk}/")
    as_staff.logout()
    next_morning = factories.logged_in(staff_user)
    viewed = section(next_morning.get(HOME), "data-dashboard-recently-viewed")
    assert "Théâtre du Lendemain" in viewed


def test_recently_viewed_is_each_users_own(as_staff, other_staff_user):
    organisation = factories.OrganisationFactory(name="Théâtre de Marie seule")
    as_staff.get(f"/admin/directory/organisations/inspect/{organisation.pk}/")
    theirs = section(
        factories.logged_in(other_staff_user).get(HOME), "data-dashboard-recently-viewed"
    )
    assert "Théâtre de Marie seule" not in theirs


def test_recently_viewed_keeps_the_last_ones_and_forgets_the_trash(as_staff, staff_user):
    organisations = [
        factories.OrganisationFactory(name=f"Lieu numéro {number:02d}")
        for number in range(RECENT_COUNT + 2)
    ]
    for organisation in organisations:
        as_staff.get(f"/admin/directory/organisations/inspect/{organisation.pk}/")
    actions.delete_record(staff_user, organisations[-1])
    viewed = section(as_staff.get(HOME), "data-dashboard-recently-viewed")
    assert organisations[0].name not in viewed
    assert organisations[-1].name not in viewed
    assert organisations[-2].name in viewed


def test_the_records_a_staff_member_changed_are_listed_not_others(
    as_staff, staff_user, other_staff_user
):
    mine = factories.OrganisationFactory(name="Compagnie des Lucioles")
    theirs = factories.PersonFactory(first_name="Anatole", last_name="Brisquet")
    log(mine, "wagtail.edit", user=staff_user)
    log(theirs, "wagtail.edit", user=other_staff_user)
    changed = section(as_staff.get(HOME), "data-dashboard-recently-changed")
    assert "Compagnie des Lucioles" in changed
    assert "Anatole Brisquet" not in changed


def test_the_places_for_later_features_say_what_will_come(as_staff):
    soup = BeautifulSoup(as_staff.get(HOME).content.decode(), "html.parser")
    names = {item["data-upcoming"] for item in soup.select("[data-upcoming]")}
    # The helpdesk's « Billets qui vous attendent » and the planner's « Tâches du
    # jour » took the places of their announcements.
    assert names == {"campaigns_in_progress"}
    assert soup.select_one("#open-tickets-section") is not None
    assert soup.select_one("#tasks-of-the-day-section") is not None


def test_the_header_search_is_the_directory_search(as_staff, as_admin):
    for browser in (as_staff, as_admin):
        soup = BeautifulSoup(browser.get(HOME).content.decode(), "html.parser")
        form = soup.select_one("form[data-dashboard-search]")
        assert form["action"] == "/admin/directory/search/"
        assert "pages" not in soup.get_text().lower()
    assert as_staff.get("/admin/directory/search/", {"q": "théâtre"}).status_code == 200


def test_a_client_lands_on_their_tickets_and_sees_no_contact(as_client, staff_user):
    factories.PersonFactory(first_name="Ysolde", last_name="Quetzal")
    SavedSearch.objects.create(owner=staff_user, name="Recherche Zorglub", criteria=CRITERIA)
    response = as_client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == "/admin/helpdesk/tickets/"
    response = as_client.get(HOME, follow=True)
    assert response.status_code == 200
    body = text_of(response)
    assert "Quetzal" not in body and "Zorglub" not in body
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert soup.select_one("nav.hd-list") is not None  # their tickets
    assert soup.select_one("form[data-dashboard-search]") is None
    assert soup.select_one("[data-dashboard-recently-viewed]") is None
    assert soup.select_one("[data-upcoming]") is None
