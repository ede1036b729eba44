"""The stored likely pairs (`DuplicatePair`): the « Doublons probables » list
reads them; a merge, a record sent to the trash or a « pas un doublon »
takes a pair off the list at once; a recompute finds new pairs; the Celery
task runs (eagerly in tests); « Recalculer maintenant » for staff and
administrators, never clients. Run on SQLite and on PostgreSQL (raw SQL)."""

from unittest import mock

import pytest

from directory import actions
from directory.duplicates import SAME_EMAIL, SAME_NAME_AND_CITY, refresh_pairs, stored_pairs
from directory.models import DuplicatePair, DuplicateScan, Person
from directory.tasks import refresh_duplicate_pairs
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_at_once")]

LIST = "/admin/directory/duplicates/"
REFRESH = LIST + "refresh/"


@pytest.fixture
def twins():
    a = PersonFactory(first_name="Élise", last_name="Vasseur", city="Metz", email="e@lac.fr")
    b = PersonFactory(first_name="Elise", last_name="VASSEUR", city="metz", email="E@lac.fr")
    return a, b


def listed(kind="person"):
    pairs, total, _scan = stored_pairs(kind, limit=100)
    assert total == len(pairs)
    return {(pair.first_id, pair.second_id): pair.reasons for pair in pairs}


def test_the_stored_pairs_are_listed_with_their_rules(twins):
    a, b = twins
    c = PersonFactory(last_name="Durand", email="x@lune.fr")
    d = PersonFactory(last_name="Morel", email="X@LUNE.fr")
    assert stored_pairs("person") == ([], 0, None)  # never computed
    assert refresh_pairs() == {"person": 2, "organisation": 0}
    assert listed() == {(a.pk, b.pk): [SAME_EMAIL, SAME_NAME_AND_CITY], (c.pk, d.pk): [SAME_EMAIL]}
    pairs, _total, scan = stored_pairs("person")
    assert [pair.key for pair in pairs] == [f"{a.pk}-{b.pk}", f"{c.pk}-{d.pk}"]  # score first
    assert scan.pairs == 2
    assert DuplicatePair.objects.get(low_id=a.pk).rules == "email,name_city"


def test_the_screen_reads_the_stored_pairs_not_the_records(as_staff, twins):
    a, b = twins
    refresh_pairs()
    # Changed since: the list still shows the stored pair until the next recompute.
    Person.objects.filter(pk=b.pk).update(email="", city="Reims")
    html = as_staff.get(LIST).content.decode()
    assert "Élise Vasseur" in html and "Elise VASSEUR" in html
    assert "Paires calculées le" in html and "Recalculer maintenant" in html
    # The merge screen reads the records themselves and says they no longer match.
    page = as_staff.get(f"{LIST}person/{a.pk}/{b.pk}/").content.decode()
    assert "ne correspondent plus à aucune règle" in page


def test_a_merged_pair_leaves_the_list_at_once(staff_user, twins):
    a, b = twins
    c = PersonFactory(last_name="Autre", email="e@lac.fr")
    refresh_pairs()
    assert len(listed()) == 3
    actions.merge_people(staff_user, a, b)
    assert set(listed()) == {(a.pk, c.pk)}
    assert not DuplicatePair.objects.filter(high_id=b.pk).exists()


def test_a_pair_in_the_trash_leaves_the_list_at_once(staff_user, twins):
    a, b = twins
    refresh_pairs()
    actions.trash_person(staff_user, b)
    assert listed() == {}


def test_a_pair_marked_not_a_duplicate_leaves_the_list_at_once(as_staff, staff_user, twins):
    a, b = twins
    refresh_pairs()
    response = as_staff.post(f"{LIST}person/not-duplicate/", {"pair": f"{a.pk}-{b.pk}"})
    assert response.status_code == 302
    assert listed() == {}
    assert not DuplicatePair.objects.exists()
    # …and a recompute does not bring it back.
    refresh_pairs()
    assert listed() == {}


def test_a_recompute_finds_the_new_pairs_and_forgets_the_old(twins):
    a, b = twins
    refresh_pairs()
    c = PersonFactory(last_name="Neuf", phone="+33387000009")
    d = PersonFactory(last_name="Autre", mobile="+33387000009")
    assert (c.pk, d.pk) not in listed()
    Person.objects.filter(pk=b.pk).update(email="", city="Reims")
    refresh_pairs()
    assert set(listed()) == {(c.pk, d.pk)}
    refresh_pairs()  # rerun: the same pairs, once each
    assert DuplicatePair.objects.count() == 1


def test_organisation_pairs_are_stored():
    x = OrganisationFactory(name="Théâtre du Lac", email="contact@lac.fr")
    y = OrganisationFactory(name="Opéra", email="CONTACT@lac.fr")
    refresh_pairs(["organisation"])
    assert listed("organisation") == {(x.pk, y.pk): [SAME_EMAIL]}
    assert stored_pairs("person")[2] is None


def test_the_celery_task_computes_both_kinds(twins):
    result = refresh_duplicate_pairs.delay()  # eager in tests
    assert result.get() == {"person": 1, "organisation": 0}
    assert set(DuplicateScan.objects.values_list("kind", flat=True)) == {"person", "organisation"}


def test_the_task_is_scheduled_nightly():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "directory.refresh_duplicate_pairs" in tasks


def test_a_small_directory_is_computed_on_the_first_visit(as_staff, twins):
    html = as_staff.get(LIST).content.decode()
    assert "Élise Vasseur" in html
    assert DuplicateScan.objects.filter(kind="person").exists()


def test_a_large_directory_is_scheduled_on_the_first_visit(as_staff, twins):
    from django.core.cache import cache

    cache.clear()
    with (
        mock.patch("directory.views.duplicates.SMALL_DIRECTORY", 1),
        mock.patch("directory.tasks.refresh_duplicate_pairs.delay") as delay,
    ):
        html = as_staff.get(LIST).content.decode()
        as_staff.get(LIST)  # scheduled once, not at every visit
    assert delay.call_count == 1
    assert "Les paires sont en cours de calcul" in html
    assert not DuplicatePair.objects.exists()


@pytest.mark.parametrize("who", ["as_staff", "as_admin"])
def test_staff_and_administrators_compute_again_now(request, who, twins):
    client = request.getfixturevalue(who)
    refresh_pairs()
    c = PersonFactory(last_name="Neuf", email="n@neuf.fr")
    d = PersonFactory(last_name="Autre", email="N@neuf.fr")
    response = client.post(REFRESH, {"kind": "person"}, follow=True)
    html = response.content.decode()
    assert "Les paires probables ont été recalculées." in html
    assert (c.pk, d.pk) in listed()


def test_compute_again_queued_says_so(as_staff, twins):
    with mock.patch("directory.tasks.refresh_duplicate_pairs.delay") as delay:
        response = as_staff.post(REFRESH, {"kind": "organisation"}, follow=True)
    assert delay.call_count == 1
    assert "la liste sera à jour dans quelques minutes" in response.content.decode()
    assert response.redirect_chain[-1][0].endswith("?kind=organisation")


def test_clients_may_not_compute_again(as_client, client_user, twins):
    from django.core.exceptions import PermissionDenied

    with mock.patch("directory.tasks.refresh_duplicate_pairs.delay") as delay:
        response = as_client.post(REFRESH, {"kind": "person"})
        with pytest.raises(PermissionDenied):
            actions.refresh_duplicate_pairs(client_user)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/login/" in response.url
    assert delay.call_count == 0
    assert not DuplicateScan.objects.exists()


def test_compute_again_is_a_post(as_staff):
    assert as_staff.get(REFRESH).status_code == 404
