"""French by default, English for a user who chose it in their account."""

from wagtail.users.models import UserProfile


def test_the_workspace_speaks_french_by_default(as_staff):
    body = as_staff.get("/admin/directory/interest-centres/").content.decode()
    assert '<html lang="fr"' in body
    assert "Centres d’intérêt" in body
    assert "Annuaire" in body


def test_the_login_page_is_french_whatever_the_browser_asks(client):
    body = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Connexion au CRM Culture" in body


def test_a_user_who_prefers_english_gets_english(as_staff, staff_user):
    profile = UserProfile.get_for_user(staff_user)
    profile.preferred_language = "en"
    profile.save()
    body = as_staff.get("/admin/directory/interest-centres/").content.decode()
    assert '<html lang="en"' in body
    assert "Interest areas" in body and "Directory" in body
    # Natural English, not French calques ("interest centres", "kind", "coordinates").
    assert "Interest centre" not in body and "Kind" not in body


def test_an_english_record_says_contact_details_and_type(as_staff, staff_user):
    from tests import factories

    profile = UserProfile.get_for_user(staff_user)
    profile.preferred_language = "en"
    profile.save()
    organisation = factories.OrganisationFactory()
    body = as_staff.get(
        f"/admin/directory/organisations/inspect/{organisation.pk}/"
    ).content.decode()
    assert "Contact details" in body and "Interest areas" in body and "<dt>Type</dt>" in body
    assert "Coordinates" not in body and "Kind" not in body


def test_the_account_page_offers_french_and_english_only(as_staff):
    body = as_staff.get("/admin/account/").content.decode()
    assert 'value="fr"' in body and 'value="en"' in body
    assert 'value="de"' not in body


def test_english_dates_are_day_first(as_staff, staff_user):
    """British English, as the spelling: 18/02/2014, not the American 02/18/2014."""
    import datetime

    from tests import factories

    profile = UserProfile.get_for_user(staff_user)
    profile.preferred_language = "en"
    profile.save()
    position = factories.PositionFactory(start_date=datetime.date(2014, 2, 18))
    body = as_staff.get(
        f"/admin/directory/organisations/inspect/{position.organisation_id}/"
    ).content.decode()
    assert "since 18/02/2014" in body and "02/18/2014" not in body
