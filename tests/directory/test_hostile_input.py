"""Ids that cannot be ids, in the directory's filters, histories, choosers and
bulk actions, answer a form error or a 404, never a server error; the
choosers of interest centres, kinds and functions create entries."""

import json

import django_filters
import pytest
from django.contrib.contenttypes.models import ContentType
from wagtail.admin.models import EditingSession
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from directory.filters import RecordChoiceFilter, RecordMultipleChoiceFilter, RecordUserFilter
from directory.models import Function, InterestCentre, OrganisationKind
from directory.views import DirectoryViewSetGroup
from tests import factories

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
NOT_IDS = [HUGE, "9223372036854775808", "abc", "-1", "0", "1.5", "1e3", "٣", " 2", "9" * 400]

MODELS = {
    "organisation": factories.OrganisationFactory,
    "person": factories.PersonFactory,
    "interestcentre": factories.InterestCentreFactory,
    "organisationkind": factories.OrganisationKindFactory,
    "function": factories.FunctionFactory,
}
LISTING_URLS = {
    "organisation": "/admin/directory/organisations/",
    "person": "/admin/directory/people/",
    "interestcentre": "/admin/directory/interest-centres/",
    "organisationkind": "/admin/directory/kinds/",
    "function": "/admin/directory/functions/",
}

HISTORY_VIEWS = ("history", "history-results")


def chooser_url(model_name):
    return f"/admin/snippets/choose/directory/{model_name}/"


def modal(response):
    assert response.status_code == 200
    return json.loads(response.content)


# Listing filters


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize("name", ["kind", "interest_centres"])
def test_an_organisation_filter_on_a_non_id_shows_the_filter_error(as_staff, name, value):
    factories.OrganisationFactory(name="Théâtre du Saulcy")
    response = as_staff.get("/admin/directory/organisations/", {name: value})
    assert response.status_code == 200


def test_an_organisation_filter_on_a_real_id_still_filters(as_staff):
    kept = factories.OrganisationFactory(name="Théâtre du Saulcy")
    centre = factories.InterestCentreFactory(name="Danse")
    kept.interest_centres.add(centre)
    kept.save()  # a parental many-to-many is written with its record
    factories.OrganisationFactory(name="Musée de la Cour d'Or")
    response = as_staff.get(
        "/admin/directory/organisations/", {"interest_centres": centre.pk, "kind": kept.kind_id}
    )
    assert [str(obj) for obj in response.context["object_list"]] == ["Théâtre du Saulcy"]


@pytest.mark.parametrize("value", [HUGE, "abc"])
def test_the_people_listing_ignores_id_parameters_it_does_not_filter_on(as_staff, value):
    response = as_staff.get("/admin/directory/people/", {"interest_centres": value, "kind": value})
    assert response.status_code == 200


def test_every_model_filter_of_the_directory_refuses_non_ids():
    bounded = (RecordChoiceFilter, RecordMultipleChoiceFilter, RecordUserFilter)
    for viewset in DirectoryViewSetGroup.items:
        if not hasattr(viewset, "filterset_class"):
            continue  # the trash: no filter
        filtersets = [viewset.filterset_class, viewset.history_view_class.filterset_class]
        for filterset in (f for f in filtersets if isinstance(f, type)):
            for name, declared in filterset.base_filters.items():
                if isinstance(declared, django_filters.filters.QuerySetRequestMixin):
                    assert isinstance(declared, bounded), f"{viewset.__name__}.{name}"


# Histories


@pytest.mark.parametrize("value", [HUGE, "abc", "-1"])
@pytest.mark.parametrize("model_name", list(MODELS))
def test_a_history_filtered_on_a_non_id_user_answers(as_admin, admin_user, model_name, value):
    record = MODELS[model_name]()
    log(instance=record, action="wagtail.edit", user=admin_user)
    urls = [f"{LISTING_URLS[model_name]}{view}/{record.pk}/" for view in HISTORY_VIEWS]
    for address in urls:
        assert as_admin.get(address, {"user": value}).status_code == 200


def test_a_history_filtered_on_its_user_still_filters(as_admin, admin_user):
    record = factories.OrganisationFactory()
    log(instance=record, action="wagtail.edit", user=admin_user)
    url = f"/admin/directory/organisations/history-results/{record.pk}/"
    assert as_admin.get(url, {"user": admin_user.pk}).context["object_list"].count() == 1
    other = factories.staff(username="paul")
    assert as_admin.get(url, {"user": other.pk}).status_code == 200


@pytest.mark.parametrize("value", [HUGE, "abc"])
def test_the_site_history_filtered_on_a_non_id_user_answers(as_admin, admin_user, value):
    log(instance=factories.OrganisationFactory(), action="wagtail.edit", user=admin_user)
    for url in ("/admin/reports/site-history/", "/admin/reports/site-history/results/"):
        assert as_admin.get(url, {"user": value}).status_code == 200


# Choosers


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize("model_name", list(MODELS))
def test_a_chooser_refuses_to_choose_a_non_id(as_staff, model_name, value):
    url = chooser_url(model_name)
    assert as_staff.get(f"{url}chosen/{value}/").status_code == 404
    assert as_staff.get(f"{url}chosen-multiple/", {"id": ["1", value]}).status_code == 404


