"""What one does to a ticket besides answering, each a POST to its own URL
that calls one action of `helpdesk.actions` and comes back to the ticket:

* staff: assign (`assign/`), change the status (`status/`, also the
  « Fermer » and « Rouvrir » buttons), the priority and visibility
  (`settings/`), add a participant (`participants/add/`) or remove one
  (`participants/<user id>/remove/`);
* a client: close their own ticket (`status/` with "closed").

A refusal of the action (a client assigning, a status that does not exist,
a client as assignee) is shown as a message on the ticket's page and
changes nothing: `PermissionDenied` as well as `ValidationError`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from directory.ids import record_id

from .. import actions
from ..forms import AssignForm, ParticipantForm, StatusForm, TicketSettingsForm
from ..models import TicketStatus, user_label
from .tickets import back_to, visible_ticket


def _refused(request, error) -> None:
    if isinstance(error, PermissionDenied):
        text = str(error) or _("You are not allowed to do this.")
        messages.error(request, text)
        return
    for text in error.messages:
        messages.error(request, text)


def _form_refused(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            text = _("%(field)s: %(error)s") % {"field": label, "error": error}
            messages.error(request, text if label else error)


@require_POST
def assign(request, pk):
    ticket = visible_ticket(request, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return redirect(back_to(request, ticket))
    assignee = form.cleaned_data["assignee"]
    try:
        actions.assign(request.user, ticket, assignee)
    except (PermissionDenied, ValidationError) as error:
        _refused(request, error)
    else:
        if assignee is None:
            messages.success(request, _("The ticket is assigned to nobody."))
        else:
            messages.success(
                request, _("Ticket assigned to %(name)s.") % {"name": user_label(assignee)}
            )
    return redirect(back_to(request, ticket))


@require_POST
def status(request, pk):
    ticket = visible_ticket(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return redirect(back_to(request, ticket))
    value = form.cleaned_data["status"]
    try:
        actions.change_status(request.user, ticket, value)
    except (PermissionDenied, ValidationError) as error:
        _refused(request, error)
    else:
        if value == TicketStatus.CLOSED:
            messages.success(request, _("Ticket closed."))
        else:
            messages.success(
                request,
                _("Ticket status: %(status)s.") % {"status": TicketStatus(value).label},
            )
    return redirect(back_to(request, ticket))


@require_POST
def settings(request, pk):
    ticket = visible_ticket(request, pk)
    form = TicketSettingsForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return redirect(back_to(request, ticket))
    try:
        actions.update_ticket(request.user, ticket, **form.cleaned_data)
    except (PermissionDenied, ValidationError) as error:
        _refused(request, error)
    else:
        messages.success(request, _("Ticket saved."))
    return redirect(back_to(request, ticket))


@require_POST
def add_participant(request, pk):
    ticket = visible_ticket(request, pk)
    form = ParticipantForm(request.POST, ticket=ticket)
    if not form.is_valid():
        _form_refused(request, form)
        return redirect(back_to(request, ticket))
    user = form.cleaned_data["user"]
    try:
        actions.add_participant(request.user, ticket, user)
    except (PermissionDenied, ValidationError) as error:
        _refused(request, error)
    else:
        messages.success(
            request, _("%(name)s takes part in the ticket.") % {"name": user_label(user)}
        )
    return redirect(back_to(request, ticket))


@require_POST
def remove_participant(request, pk, user_id):
    ticket = visible_ticket(request, pk)
    number = record_id(user_id)
    user = get_user_model().objects.filter(pk=number).first() if number else None
    if user is None:
        raise Http404
    try:
        removed = actions.remove_participant(request.user, ticket, user)
    except (PermissionDenied, ValidationError) as error:
        _refused(request, error)
    else:
        if removed:
            messages.success(
                request,
                _("%(name)s no longer takes part in the ticket.") % {"name": user_label(user)},
            )
    return redirect(back_to(request, ticket))
