"""The forms of the helpdesk screens. They only read what was typed: every
rule (a message of 1 to 10,000 characters, a ticket assigned to staff, a
client closing only their own ticket, the records a client's ticket may
concern) is checked by `helpdesk.actions`, whose refusals the views put
back on these forms (`add_errors`).

* `ReplyForm`: the answer under the conversation. It carries a client id
  written into the page when it is shown, so that the same form posted twice
  (a double click, a reload that posts again) stores one message.
* `NewTicketForm`: subject, first message, priority; for staff also the
  visibility and the organisation and person it concerns (Wagtail's
  choosers); for a client, one of the organisations where they hold a
  position (they are the person concerned).
* The staff's small forms on a ticket: `AssignForm`, `StatusForm`,
  `TicketSettingsForm` (priority, visibility), `ParticipantForm`.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.widgets import AdminSnippetChooser

from directory.models import Organisation, Person

from .actions import client_organisations
from .models import (
    MAX_CLIENT_ID,
    MAX_SUBJECT,
    MAX_TEXT,
    TicketPriority,
    TicketStatus,
    Visibility,
    user_label,
)
from .permissions import USE, is_helpdesk_staff, staff_users


def add_errors(form, error: ValidationError) -> None:
    """An action's refusal on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def new_client_id() -> str:
    return uuid.uuid4().hex


class MessageTextarea(forms.Textarea):
    def __init__(self, **attrs):
        super().__init__(attrs={"rows": 3, "maxlength": MAX_TEXT, **attrs})


class ReplyForm(forms.Form):
    # Checked by the action (empty, too long): not here, so that its message is the one shown.
    text = forms.CharField(
        label=_("Your answer"),
        required=False,
        strip=False,
        widget=MessageTextarea(placeholder=_("Write your answer…")),
    )
    client_id = forms.CharField(required=False, max_length=MAX_CLIENT_ID, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_id", new_client_id())


class NewTicketForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT)
    text = forms.CharField(
        label=_("Your message"),
        strip=False,
        widget=MessageTextarea(rows=8),
        help_text=_("Plain text; web addresses become links."),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=TicketPriority.choices, initial=TicketPriority.NORMAL
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        widget=forms.RadioSelect,
        help_text=_(
            "A ticket open to all clients is read and answered by every client: "
            "use it for questions of general interest."
        ),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation concerned"), queryset=Organisation.objects.all(), required=False
    )
    person = forms.ModelChoiceField(
        label=_("Person concerned"), queryset=Person.objects.all(), required=False
    )
    client_id = forms.CharField(required=False, max_length=MAX_CLIENT_ID, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.is_bound:
            self.initial.setdefault("client_id", new_client_id())
        if is_helpdesk_staff(user):
            self.fields["organisation"].widget = AdminSnippetChooser(Organisation)
            self.fields["person"].widget = AdminSnippetChooser(Person)
            return
        # A client: the ticket concerns them, and one of their organisations.
        del self.fields["visibility"]
        del self.fields["person"]
        organisations = client_organisations(user).order_by("name")
        if organisations.count() > 1:
            field = self.fields["organisation"]
            field.queryset = organisations
            field.empty_label = _("None in particular")
            field.label = _("For which of your organisations?")
        else:
            del self.fields["organisation"]

    def ticket_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "subject": data["subject"],
            "text": data["text"],
            "priority": data["priority"],
            "client_id": data.get("client_id") or "",
        }
        for name in ("visibility", "organisation", "person"):
            if name in self.fields:
                fields[name] = data.get(name)
        return fields


def _active_users():
    return get_user_model().objects.filter(is_active=True)


def helpdesk_users() -> list:
    """The active accounts that may use the helpdesk (staff and clients), by name."""
    app_label, codename = USE.split(".")
    found = Q(is_superuser=True)
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    if permission is not None:
        found |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    return list(_active_users().filter(found).distinct().order_by("last_name", "first_name"))


class AssignForm(forms.Form):
    """Any active account is accepted here: the action refuses one that is not staff."""

    assignee = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=_active_users(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _active_users()
        staff = sorted(staff_users(), key=lambda user: user_label(user).lower())
        self.fields["assignee"].widget.choices = [
            ("", _("Nobody")),
            *((user.pk, user_label(user)) for user in staff),
        ]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)


class TicketSettingsForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=TicketPriority.choices)
    visibility = forms.ChoiceField(label=_("Who may read it"), choices=Visibility.choices)


class ParticipantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Add a participant"), queryset=_active_users())

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _active_users()
        taking_part = (
            set(ticket.participants.values_list("user_id", flat=True)) if ticket else set()
        )
        candidates = [user for user in helpdesk_users() if user.pk not in taking_part]
        self.fields["user"].widget.choices = [
            ("", _("Choose a person…")),
            *((user.pk, user_label(user)) for user in candidates),
        ]
