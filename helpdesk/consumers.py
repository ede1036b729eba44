"""The live conversation of one ticket: `ws/helpdesk/tickets/<id>/`.

The database is the truth and the socket a fast path. The rules:

* On connecting, and before acting on every frame, the consumer checks
  against the database (not the account it signed in with) that the user
  may still see the ticket (`helpdesk.permissions.can_see`): an anonymous
  visitor is refused with close code 4401, anyone else who may not see it
  with 4403, and a user who loses access while connected (account closed,
  taken out of the ticket, ticket made private) is closed with 4403 and
  hears nothing more. A frame's check reads the account (active or not)
  and the ticket (participants, visibility) again; the user's permissions,
  looked up on connecting, are looked up again on a `helpdesk.access`
  event and once `ACCESS_RECHECK_SECONDS` have passed.
* Forwarding an event to the page asks the database nothing unless the
  last check is `ACCESS_RECHECK_SECONDS` old: every change of who may see a
  ticket is announced, right after its commit, by a `helpdesk.access`
  event to the ticket's group (`helpdesk.actions`: participant removed,
  visibility changed) or to the user's (`helpdesk.signals`: account
  closed or deleted, groups or permissions changed), which each connection
  joins before its first check. A connection handles its frames and events
  one at a time, in the order they arrive, and on that event checks again
  before anything else, so what is sent after the change (a message stored
  later, announced after its own commit) is not forwarded on the strength
  of an older check. The periodic check bounds what a change made round
  the ORM's signals (a queryset `update()`, SQL) or an event the channel
  layer lost can let through; a live page pings every 30 s, and each ping
  is a check.
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
import time
from concurrent.futures import ThreadPoolExecutor

from channels.db import DatabaseSyncToAsync
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from . import actions, presence, realtime, throttle
from .models import MAX_TEXT, Message, Ticket
from .permissions import can_see, fresh_user, refresh_and_can_see

CLOSE_ANONYMOUS = 4401
CLOSE_FORBIDDEN = 4403
# Forwarding trusts the last check of access, and frames the last lookup of
# the user's permissions, for this long (see above): twice the page's ping.
ACCESS_RECHECK_SECONDS = 60
# JSON may spell one character in up to 12 ("\ud83d\ude00"): room for a
# message at its limit, refused before parsing beyond that.
MAX_FRAME = MAX_TEXT * 12 + 1024
REPLAY_CHUNK = 200
# Threads for the consumers' database work, when connections come from a pool.
DATABASE_THREADS = 4


def _pooled() -> bool:
    return bool(settings.DATABASES["default"].get("OPTIONS", {}).get("pool"))


_executor = ThreadPoolExecutor(DATABASE_THREADS, "helpdesk-db") if _pooled() else None


def database_sync_to_async(function):
    """Channels' `database_sync_to_async`, but with pooled connections
    (PostgreSQL, `crmsite.settings`) in `DATABASE_THREADS` threads of their
    own, each taking a connection from the pool for the call: one page's
    checks and writes then wait for a free thread, not behind those of every
    page the process serves, in Django's one thread. Calls of one connection
    still run one after the other; its actions lock the rows they change."""
    if _executor is None:
        return DatabaseSyncToAsync(function)
    return DatabaseSyncToAsync(function, thread_sensitive=False, executor=_executor)


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
        # The user as the last check found them (their permissions looked up
        # when `fully_checked_at`), and when access was last found in the
        # database (time.monotonic(), taken before the check).
        self.user = None
        self.checked_at = self.fully_checked_at = float("-inf")
        # When this connection last wrote its presence (`helpdesk.presence`).
        self.present_at = float("-inf")

    # --- Database work (`database_sync_to_async`) -------------------------------------

    def _allowed(self, fully: bool = False):
        """The user, if they may still see the ticket (noting when that was
        found); otherwise None. Their account (active or not) and the ticket
        (their participation, its visibility) are read now; their permissions
        are looked up again when `fully`, or when last looked up
        `ACCESS_RECHECK_SECONDS` ago or more."""
        started = time.monotonic()
        user = self.user
        if fully or user is None or started - self.fully_checked_at >= ACCESS_RECHECK_SECONDS:
            user, fully = fresh_user(self.user_id), True
            allowed = user is not None and can_see(user, self.ticket_id)
        else:
            allowed = refresh_and_can_see(user, self.ticket_id)
        if not allowed:
            self.user = None
            return None
        self.user, self.checked_at = user, started
        if fully:
            self.fully_checked_at = started
        return user

    @database_sync_to_async
    def _open(self):
        user = self._allowed()
        ticket = Ticket.objects.filter(pk=self.ticket_id).first() if user else None
        if ticket is None:
            return None
        self._present()
        actions.mark_seen(user, ticket)
        return _language_of(user)

    def _present(self):
        """Write this connection's presence again, once `REFRESH_SECONDS` have passed."""
        now = time.monotonic()
        if now - self.present_at >= presence.REFRESH_SECONDS:
            presence.arrive(self.ticket_id, self.user_id, self.channel_name)
            self.present_at = now

    @database_sync_to_async
    def _frame_checks(self, act=None, read_ticket=False):
        """Rate, then access; then `act(user, ticket)`, in the same call; then
        the presence, if due. Returns "rate", "lost", or what `act` returned or
        raised (PermissionDenied, ValidationError). The ticket is read from
        the database when `read_ticket`; otherwise `act` gets it by its id
        alone (the actions check access and lock rows by id)."""
        if not throttle.allow_frame(self.user_id):
            return "rate"
        user = self._allowed()
        if user is None:
            return "lost"
        outcome = None
        if act is not None:
            if read_ticket:
                ticket = Ticket.objects.filter(pk=self.ticket_id).first()
            else:
                ticket = Ticket(pk=self.ticket_id)
            try:
                if ticket is None:
                    raise PermissionDenied
                outcome = act(user, ticket)
            except (PermissionDenied, ValidationError) as error:
                outcome = error
        self._present()
        return outcome

    @database_sync_to_async
    def _still_allowed(self, fully: bool = False) -> bool:
        return self._allowed(fully) is not None

    def _message_frames(self, after: int, until: int | None = None) -> list[dict]:
        """The frames of the messages numbered above `after` (up to `until`), in order."""
        messages = Message.objects.filter(ticket_id=self.ticket_id, number__gt=after)
        if until is not None:
            messages = messages.filter(number__lte=until)
        messages = messages.select_related("author").order_by("number")[:REPLAY_CHUNK]
        return [actions.message_frame(message) for message in messages]

    _messages = database_sync_to_async(_message_frames)

    @database_sync_to_async
    def _leave(self):
        presence.leave(self.ticket_id, self.user_id, self.channel_name)

    # --- Connection --------------------------------------------------------------------

    async def connect(self):
        user = self.scope.get("user")
        self.ticket_id = self.scope["url_route"]["kwargs"]["ticket_id"]
        if user is None or not user.is_authenticated:
            self.closed = True
            await self.close(code=CLOSE_ANONYMOUS)
            return
        self.user_id = user.pk
        # Told of changes to the account from now on, before access is checked.
        await self.channel_layer.group_add(
            realtime.user_group_name(self.user_id), self.channel_name
        )
        language = await self._open()
        if language is None:
            self.closed = True
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.language = language
        await self.accept()

    async def disconnect(self, code):
        await self._quit()
        if self.user_id is not None:
            await self.channel_layer.group_discard(
                realtime.user_group_name(self.user_id), self.channel_name
            )
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
        content = self._parse(text_data)
        if not isinstance(content, dict):
            await self._refuse(None, content)
            return
        handler = self.HANDLERS.get(content["type"])
        if handler is None:
            text = _("Unknown frame type “%(type)s”.") % {"type": content["type"][:50]}
            await self._refuse(content, text)
            return
        await handler(self, content)

    async def _checked(self, act=None, client_id=None, read_ticket=False):
        """Every frame, parsed or not, makes one call of this: the rate, access
        and presence checks, then `act(user, ticket)` if given. Returns
        (True, what `act` returned or raised) if the frame may go on;
        otherwise answers the rate error, or closes the connection when access
        is lost, and returns (False, None)."""
        outcome = await self._frame_checks(act, read_ticket)
        if outcome == "lost" or isinstance(outcome, PermissionDenied):
            await self._lose_access()
            return False, None
        if outcome == "rate":
            await self._error(_("Too many messages at once: wait a few seconds."), client_id)
            return False, None
        return True, outcome

    async def _refuse(self, content: dict | None, text: str, client_id=None):
        """Answer a frame that asks for nothing valid with an error (after its checks)."""
        passed, _outcome = await self._checked(client_id=(content or {}).get("client_id"))
        if passed:
            await self._error(text, client_id)

    async def _missing(self, content: dict, field: str, client_id=None):
        text = _("The field “%(field)s” is missing or invalid.") % {"field": field}
        await self._refuse(content, text, client_id)

    @staticmethod
    def _whole_number(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    async def on_hello(self, content):
        after = content.get("after")
        if not self._whole_number(after):
            await self._missing(content, "after")
            return
        # Join the group before the frame's check: nothing announced after
        # the check is missed, and nothing before it is forwarded.
        joining = not self.joined
        if joining:
            await self.channel_layer.group_add(
                realtime.group_name(self.ticket_id), self.channel_name
            )
            self.joined = True

        def catch_up(user, ticket):
            start = min(after, ticket.last_number)
            return start, self._message_frames(start)

        passed, outcome = await self._checked(catch_up, content.get("client_id"), read_ticket=True)
        if not passed:
            if joining and not self.closed:  # refused for its rate: not joined after all
                await self._quit()
            return
        self.upto, frames = outcome
        while True:
            for frame in frames:
                await self.send_json(frame)
                self.upto = frame["number"]
            if len(frames) < REPLAY_CHUNK:
                break
            frames = await self._messages(self.upto)
        await self.send_json({"type": "synced", "last": self.upto})

    async def on_message(self, content):
        client_id = content.get("client_id")
        if not isinstance(client_id, str) or not client_id:
            await self._missing(content, "client_id")
            return
        text = content.get("text")
        if not isinstance(text, str):
            await self._missing(content, "text", client_id)
            return

        def post(user, ticket):
            return actions.post_message(user, ticket, text, client_id=client_id)

        passed, outcome = await self._checked(post, client_id)
        if not passed:
            return
        if isinstance(outcome, ValidationError):
            await self._error(" ".join(outcome.messages), client_id)
            return
        message, _created = outcome
        await self.send_json({"type": "ack", "client_id": client_id, "number": message.number})

    async def on_typing(self, content):
        await self._checked(actions.typing, content.get("client_id"))

    async def on_read(self, content):
        number = content.get("number")
        if not self._whole_number(number):
            await self._missing(content, "number")
            return

        def mark(user, ticket):
            return actions.mark_read(user, ticket, number)

        passed, outcome = await self._checked(mark, content.get("client_id"))
        if passed and isinstance(outcome, ValidationError):
            await self._error(" ".join(outcome.messages))

    async def on_ping(self, content):
        passed, _outcome = await self._checked(client_id=content.get("client_id"))
        if passed:
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
        """Whether an event may reach this page: it said hello, and may still see
        the ticket (checked again if the last check is too old)."""
        if self.closed or not self.joined:
            return False
        if time.monotonic() - self.checked_at >= ACCESS_RECHECK_SECONDS:
            return await self._check_again()
        return True

    async def _check_again(self, fully: bool = False) -> bool:
        if not await self._still_allowed(fully):
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
        """Who may see the ticket, or what the account may do, changed: check now."""
        if not self.closed:
            await self._check_again(fully=True)
