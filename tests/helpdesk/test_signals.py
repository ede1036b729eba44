"""Changes to accounts tell the user's open tickets to check their access again
(`helpdesk.signals`), whatever path makes them; harmless saves tell nothing."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from crmsite.roles import CLIENTS, ROLE_CLIENT, assign_roles
from tests import factories

from .helpers import heard, listen_to_user

pytestmark = pytest.mark.django_db

ACCESS = {"type": "helpdesk.access"}


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run what waits for the commit, as a real request's end would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_closing_an_account_tells_its_pages(theo, committing):
    channel = listen_to_user(theo)
    theo.is_active = False
    with committing():
        theo.save()
    assert heard(channel) == [ACCESS]


def test_a_sign_in_or_a_visit_tells_nothing(theo, committing):
    channel = listen_to_user(theo)
    with committing():
        theo.save(update_fields=["last_login"])
        theo.save(update_fields=["recently_viewed", "password"])
    assert heard(channel) == []


def test_deleting_an_account_tells_its_pages(lea, committing):
    channel = listen_to_user(lea)
    with committing():
        lea.delete()
    assert heard(channel) == [ACCESS]


@pytest.mark.parametrize(
    ("change", "lea_too"),
    [
        (lambda user, group: user.groups.remove(group), False),
        (lambda user, group: user.groups.clear(), False),
        (lambda user, group: user.groups.set([]), False),
        (lambda user, group: group.user_set.remove(user), False),
        (lambda user, group: group.user_set.clear(), True),
    ],
)
def test_taking_a_role_away_tells_the_pages_from_either_side(
    theo, lea, change, lea_too, committing
):
    channels = [listen_to_user(theo), listen_to_user(lea)]
    with committing():
        change(theo, Group.objects.get(name=CLIENTS))
    assert heard(channels[0]) == [ACCESS]
    assert heard(channels[1]) == ([ACCESS] if lea_too else [])


def test_staff_demoted_to_client_are_told(marie, admin_user, committing):
    channel = listen_to_user(marie)
    with committing():
        assign_roles(admin_user, [marie], ROLE_CLIENT)
    assert ACCESS in heard(channel)


def test_a_group_losing_a_permission_tells_every_member(committing):
    partners = Group.objects.create(name="Partenaires")
    view = Permission.objects.get(content_type__app_label="helpdesk", codename="view_ticket")
    partners.permissions.add(view)
    members = [factories.UserFactory(), factories.UserFactory()]
    outsider = factories.staff()
    partners.user_set.add(*members)
    channels = [listen_to_user(user) for user in [*members, outsider]]
    with committing():
        partners.permissions.remove(view)
    assert [heard(channel) for channel in channels] == [[ACCESS], [ACCESS], []]


def test_a_permission_taken_from_a_user_tells_their_pages(committing):
    user = factories.UserFactory()
    view = Permission.objects.get(content_type__app_label="helpdesk", codename="view_ticket")
    user.user_permissions.add(view)
    channel = listen_to_user(user)
    with committing():
        view.user_set.remove(user)
    assert heard(channel) == [ACCESS]


def test_nothing_is_told_of_a_change_rolled_back(theo, committing):
    channel = listen_to_user(theo)
    with committing() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        theo.is_active = False
        theo.save()
        raise RuntimeError
    assert callbacks == []
    assert heard(channel) == []


def test_accounts_closed_in_bulk_in_the_admin_tell_their_pages(
    as_admin, theo, lea, marie, committing
):
    channels = [listen_to_user(user) for user in (theo, lea, marie)]
    with committing():
        response = as_admin.post(
            "/admin/bulk/crmsite/user/set_active_state/"
            f"?next=/admin/users/&id={theo.pk}&id={lea.pk}",
            {"mark_as_active": "False"},
        )
    assert response.status_code == 302
    theo.refresh_from_db()
    assert not theo.is_active
    assert [heard(channel) for channel in channels] == [[ACCESS], [ACCESS], []]
