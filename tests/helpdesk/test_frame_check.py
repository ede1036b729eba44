"""The check a live page's every frame makes (`permissions.refresh_and_can_see`):
one query, reading the account's flags again beside the ticket's visibility."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.permissions import fresh_user, refresh_and_can_see

User = get_user_model()


def test_the_author_still_sees_their_ticket_in_one_query(theo, private_ticket):
    user = fresh_user(theo.pk)
    user.has_perm("helpdesk.view_ticket")  # permissions looked up, as on connecting
    with CaptureQueriesContext(connection) as queries:
        assert refresh_and_can_see(user, private_ticket.pk)
    assert len(queries) == 1


def test_another_client_does_not_see_a_private_ticket(lea, private_ticket):
    assert not refresh_and_can_see(fresh_user(lea.pk), private_ticket.pk)


def test_staff_see_every_ticket_and_no_missing_one(marie, private_ticket):
    user = fresh_user(marie.pk)
    assert refresh_and_can_see(user, private_ticket.pk)
    assert not refresh_and_can_see(user, private_ticket.pk + 1000)


def test_an_account_closed_since_the_last_check_sees_nothing(theo, private_ticket):
    user = fresh_user(theo.pk)
    assert refresh_and_can_see(user, private_ticket.pk)
    User.objects.filter(pk=theo.pk).update(is_active=False)  # round the signals
    assert not refresh_and_can_see(user, private_ticket.pk)
    assert user.is_active is False


def test_a_deleted_account_sees_nothing(theo, private_ticket):
    user = fresh_user(theo.pk)
    User.objects.filter(pk=theo.pk).update(is_active=False)
    User.objects.filter(pk=theo.pk).delete()
    assert not refresh_and_can_see(user, private_ticket.pk)


def test_a_client_made_superuser_meanwhile_is_decided_with_the_new_flag(lea, private_ticket):
    user = fresh_user(lea.pk)
    assert not refresh_and_can_see(user, private_ticket.pk)
    User.objects.filter(pk=lea.pk).update(is_superuser=True)
    assert refresh_and_can_see(user, private_ticket.pk)
    User.objects.filter(pk=lea.pk).update(is_superuser=False)
    assert not refresh_and_can_see(user, private_ticket.pk)
