"""The endpoints of outreach that need no sign-in: the recipient's
unsubscribe page, and the SMS provider's inbound webhook.

**One-click unsubscribe (RFC 8058).** Every e-mail carries a personal link
`/desinscription/<token>/` (`outreach.email.unsubscribe`) in its body and in
its `List-Unsubscribe` header.

- A POST, with no sign-in and no CSRF token (the mail client posts
  `List-Unsubscribe=One-Click` itself, and the page's own button posts the
  same), records the opt-out through `actions.unsubscribe` and answers 200.
  A second POST finds the opt-out already there and answers the same.
- A GET only shows a page with the masked address and a button: mail
  scanners and link previews follow links, so opening the link changes
  nothing.
- A token that was forged, altered, cut, or made for another person or
  address answers 400 with a message saying so, and changes nothing.

The pages are standalone (no workspace chrome, no script, nothing from
another origin), in French unless the person prefers another language the
site speaks; they are never cached and send no referrer (the token is in
the address).

**Brevo's inbound SMS webhook** (`/webhooks/sms/brevo/`). Brevo posts JSON
(one event or a list of them, `outreach.sms.inbound`). The request must
carry the shared secret `settings.SMS_INBOUND_SECRET`, as `?secret=` in the
URL given to Brevo or in an `X-Webhook-Secret` header, compared in constant
time: without it (or when no secret is configured) 403. A body over 64 KB
answers 413, a body that is not JSON or not what Brevo sends 400, both
changing nothing. A STOP reply (or an unsubscription event) records the
opt-out of the number through `actions.record_sms_stop`; other replies are
acknowledged and ignored.
"""

import hmac
import json
import logging

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .. import actions
from ..email.unsubscribe import BadToken, read_token, token_matches
from ..models import Delivery, DeliveryStatus, Suppression, SuppressionReason
from ..sms.inbound import InvalidInboundPayload, parse_brevo_inbound

logger = logging.getLogger(__name__)

MAX_SMS_BODY = 64 * 1024
SECRET_HEADER = "X-Webhook-Secret"
TEMPLATES = "outreach/public/"


# --- Unsubscribe ----------------------------------------------------------------------


def _delivery_for(token: str) -> Delivery | None:
    """The delivery a genuine token was made for; None for any other token (reads only)."""
    try:
        delivery_id = read_token(token)
    except BadToken:
        return None
    delivery = Delivery.objects.filter(pk=delivery_id).select_related("campaign", "person").first()
    if delivery is None or not token_matches(token, delivery.person_id, delivery.coordinate):
        return None
    return delivery


def masked(coordinate: str) -> str:
    """An address shown without giving it away: "a•••@theatre-metz.fr"."""
    coordinate = (coordinate or "").strip()
    local, at, domain = coordinate.rpartition("@")
    if not at:
        return coordinate[:2] + "•••" + coordinate[-2:] if len(coordinate) > 6 else "•••"
    return f"{local[:1]}•••@{domain}"


def _language(delivery: Delivery | None) -> str:
    preferred = getattr(getattr(delivery, "person", None), "language", "") or ""
    spoken = {code for code, _name in settings.LANGUAGES}
    return preferred if preferred in spoken else settings.LANGUAGE_CODE


def _is_unsubscribed(delivery: Delivery) -> bool:
    if delivery.status == DeliveryStatus.UNSUBSCRIBED:
        return True
    channel = delivery.campaign.channel
    return Suppression.objects.filter(
        channel=channel,
        coordinate=Suppression.key(channel, delivery.coordinate),
        reason=SuppressionReason.UNSUBSCRIBED,
    ).exists()


def _page(request, template: str, delivery: Delivery | None, status: int = 200, **context):
    language = _language(delivery)
    with translation.override(language):
        response = render(
            request,
            TEMPLATES + template,
            {
                "language": language,
                "site_name": settings.WAGTAIL_SITE_NAME,
                "address": masked(delivery.coordinate) if delivery else "",
                **context,
            },
            status=status,
        )
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """GET: the confirmation page (changes nothing); POST: the opt-out itself."""
    if request.method == "POST":
        try:
            delivery = actions.unsubscribe(token)
        except BadToken:
            return _page(request, "unsubscribe_invalid.html", None, status=400)
        return _page(request, "unsubscribe_done.html", delivery)
    delivery = _delivery_for(token)
    if delivery is None:
        return _page(request, "unsubscribe_invalid.html", None, status=400)
    return _page(
        request,
        "unsubscribe_confirm.html",
        delivery,
        already=_is_unsubscribed(delivery),
    )


# --- Brevo inbound SMS ----------------------------------------------------------------


def _secret_ok(request) -> bool:
    expected = getattr(settings, "SMS_INBOUND_SECRET", "") or ""
    given = request.GET.get("secret") or request.headers.get(SECRET_HEADER) or ""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def _refuse(status: int, error: str) -> JsonResponse:
    return JsonResponse({"error": error}, status=status)


@csrf_exempt
@require_POST
def brevo_sms_inbound(request):
    """Brevo's SMS events: a STOP reply records the opt-out of its number."""
    if not _secret_ok(request):
        logger.warning("Inbound SMS webhook refused: missing or wrong secret.")
        return _refuse(403, "forbidden")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refuse(400, "bad content length")
    if declared > MAX_SMS_BODY:
        return _refuse(413, "too large")
    body = request.body
    if len(body) > MAX_SMS_BODY:
        return _refuse(413, "too large")
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _refuse(400, "not JSON")
    try:
        messages = parse_brevo_inbound(payload)
    except InvalidInboundPayload as error:
        logger.warning("Inbound SMS webhook refused: %s", error)
        return _refuse(400, "not a Brevo SMS event")
    stops = 0
    for message in messages:
        if message.opts_out:
            actions.record_sms_stop(message.from_number)
            stops += 1
    return JsonResponse({"received": len(messages), "stops": stops})
