"""The helpdesk's pages: the tickets (`helpdesk:index`), one ticket
(`helpdesk:ticket`, /admin/helpdesk/tickets/<id>/), the answer posted
without JavaScript (`helpdesk:reply`) and a new ticket (`helpdesk:new`).

The ticket page has three columns, like a chat: the tickets on the left
(`listing`), the conversation in the middle, the ticket and its
participants on the right. The conversation is live through the ticket's
websocket (`helpdesk/ticket.js`, the consumer's frame protocol), but
nothing depends on it: the answer form posts to `reply/`, which stores the
message through `actions.post_message` with the client id the form was
given when shown (so a form posted twice stores one message) and comes
back to the page. Opening the page moves the reader's read mark to the
last message shown.

A ticket the user may not see answers 404, like one that does not exist.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from directory.views.phrased import header_title

from .. import actions, presence
from ..forms import (
    AssignForm,
    NewTicketForm,
    ParticipantForm,
    ReplyForm,
    StatusForm,
    TicketSettingsForm,
    add_errors,
)
from ..models import MAX_TEXT, Message, Participant, TicketPriority, TicketStatus, Visibility
from ..permissions import OPEN, POST, is_helpdesk_staff
from .common import (
    message_html,
    name_of,
    organisations_of,
    require_helpdesk,
    role_label,
    ticket_url,
    visible_ticket,
)
from .listing import ticket_list

SHOWN = 300  # the last messages written into the page


def index_url() -> str:
    return reverse("helpdesk:index")


class HelpdeskMixin(WagtailAdminTemplateMixin):
    header_icon = "help"
    page_title = gettext_lazy("Tickets")

    def dispatch(self, request, *args, **kwargs):
        require_helpdesk(request)
        return super().dispatch(request, *args, **kwargs)

    def get_header_title(self):
        return header_title(self.get_page_title(), self.get_page_subtitle())

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": index_url(), "label": _("Tickets")}]

    def get_header_buttons(self):
        if not self.request.user.has_perm(OPEN):
            return []
        return [HeaderButton(_("New ticket"), reverse("helpdesk:new"), icon_name="plus")]


class IndexView(HelpdeskMixin, TemplateView):
    """The tickets, and an empty conversation until one is chosen."""

    template_name = "helpdesk/tickets.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(ticket_list(self.request), ticket=None, here=index_url())
        return context


def _participants(ticket, viewer) -> list[dict]:
    participants = list(
        Participant.objects.filter(ticket=ticket)
        .select_related("user")
        .prefetch_related("user__groups")
        .order_by("joined_at", "pk")
    )
    users = [participant.user for participant in participants]
    organisations = organisations_of(users)
    manager = is_helpdesk_staff(viewer)
    rows = []
    for participant in participants:
        user = participant.user
        rows.append(
            {
                "participant": participant,
                "user": user,
                "name": name_of(user),
                "role": role_label(user),
                "organisations": organisations.get(user.pk, []),
                "online": user.pk == viewer.pk or presence.is_connected(ticket.pk, user.pk),
                "is_me": user.pk == viewer.pk,
                "removable": manager and user.pk != ticket.author_id,
            }
        )
    return rows


def _messages(ticket, participants, viewer) -> tuple[list, int]:
    """The last SHOWN messages, each with its safe HTML and the other
    participants whose read mark stands on it; and how many came before."""
    found = ticket.messages.select_related("author").order_by("-number")[:SHOWN]
    shown = list(reversed(found))
    earlier = shown[0].number - 1 if shown else 0
    readers: dict[int, list[str]] = {}
    for row in participants:
        mark = row["participant"].last_read_number
        if not row["is_me"] and mark:
            readers.setdefault(mark, []).append(row["name"])
    for message in shown:
        message.html = message_html(message.text)
        message.author_name = name_of(message.author)
        message.mine = message.author_id == viewer.pk
        message.read_by = readers.get(message.number, [])
    return shown, earlier


def page_strings() -> dict:
    """What the page's script says, translated here."""
    return {
        "pending": _("Sending…"),
        "sent": _("Sent"),
        "failed": _("Not sent: %(reason)s"),
        "retry": _("Not sent yet: it will be sent when the connection is back."),
        "offline": _(
            "Connection lost: the conversation is no longer live. Trying again in %(seconds)s s…"
        ),
        "back": _("Connection back: the conversation is live again."),
        "forbidden": _("You no longer have access to this ticket."),
        "signed_out": _("You were signed out: reload the page to sign in again."),
        "read_by": _("Seen by %(names)s"),
        "closed": _("This ticket is closed: nobody writes in it any more."),
        "changed": _("This ticket was changed: reload the page to see it as it is now."),
        "too_long": _("A message has at most %(max)s characters.")
        % {"max": number_format(MAX_TEXT, force_grouping=True)},
        "empty": _("Write a message first."),
        "you": _("You"),
        "send_again": _("Send again"),
        "edit": _("Edit"),
        "statuses": {value: str(label) for value, label in TicketStatus.choices},
        "priorities": {value: str(label) for value, label in TicketPriority.choices},
        "visibilities": {value: str(label) for value, label in Visibility.choices},
        "nobody": _("Nobody"),
        "time_zone": settings.TIME_ZONE,
    }


