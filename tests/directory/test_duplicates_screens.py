"""The « Doublons probables » screens: the list (staff and administrators;
clients get a 403), « Pas un doublon », the merge screen (fields picked,
a record changed since it was shown refused), the bulk merge."""

import pytest

from directory.merging import version_of
from directory.models import Merge, NotDuplicate, Person
from tests.factories import PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/directory/duplicates/"


@pytest.fixture
def twins():
    a = PersonFactory(first_name="Élise", last_name="Vasseur", city="Metz", email="e@lac.fr")
    b = PersonFactory(first_name="Elise", last_name="VASSEUR", city="Metz", phone="+33387000000")
    PositionFactory(person=a, organisation__name="Théâtre du Lac")
    PositionFactory(person=b, organisation__name="Opéra de Metz")
    return a, b


def test_staff_see_the_pairs(as_staff, twins):
    response = as_staff.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Doublons probables" in html
    assert "Élise Vasseur" in html and "Elise VASSEUR" in html
    assert "Même nom et même ville" in html
    assert "Pas un doublon" in html


def test_administrators_see_the_pairs(as_admin, twins):
    assert as_admin.get(LIST).status_code == 200
    assert as_admin.get(LIST + "?kind=organisation").status_code == 200


def test_clients_never_see_them(as_client, twins):
    a, b = twins
    assert as_client.get(LIST).status_code in (302, 403, 404)
    assert as_client.get(f"{LIST}person/{a.pk}/{b.pk}/").status_code in (302, 403, 404)
    response = as_client.post(f"{LIST}person/bulk/", {"pair": f"{a.pk}-{b.pk}", "action": "merge"})
    assert response.status_code in (302, 403, 404)
    assert not Merge.objects.exists()
    if response.status_code == 302:
        assert "/admin/login/" in response.url


def test_not_a_duplicate_from_the_list(as_staff, twins):
    a, b = twins
    response = as_staff.post(f"{LIST}person/not-duplicate/", {"pair": f"{a.pk}-{b.pk}"})
    assert response.status_code == 302
    assert NotDuplicate.objects.filter(first_id=a.pk, second_id=b.pk).exists()
    assert "Élise Vasseur" not in as_staff.get(LIST).content.decode()


def test_the_merge_screen_shows_both_records_and_merges_the_picks(as_staff, twins):
    a, b = twins
    url = f"{LIST}person/{a.pk}/{b.pk}/"
    page = as_staff.get(url).content.decode()
    assert "Théâtre du Lac" in page and "Opéra de Metz" in page
    assert 'name="choice-first_name"' in page
    response = as_staff.post(
        url,
        {
            "kept": a.pk,
            "kept_version": version_of(a),
            "merged_version": version_of(b),
            "choice-first_name": "kept",
            "choice-last_name": "merged",
        },
    )
    assert response.status_code == 302
    kept = Person.objects.get(pk=a.pk)
    assert (kept.first_name, kept.last_name, kept.phone) == ("Élise", "VASSEUR", "+33387000000")
    assert kept.positions.count() == 2
    assert Person.all_objects.get(pk=b.pk).is_trashed


def test_the_merge_screen_refuses_a_record_changed_since(as_staff, staff_user, twins):
    from directory import actions

    a, b = twins
    url = f"{LIST}person/{a.pk}/{b.pk}/"
    versions = {"kept_version": version_of(a), "merged_version": version_of(b)}
    actions.update_person(staff_user, Person.objects.get(pk=b.pk), city="Reims")
    response = as_staff.post(url, {"kept": a.pk, **versions})
    assert response.status_code == 200
    assert "a été modifiée depuis" in response.content.decode()
    assert not Person.all_objects.get(pk=b.pk).is_trashed


def test_bulk_merge_from_the_list(as_staff, twins):
    a, b = twins
    response = as_staff.post(f"{LIST}person/bulk/", {"pair": f"{a.pk}-{b.pk}", "action": "merge"})
    assert response.status_code == 302
    assert Merge.objects.get().kept_person_id == a.pk
    assert Person.objects.get(pk=a.pk).positions.count() == 2


def test_the_trash_links_a_merged_record_to_the_kept_one(as_staff, staff_user, twins):
    from directory import actions

    a, b = twins
    actions.merge_people(staff_user, a, b)
    html = as_staff.get("/admin/directory/trash/").content.decode()
    assert "Fusionnée dans\u00a0:" in html
    assert f'href="/admin/directory/people/inspect/{a.pk}/"' in html
