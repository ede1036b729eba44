"""A page that loses access to its ticket hears nothing more, and the pages that
keep it are not slowed by asking the database before every event.

Forwarding relies on `helpdesk.access` events, sent when access may change
(`helpdesk.actions`, `helpdesk.signals`), and on a check again once the last
one is `ACCESS_RECHECK_SECONDS` old; every frame is still checked.
"""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client

from crmsite.roles import CLIENTS, ROLE_CLIENT, assign_roles
from helpdesk import actions, consumers
from helpdesk.models import Ticket, Visibility
from tests import factories

from .sockets import closed_with, joined, receive

pytestmark = pytest.mark.django_db(transaction=True)

act = database_sync_to_async


@pytest.fixture
def checks(monkeypatch):
    """The access checks the consumers make, by user id."""
    made = []

    def counting(real):
        def counted(user, ticket):
            made.append(user.pk)
            return real(user, ticket)

        return counted

    for name in ("can_see", "refresh_and_can_see"):  # a full check, a frame's check
        monkeypatch.setattr(consumers, name, counting(getattr(consumers, name)))
    return made


async def lost_access(socket) -> bool:
    """The page is closed with 4403 and has received nothing before."""
    return await closed_with(socket) == 4403


# --- Cheap forwarding -------------------------------------------------------------------


async def test_a_message_reaches_the_pages_without_a_check_per_page(
    theo, lea, marie, open_ticket, checks
):
    pages = [(await joined(user, open_ticket, after=1))[0] for user in (theo, lea)]
    checks.clear()
    await act(actions.post_message)(marie, open_ticket, "Horaires d’été : 9 h – 17 h.")
    for page in pages:
        assert (await receive(page))["number"] == 2
    assert checks == []
    for page in pages:
        await page.disconnect()


async def test_a_page_checks_again_once_its_last_check_is_old(
    theo, lea, marie, open_ticket, checks, monkeypatch
):
    pages = [(await joined(user, open_ticket, after=1))[0] for user in (theo, lea)]
    monkeypatch.setattr(consumers, "ACCESS_RECHECK_SECONDS", 0)
    checks.clear()
    await act(actions.post_message)(marie, open_ticket, "Deuxième réponse")
    for page in pages:
        assert (await receive(page))["number"] == 2
    assert sorted(checks) == sorted([theo.pk, lea.pk])
    for page in pages:
        await page.disconnect()


async def test_every_frame_is_still_checked(theo, private_ticket, checks):
    page, _replayed = await joined(theo, private_ticket, after=1)
    checks.clear()
    for _frame in range(3):
        await page.send_json_to({"type": "ping"})
        assert await receive(page) == {"type": "pong"}
    assert checks == [theo.pk] * 3
    await page.disconnect()


# --- Access taken away through the workspace: closed at once -----------------------------


async def test_a_participant_taken_out_hears_nothing_posted_after(lea, marie, private_ticket):
    await act(actions.add_participant)(marie, private_ticket, lea)
    leas, _replayed = await joined(lea, private_ticket, after=1)
    await act(actions.remove_participant)(marie, private_ticket, lea)
    await act(actions.post_message)(marie, private_ticket, "Réservé à Théo")
    assert await lost_access(leas)
    await leas.disconnect()


async def test_other_clients_hear_nothing_after_a_ticket_is_made_private(lea, marie, open_ticket):
    leas, _replayed = await joined(lea, open_ticket, after=1)
    await act(actions.update_ticket)(marie, open_ticket, visibility=Visibility.PRIVATE)
    await act(actions.post_message)(marie, open_ticket, "Réponse réservée à Théo")
    frames = []
    while (output := await leas.receive_output(timeout=3))["type"] == "websocket.send":
        frames.append(output)
    assert output == {"type": "websocket.close", "code": 4403}
    assert all('"message"' not in frame["text"] for frame in frames)  # only the ticket's change
    await leas.disconnect()


async def test_an_account_closed_in_its_form_is_closed_at_once(theo, private_ticket):
    page, _replayed = await joined(theo, private_ticket, after=1)

    @act
    def close_account():
        theo.is_active = False
        theo.save()

    await close_account()
    assert await lost_access(page)
    await page.disconnect()


async def test_accounts_closed_in_bulk_are_closed_at_once(theo, lea, open_ticket, admin_user):
    pages = [(await joined(user, open_ticket, after=1))[0] for user in (theo, lea)]

    @act
    def close_in_bulk():
        browser = Client()
        browser.force_login(admin_user)
        return browser.post(
            f"/admin/bulk/crmsite/user/set_active_state/?next=/admin/users/&id={lea.pk}",
            {"mark_as_active": "False"},
        ).status_code

    assert await close_in_bulk() == 302
    assert await lost_access(pages[1])
    assert await pages[0].receive_nothing(timeout=0.3)  # Théo keeps his
    for page in pages:
        await page.disconnect()


async def test_a_deleted_account_is_closed_at_once(lea, marie, private_ticket):
    await act(actions.add_participant)(marie, private_ticket, lea)
    leas, _replayed = await joined(lea, private_ticket, after=1)
    await act(lambda: get_user_model().objects.get(pk=lea.pk).delete())()
    assert await lost_access(leas)
    await leas.disconnect()


async def test_a_client_whose_role_is_taken_away_is_closed_at_once(theo, private_ticket):
    page, _replayed = await joined(theo, private_ticket, after=1)
    await act(lambda: Group.objects.get(name=CLIENTS).user_set.remove(theo))()
    assert await lost_access(page)
    await page.disconnect()


async def test_staff_made_client_lose_a_private_ticket_at_once(marie, admin_user, private_ticket):
    page, _replayed = await joined(marie, private_ticket, after=1)
    await act(assign_roles)(admin_user, [marie], ROLE_CLIENT)
    assert await lost_access(page)
    await page.disconnect()


async def test_a_group_losing_the_helpdesk_is_closed_at_once(open_ticket):
    @act
    def partner():
        partners = Group.objects.create(name="Partenaires")
        partners.permissions.add(
            Permission.objects.get(content_type__app_label="helpdesk", codename="view_ticket")
        )
        user = factories.UserFactory(username="partenaire")
        partners.user_set.add(user)
        return user, partners

    user, partners = await partner()
    page, _replayed = await joined(user, open_ticket, after=1)
    await act(lambda: partners.permissions.clear())()
    assert await lost_access(page)
    await page.disconnect()


# --- Changes made round the workspace: caught by the periodic check --------------------


async def test_a_ticket_made_private_behind_the_actions_back_stops_at_the_next_check(
    lea, marie, open_ticket, monkeypatch
):
    leas, _replayed = await joined(lea, open_ticket, after=1)
    await act(
        lambda: Ticket.objects.filter(pk=open_ticket.pk).update(visibility=Visibility.PRIVATE)
    )()
    monkeypatch.setattr(consumers, "ACCESS_RECHECK_SECONDS", 0)  # the check is due
    await act(actions.post_message)(marie, open_ticket, "Réponse réservée à Théo")
    assert await lost_access(leas)
    await leas.disconnect()


async def test_a_role_removed_in_the_database_stops_at_the_next_full_check(
    theo, private_ticket, monkeypatch
):
    page, _replayed = await joined(theo, private_ticket, after=1)
    Membership = get_user_model().groups.through
    await act(lambda: Membership.objects.filter(user=theo).delete())()  # no signal
    monkeypatch.setattr(consumers, "ACCESS_RECHECK_SECONDS", 0)
    await page.send_json_to({"type": "ping"})
    assert await lost_access(page)
    await page.disconnect()
