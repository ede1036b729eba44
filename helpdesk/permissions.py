"""Who may see and do what in the helpdesk: the one policy every path uses.

* Staff (and administrators) hold `helpdesk.manage_ticket`: they see every
  ticket, assign, change status, priority and visibility, add and remove
  participants.
* Clients hold `helpdesk.view_ticket` without it: they see the tickets they
  opened, those they take part in, and those open to all clients; they open
  tickets, answer in the tickets they see (unless closed), and close their
  own.
* Nobody else (an inactive account, an anonymous visitor, a role without
  these permissions) sees any ticket.

`visible_tickets(user)` and `can_see(user, ticket)` are used by the views,
the consumer, the notifications and the actions alike; `access_ticket`
raises one clear `PermissionDenied`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Q
from django.utils.translation import gettext as _

from .models import Participant, Ticket, Visibility

USE = "helpdesk.view_ticket"
OPEN = "helpdesk.add_ticket"
POST = "helpdesk.add_message"
MANAGE = "helpdesk.manage_ticket"


def signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def may_use_helpdesk(user) -> bool:
    return signed_in(user) and user.has_perm(USE)


def is_helpdesk_staff(user) -> bool:
    """Staff and administrators: every ticket is theirs to see and manage."""
    return may_use_helpdesk(user) and user.has_perm(MANAGE)


def visible_tickets(user):
    """The tickets `user` may read: every one for staff; for a client, the
    ones they opened or take part in, and those open to all clients."""
    if not may_use_helpdesk(user):
        return Ticket.objects.none()
    if user.has_perm(MANAGE):
        return Ticket.objects.all()
    taking_part = Participant.objects.filter(user=user).values("ticket_id")
    return Ticket.objects.filter(
        Q(author=user) | Q(pk__in=taking_part) | Q(visibility=Visibility.CLIENTS)
    )


def can_see(user, ticket: Ticket | int) -> bool:
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    if pk is None or not may_use_helpdesk(user):
        return False
    if user.has_perm(MANAGE):
        return Ticket.objects.filter(pk=pk).exists()
    return visible_tickets(user).filter(pk=pk).exists()


def access_helpdesk(user) -> None:
    if not may_use_helpdesk(user):
        raise PermissionDenied(_("You are not allowed to use the helpdesk."))


def access_ticket(user, ticket: Ticket) -> None:
    """Raise PermissionDenied unless `user` may read `ticket`."""
    access_helpdesk(user)
    if not can_see(user, ticket):
        raise PermissionDenied(_("This ticket is not one you may see."))


def access_management(user) -> None:
    if not is_helpdesk_staff(user):
        raise PermissionDenied(_("Only staff manage tickets."))


def fresh_user(user_id):
    """The user as the database has them now (active or not), or None:
    a long-lived connection checks its access against this, never against
    the account it signed in with."""
    if not user_id:
        return None
    return get_user_model().objects.filter(pk=user_id).prefetch_related("groups").first()


def refresh_and_can_see(user, ticket_id: int) -> bool:
    """`can_see(user, ticket_id)` for a long-lived connection, in one query:
    the account's active and superuser flags read again (a closed account
    sees nothing; its permissions stay as last looked up), beside whether the
    ticket is visible to the user as their permissions stood when last looked
    up; False if the account is gone. If the superuser flag changed
    meanwhile, the visibility is decided again with the new one."""
    if not may_use_helpdesk(user):
        return False
    was_superuser = user.is_superuser
    visible = visible_tickets(user).filter(pk=ticket_id)
    found = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list("is_active", "is_superuser", Exists(visible))
        .first()
    )
    if found is None:
        return False
    user.is_active, user.is_superuser, seen = found
    if user.is_superuser != was_superuser:
        return can_see(user, ticket_id)
    return bool(seen) and may_use_helpdesk(user)


def staff_users():
    """The active accounts holding `helpdesk.manage_ticket` (staff, administrators)."""
    app_label, codename = MANAGE.split(".")
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    found = Q(is_superuser=True)
    if permission is not None:
        found |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    candidates = get_user_model().objects.filter(found, is_active=True).distinct()
    return [user for user in candidates if user.has_perm(MANAGE)]
