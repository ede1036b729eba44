"""« Types d’activité »: the administrators' list of activity kinds, with a
name and the code other applications send; a kind in use is kept."""

import pytest
from bs4 import BeautifulSoup
from wagtail.models import ModelLogEntry

from directory.models import ActivityKind
from tests.activity_factories import activity, kind
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/directory/activity-kinds/"
ADD = LIST + "add/"
NBSP = "\u00a0"


def text(response) -> str:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return " ".join(soup.get_text(" ").replace(NBSP, "~").split()).replace("~", NBSP)


def test_administrators_find_the_seeded_kinds_with_their_codes(as_admin):
    response = as_admin.get(LIST)
    assert response.status_code == 200
    page = text(response)
    for name, code in (
        ("Commande", "order"),
        ("Location", "rental"),
        ("Abonnement", "subscription"),
        ("Inscription", "registration"),
    ):
        assert name in page and code in page
    assert "Ajouter un type d’activité" in page


def test_the_directory_menu_offers_them_to_administrators_only(as_admin, as_staff):
    # The sidebar is drawn from JSON: its items are found by their URL.
    assert LIST in as_admin.get("/admin/").content.decode()
    assert LIST not in as_staff.get("/admin/").content.decode()


def test_an_administrator_adds_a_kind_with_its_code(as_admin):
    response = as_admin.post(ADD, {"name": "  Don ", "code": "Donation"})
    assert response.status_code == 302
    created = ActivityKind.objects.get(code="donation")
    assert created.name == "Don"
    assert ModelLogEntry.objects.for_instance(created).filter(action="wagtail.create").exists()
    assert "Type d’activité «\u00a0Don\u00a0» créé." in text(as_admin.get(response["Location"]))


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "Don", "code": ""}, "Champ requis."),
        ({"name": "Don", "code": "un don"}, "lettres"),
        ({"name": "Don", "code": "<script>"}, "lettres"),
        ({"name": "Don", "code": "d" * 51}, "50 caractères"),
        ({"name": "Don", "code": "ORDER"}, "Un autre type d’activité a déjà ce code."),
        ({"name": "commande", "code": "gift"}, "Un type d’activité porte déjà ce nom."),
        ({"name": "", "code": "gift"}, "Champ requis."),
    ],
)
def test_bad_kinds_are_refused_with_a_clear_message(as_admin, data, message):
    response = as_admin.post(ADD, data)
    assert response.status_code == 200
    assert message in text(response)
    assert ActivityKind.objects.count() == 4


def test_renaming_a_kind_keeps_its_activities(as_admin):
    order = kind("order")
    activity(OrganisationFactory(), "order")
    response = as_admin.post(f"{LIST}edit/{order.pk}/", {"name": "Commande web", "code": "order"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.name == "Commande web"


def test_an_unused_kind_is_deleted(as_admin):
    gift = ActivityKind.objects.create(name="Don", code="gift")
    response = as_admin.post(f"{LIST}delete/{gift.pk}/")
    assert response.status_code == 302
    assert not ActivityKind.objects.filter(pk=gift.pk).exists()


def test_a_kind_in_use_says_so_and_is_kept(as_admin):
    order = kind("order")
    organisation = OrganisationFactory()
    activity(organisation, "order")
    activity(organisation, "order")
    delete = f"{LIST}delete/{order.pk}/"
    expected = (
        f"«{NBSP}Commande{NBSP}» est le type de 2 activités enregistrées{NBSP}: "
        "il ne peut pas être supprimé tant qu’elles existent. Renommez-le plutôt."
    )
    assert expected in text(as_admin.get(delete))
    response = as_admin.post(delete, follow=True)
    assert response.status_code == 200
    assert expected in text(response)
    assert ActivityKind.objects.filter(pk=order.pk).exists()


def test_a_bulk_delete_keeps_the_kinds_in_use(as_admin):
    order = kind("order")
    gift = ActivityKind.objects.create(name="Don", code="gift")
    activity(OrganisationFactory(), "order")
    url = f"/admin/bulk/directory/activitykind/delete/?id={order.pk}&id={gift.pk}"
    assert as_admin.post(url).status_code in (200, 302)
    assert ActivityKind.objects.filter(pk=order.pk).exists()
    assert not ActivityKind.objects.filter(pk=gift.pk).exists()


def test_staff_and_clients_cannot_change_the_kinds(as_staff, as_client):
    order = kind("order")
    for browser in (as_staff, as_client):
        assert browser.get(LIST).status_code in (302, 403)
        assert browser.post(ADD, {"name": "Don", "code": "gift"}).status_code in (302, 403)
        edit = f"{LIST}edit/{order.pk}/"
        assert browser.post(edit, {"name": "X", "code": "x"}).status_code in (302, 403)
        assert browser.post(f"{LIST}delete/{order.pk}/").status_code in (302, 403)
    assert ActivityKind.objects.count() == 4
    assert kind("order").name == "Commande"
