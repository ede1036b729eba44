"""Bulk actions of the organisations' and people's listings: « Ajouter à un
panier », « Exporter la sélection », « Attribuer des centres d'intérêt »,
per role, with ids of records in the trash and hostile input."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from directory import actions
from directory.models import Organisation
from selections.models import Basket, BasketEntry
from tests.factories import (
    InterestCentreFactory,
    OrganisationFactory,
    PersonFactory,
    PositionFactory,
)

pytestmark = pytest.mark.django_db

BULK = "/admin/bulk/directory/{model}/{action}/"
ACTIONS = [
    ("organisation", "add_to_basket"),
    ("person", "add_to_basket"),
    ("organisation", "export"),
    ("person", "export"),
    ("organisation", "assign_interest_centres"),
]


def url(model, action, *ids):
    return BULK.format(model=model, action=action) + "?" + "&".join(f"id={pk}" for pk in ids)


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def records():
    theatre = OrganisationFactory(name="Théâtre du Rond-Point")
    opera = OrganisationFactory(name="Opéra de Lyon")
    trashed = OrganisationFactory(name="Ancienne salle")
    ariane = PersonFactory(first_name="Ariane", last_name="Zola")
    position = PositionFactory(person=ariane, organisation=theatre, is_primary=True)
    basile = PersonFactory(first_name="Basile", last_name="Martin")
    gone = PersonFactory(first_name="Parti", last_name="Ailleurs")
    return {
        "theatre": theatre,
        "opera": opera,
        "trashed": trashed,
        "ariane": ariane,
        "position": position,
        "basile": basile,
        "gone": gone,
    }


@pytest.fixture
def with_trash(records, admin_user):
    actions.trash_records(admin_user, [records["trashed"], records["gone"]])
    return records


def ids_for(model, records):
    if model == "organisation":
        return [records["theatre"].pk, records["opera"].pk]
    return [records["ariane"].pk, records["basile"].pk]


# Roles -----------------------------------------------------------------------


@pytest.mark.parametrize(("model", "action"), ACTIONS)
def test_a_client_is_refused_every_bulk_action(as_client, records, model, action):
    target = url(model, action, *ids_for(model, records))
    assert as_client.get(target).status_code in (403, 404)
    response = as_client.post(
        target, {"format": "csv", "new_basket_name": "X", "interest_centres": ["1"]}
    )
    assert response.status_code in (403, 404)
    assert not Basket.objects.exists()
    assert b"Zola" not in response.content and "Rond-Point" not in response.content.decode()


@pytest.mark.parametrize(("model", "action"), ACTIONS)
def test_anonymous_visitors_are_sent_to_sign_in(client, records, model, action):
    response = client.get(url(model, action, *ids_for(model, records)))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(("model", "action"), ACTIONS)
@pytest.mark.parametrize("role", ["as_staff", "as_admin"])
def test_staff_and_administrators_reach_the_confirmation(request, records, model, action, role):
    browser = request.getfixturevalue(role)
    response = browser.get(url(model, action, *ids_for(model, records)))
    assert response.status_code == 200
    page = response.content.decode()
    if model == "organisation":
        assert "Théâtre du Rond-Point" in page and "Opéra de Lyon" in page
    else:
        assert "Ariane Zola" in page and "Basile Martin" in page


def test_interest_centres_are_not_an_action_on_people(as_staff, records):
    response = as_staff.get(url("person", "assign_interest_centres", records["ariane"].pk))
    assert response.status_code == 404


@pytest.mark.parametrize(("model", "action"), ACTIONS)
@pytest.mark.parametrize("hostile", ["abc", "99999999999999999999", "-1", "1;DROP", "1e3"])
def test_ids_that_are_not_ids_answer_404(as_staff, records, model, action, hostile):
    assert as_staff.get(url(model, action, hostile)).status_code == 404
    assert as_staff.post(url(model, action, hostile), {"format": "csv"}).status_code == 404


@pytest.mark.parametrize(("model", "action"), ACTIONS)
def test_ids_of_records_in_the_trash_alone_answer_404(as_staff, with_trash, model, action):
    trashed = with_trash["trashed" if model == "organisation" else "gone"]
    assert as_staff.get(url(model, action, trashed.pk)).status_code == 404
    assert as_staff.get(url(model, action, 987654)).status_code == 404


@pytest.mark.parametrize(("model", "action"), ACTIONS)
def test_ids_of_records_in_the_trash_are_left_out(as_staff, with_trash, model, action):
    trashed = with_trash["trashed" if model == "organisation" else "gone"]
    page = as_staff.get(url(model, action, trashed.pk, *ids_for(model, with_trash))).content
    assert str(trashed).encode() not in page


# Export the selection ----------------------------------------------------------


def test_export_of_the_selection_has_the_selected_rows_only(as_staff, with_trash):
    records = with_trash
    target = url(
        "organisation", "export", records["opera"].pk, records["theatre"].pk, records["trashed"].pk
    )
    response = as_staff.post(target, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="organisations-selection.csv"'
    rows = read_csv(response)
    assert rows[0][:2] == ["Organisation", "Type d’organisation"]
    assert [row[0] for row in rows[1:]] == ["Opéra de Lyon", "Théâtre du Rond-Point"]
    assert rows[1][rows[0].index("Active")] == "Oui"


def test_export_of_the_selection_as_a_workbook(as_staff, records):
    target = url("person", "export", records["ariane"].pk)
    response = as_staff.post(target, {"format": "xlsx"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Civilité", "Prénom", "Nom de famille"]
    assert [row[1:3] for row in values[1:]] == [["Ariane", "Zola"]]
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize("bad", ["pdf", "", "csv\x00", "x" * 10_000])
def test_an_unknown_export_format_is_an_error_on_the_form(as_staff, records, bad):
    response = as_staff.post(url("person", "export", records["ariane"].pk), {"format": bad})
    assert not getattr(response, "streaming", False)
    if "\x00" in bad:
        assert response.status_code == 400  # the NUL middleware
    else:
        assert response.status_code == 200
        assert response.context["form"].errors


def test_too_many_records_at_once_are_refused(as_staff, records, monkeypatch):
    monkeypatch.setattr("directory.views.bulk_actions.MAX_SELECTED", 1)
    target = url("organisation", "export", records["opera"].pk, records["theatre"].pk)
    page = as_staff.get(target).content.decode()
    assert "Sélectionnez au plus 1 fiches à la fois." in page
    response = as_staff.post(target, {"format": "csv"})
    assert not getattr(response, "streaming", False)
    centre = InterestCentreFactory()
    target = url(
        "organisation", "assign_interest_centres", records["opera"].pk, records["theatre"].pk
    )
    as_staff.post(target, {"interest_centres": [centre.pk]})
    assert not centre.organisations.exists()


# Assign interest centres -------------------------------------------------------


def test_staff_assign_interest_centres_and_each_change_is_logged(as_staff, with_trash, staff_user):
    records = with_trash
    danse, cirque, musique = (InterestCentreFactory(name=n) for n in ("Danse", "Cirque", "Musique"))
    records["opera"].interest_centres.add(musique)
    records["opera"].save()
    target = url(
        "organisation",
        "assign_interest_centres",
        records["opera"].pk,
        records["theatre"].pk,
        records["trashed"].pk,
    )
    response = as_staff.post(target, {"interest_centres": [danse.pk, cirque.pk]})
    assert response.status_code == 302
    opera = Organisation.objects.get(pk=records["opera"].pk)
    theatre = Organisation.objects.get(pk=records["theatre"].pk)
    trashed = Organisation.all_objects.get(pk=records["trashed"].pk)
    assert {c.name for c in opera.interest_centres.all()} == {"Danse", "Cirque", "Musique"}
    assert {c.name for c in theatre.interest_centres.all()} == {"Danse", "Cirque"}
    assert not trashed.interest_centres.exists()
    for organisation in (opera, theatre):
        entry = ModelLogEntry.objects.filter(
            object_id=str(organisation.pk), action="wagtail.edit"
        ).get()
        assert entry.user == staff_user
        change = entry.data["changes"][0]
        assert change["field"] == "interest_centres"
        assert "Danse" in change["after"] and "Danse" not in change["before"]
    # Again: nothing left to add, nothing logged.
    as_staff.post(target, {"interest_centres": [danse.pk]})
    assert ModelLogEntry.objects.filter(action="wagtail.edit").count() == 2


@pytest.mark.parametrize(
    "centres", [[], ["abc"], ["99999999999999999999"], ["-1"], ["424242"], ["1\x00"]]
)
def test_hostile_interest_centres_change_nothing(as_staff, records, centres):
    InterestCentreFactory()
    target = url("organisation", "assign_interest_centres", records["opera"].pk)
    response = as_staff.post(target, {"interest_centres": centres})
    assert response.status_code in (200, 400)
    assert not records["opera"].interest_centres.exists()
    assert not ModelLogEntry.objects.filter(action="wagtail.edit").exists()


def test_the_action_itself_refuses_a_client(client_user, records):
    centre = InterestCentreFactory()
    with pytest.raises(PermissionDenied):
        actions.add_interest_centres(client_user, [records["opera"]], [centre])
    assert not records["opera"].interest_centres.exists()


# Add to a basket ----------------------------------------------------------------


def test_organisations_go_to_a_new_basket(as_staff, with_trash, staff_user):
    records = with_trash
    target = url(
        "organisation",
        "add_to_basket",
        records["opera"].pk,
        records["theatre"].pk,
        records["trashed"].pk,
    )
    response = as_staff.post(target, {"new_basket_name": "Salles à inviter"})
    assert response.status_code == 302
    basket = Basket.objects.get(name="Salles à inviter")
    assert basket.owner == staff_user
    assert set(basket.entries.values_list("organisation_id", flat=True)) == {
        records["opera"].pk,
        records["theatre"].pk,
    }


def test_people_go_in_as_their_main_position_or_personal(as_staff, records, staff_user):
    basket = Basket.objects.create(owner=staff_user, name="Directeurs")
    target = url("person", "add_to_basket", records["ariane"].pk, records["basile"].pk)
    response = as_staff.post(target, {"basket": basket.pk, "capacity": "position"})
    assert response.status_code == 302
    entries = BasketEntry.objects.filter(basket=basket)
    assert {(e.position_id, e.person_id) for e in entries} == {
        (records["position"].pk, None),
        (None, records["basile"].pk),
    }
    other = Basket.objects.create(owner=staff_user, name="Personnel")
    as_staff.post(target, {"basket": other.pk, "capacity": "personal"})
    assert set(other.entries.values_list("person_id", flat=True)) == {
        records["ariane"].pk,
        records["basile"].pk,
    }


def test_a_colleagues_basket_cannot_be_chosen(as_staff, records, other_staff_user):
    theirs = Basket.objects.create(owner=other_staff_user, name="Le panier de Paul")
    target = url("organisation", "add_to_basket", records["opera"].pk)
    page = as_staff.get(target).content.decode()
    assert "Le panier de Paul" not in page
    response = as_staff.post(target, {"basket": theirs.pk})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not theirs.entries.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"new_basket_name": "   "},
        {"new_basket_name": "x" * 151},
        {"basket": "abc"},
        {"basket": "99999999999999999999"},
        {"basket": "-1", "new_basket_name": ""},
        {"new_basket_name": "Valide", "capacity": "everything"},
    ],
)
def test_hostile_basket_choices_change_nothing(as_staff, records, data):
    target = url("person", "add_to_basket", records["ariane"].pk)
    response = as_staff.post(target, data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Basket.objects.exists() and not BasketEntry.objects.exists()


def test_the_listing_offers_the_bulk_actions_to_staff(as_staff, records):
    page = as_staff.get("/admin/directory/organisations/").content.decode()
    for label in (
        "Ajouter à un panier",
        "Exporter la sélection",
        "Attribuer des centres d’intérêt",
    ):
        assert label in page
    page = as_staff.get("/admin/directory/people/").content.decode()
    assert "Ajouter à un panier" in page and "Exporter la sélection" in page
    assert "Attribuer des centres" not in page
