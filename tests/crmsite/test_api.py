"""The private API (/api/v1/) as another application of the agency uses it:
its token, its scopes, the directory look-ups and upserts, activities
recorded once, and every refusal answered in JSON with the right status."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from wagtail.models import APIToken, ModelLogEntry

from crmsite import actions
from crmsite.models import ApiClient, ApiScope
from directory import actions as directory_actions
from directory.models import Activity, Organisation, Person
from tests.factories import FunctionFactory, OrganisationFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db

ALL = [ApiScope.READ_DIRECTORY, ApiScope.WRITE_ACTIVITY, ApiScope.WRITE_DIRECTORY]
BASE = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_rate_counts():
    cache.clear()
    yield
    cache.clear()


def new_client(admin, scopes=ALL, name="Location de matériel", days=365):
    return actions.create_api_client(
        admin,
        name=name,
        scopes=scopes,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )


def caller(token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def post(http, path, data):
    return http.post(f"{BASE}{path}", data=json.dumps(data), content_type="application/json")


@pytest.fixture
def rental(admin_user):
    client, token = new_client(admin_user)
    return client, caller(token)


@pytest.fixture
def theatre():
    return OrganisationFactory(name="Théâtre de la Manufacture", siret="73282932000074")


def test_the_token_is_shown_once_and_only_its_keyed_digest_is_stored(admin_user):
    client, token = new_client(admin_user)
    assert token.startswith("wagtail_")
    stored = APIToken.objects.get(pk=client.token_id)
    assert token not in (stored.key_hash, stored.prefix) and stored.prefix == token[:12]
    assert stored.key_hash == APIToken.hash_token(token)
    assert not ApiClient.objects.filter(name__contains=token).exists()


def test_the_service_account_cannot_sign_in_and_holds_only_its_scopes(admin_user):
    client, _token = new_client(admin_user, scopes=[ApiScope.WRITE_ACTIVITY])
    user = client.user
    assert not user.has_usable_password() and not user.email and not user.groups.exists()
    assert user.has_perm("directory.add_activity")
    assert not user.has_perm("directory.add_person")
    assert not user.has_perm("wagtailadmin.access_admin")


def test_only_administrators_manage_clients(staff_user, client_user):
    for user in (staff_user, client_user):
        with pytest.raises(PermissionDenied):
            new_client(user)
    assert not ApiClient.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer nope",
        "Token abc",
        "Bearer " + "x" * 5000,
        "Bearer wagtail_" + "A" * 30,
    ],
)
def test_no_or_a_bad_token_is_401_in_json(theatre, header):
    http = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = http.get(f"{BASE}/organisations/{theatre.pk}")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "jeton" in response.json()["detail"]


def test_a_signed_in_session_is_not_an_api_token(as_admin, theatre):
    assert as_admin.get(f"{BASE}/organisations/{theatre.pk}").status_code == 401


def test_a_revoked_or_expired_client_is_refused_at_once(admin_user, theatre):
    client, token = new_client(admin_user)
    http = caller(token)
    assert http.get(f"{BASE}/organisations/{theatre.pk}").status_code == 200
    actions.revoke_api_client(admin_user, client)
    assert http.get(f"{BASE}/organisations/{theatre.pk}").status_code == 401
    new_token = actions.renew_api_client(admin_user, client)
    assert http.get(f"{BASE}/organisations/{theatre.pk}").status_code == 401  # the old one
    assert caller(new_token).get(f"{BASE}/organisations/{theatre.pk}").status_code == 200
    ApiClient.objects.filter(pk=client.pk).update(expires_at=timezone.now())
    assert caller(new_token).get(f"{BASE}/organisations/{theatre.pk}").status_code == 401


def test_last_use_is_recorded(rental, theatre):
    client, http = rental
    assert client.last_used_at is None
    http.get(f"{BASE}/organisations/{theatre.pk}")
    client.refresh_from_db()
    assert client.token.last_used_at is not None


ENDPOINTS = [
    ("get", "/organisations", None, ApiScope.READ_DIRECTORY),
    ("get", "/organisations/{org}", None, ApiScope.READ_DIRECTORY),
    ("get", "/people", None, ApiScope.READ_DIRECTORY),
    ("get", "/people/{person}", None, ApiScope.READ_DIRECTORY),
    ("get", "/organisations/{org}/activities", None, ApiScope.READ_DIRECTORY),
    ("get", "/people/{person}/activities", None, ApiScope.READ_DIRECTORY),
    ("post", "/organisations", {"name": "Nouvelle scène"}, ApiScope.WRITE_DIRECTORY),
    ("post", "/people", {"last_name": "Durand"}, ApiScope.WRITE_DIRECTORY),
    (
        "post",
        "/activities",
        {"siret": "73282932000074", "kind": "order", "reference": "C-1", "date": "2026-03-12"},
        ApiScope.WRITE_ACTIVITY,
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS)
def test_each_endpoint_needs_its_scope(admin_user, theatre, method, path, body, scope):
    person = PersonFactory()
    path = path.format(org=theatre.pk, person=person.pk)
    for index, scopes in enumerate(([s for s in ALL if s != scope], [scope])):
        _client, token = new_client(admin_user, scopes=scopes, name=f"Client {index}")
        http = caller(token)
        response = http.get(BASE + path) if method == "get" else post(http, path, body)
        if index == 0:
            assert response.status_code == 403, response.content
            assert scope in response.json()["detail"]
        else:
            assert response.status_code in (200, 201), response.content


def test_look_ups_ignore_accents_and_never_show_the_trash(rental, admin_user):
    _client, http = rental
    kept = OrganisationFactory(name="Théâtre de l’Éclat")
    trashed = OrganisationFactory(name="Théâtre Éphémère")
    directory_actions.trash_organisation(admin_user, trashed)
    found = http.get(f"{BASE}/organisations", {"q": "theatre"}).json()
    assert [item["id"] for item in found["items"]] == [kept.pk]
    assert http.get(f"{BASE}/organisations/{trashed.pk}").status_code == 404
    assert http.get(f"{BASE}/organisations/{trashed.pk}/activities").status_code == 404


def test_people_are_found_by_a_professional_email_and_show_their_positions(rental, theatre):
    _client, http = rental
    person = PersonFactory(first_name="Alice", last_name="Arnaud", email="")
    PositionFactory(person=person, organisation=theatre, email="a.arnaud@manufacture.fr")
    found = http.get(f"{BASE}/people", {"email": "A.Arnaud@manufacture.fr"}).json()["items"]
    assert [p["id"] for p in found] == [person.pk]
    assert found[0]["positions"][0]["organisation"] == "Théâtre de la Manufacture"


def test_cursor_pagination_walks_every_record_once(rental):
    _client, http = rental
    made = {OrganisationFactory(name=f"Lieu {n}").pk for n in range(7)}
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = http.get(f"{BASE}/organisations", params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))


@pytest.mark.parametrize("cursor", ["!!!", "Zm9v", "LTE", "A" * 101])
def test_a_forged_cursor_is_refused(rental, cursor):
    _client, http = rental
    response = http.get(f"{BASE}/organisations", {"cursor": cursor})
    assert response.status_code == 422


def test_an_organisation_is_matched_by_siret_then_by_name(rental, theatre, admin_user):
    _client, http = rental
    response = post(
        http, "/organisations", {"name": "La Manufacture", "siret": "732 829 320 00074"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["result"] == "updated"
    theatre.refresh_from_db()
    assert theatre.name == "La Manufacture"
    again = post(http, "/organisations", {"name": "La Manufacture", "siret": "73282932000074"})
    assert again.json()["result"] == "unchanged"
    created = post(http, "/organisations", {"name": "Scène nouvelle", "city": "Metz"})
    assert created.status_code == 201 and created.json()["result"] == "created"
    same = post(http, "/organisations", {"name": "SCENE NOUVELLE", "city": "Metz"})
    assert same.status_code == 200 and same.json()["result"] == "updated"  # its name
    assert Organisation.objects.filter(name_key__contains="scene nouvelle").count() == 1
    entry = ModelLogEntry.objects.filter(object_id=str(theatre.pk)).latest("timestamp")
    assert entry.user.first_name == "Location de matériel"


def test_two_organisations_of_that_name_is_a_conflict_not_a_guess(rental):
    _client, http = rental
    OrganisationFactory(name="Le Café", postcode="57000")
    OrganisationFactory(name="Le Café", postcode="54000")
    response = post(http, "/organisations", {"name": "Le Cafe"})
    assert response.status_code == 409
    assert len(response.json()["candidates"]) == 2


def test_a_person_is_matched_by_email_and_given_the_position(rental, theatre):
    _client, http = rental
    FunctionFactory(name="Directeur·rice")
    person = PersonFactory(first_name="Alice", last_name="Arnaud", email="alice@perso.fr")
    response = post(
        http,
        "/people",
        {
            "first_name": "Alice",
            "last_name": "Arnaud",
            "email": "ALICE@perso.fr",
            "organisation_id": theatre.pk,
            "function": "directeur·rice",
            "professional_email": "direction@manufacture.fr",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["result"] == "updated"
    assert Person.objects.count() == 1
    [position] = person.positions.all()
    assert (
        position.email == "direction@manufacture.fr" and position.function.name == "Directeur·rice"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Lieu", "siret": "123"}, "siret"),
        ({"name": "Lieu", "email": "pas-une-adresse"}, "email"),
        ({"name": "Lieu", "website": "javascript:alert(1)"}, "website"),
        ({"name": ["Lieu"]}, "name"),
    ],
)
def test_bad_organisation_data_is_422_and_changes_nothing(rental, body, field):
    _client, http = rental
    response = post(http, "/organisations", body)
    assert response.status_code == 422, response.content
    assert any(field in key for key in response.json()["errors"])
    assert not Organisation.objects.exists()


def test_each_bad_value_is_explained_in_french_or_in_english_on_request(rental, theatre):
    _client, http = rental
    body = {
        "siret": theatre.siret,
        "kind": "",
        "reference": "x" * 201,
        "date": "2026-13-01",
        "amount": "12.345",
        "organisation_id": 0,
    }
    errors = post(http, "/activities", body).json()["errors"]
    assert errors["kind"] == ["Indiquez au moins 1 caractère(s)."]
    assert errors["reference"] == ["Indiquez au plus 200 caractère(s)."]
    assert errors["date"] == ["Indiquez une date au format AAAA-MM-JJ."]
    assert errors["amount"] == ["Indiquez au plus 2 décimales."]
    assert errors["organisation_id"] == ["Indiquez un nombre d’au moins 1."]
    english = http.post(
        f"{BASE}/activities",
        data=json.dumps({"kind": "order"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()["errors"]
    assert english["reference"] == ["This value is required."]
    assert english["date"] == ["This value is required."]
    assert not Activity.objects.exists()


def test_malformed_json_is_a_clear_error(rental):
    _client, http = rental
    response = http.post(f"{BASE}/organisations", data="{nope", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["detail"]
    nul = post(http, "/organisations", {"name": "Lieu\u0000"})
    assert nul.status_code == 400 and "nul" in nul.json()["detail"]
    assert not Organisation.objects.exists()


def order(**extra):
    return {
        "siret": "73282932000074",
        "kind": "order",
        "reference": "CMD-2026-0042",
        "date": "2026-03-12",
        "amount": "1234.50",
        "currency": "eur",
        "details": {"articles": ["projecteur", "console"]},
        **extra,
    }


def test_an_activity_is_recorded_once_and_a_change_is_reported(rental, theatre):
    client, http = rental
    first = post(http, "/activities", order())
    assert first.status_code == 201 and first.json()["result"] == "created"
    again = post(http, "/activities", order())
    assert again.status_code == 200 and again.json()["result"] == "unchanged"
    changed = post(http, "/activities", order(amount="1300.00"))
    assert changed.json()["result"] == "updated"
    [activity] = Activity.objects.all()
    assert activity.organisation == theatre and str(activity.amount) == "1300.00"
    assert activity.currency == "EUR" and activity.source_name == client.name
    listed = http.get(f"{BASE}/organisations/{theatre.pk}/activities").json()["items"]
    assert [(a["reference"], a["kind"], a["recorded_by"]) for a in listed] == [
        ("CMD-2026-0042", "order", "Location de matériel")
    ]
    assert ModelLogEntry.objects.filter(
        object_id=str(theatre.pk), action="directory.activity.record"
    ).exists()


def test_two_clients_may_use_the_same_reference(admin_user, theatre):
    _first, token_a = new_client(admin_user, name="Location")
    _second, token_b = new_client(admin_user, name="Billetterie")
    assert post(caller(token_a), "/activities", order()).status_code == 201
    assert post(caller(token_b), "/activities", order()).status_code == 201
    assert Activity.objects.count() == 2


def test_a_reference_already_used_for_another_record_is_a_conflict(rental, theatre):
    _client, http = rental
    other = OrganisationFactory(name="Autre lieu")
    assert post(http, "/activities", order()).status_code == 201
    response = post(http, "/activities", order(siret=None, organisation_id=other.pk))
    assert response.status_code == 409
    assert Activity.objects.get().organisation == theatre


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"kind": "vol"}, 422),
        ({"date": "2026-02-30"}, 422),
        ({"date": "1066-10-14"}, 422),
        ({"amount": "12.345"}, 422),
        ({"amount": "1e400"}, 422),
        ({"currency": "euros"}, 422),
        ({"details": {"x": "y" * 20_000}}, 422),
        ({"details": ["pas", "un", "objet"]}, 422),
        ({"reference": ""}, 422),
        ({"siret": None}, 422),
        ({"siret": None, "organisation_id": 99999}, 404),
        ({"siret": "98765432109876"}, 404),
        ({"siret": None, "email": "inconnu@nulle-part.fr"}, 404),
        ({"person_id": 1}, 422),
    ],
)
def test_bad_activities_are_refused_and_nothing_is_recorded(rental, theatre, extra, status):
    _client, http = rental
    response = post(http, "/activities", order(**extra))
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert not Activity.objects.exists()


def test_an_activity_for_a_trashed_record_is_404(rental, theatre, admin_user):
    _client, http = rental
    directory_actions.trash_organisation(admin_user, theatre)
    assert post(http, "/activities", order()).status_code == 404
    assert not Activity.objects.exists()


def test_requests_are_rate_limited_per_client(admin_user, theatre, settings):
    settings.API_RATE_LIMIT = "3/m"
    _first, token_a = new_client(admin_user, name="Location")
    _second, token_b = new_client(admin_user, name="Billetterie")
    statuses = [
        caller(token_a).get(f"{BASE}/organisations/{theatre.pk}").status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    limited = caller(token_a).get(f"{BASE}/organisations/{theatre.pk}")
    assert int(limited["Retry-After"]) > 0 and limited.json()["detail"]
    assert caller(token_b).get(f"{BASE}/organisations/{theatre.pk}").status_code == 200


def test_errors_speak_french_by_default_and_english_on_request(rental, theatre):
    _client, http = rental
    french = http.get(f"{BASE}/organisations/999999")
    english = http.get(f"{BASE}/organisations/999999", HTTP_ACCEPT_LANGUAGE="en")
    assert french.status_code == english.status_code == 404
    assert french.json()["detail"] != english.json()["detail"]


def test_the_schema_and_its_documentation_are_served(rental):
    _client, http = rental
    schema = Client().get(f"{BASE}/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert f"{BASE}/activities" in paths and f"{BASE}/organisations" in paths
    docs = Client().get(f"{BASE}/docs")
    assert docs.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in docs.content.decode()
    assert "https://" not in docs.content.decode()  # nothing from a CDN the CSP would block


def test_service_accounts_are_no_users_of_the_workspace(as_admin, admin_user):
    from django.urls import reverse

    client, _token = new_client(admin_user)
    account = client.user
    listing = as_admin.get(reverse("wagtailusers_users:index"), {"q": "Location"})
    assert listing.status_code == 200 and account.username not in listing.content.decode()
    for name in ("edit", "delete"):
        url = reverse(f"wagtailusers_users:{name}", args=[account.pk])
        assert as_admin.get(url).status_code == 404
        assert as_admin.post(url, {"username": "pirate"}).status_code == 404
    as_admin.post(
        f"/admin/bulk/crmsite/user/set_active_state/?next=/admin/users/&id={account.pk}",
        {"mark_as_active": ""},
    )
    account.refresh_from_db()
    assert account.is_active and account.username.startswith("api~")


def test_api_clients_screens_are_for_administrators_only(as_admin, as_staff, as_client):
    from django.urls import reverse

    index = reverse("crmsite_api_clients:index")
    add = reverse("crmsite_api_clients:add")
    for http in (as_staff, as_client):
        assert http.get(index).status_code in (302, 403)
        assert http.post(add, {"name": "Pirate"}).status_code in (302, 403)
    assert not ApiClient.objects.exists()
    created = as_admin.post(
        add,
        {
            "name": "Billetterie",
            "scopes": [ApiScope.WRITE_ACTIVITY],
            "expires_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
    )
    assert created.status_code == 200
    client = ApiClient.objects.get()
    page = created.content.decode()
    token = page.split('id="api-client-token" value="')[1].split('"')[0]
    assert APIToken.hash_token(token) == client.token.key_hash
    assert "no-store" in created["Cache-Control"]
    edit = reverse("crmsite_api_clients:edit", args=[client.pk])
    assert token not in as_admin.get(edit).content.decode()  # never shown again
    for http in (as_staff, as_client):
        assert http.post(reverse("crmsite_api_clients:revoke", args=[client.pk])).status_code in (
            302,
            403,
        )
    client.refresh_from_db()
    assert client.revoked_at is None
    as_admin.post(reverse("crmsite_api_clients:revoke", args=[client.pk]))
    client.refresh_from_db()
    assert client.revoked_at is not None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "nom"),
        ({"scopes": []}, "autorisation"),
        ({"expires_on": "2020-01-01"}, "futur"),
        ({"expires_on": "2099-01-01"}, "trois ans"),
    ],
)
def test_a_bad_client_form_says_why_and_creates_nothing(as_admin, fields, message):
    from django.urls import reverse

    data = {
        "name": "Billetterie",
        "scopes": [ApiScope.WRITE_ACTIVITY],
        "expires_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        **fields,
    }
    response = as_admin.post(reverse("crmsite_api_clients:add"), data)
    assert response.status_code == 200
    assert message in response.content.decode().lower()
    assert not ApiClient.objects.exists()


def test_a_persons_own_token_opens_nothing_clients_included(client_user, staff_user, theatre):
    for user in (client_user, staff_user):
        _token, plaintext = APIToken.create_token(user=user, name="Mon jeton")
        response = caller(plaintext).get(f"{BASE}/organisations/{theatre.pk}")
        assert response.status_code == 401
        assert "Théâtre" not in response.content.decode()


def nested(depth):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "details",
    [{"a": nested(850)}, {"a": nested(11)}],
)
def test_details_nested_too_deep_are_refused_and_the_record_still_opens(
    rental, theatre, as_staff, details
):
    _client, http = rental
    response = post(http, "/activities", order(details=details))
    assert response.status_code == 422 and "10" in response.json()["detail"]
    assert not Activity.objects.exists()
    page = as_staff.get(f"/admin/directory/organisations/inspect/{theatre.pk}/")
    assert page.status_code == 200


def test_details_with_nan_or_nul_are_refused(rental, theatre):
    _client, http = rental
    for body in ('{"a": NaN}', '{"a": Infinity}', '{"a": "x\\u0000y"}'):
        raw = json.dumps(order(details=None))[:-1] + f', "details": {body}}}'
        raw = raw.replace('"details": null, ', "")
        response = http.post(f"{BASE}/activities", data=raw, content_type="application/json")
        assert response.status_code in (400, 422), (body, response.content)
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("text/plain", '{"name": "A\\u0000B"}', 415),
        ("application/x-www-form-urlencoded", "name=Sc%C3%A8ne", 415),
        ("multipart/form-data; boundary=x", "--x--", 415),
        ("application/json", '{"name": "' + "x" * 3_000_000 + '"}', 413),
    ],
)
def test_only_json_bodies_of_a_sane_size_are_read(rental, content_type, body, status):
    _client, http = rental
    response = http.post(f"{BASE}/organisations", data=body, content_type=content_type)
    assert response.status_code == status
    assert response.json()["detail"]
    assert not Organisation.objects.exists()


def test_the_same_data_sent_again_changes_nothing(rental):
    _client, http = rental
    body = {
        "name": "Salle D",
        "postcode": "57 000",
        "phone": "03 87 00 00 00",
        "email": "Contact@Salle.FR",
    }
    assert post(http, "/organisations", body).json()["result"] == "created"
    assert post(http, "/organisations", body).json()["result"] == "unchanged"
    assert Organisation.objects.count() == 1
    person = {"last_name": "Arnaud", "email": "Alice@Perso.FR", "phone": "06 12 34 56 78"}
    assert post(http, "/people", person).json()["result"] == "created"
    assert post(http, "/people", person).json()["result"] == "unchanged"


@pytest.mark.parametrize("name", ["\n", "\u200b", " \t "])
def test_an_invisible_name_is_no_name(rental, name):
    _client, http = rental
    assert post(http, "/organisations", {"name": name}).status_code == 422
    assert post(http, "/people", {"last_name": name}).status_code == 422
    assert not Organisation.objects.exists() and not Person.objects.exists()


def test_another_siret_under_the_same_name_is_another_organisation(rental):
    _client, http = rental
    cafe = OrganisationFactory(name="Le Café", postcode="57000", siret="73282932000074")
    response = post(
        http, "/organisations", {"name": "Le Café", "postcode": "57000", "siret": "44306184100047"}
    )
    assert response.status_code == 201
    cafe.refresh_from_db()
    assert cafe.siret == "73282932000074"


def test_a_trashed_siret_is_a_conflict_that_names_nothing(rental, admin_user):
    _client, http = rental
    gone = OrganisationFactory(name="Théâtre Disparu", siret="73282932000074")
    directory_actions.trash_organisation(admin_user, gone)
    response = post(http, "/organisations", {"name": "Autre nom", "siret": "73282932000074"})
    assert response.status_code == 409 and "Disparu" not in response.content.decode()


def test_candidates_are_only_told_to_a_client_that_reads_the_directory(admin_user):
    PersonFactory(email="shared@x.fr")
    PositionFactory(email="shared@x.fr")
    _writer, token = new_client(admin_user, scopes=[ApiScope.WRITE_ACTIVITY])
    response = post(caller(token), "/activities", order(siret=None, email="shared@x.fr"))
    assert response.status_code == 409 and response.json()["candidates"] == []


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_refused_in_json(rental, method):
    _client, http = rental
    response = getattr(http, method)(f"{BASE}/organisations")
    assert response.status_code == 405
    assert "POST" in response.json()["detail"]


def test_a_cursor_of_other_digits_is_refused(rental):
    _client, http = rental
    for cursor in ("wrI", "MTI", "LTE"):  # "²", "12" is fine, "-1"
        response = http.get(f"{BASE}/organisations", {"cursor": cursor})
        assert response.status_code in (200, 422)
    assert http.get(f"{BASE}/organisations", {"cursor": "wrI"}).status_code == 422
