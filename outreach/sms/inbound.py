"""What comes back from the provider: replies and opt-outs, and STOP.

Brevo calls the webhook URL of a transactional SMS (its `webUrl`, or the
account's SMS webhook) with one JSON object per event, or a list of them when
webhooks are batched. The fields used here, as Brevo documents them: `to`
(the mobile number the SMS went to, country code first and no "+"),
`msg_status` (sent, delivered, soft_bounce, hard_bounce, ...), `reply` (the
text the person answered, on a reply), `messageId` or `message_id` (Brevo's id
of the SMS replied to) and `tag` (our reference, see backends/brevo.py).
Brevo's SMS event names include "replied" and "unsubscribe"; as the exact
`msg_status` of a reply is not spelled out in its webhook page, any event
that carries a non-empty `reply` is read as a reply.

`parse_brevo_inbound` keeps the replies and the unsubscriptions as
`InboundSms`; `is_stop` says whether a reply asks to receive no more SMS:
STOP and its French forms (« STOP SMS », « Stop merci », ARRET, ARRÊT,
« me désabonner »...), whatever the case, accents and punctuation. The first
word decides: an opt-out wrongly read as a chat is a breach of consent, a
chat wrongly read as an opt-out only one person fewer.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from directory.phones import normalise_phone

REPLY = "reply"
UNSUBSCRIBE = "unsubscribe"
REPLY_STATUSES = frozenset({"replied", "reply", "replies"})
UNSUBSCRIBE_STATUSES = frozenset({"unsubscribe", "unsubscribed", "unsubscription"})

# First words that ask to stop (accents and case removed).
STOP_WORDS = frozenset(
    {
        "stop",
        "stopsms",
        "stopall",
        "stopper",
        "arret",
        "arrete",
        "arretez",
        "arreter",
        "desabonner",
        "desabonnement",
        "desabonnez",
        "desinscription",
        "desinscrire",
        "desinscrivez",
        "unsubscribe",
        "optout",
    }
)
# Phrases that ask to stop, at the start of the text.
STOP_PHRASES = ("me desabonner", "me desinscrire", "ne plus recevoir", "opt out")


class InvalidInboundPayload(ValueError):
    """The webhook's body is not what Brevo sends."""


@dataclass(frozen=True)
class InboundSms:
    from_number: str  # E.164
    text: str  # the reply ("" for an unsubscription)
    event: str  # REPLY or UNSUBSCRIBE
    provider_id: str = ""  # Brevo's messageId of the SMS this answers
    reference: str = ""  # our reference (the tag we sent)

    @property
    def opts_out(self) -> bool:
        return self.event == UNSUBSCRIBE or is_stop(self.text)


def _plain(text: str) -> str:
    """Lower case, no accents, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[\W_]+", " ", bare.casefold()).split())


def is_stop(text: str) -> bool:
    """Whether a reply asks to receive no more SMS."""
    plain = _plain(text)
    if not plain:
        return False
    if plain.split(" ", 1)[0] in STOP_WORDS:
        return True
    return plain.startswith(STOP_PHRASES)


def _number(value) -> str:
    digits = str(value or "").strip()
    if not digits:
        raise InvalidInboundPayload("no number")
    if not digits.startswith("+"):
        digits = digits[2:] if digits.startswith("00") else digits
        digits = "+" + digits
    try:
        return normalise_phone(digits)
    except ValidationError:
        raise InvalidInboundPayload(f"not a phone number: {value!r}") from None


def parse_event(event: dict) -> InboundSms | None:
    """One Brevo SMS event: an `InboundSms` for a reply or an unsubscription,
    None for the other events (sent, delivered, bounces...)."""
    if not isinstance(event, dict):
        raise InvalidInboundPayload("an event is not an object")
    status = str(event.get("msg_status") or event.get("event") or "").strip().casefold()
    reply = event.get("reply")
    if status in UNSUBSCRIBE_STATUSES:
        kind = UNSUBSCRIBE
    elif status in REPLY_STATUSES or (isinstance(reply, str) and reply.strip()):
        kind = REPLY
    else:
        return None
    message_id = event.get("messageId", event.get("message_id"))
    tag = event.get("tag")
    if isinstance(tag, list):
        tag = tag[0] if tag else ""
    return InboundSms(
        from_number=_number(event.get("to") or event.get("from")),
        text=str(reply or "") if kind == REPLY else "",
        event=kind,
        provider_id="" if message_id is None else str(message_id),
        reference=str(tag or ""),
    )


def parse_brevo_inbound(payload) -> list[InboundSms]:
    """The replies and unsubscriptions in a webhook body (one event or a
    list of them), in order. Raises InvalidInboundPayload on a body Brevo
    would not send."""
    events = payload if isinstance(payload, list) else [payload]
    parsed = (parse_event(event) for event in events)
    return [inbound for inbound in parsed if inbound is not None]
