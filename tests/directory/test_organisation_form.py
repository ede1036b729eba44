"""The organisation form: coordinates and positions inline, likely duplicates, audit log."""

import re

import pytest
from wagtail.models import ModelLogEntry
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from directory.models import Organisation, Person, Position
from tests.factories import FunctionFactory, OrganisationFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db

URL = "/admin/directory/organisations/"


def organisation_data(positions=(), **fields):
    data = {
        "name": "Théâtre du Soleil",
        "email": "contact@soleil.fr",
        "phone": "01 43 74 24 08",
        "postcode": "75012",
        "city": "Paris",
        "country": "FR",
        "is_active": "on",
        "positions": inline_formset(list(positions)),
        **fields,
    }
    return nested_form_data(data)


def position_row(person, **fields):
    return {
        "person": person.pk,
        "function": "",
        "title": "",
        "email": "",
        "phone": "",
        "mobile": "",
        "start_date": "",
        "end_date": "",
        "address_line1": "",
        "address_line2": "",
        "postcode": "",
        "city": "",
        "country": "FR",
        **fields,
    }


def test_create_an_organisation_with_two_people_inline(as_staff, staff_user):
    director = FunctionFactory(name="Directrice")
    ariane = PersonFactory(first_name="Ariane", last_name="Mnouchkine")
    jean = PersonFactory(first_name="Jean", last_name="Dupré")
    response = as_staff.post(
        f"{URL}add/",
        organisation_data(
            [
                position_row(
                    ariane, function=director.pk, email="Ariane@Soleil.FR", is_primary="on"
                ),
                position_row(jean, title="Attaché de presse", phone="06 11 22 33 44"),
            ]
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    organisation = Organisation.objects.get()
    positions = {p.person: p for p in organisation.positions.all()}
    assert positions[ariane].email == "Ariane@soleil.fr"
    assert positions[ariane].is_primary
    assert positions[jean].phone == "+33611223344"
    # The people are found by the organisation's name.
    assert set(Person.objects.filter(search_text__contains="soleil")) == {ariane, jean}
    # The creation is in the audit log, by its author.
    entry = ModelLogEntry.objects.get(object_id=str(organisation.pk), action="wagtail.create")
    assert entry.user == staff_user


def test_edit_professional_coordinates_inline_and_remove_a_position(as_staff, staff_user):
    organisation = OrganisationFactory(name="Opéra de Metz")
    kept = PositionFactory(organisation=organisation, email="old@opera.fr")
    removed = PositionFactory(organisation=organisation)
    data = organisation_data(
        name="Opéra-Théâtre de Metz",
        postcode="57000",
        city="Metz",
        positions=[
            {**position_row(kept.person, email="new@opera.fr"), "id": kept.pk},
            {**position_row(removed.person), "id": removed.pk, "DELETE": "on"},
        ],
    )
    data["positions-INITIAL_FORMS"] = "2"
    response = as_staff.post(f"{URL}edit/{organisation.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors
    kept.refresh_from_db()
    assert kept.email == "new@opera.fr"
    assert not Position.objects.filter(pk=removed.pk).exists()
    assert Person.objects.filter(pk=removed.person_id).exists()  # the person stays
    assert ModelLogEntry.objects.filter(
        object_id=str(organisation.pk), action="wagtail.edit", user=staff_user
    ).exists()
    history = as_staff.get(f"{URL}history/{organisation.pk}/")
    assert history.status_code == 200
    assert staff_user.get_full_name() in history.content.decode()


def test_inline_row_with_a_bad_email_saves_nothing(as_staff):
    person = PersonFactory()
    response = as_staff.post(
        f"{URL}add/", organisation_data([position_row(person, email="pas un email")])
    )
    assert response.status_code == 200
    assert Organisation.objects.count() == 0
    assert Position.objects.count() == 0


def test_inline_row_pointing_at_a_missing_person_saves_nothing(as_staff):
    response = as_staff.post(
        f"{URL}add/",
        organisation_data([{**position_row(PersonFactory()), "person": "999999"}]),
    )
    assert response.status_code == 200
    assert Organisation.objects.count() == 0


def test_likely_duplicate_is_shown_before_saving_and_can_be_overridden(as_staff):
    existing = OrganisationFactory(name="THEATRE DU SOLEIL", city="Paris", postcode="75012")
    response = as_staff.post(f"{URL}add/", organisation_data())
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{URL}inspect/{existing.pk}/" in page
    assert "Cette organisation existe peut-être déjà" in page
    assert "même nom et même ville" in page
    assert Organisation.objects.count() == 1
    response = as_staff.post(f"{URL}add/", organisation_data(create_anyway="on"))
    assert response.status_code == 302
    assert Organisation.objects.count() == 2


def test_same_siret_is_a_likely_duplicate_then_refused_as_unique(as_staff):
    OrganisationFactory(name="Autre nom", siret="73282932000074", city="Lyon", postcode="69001")
    response = as_staff.post(f"{URL}add/", organisation_data(siret="732 829 320 00074"))
    assert "Autre nom" in response.content.decode()
    response = as_staff.post(
        f"{URL}add/", organisation_data(siret="73282932000074", create_anyway="on")
    )
    assert response.status_code == 200
    assert "siret" in response.context["form"].errors
    assert Organisation.objects.count() == 1


def test_different_city_and_coordinates_is_not_a_duplicate(as_staff):
    OrganisationFactory(name="Théâtre du Soleil", city="Lyon", postcode="69001")
    response = as_staff.post(f"{URL}add/", organisation_data())
    assert response.status_code == 302


def test_editing_never_asks_about_duplicates(as_staff):
    OrganisationFactory(name="Théâtre du Soleil", city="Paris", postcode="75012")
    twin = OrganisationFactory(name="Théâtre du Soleil", city="Paris", postcode="75012")
    response = as_staff.post(f"{URL}edit/{twin.pk}/", organisation_data())
    assert response.status_code == 302


def test_person_likely_duplicate(as_staff):
    existing = PersonFactory(first_name="Élodie", last_name="Lefèvre", mobile="0612345678")
    data = nested_form_data(
        {
            "first_name": "elodie",
            "last_name": "LEFEVRE",
            "mobile": "+33 6 12 34 56 78",
            "language": "fr",
            "country": "FR",
            "positions": inline_formset([]),
        }
    )
    response = as_staff.post("/admin/directory/people/add/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"/admin/directory/people/inspect/{existing.pk}/" in page
    assert "même nom" in page and "même téléphone" in page
    data["create_anyway"] = "on"
    assert as_staff.post("/admin/directory/people/add/", data).status_code == 302
    assert Person.objects.count() == 2


def test_a_tampered_row_count_is_refused_at_once(as_staff):
    organisation = OrganisationFactory(name="Opéra")
    data = organisation_data()
    data["positions-TOTAL_FORMS"] = "100000"
    response = as_staff.post(f"{URL}edit/{organisation.pk}/", data)
    assert response.status_code == 200
    formset = response.context["form"].formsets["positions"]
    assert len(formset.forms) <= 200
    assert formset.non_form_errors()
    organisation.refresh_from_db()
    assert organisation.name == "Opéra"


def test_names_that_grow_when_folded_still_save(as_staff):
    response = as_staff.post(f"{URL}add/", organisation_data(name="ß" * 200))
    assert response.status_code == 302
    assert len(Organisation.objects.get().name_key) <= 200


def test_the_organisation_chooser_creates_nothing(as_staff):
    response = as_staff.post(
        "/admin/snippets/choose/directory/organisation/create/", {"name": "Intrus"}
    )
    assert response.status_code == 404
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize("row_id", ["foreign", "999999", "abc", "1 OR 1=1", "-1", "9" * 40, None])
def test_a_row_that_is_not_one_of_this_organisations_positions_is_refused(as_staff, row_id):
    other = OrganisationFactory(name="Autre scène")
    foreign = PositionFactory(organisation=other, person=PersonFactory(), email="a@autre.fr")
    organisation = OrganisationFactory(name="Opéra", city="Lyon", postcode="69001")
    row = position_row(foreign.person, email="pirate@opera.fr")
    if row_id is not None:
        row["id"] = str(foreign.pk) if row_id == "foreign" else row_id
    data = organisation_data([row], name="Opéra renommé")
    data["positions-INITIAL_FORMS"] = "1"
    response = as_staff.post(f"{URL}edit/{organisation.pk}/", data)
    assert response.status_code == 200
    formset = response.context["form"].formsets["positions"]
    assert "rechargez la page" in " ".join(formset.non_form_errors())
    assert "rechargez la page" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "Opéra"
    assert list(Position.objects.values_list("pk", "organisation_id", "email")) == [
        (foreign.pk, other.pk, "a@autre.fr")
    ]


# Saving returns to the record ("fiche"); the record's "Modifier" is a button.


def test_creating_an_organisation_lands_on_its_record(as_staff):
    response = as_staff.post(f"{URL}add/", organisation_data(name="Scène nationale d'Albi"))
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}inspect/{organisation.pk}/"
    record = as_staff.get(response["Location"])
    page = record.content.decode()
    assert "Scène nationale d&#x27;Albi" in page or "Scène nationale d'Albi" in page
    # The message leads back to the listing.
    assert f'href="{URL}"' in page and "Retour à la liste" in page


def test_editing_an_organisation_lands_on_its_record_with_the_new_values(as_staff):
    organisation = OrganisationFactory(name="Opéra de Metz")
    position = PositionFactory(organisation=organisation, email="old@opera.fr")
    data = organisation_data(
        name="Opéra-Théâtre de Metz",
        postcode="57000",
        city="Metz",
        positions=[
            {**position_row(position.person, email="direction@opera.fr"), "id": position.pk}
        ],
    )
    data["positions-INITIAL_FORMS"] = "1"
    response = as_staff.post(f"{URL}edit/{organisation.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == f"{URL}inspect/{organisation.pk}/"
    page = as_staff.get(response["Location"]).content.decode()
    assert "direction@opera.fr" in page
    assert "Opéra-Théâtre de Metz" in page


def test_a_refused_edit_stays_on_the_form(as_staff):
    organisation = OrganisationFactory(name="Opéra de Metz")
    response = as_staff.post(f"{URL}edit/{organisation.pk}/", organisation_data(name=""))
    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.name == "Opéra de Metz"


def person_data(**fields):
    return nested_form_data(
        {
            "first_name": "Ariane",
            "last_name": "Mnouchkine",
            "language": "fr",
            "country": "FR",
            "positions": inline_formset([]),
            **fields,
        }
    )


def test_creating_and_editing_a_person_land_on_the_record(as_staff):
    response = as_staff.post("/admin/directory/people/add/", person_data())
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/directory/people/inspect/{person.pk}/"
    response = as_staff.post(
        f"/admin/directory/people/edit/{person.pk}/", person_data(email="ariane@soleil.fr")
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/directory/people/inspect/{person.pk}/"
    assert "ariane@soleil.fr" in as_staff.get(response["Location"]).content.decode()


def edit_buttons(page, url):
    """The header's buttons linking to `url`: (the "Modifier" button, how many links)."""
    start = page.index('id="w-slim-header-buttons"')
    buttons = page[start : page.index("</nav>", start)]
    button = re.search(rf'<a[^>]*href="{re.escape(url)}"[^>]*>', buttons)
    return button, buttons.count(f'href="{url}"'), buttons


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_the_record_has_a_visible_edit_button(role, as_admin, as_staff):
    browser = as_admin if role == "admin" else as_staff
    organisation = OrganisationFactory(name="Opéra de Metz")
    person = PersonFactory()
    for url, edit in (
        (f"{URL}inspect/{organisation.pk}/", f"{URL}edit/{organisation.pk}/"),
        (
            f"/admin/directory/people/inspect/{person.pk}/",
            f"/admin/directory/people/edit/{person.pk}/",
        ),
    ):
        page = browser.get(url).content.decode()
        button, links, buttons = edit_buttons(page, edit)
        assert button, "no Modifier button in the header"
        assert "crm-record-edit" in button.group(0)
        assert "data-record-edit" in button.group(0)
        assert "Modifier" in buttons[button.start() : button.start() + 600]
        assert links == 1  # not in the "…" menu as well


def test_a_reader_who_may_not_edit_has_no_edit_button(client):
    from django.contrib.auth.models import Group, Permission

    from tests.factories import UserFactory

    readers = Group.objects.create(name="Lecteurs")
    readers.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_organisation"),
    )
    reader = UserFactory()
    reader.groups.add(readers)
    client.force_login(reader)
    organisation = OrganisationFactory(name="Opéra de Metz")
    response = client.get(f"{URL}inspect/{organisation.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Opéra de Metz" in page
    assert f"{URL}edit/{organisation.pk}/" not in page
    assert "data-record-edit" not in page


def test_a_client_gets_no_record(as_client):
    organisation = OrganisationFactory(name="Opéra de Metz")
    response = as_client.get(f"{URL}inspect/{organisation.pk}/")
    assert response.status_code in (302, 403, 404)
    assert "Opéra de Metz" not in response.content.decode()
