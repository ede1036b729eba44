"""The screens: administrators only (staff 403, clients 403, ids guessed or
hostile refused), the buttons on the record, the erasure confirmation."""

import io
import zipfile

import pytest
from django.urls import reverse

from crmsite.models import Erasure
from directory.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    """The page, French narrow and non-breaking spaces read as spaces."""
    return response.content.decode().replace("\u00a0", " ").replace("\u202f", " ")


def _record_url(person):
    return reverse(Person.snippet_viewset.get_url_name("inspect"), args=(person.pk,))


def _urls(person):
    return [
        reverse("crmsite_privacy:export", args=(person.pk,)),
        reverse("crmsite_privacy:erase", args=(person.pk,)),
        reverse("crmsite_privacy:dormant"),
        reverse("crmsite_privacy:keep", args=(person.pk,)),
    ]


def test_staff_and_clients_are_refused_everywhere(world, as_staff, as_client):
    person = world.elise.person
    for browser in (as_staff, as_client):
        for url in _urls(person):
            for method in ("get", "post"):
                response = getattr(browser, method)(
                    url, {"confirmation": "Élise Vasseur", "reason": "x"}
                )
                assert response.status_code == 403, (url, method)
    assert not Erasure.objects.exists()
    person.refresh_from_db()
    assert person.last_name == "Vasseur"


def test_guessed_or_hostile_ids(as_admin, as_staff):
    for pk in ("999999", "abc", "-1", "0", "99999999999999999999"):
        for name in ("export", "erase", "keep"):
            url = (
                f"/admin/privacy/person/{pk}/{name}/"
                if name != "keep"
                else f"/admin/privacy/dormant/{pk}/keep/"
            )
            assert as_admin.post(url).status_code == 404, url
            # Staff learn nothing from an id: refused before any look-up.
            assert as_staff.post(url).status_code == 403, url


def test_buttons_on_the_record_for_administrators_only(world, as_admin, as_staff):
    person = world.elise.person
    export_url = reverse("crmsite_privacy:export", args=(person.pk,))
    erase_url = reverse("crmsite_privacy:erase", args=(person.pk,))
    page = as_admin.get(_record_url(person)).content.decode()
    assert export_url in page and erase_url in page
    assert "Exporter les données personnelles" in page
    page = as_staff.get(_record_url(person)).content.decode()
    assert export_url not in page and erase_url not in page
    # Not on an organisation's record.
    organisation = world.organisation
    url = reverse(organisation.snippet_viewset.get_url_name("inspect"), args=(organisation.pk,))
    assert "/admin/privacy/person/" not in as_admin.get(url).content.decode()


def test_export_screen_downloads_the_zip(world, as_admin):
    url = reverse("crmsite_privacy:export", args=(world.elise.person.pk,))
    page = as_admin.get(url)
    assert page.status_code == 200
    assert "Télécharger l’archive (ZIP)" in page.content.decode()
    response = as_admin.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "resume.html" in names and "person.json" in names


def test_erasure_screen_bad_confirmation_then_good(world, as_admin):
    person = world.elise.person
    url = reverse("crmsite_privacy:erase", args=(person.pk,))
    page = _text(as_admin.get(url))
    assert "irréversible" in page and "Tapez « Élise Vasseur » pour confirmer." in page
    assert "1 commentaire : supprimé" in page

    response = as_admin.post(url, {"confirmation": "Élise Vasseu"})
    assert response.status_code == 200
    body = _text(response)
    assert "Le nom saisi n’est pas « Élise Vasseur » : rien n’a été effacé." in body
    person.refresh_from_db()
    assert person.last_name == "Vasseur" and not Erasure.objects.exists()

    response = as_admin.post(url, {"confirmation": "Élise Vasseur"})
    assert response.status_code == 302 and response["Location"] == _record_url(person)
    person.refresh_from_db()
    assert str(person) == "Personne effacée"
    page = _text(as_admin.get(_record_url(person)))
    assert "Les données de la personne sont effacées." in page
    assert url not in page  # no erase button any more
    assert as_admin.get(url).content.decode().count("a déjà été effacée") == 1


def test_erasure_screen_for_another_persons_id_touches_only_that_person(world, as_admin):
    """An administrator typing Octave's name on Élise's page erases nobody."""
    url = reverse("crmsite_privacy:erase", args=(world.elise.person.pk,))
    as_admin.post(url, {"confirmation": "Octave Brunel"})
    assert not Erasure.objects.exists()
    assert Person.objects.filter(last_name__in=["Vasseur", "Brunel"]).count() == 2


def test_a_superuser_outside_the_groups_may_too(world):
    boss = factories.UserFactory(is_superuser=True)
    browser = factories.logged_in(boss)
    assert browser.get(reverse("crmsite_privacy:dormant")).status_code == 200
