"""The live conversation of one ticket: `ws/helpdesk/tickets/<id>/`.

The database is the truth and the socket a fast path. The rules:

* On connecting, and before acting on every frame and forwarding every
  event, the consumer checks against the database (not the account it
  signed in with) that the user may still see the ticket
  (`helpdesk.permissions.can_see`): an anonymous visitor is refused with
  close code 4401, anyone else who may not see it with 4403, and a user
  who loses access while connected (account closed, taken out of the
  ticket, ticket made private) is closed with 4403 and hears nothing more.
* `{"type": "hello", "after": n}` joins the ticket's group first, then
  replays from the database, in order, the messages numbered above n, then
  says `{"type": "synced", "last": m}`. From then on each message reaches
  the page once and in order: events already sent are dropped, and a gap
  (an event the channel layer lost) is filled from the database, since
  numbers have no gaps and a message is only announced once committed.
* `{"type": "message", "client_id": "…", "text": "…"}` is stored by
  `actions.post_message` (a client id sent again returns the stored
  message), acknowledged to the sender with `{"type": "ack", "client_id",
  "number"}`, and broadcast to the group after commit.
* `{"type": "typing"}` tells the others "X is typing" (nothing is stored);
  `{"type": "read", "number": n}` moves the read mark; `{"type": "ping"}`
  answers `{"type": "pong"}` and keeps the user counted as connected.
* A frame that is not JSON text, too large, of an unknown type, missing a
  field or with a message over 10,000 characters, or beyond the per-user
  rate (`helpdesk.throttle`), gets `{"type": "error", "message": "…"}`
  (with its `client_id` when it had one) and changes nothing.

Messages to the page are translated in the user's language (their admin
profile's, French by default).
"""

from __future__ import annotations

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from . import actions, presence, realtime, throttle
from .models import MAX_TEXT, Message, Ticket
from .permissions import can_see, fresh_user

CLOSE_ANONYMOUS = 4401
CLOSE_FORBIDDEN = 4403
# JSON may spell one character in up to 12 ("\ud83d\ude00"): room for a
# message at its limit, refused before parsing beyond that.
MAX_FRAME = MAX_TEXT * 12 + 1024
REPLAY_CHUNK = 200


def _language_of(user) -> str:
    profile = getattr(user, "wagtail_userprofile", None)
    try:
        language = profile and profile.get_preferred_language()
    except Exception:  # no profile row
        language = None
    return language or settings.LANGUAGE_CODE


