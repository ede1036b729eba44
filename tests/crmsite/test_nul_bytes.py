"""A NUL character anywhere in a request (path, query string, form fields and
their names, uploaded file names) is refused with a translated 400 page,
before any view, search or database sees it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils.datastructures import MultiValueDict
from wagtail.users.models import UserProfile

from crmsite.middleware import carries_nul
from directory.models import Organisation

pytestmark = pytest.mark.django_db

FRENCH = "La requête contient un caractère nul, qui n’est pas accepté. Retirez-le et recommencez."
ENGLISH = "The request contains a null character, which is not accepted. Remove it and try again."


def refused(response, message=FRENCH):
    assert response.status_code == 400
    body = response.content.decode()
    assert message.replace("'", "&#x27;") in body or message in body
    return body


@pytest.mark.parametrize(
    "url",
    [
        "/admin/directory/search/?q=a%00b",
        "/admin/snippets/choose/directory/organisation/?q=a%00b",
        "/admin/snippets/choose/directory/organisation/results/?q=a%00b",
        "/admin/snippets/choose/directory/person/results/?q=%00",
        "/admin/directory/organisations/?q=a%00b",
        "/admin/directory/people/?q%00=a",
        "/admin/directory/organisations/?kind=1%00",
        "/admin/directory/organisations/a%00b/",
        "/admin/directory/search/?q=a\x00b",
    ],
)
def test_a_nul_in_the_path_or_the_query_string_is_refused(as_staff, url):
    body = refused(as_staff.get(url))
    assert '<html lang="fr"' in body and "Requête refusée" in body


def test_a_nul_in_a_posted_field_is_refused_and_nothing_is_written(as_admin):
    data = {"name": "Théâtre\x00 du Saulcy", "city": "Metz", "positions-TOTAL_FORMS": "0"}
    refused(as_admin.post("/admin/directory/organisations/add/", data))
    assert not Organisation.objects.exists()


def test_a_nul_in_a_posted_field_name_is_refused(as_admin):
    refused(as_admin.post("/admin/directory/organisations/add/", {"na\x00me": "Théâtre"}))


def upload(name="contacts.csv"):
    return SimpleUploadedFile(name, b"name\nTheatre\n", content_type="text/csv")


def test_a_nul_in_an_upload_field_name_is_refused(as_admin):
    refused(as_admin.post("/admin/directory/organisations/add/", {"fi\x00le": upload()}))


def test_a_nul_in_an_uploaded_file_name_never_reaches_a_view(as_admin):
    # Django's parser already drops unprintable characters from file names;
    # the middleware refuses any that would still carry one.
    response = as_admin.post("/admin/directory/organisations/add/", {"file": upload("a\x00.csv")})
    assert response.status_code in (200, 400)


def test_a_nul_in_a_sign_in_is_refused(client):
    refused(client.post("/admin/login/", {"username": "marie\x00", "password": "x"}))


def test_a_user_who_prefers_english_is_refused_in_english(as_staff, staff_user):
    profile = UserProfile.get_for_user(staff_user)
    profile.preferred_language = "en"
    profile.save()
    refused(as_staff.get("/admin/directory/search/?q=a%00b"), ENGLISH)


def test_a_request_without_nul_goes_through(as_staff):
    assert as_staff.get("/admin/directory/search/?q=th%C3%A9%C3%A2tre%2500").status_code == 200


def test_a_file_name_with_a_nul_counts_as_carrying_one():
    request = RequestFactory().post("/admin/", {"name": "Théâtre"})
    assert request.POST["name"] == "Théâtre"  # parsed, so that the files below stay
    request._files = MultiValueDict({"file": [upload("a\x00.csv")]})
    assert carries_nul(request)
    request._files = MultiValueDict({"file": [upload()]})
    assert not carries_nul(request)