@pytest.mark.parametrize("model_name", list(MODELS))
def test_a_chooser_still_chooses_records(as_staff, model_name):
    first = MODELS[model_name]()
    second = MODELS[model_name](**({} if model_name == "person" else {"name": "Autre"}))
    url = chooser_url(model_name)
    assert modal(as_staff.get(f"{url}chosen/{first.pk}/"))["result"]["id"] == str(first.pk)
    chosen = modal(as_staff.get(f"{url}chosen-multiple/", {"id": [first.pk, second.pk]}))
    assert sorted(item["id"] for item in chosen["result"]) == sorted(
        [str(first.pk), str(second.pk)]
    )


def test_the_person_chooser_refuses_to_choose_a_non_id_by_post(as_staff):
    assert as_staff.post(f"{chooser_url('person')}chosen/abc/").status_code == 404


@pytest.mark.parametrize("model_name", ["interestcentre", "organisationkind", "function"])
def test_a_list_chooser_searches_names_without_accents(as_staff, model_name):
    MODELS[model_name](name="Théâtre", name_key="theatre")
    MODELS[model_name](name="Musique", name_key="musique")
    response = as_staff.get(f"{chooser_url(model_name)}results/", {"q": "THEATRE"})
    body = response.content.decode()
    assert "Théâtre" in body and "Musique" not in body


# Creating interest centres, kinds and functions from their choosers

LISTS = {
    "interestcentre": (InterestCentre, {"name": "Arts de la rue", "colour": "#A0522D"}),
    "organisationkind": (OrganisationKind, {"name": "Festival"}),
    "function": (Function, {"name": "Chargé·e de production"}),
}


@pytest.mark.parametrize("model_name", list(LISTS))
def test_an_administrator_creates_a_list_entry_from_its_chooser(as_admin, admin_user, model_name):
    model, data = LISTS[model_name]
    tab = as_admin.get(chooser_url(model_name)).content.decode()
    assert "create" in tab
    chosen = modal(as_admin.post(f"{chooser_url(model_name)}create/", data))
    entry = model.objects.get(name=data["name"])
    assert chosen["step"] == "chosen" and chosen["result"]["id"] == str(entry.pk)
    entry_type = ContentType.objects.get_for_model(model)
    logged = ModelLogEntry.objects.get(content_type=entry_type, object_id=str(entry.pk))
    assert logged.action == "wagtail.create" and logged.user == admin_user
    if model is InterestCentre:
        assert entry.colour == "#a0522d"


@pytest.mark.parametrize("model_name", list(LISTS))
def test_a_duplicate_or_empty_name_is_shown_back_in_the_chooser(as_admin, model_name):
    model, data = LISTS[model_name]
    model.objects.create(name=data["name"].upper())
    url = f"{chooser_url(model_name)}create/"
    for posted in ({**data, "name": data["name"].lower()}, {**data, "name": "  "}):
        reshown = modal(as_admin.post(url, posted))
        assert reshown["step"] == "reshow_creation_form"
        assert "error" in reshown["htmlFragment"]
    assert model.objects.count() == 1


def test_an_interest_centre_colour_must_be_a_colour(as_admin):
    url = f"{chooser_url('interestcentre')}create/"
    reshown = modal(as_admin.post(url, {"name": "Cirque", "colour": "red; x"}))
    assert reshown["step"] == "reshow_creation_form"
    assert not InterestCentre.objects.exists()


@pytest.mark.parametrize("model_name", list(LISTS))
def test_staff_cannot_create_list_entries_from_a_chooser(as_staff, model_name):
    model, data = LISTS[model_name]
    assert as_staff.post(f"{chooser_url(model_name)}create/", data).status_code == 403
    assert not model.objects.exists()


@pytest.mark.parametrize("model_name", ["organisation"])
def test_the_organisation_chooser_still_creates_nothing(as_admin, model_name):
    response = as_admin.post(f"{chooser_url(model_name)}create/", {"name": "Théâtre"})
    assert response.status_code == 404


# Bulk actions


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize("model_name", list(MODELS))
def test_a_bulk_action_on_a_non_id_answers_404(as_admin, model_name, value):
    record = MODELS[model_name]()
    url = f"/admin/bulk/directory/{model_name}/delete/"
    assert as_admin.get(url, {"id": [record.pk, value]}).status_code == 404
    assert as_admin.post(f"{url}?id={record.pk}&id={value}").status_code == 404
    assert type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("model_name", list(MODELS))
def test_a_bulk_action_on_real_ids_still_asks_for_confirmation(as_admin, model_name):
    record = MODELS[model_name]()
    url = f"/admin/bulk/directory/{model_name}/delete/"
    assert as_admin.get(url, {"id": record.pk}).status_code == 200
    assert as_admin.get(url, {"id": "all"}).status_code == 200


# Editing sessions


def test_a_directory_form_opens_no_editing_session(as_staff):
    person = factories.PersonFactory()
    body = as_staff.get(f"/admin/directory/people/edit/{person.pk}/").content.decode()
    assert not EditingSession.objects.exists()
    assert "editing-sessions/ping" not in body


@pytest.mark.parametrize("value", NOT_IDS)
def test_an_editing_session_ping_on_a_non_id_answers_404(as_staff, value):
    person = factories.PersonFactory()
    base = "/admin/editing-sessions/"
    assert as_staff.post(f"{base}ping/directory/person/{value}/1/").status_code == 404
    assert as_staff.post(f"{base}ping/directory/person/{person.pk}/{HUGE}/").status_code == 404
    assert as_staff.post(f"{base}release/{HUGE}/").status_code == 404
    assert not EditingSession.objects.exists()
