"""Administrators manage users in Wagtail's user screens: contact details and one role."""

import pytest
from django.contrib.auth import get_user_model

User = get_user_model()


def user_data(**overrides):
    data = {
        "username": "lea",
        "email": "lea.moreau@example.org",
        "first_name": "Léa",
        "last_name": "Moreau",
        "phone": "06 12 34 56 78",
        "job_title": "Chargée de production",
        "role": "staff",
        "password1": "Garance-Opera-2026",
        "password2": "Garance-Opera-2026",
    }
    data.update(overrides)
    return data


def test_an_administrator_creates_a_staff_member_with_contact_details(as_admin):
    response = as_admin.post("/admin/users/new/", user_data())
    assert response.status_code == 302
    user = User.objects.get(username="lea")
    assert user.phone == "+33612345678"
    assert user.job_title == "Chargée de production"
    assert [g.name for g in user.groups.all()] == ["Équipe"]
    assert not user.is_superuser
    listing = as_admin.get("/admin/users/").content.decode()
    assert "Chargée de production" in listing and "Équipe" in listing


def test_the_form_offers_a_single_role_choice_in_french(as_admin):
    body = as_admin.get("/admin/users/new/").content.decode()
    assert 'name="role"' in body and 'type="radio"' in body
    assert "Administrateur" in body and "Équipe" in body and "Client" in body
    assert 'name="groups"' not in body and 'name="is_superuser"' not in body


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "12"}, "phone", "numéro de téléphone valide"),
        ({"phone": "9" * 60}, "phone", "trop long"),
        ({"email": "not-an-email"}, "email", "adresse de courriel valide"),
        ({"role": "superuser"}, "role", "choix valide"),
        ({"password1": "123", "password2": "123"}, "password2", "trop court"),
        ({"password2": "Something-Else-2026"}, "password2", ""),
        ({"username": ""}, "username", "requis"),
        ({"job_title": "x" * 151}, "job_title", "150 caractères"),
    ],
)
def test_bad_input_is_refused_with_a_french_message_and_nothing_saved(
    as_admin, overrides, field, message
):
    response = as_admin.post("/admin/users/new/", user_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not User.objects.filter(username="lea").exists()


def test_hostile_input_is_stored_as_text_and_shown_escaped(as_admin):
    response = as_admin.post("/admin/users/new/", user_data(job_title="<script>alert(1)</script>"))
    assert response.status_code == 302
    listing = as_admin.get("/admin/users/").content.decode()
    assert "<script>alert(1)</script>" not in listing
    assert "&lt;script&gt;" in listing


def test_changing_the_role_replaces_the_previous_one(as_admin, staff_user):
    response = as_admin.post(
        f"/admin/users/edit/{staff_user.pk}/",
        user_data(
            username="marie", email="marie@example.org", role="client", password1="", password2=""
        )
        | {"is_active": "on"},
    )
    assert response.status_code == 302
    assert [g.name for g in staff_user.groups.all()] == ["Clients"]
