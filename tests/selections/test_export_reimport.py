"""A basket's export, imported again, changes nothing in the directory: each
row comes back to the capacity it was exported in."""

import pytest

from directory import actions
from directory.imports.jobs import run_job
from directory.models import Organisation, Person, Position
from selections.models import Basket, BasketEntry
from tests.factories import logged_in
from tests.selections.test_export_headings import download_defaults

pytestmark = pytest.mark.django_db


def state():
    return (
        list(Organisation.all_objects.order_by("pk").values()),
        list(Person.all_objects.order_by("pk").values()),
        list(Position.all_objects.order_by("pk").values()),
    )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_basket_export_imported_again_changes_nothing(town, marie, admin_user, file_format):
    basket = Basket.objects.create(owner=marie, name="Saison")
    for position in Position.objects.all():
        BasketEntry.objects.create(basket=basket, action="add", position=position)
    for person in Person.objects.all():
        BasketEntry.objects.create(basket=basket, action="add", person=person)
    for organisation in Organisation.objects.all():
        BasketEntry.objects.create(basket=basket, action="add", organisation=organisation)
    response = download_defaults(logged_in(marie), basket, file_format)
    data = b"".join(response.streaming_content)
    before = state()

    job = actions.start_import(admin_user, f"panier.{file_format}", data)
    job = actions.map_import(admin_user, job, job.mapping)
    actions.run_import(admin_user, job, "update", skip_invalid=False)
    job = run_job(job.pk)
    assert job.error == "", job.rejected_csv
    assert job.counts["create"] == job.counts["update"] == job.counts["reject"] == 0
    assert job.counts["unchanged"] > 0
    assert state() == before
