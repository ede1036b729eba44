"""Interest centres: administrators manage them, staff only see them."""

import pytest
from django.template.loader import render_to_string

from directory.colours import contrast_ratio, text_colour_for
from directory.models import InterestCentre
from tests.factories import InterestCentreFactory

ADD = "/admin/directory/interest-centres/add/"


def test_an_administrator_creates_one(as_admin):
    response = as_admin.post(ADD, {"name": "  Arts   de la rue ", "colour": "#20C997"})
    assert response.status_code == 302
    centre = InterestCentre.objects.get()
    assert centre.name == "Arts de la rue"
    assert centre.colour == "#20c997"


@pytest.mark.parametrize("name", ["THEATRE", "theatre", "Théâtre", "  théatre ", "THÉÂTRE"])
def test_names_are_unique_whatever_the_case_and_accents(as_admin, name):
    InterestCentreFactory(name="Théâtre")
    response = as_admin.post(ADD, {"name": name, "colour": "#000000"})
    assert response.status_code == 200
    assert "porte déjà ce nom" in " ".join(response.context["form"].errors["name"])
    assert InterestCentre.objects.count() == 1


@pytest.mark.parametrize(
    "colour", ["red", "#fff", "#12345g", "123456", "#1234567", "javascript:alert(1)", ""]
)
def test_bad_colours_are_refused(as_admin, colour):
    response = as_admin.post(ADD, {"name": "Danse", "colour": colour})
    assert response.status_code == 200
    assert "colour" in response.context["form"].errors
    assert not InterestCentre.objects.exists()


def test_oversized_and_hostile_names(as_admin):
    response = as_admin.post(ADD, {"name": "x" * 101, "colour": "#000000"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    response = as_admin.post(ADD, {"name": "<b>Danse</b>", "colour": "#000000"})
    assert response.status_code == 302
    listing = as_admin.get("/admin/directory/interest-centres/").content.decode()
    assert "<b>Danse</b>" not in listing and "&lt;b&gt;Danse&lt;/b&gt;" in listing


def test_the_form_uses_a_colour_input(as_admin):
    assert 'type="color"' in as_admin.get(ADD).content.decode()


def test_staff_see_them_but_cannot_change_them(as_staff):
    centre = InterestCentreFactory(name="Cirque")
    assert as_staff.get("/admin/directory/interest-centres/").status_code == 200
    assert "Cirque" in as_staff.get("/admin/directory/interest-centres/").content.decode()
    assert as_staff.post(ADD, {"name": "Opéra", "colour": "#000000"}).status_code == 403
    edit = f"/admin/directory/interest-centres/edit/{centre.pk}/"
    assert as_staff.post(edit, {"name": "Renamed", "colour": "#000000"}).status_code == 403
    delete = f"/admin/directory/interest-centres/delete/{centre.pk}/"
    assert as_staff.post(delete).status_code == 403
    centre.refresh_from_db()
    assert centre.name == "Cirque"
    assert InterestCentre.objects.count() == 1


def test_changes_are_written_to_the_audit_log(as_admin):
    from wagtail.models import ModelLogEntry

    as_admin.post(ADD, {"name": "Danse", "colour": "#d63384"})
    centre = InterestCentre.objects.get()
    assert ModelLogEntry.objects.filter(object_id=str(centre.pk), action="wagtail.create").exists()


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#ffffff", "#000000"),
        ("#000000", "#ffffff"),
        ("#ffc107", "#000000"),
        ("#1f6feb", "#ffffff"),
    ],
)
def test_the_chip_picks_the_readable_text_colour(background, text):
    assert text_colour_for(background) == text
    other = "#ffffff" if text == "#000000" else "#000000"
    assert contrast_ratio(background, text) >= contrast_ratio(background, other)


def test_the_chip_template_shows_the_centre_in_its_colour():
    centre = InterestCentre(name="Jeune public", colour="#ffc107")
    html = render_to_string("directory/includes/interest_centre_chip.html", {"centre": centre})
    assert "background-color: #ffc107" in html
    assert "color: #000000" in html
    assert "Jeune public" in html
