"""Who sees a saved search or a basket: its owner, and whom it is shared with,
read-only. Another staff member or a client does not."""

import pytest
from django.contrib.auth.models import Group

from crmsite.roles import STAFF
from selections.models import Basket, SavedSearch
from tests.factories import client, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "owner": staff(username="camille"),
        "colleague": staff(username="paul"),
        "client": client(username="theo"),
    }


@pytest.mark.parametrize("model", [SavedSearch, Basket])
def test_private_by_default_then_shared_read_only(people, model):
    owner, colleague, outsider = people["owner"], people["colleague"], people["client"]
    item = model.objects.create(owner=owner, name="Directeurs du Grand Est")
    assert list(model.objects.visible_to(owner)) == [item]
    assert list(model.objects.visible_to(colleague)) == []
    assert not item.is_visible_to(colleague)

    item.shared_with_users.add(colleague)
    assert list(model.objects.shared_with(colleague)) == [item]
    assert list(model.objects.owned_by(colleague)) == []
    assert item.can_edit(owner) and not item.can_edit(colleague)

    item.shared_with_users.clear()
    item.shared_with_groups.add(Group.objects.get(name=STAFF))
    assert item.is_visible_to(colleague)
    assert not item.is_visible_to(outsider)

    item.shared_with_groups.clear()
    item.shared_with_all_staff = True
    item.save()
    assert item.is_visible_to(colleague)
    assert not item.is_visible_to(outsider)  # a client is not staff
    assert not item.can_edit(colleague)


def test_an_item_shared_twice_is_listed_once(people):
    owner, colleague = people["owner"], people["colleague"]
    item = SavedSearch.objects.create(owner=owner, name="Festivals", shared_with_all_staff=True)
    item.shared_with_users.add(colleague)
    item.shared_with_groups.add(Group.objects.get(name=STAFF))
    assert list(SavedSearch.objects.visible_to(colleague)) == [item]