class TicketConsumer(AsyncJsonWebsocketConsumer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id = None
        self.ticket_id = None
        self.language = settings.LANGUAGE_CODE
        self.joined = False
        self.closed = False
        # The number of the last message sent to this page, once it said hello.
        self.upto = 0

    # --- Database work, in Django's thread ---------------------------------------------

    def _allowed(self):
        """(user, ticket) as the database has them now, or None if access is lost."""
        user = fresh_user(self.user_id)
        ticket = Ticket.objects.filter(pk=self.ticket_id).first()
        if user is None or ticket is None or not can_see(user, ticket):
            return None
        return user, ticket

    @database_sync_to_async
    def _open(self):
        found = self._allowed()
        if found is None:
            return None
        user, ticket = found
        presence.arrive(ticket.pk, user.pk, self.channel_name)
        actions.mark_seen(user, ticket)
        return _language_of(user)

    @database_sync_to_async
    def _frame_checks(self):
        """Rate, then access; refresh the presence. Returns "rate", "lost" or (user, ticket)."""
        if not throttle.allow_frame(self.user_id):
            return "rate"
        found = self._allowed()
        if found is None:
            return "lost"
        presence.arrive(self.ticket_id, self.user_id, self.channel_name)
        return found

    @database_sync_to_async
    def _still_allowed(self) -> bool:
        return self._allowed() is not None

    @database_sync_to_async
    def _messages(self, after: int, until: int | None = None):
        """The frames of the messages numbered above `after` (up to `until`), in order."""
        messages = Message.objects.filter(ticket_id=self.ticket_id, number__gt=after)
        if until is not None:
            messages = messages.filter(number__lte=until)
        messages = messages.select_related("author").order_by("number")[:REPLAY_CHUNK]
        return [actions.message_frame(message) for message in messages]

    @database_sync_to_async
    def _last_number(self) -> int:
        found = Ticket.objects.filter(pk=self.ticket_id).values_list("last_number", flat=True)
        return found.first() or 0

    @database_sync_to_async
    def _act(self, function, *args, **kwargs):
        found = self._allowed()
        if found is None:
            raise PermissionDenied
        user, ticket = found
        return function(user, ticket, *args, **kwargs)

    @database_sync_to_async
    def _leave(self):
        presence.leave(self.ticket_id, self.user_id, self.channel_name)

    # --- Connection --------------------------------------------------------------------

    async def connect(self):
        user = self.scope.get("user")
        self.ticket_id = self.scope["url_route"]["kwargs"]["ticket_id"]
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_ANONYMOUS)
            return
        self.user_id = user.pk
        language = await self._open()
        if language is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.language = language
        await self.accept()

    async def disconnect(self, code):
        await self._quit()
        if self.user_id is not None:
            await self._leave()

    async def _quit(self):
        if self.joined:
            self.joined = False
            await self.channel_layer.group_discard(
                realtime.group_name(self.ticket_id), self.channel_name
            )

    async def _lose_access(self):
        self.closed = True
        await self._quit()
        await self.close(code=CLOSE_FORBIDDEN)

    async def _error(self, message: str, client_id=None):
        frame = {"type": "error", "message": str(message)}
        if isinstance(client_id, str):
            frame["client_id"] = client_id
        await self.send_json(frame)

    # --- Frames from the page ----------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self.closed:
            return
        with translation.override(self.language):
            await self._receive(text_data)

    @staticmethod
    def _parse(text_data):
        """The frame as a dict with a "type", or the error message to answer."""
        if text_data is None:
            return _("Frames are JSON text.")
        if len(text_data) > MAX_FRAME:
            return _("This frame is too large.")
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: nested too deep
            return _("This frame is not valid JSON.")
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            return _("A frame is a JSON object with a “type”.")
        return content

    async def _receive(self, text_data):
        content = self._parse(text_data)  # every frame counts, parsed or not
        checked = await self._frame_checks()
        if checked == "lost":
            await self._lose_access()
            return
        if checked == "rate":
            client_id = content.get("client_id") if isinstance(content, dict) else None
            await self._error(_("Too many messages at once: wait a few seconds."), client_id)
            return
        if not isinstance(content, dict):
            await self._error(content)
            return
        handler = self.HANDLERS.get(content["type"])
        if handler is None:
            await self._error(_("Unknown frame type “%(type)s”.") % {"type": content["type"][:50]})
            return
        await handler(self, content)

    async def _missing(self, field: str, client_id=None):
        text = _("The field “%(field)s” is missing or invalid.") % {"field": field}
        await self._error(text, client_id)

    @staticmethod
    def _whole_number(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    async def on_hello(self, content):
        after = content.get("after")
        if not self._whole_number(after):
            await self._missing("after")
            return
        if not self.joined:
            await self.channel_layer.group_add(
                realtime.group_name(self.ticket_id), self.channel_name
            )
            self.joined = True
        self.upto = min(after, await self._last_number())
        while True:
            frames = await self._messages(self.upto)
            for frame in frames:
                await self.send_json(frame)
                self.upto = frame["number"]
            if len(frames) < REPLAY_CHUNK:
                break
        await self.send_json({"type": "synced", "last": self.upto})

    async def on_message(self, content):
        client_id = content.get("client_id")
        if not isinstance(client_id, str) or not client_id:
            await self._missing("client_id")
            return
        text = content.get("text")
        if not isinstance(text, str):
            await self._missing("text", client_id)
            return
        try:
            message, _created = await self._act(actions.post_message, text, client_id=client_id)
        except PermissionDenied:
            await self._lose_access()
            return
        except ValidationError as error:
            await self._error(" ".join(error.messages), client_id)
            return
        await self.send_json({"type": "ack", "client_id": client_id, "number": message.number})

    async def on_typing(self, content):
        try:
            await self._act(actions.typing)
        except PermissionDenied:
            await self._lose_access()

    async def on_read(self, content):
        number = content.get("number")
        if not self._whole_number(number):
            await self._missing("number")
            return
        try:
            await self._act(actions.mark_read, number)
        except PermissionDenied:
            await self._lose_access()
        except ValidationError as error:
            await self._error(" ".join(error.messages))

    async def on_ping(self, content):
        await self.send_json({"type": "pong"})

    HANDLERS = {
        "hello": on_hello,
        "message": on_message,
        "typing": on_typing,
        "read": on_read,
        "ping": on_ping,
    }

    # --- Events from the channel layer ---------------------------------------------------

    async def _forwarding(self) -> bool:
        """Whether an event may reach this page: it said hello, and may still see the ticket."""
        if self.closed or not self.joined:
            return False
        if not await self._still_allowed():
            await self._lose_access()
            return False
        return True

    async def helpdesk_message(self, event):
        number = event.get("number")
        if not isinstance(number, int) or number <= self.upto:
            return  # sent already (by the replay, or before)
        if not await self._forwarding():
            return
        if number == self.upto + 1 and isinstance(event.get("message"), dict):
            await self.send_json(event["message"])
            self.upto = number
            return
        # An event was lost on the way: the database has every message up to this one.
        while self.upto < number:
            frames = await self._messages(self.upto, until=number)
            if not frames:
                break
            for frame in frames:
                await self.send_json(frame)
                self.upto = frame["number"]

    async def helpdesk_typing(self, event):
        if event.get("user") == self.user_id or not await self._forwarding():
            return
        with translation.override(self.language):
            text = _("%(name)s is typing…") % {"name": event.get("name", "")}
        await self.send_json(
            {
                "type": "typing",
                "user": {"id": event.get("user"), "name": event.get("name", "")},
                "text": text,
            }
        )

    async def helpdesk_read(self, event):
        if not await self._forwarding():
            return
        await self.send_json(
            {
                "type": "read",
                "user": {"id": event.get("user"), "name": event.get("name", "")},
                "number": event.get("number"),
            }
        )

    async def helpdesk_ticket(self, event):
        if not await self._forwarding():
            return
        await self.send_json({"type": "ticket", **(event.get("changes") or {})})

    async def helpdesk_access(self, event):
        await self._forwarding()
