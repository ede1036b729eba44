"""Every screen of people's rights tried as an attacker would: signed out,
without the CSRF token, by GET where a POST is due, with ids that are not
ids, on trashed and erased people, and on a person who is a user of the
workspace."""

import pytest
from django.test import Client
from django.urls import reverse

from crmsite import actions
from crmsite.models import DormantReview, Erasure, User
from directory.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


def _urls(pk):
    return {
        "export": f"/admin/privacy/person/{pk}/export/",
        "erase": f"/admin/privacy/person/{pk}/erase/",
        "keep": f"/admin/privacy/dormant/{pk}/keep/",
        "dormant": "/admin/privacy/dormant/",
    }


def _untouched(person):
    person.refresh_from_db()
    assert person.last_name == "Vasseur" and not Erasure.objects.exists()
    assert not DormantReview.objects.exists()


def test_signed_out_visitors_are_sent_to_the_sign_in_page(world):
    person = world.elise.person
    browser = Client()
    for url in _urls(person.pk).values():
        for method in ("get", "post"):
            response = getattr(browser, method)(
                url, {"confirmation": "Élise Vasseur", "reason": "client"}
            )
            assert response.status_code == 302, (url, method)
            assert response["Location"].startswith(reverse("wagtailadmin_login")), url
    _untouched(person)


def test_a_post_without_the_csrf_token_is_refused(world, admin_user):
    person = world.elise.person
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    for name in ("export", "erase", "keep"):
        response = browser.post(
            _urls(person.pk)[name], {"confirmation": "Élise Vasseur", "reason": "client"}
        )
        assert response.status_code == 403, name
        assert b"PK\x03\x04" not in response.content[:4]  # no ZIP
    _untouched(person)


def test_a_get_never_erases_keeps_or_downloads(world, as_admin):
    person = world.elise.person
    urls = _urls(person.pk)
    response = as_admin.get(urls["erase"], {"confirmation": "Élise Vasseur"})
    assert response.status_code == 200
    response = as_admin.get(urls["export"])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert as_admin.get(urls["keep"], {"reason": "client"}).status_code in (404, 405)
    _untouched(person)


@pytest.mark.parametrize(
    "pk",
    ["١٢", "1.0", "1e3", "+1", "0x1", "%201", "1%00", "9" * 30, "-0", "00000000000000000001"],
)
def test_ids_that_are_not_ids(world, as_admin, pk):
    for name in ("export", "erase", "keep"):
        response = as_admin.post(_urls(pk)[name], {"confirmation": "x", "reason": "x"})
        # 404; a null character is refused before routing (400).
        expected = {404, 400} if "%00" in pk else {404}
        assert response.status_code in expected, (name, pk)
    _untouched(world.elise.person)


def test_another_persons_id_in_the_erase_form_erases_only_the_page_person(world, as_admin):
    elise, octave = world.elise.person, world.octave.person
    response = as_admin.post(
        _urls(elise.pk)["erase"], {"confirmation": "Élise Vasseur", "pk": octave.pk}
    )
    assert response.status_code == 302
    octave.refresh_from_db()
    assert octave.last_name == "Brunel"
    assert list(Erasure.objects.values_list("person_id", flat=True)) == [elise.pk]


def test_a_trashed_person_can_be_exported_and_erased_but_not_kept(world, as_admin):
    from directory import actions as directory_actions

    person = world.elise.person
    directory_actions.trash_person(world.admin, person)
    urls = _urls(person.pk)
    assert as_admin.post(urls["export"])["Content-Type"] == "application/zip"
    response = as_admin.post(urls["keep"], {"reason": "client"}, follow=True)
    assert not DormantReview.objects.exists()
    assert response.status_code in (200, 404)
    response = as_admin.post(urls["erase"], {"confirmation": "Élise Vasseur"})
    assert response.status_code == 302
    assert Erasure.objects.filter(person_id=person.pk).exists()


def test_an_erased_person_cannot_be_erased_or_kept_again(world, as_admin):
    person = world.elise.person
    actions.erase_person(world.admin, person, "Élise Vasseur")
    urls = _urls(person.pk)
    response = as_admin.post(urls["erase"], {"confirmation": "Personne effacée"}, follow=True)
    assert "a déjà été effacée" in response.content.decode()
    assert Erasure.objects.count() == 1
    response = as_admin.post(urls["keep"], {"reason": "client"}, follow=True)
    assert not DormantReview.objects.exists()
    assert "il n’y a rien à garder" in response.content.decode()
    # Her export still answers, with nothing identifying left.
    assert as_admin.post(urls["export"])["Content-Type"] == "application/zip"


def test_a_reason_too_long_or_blank_keeps_nothing(world, as_admin):
    url = _urls(world.elise.person.pk)["keep"]
    for reason in ("", "   ", "x" * 5000):
        response = as_admin.post(url, {"reason": reason}, follow=True)
        assert response.status_code == 200
        refused = "Le contact «\u00a0Élise Vasseur\u00a0» n’a pas été gardé."
        assert refused in response.content.decode()
    assert not DormantReview.objects.exists()


def test_dormant_screen_with_hostile_parameters(as_admin):
    for query in (
        {"months": "-3"},
        {"months": "abc"},
        {"months": "9" * 40},
        {"months": "0"},
        {"p": "-1"},
        {"p": "abc"},
        {"p": "9" * 40},
    ):
        response = as_admin.get("/admin/privacy/dormant/", query)
        assert response.status_code == 200, query


def test_the_last_administrator_cannot_erase_the_person_behind_their_own_account(world):
    """A person linked to an administrator's account: erasing them would lock
    the workspace's last administrator out. Refused, nothing changed."""
    admin = world.admin
    User.objects.exclude(pk=admin.pk).filter(is_superuser=True).update(is_superuser=False)
    person = world.octave.person
    User.objects.filter(person=person).update(person=None)
    admin.person = person
    admin.save()
    browser = factories.logged_in(admin)
    response = browser.post(_urls(person.pk)["erase"], {"confirmation": "Octave Brunel"})
    assert response.status_code == 200
    assert not Erasure.objects.exists()
    admin.refresh_from_db()
    assert admin.is_active
    assert Person.objects.get(pk=person.pk).last_name == "Brunel"


def test_a_person_behind_a_staff_account_is_not_erased_while_the_account_is_active(world):
    staff = world.staff
    person = world.octave.person
    User.objects.filter(person=person).update(person=None)
    staff.person = person
    staff.save()
    browser = factories.logged_in(world.admin)
    response = browser.post(_urls(person.pk)["erase"], {"confirmation": "Octave Brunel"})
    assert response.status_code == 200
    assert "liée au compte utilisateur «\u00a0marie\u00a0» d’un membre de l’équipe" in (
        response.content.decode()
    )
    assert not Erasure.objects.exists()
    staff.refresh_from_db()
    assert staff.is_active
    # The page says so before anything is typed, without the form.
    page = browser.get(_urls(person.pk)["erase"]).content.decode()
    assert "data-privacy-blocked" in page and 'name="confirmation"' not in page