class TicketView(HelpdeskMixin, TemplateView):
    template_name = "helpdesk/tickets.html"
    reply_form = None
    forms = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.forms = {}

    def dispatch(self, request, *args, **kwargs):
        require_helpdesk(request)
        self.ticket = visible_ticket(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.ticket.subject

    def get_page_subtitle(self):
        return f"#{self.ticket.pk}"

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.ticket.subject}]

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        # The ticket's websocket, same origin, said explicitly: CSP Level 3
        # browsers count it in 'self', older ones do not.
        scheme = "wss" if self.request.is_secure() else "ws"
        response._csp_update = {"connect-src": [f"{scheme}://{self.request.get_host()}"]}
        return response

    def get(self, request, *args, **kwargs):
        actions.mark_seen(request.user, self.ticket)
        actions.mark_read(request.user, self.ticket, self.ticket.last_number)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket = self.ticket
        user = self.request.user
        manager = is_helpdesk_staff(user)
        participants = _participants(ticket, user)
        shown, earlier = _messages(ticket, participants, user)
        context.update(ticket_list(self.request, current=ticket))
        context.update(
            ticket=ticket,
            here=ticket_url(ticket),
            messages_shown=shown,
            earlier=earlier,
            last_shown=shown[-1].number if shown else 0,
            participants=participants,
            author_name=name_of(ticket.author),
            assignee_name=name_of(ticket.assignee) if ticket.assignee_id else "",
            manager=manager,
            can_reply=not ticket.is_closed and user.has_perm(POST),
            can_close=not manager and ticket.author_id == user.pk and not ticket.is_closed,
            reply_form=self.reply_form or ReplyForm(),
            socket_path=f"/ws/helpdesk/tickets/{ticket.pk}/",
            strings=page_strings(),
            readers=[
                {
                    "id": row["user"].pk,
                    "name": row["name"],
                    "number": row["participant"].last_read_number,
                }
                for row in participants
                if not row["is_me"]
            ],
            max_text=MAX_TEXT,
        )
        if manager:
            context.update(
                assign_form=self.forms.get("assign")
                or AssignForm(initial={"assignee": ticket.assignee_id}),
                status_form=self.forms.get("status")
                or StatusForm(initial={"status": ticket.status}),
                settings_form=self.forms.get("settings")
                or TicketSettingsForm(
                    initial={"priority": ticket.priority, "visibility": ticket.visibility}
                ),
                participant_form=self.forms.get("participant") or ParticipantForm(ticket=ticket),
            )
        return context


def render_ticket(request, ticket, *, reply_form=None, **forms):
    """The ticket's page again, with a form that was posted and its errors."""
    view = TicketView(reply_form=reply_form)
    view.setup(request, pk=ticket.pk)
    view.forms = forms
    view.ticket = ticket
    return view.render_to_response(view.get_context_data())


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def back_to(request, ticket, anchor: str = "") -> str:
    """The ticket's page, with the list as it was (the query string the form carried)."""
    query = request.POST.get("list_query", "")
    if not query.startswith("?") or "\n" in query or "#" in query:
        query = ""
    return ticket_url(ticket) + query + (f"#{anchor}" if anchor else "")


def reply(request, pk):
    """The answer posted by the form (without JavaScript, or by the page's
    script when the websocket is down: then it asks for JSON)."""
    if request.method != "POST":
        return redirect(ticket_url(visible_ticket(request, pk)))
    ticket = visible_ticket(request, pk)
    form = ReplyForm(request.POST)
    error = None
    if form.is_valid():
        try:
            message, _created = actions.post_message(
                request.user,
                ticket,
                form.cleaned_data["text"],
                client_id=form.cleaned_data["client_id"],
            )
        except ValidationError as refused:
            error = refused
        except PermissionDenied as refused:
            error = ValidationError(str(refused) or _("You may not write in this ticket."))
        else:
            if wants_json(request):
                return JsonResponse({"number": message.number, "client_id": message.client_id})
            return redirect(back_to(request, ticket, f"message-{message.number}"))
    else:
        error = ValidationError(_("This message could not be read: write it again."))
    if wants_json(request):
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    add_errors(form, ValidationError({"text": error.messages}))
    messages.error(
        request,
        _("Your answer was not sent: %(reason)s") % {"reason": " ".join(error.messages)},
    )
    return render_ticket(request, ticket, reply_form=form)


def opened_already(user, client_id):
    """The ticket `user` opened with this form already (its first message's client id)."""
    if not client_id:
        return None
    first = Message.objects.filter(number=1, client_id=client_id, author=user).first()
    return first.ticket if first is not None else None


class NewTicketView(HelpdeskMixin, TemplateView):
    template_name = "helpdesk/new_ticket.html"
    page_title = gettext_lazy("New ticket")

    def dispatch(self, request, *args, **kwargs):
        require_helpdesk(request)
        if not request.user.has_perm(OPEN):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": _("New ticket")}]

    def get_header_buttons(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", NewTicketForm(user=self.request.user))
        context["manager"] = is_helpdesk_staff(self.request.user)
        return context

    def post(self, request, *args, **kwargs):
        form = NewTicketForm(request.POST, user=request.user)
        if form.is_valid():
            again = opened_already(request.user, form.cleaned_data.get("client_id"))
            if again is not None:  # the same form posted twice: one ticket
                return redirect(ticket_url(again))
            try:
                ticket = actions.open_ticket(request.user, **form.ticket_fields())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Ticket #%(id)s opened.") % {"id": ticket.pk})
                return redirect(ticket_url(ticket))
        messages.error(request, _("The ticket was not opened: correct the fields shown."))
        return self.render_to_response(self.get_context_data(form=form))
