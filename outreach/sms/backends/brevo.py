"""SMS through Brevo's transactional SMS API.

One POST https://api.brevo.com/v3/transactionalSMS/sms per message, with the
account's key in the `api-key` header and the JSON body Brevo documents:
``{"sender", "recipient", "content", "type": "marketing", "tag", "webUrl",
"unicodeEnabled"}`` (the recipient with its country code and no "+"; `tag` is
our reference, so that Brevo's webhooks name the delivery; `webUrl` only when
settings.SMS_BREVO_WEBHOOK_URL is set). Brevo answers 201 with
``{"reference", "messageId", "smsCount", "usedCredits", "remainingCredits"}``,
or an error ``{"code", "message"}``.

How each outcome is read (see base.py for what the statuses mean):

- 2xx: sent, `provider_id` is Brevo's messageId;
- 4xx but 429: failed, with Brevo's message. After 401, 402 or 403 (bad key,
  no credits left, refused account) every further call would be refused the
  same way, so the rest of the batch is answered failed without calling;
- 429, 5xx but 504, or a connection that could not even be opened: nothing
  was sent, `RetryableSmsError` (with Retry-After, or Brevo's
  x-sib-ratelimit-reset, as `retry_after`);
- a read timeout, a connection lost after the request left, a 504: unknown.
  The SMS may have gone out; it is never resent automatically.

The connection is not retried by requests itself (no retry adapter): a
retry is the sending task's decision.
"""

import email.utils
import time
from dataclasses import replace

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from urllib3.exceptions import MaxRetryError, NewConnectionError

from ..segments import UCS2, count
from .base import FAILED, SENT, UNKNOWN, BaseSmsBackend, RetryableSmsError, SmsResult

API_URL = "https://api.brevo.com/v3/transactionalSMS/sms"
SMS_TYPE = "marketing"
TIMEOUT = (5, 30)  # seconds to connect, seconds to wait for the answer
ACCOUNT_ERRORS = frozenset({401, 402, 403})


def _json(response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _seconds(value: str | None) -> float | None:
    """A Retry-After value: seconds, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def retry_after(response) -> float | None:
    return _seconds(response.headers.get("Retry-After")) or _seconds(
        response.headers.get("x-sib-ratelimit-reset")
    )


def never_connected(error: requests.ConnectionError) -> bool:
    """Whether the connection could not be opened at all (refused, unknown
    host), so that the request surely never left."""
    reason = error.args[0] if error.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError)


class SmsBackend(BaseSmsBackend):
    api_url = API_URL
    timeout = TIMEOUT

    def __init__(self, *args, api_key: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.api_key = api_key or getattr(settings, "SMS_BREVO_API_KEY", "")
        if not self.api_key:
            raise ImproperlyConfigured("SMS_BREVO_API_KEY must be set to send SMS through Brevo.")
        self.web_url = getattr(settings, "SMS_BREVO_WEBHOOK_URL", "")
        self.session = None

    def open(self):
        if self.session is None:
            self.session = requests.Session()

    def close(self):
        if self.session is not None:
            self.session.close()
            self.session = None

    def payload(self, message) -> dict:
        body = {
            "sender": self.sender_of(message),
            "recipient": message.to.lstrip("+"),
            "content": message.body,
            "type": SMS_TYPE,
            "unicodeEnabled": count(message.body).encoding == UCS2,
        }
        if message.reference:
            body["tag"] = str(message.reference)
        if self.web_url:
            body["webUrl"] = self.web_url
        return body

    def send_messages(self, messages):
        messages = list(messages)
        results = []
        opened_here = self.session is None
        self.open()
        try:
            for index, message in enumerate(messages):
                try:
                    result = self.send(message)
                except RetryableSmsError as error:
                    raise RetryableSmsError(str(error), error.retry_after, results) from error
                results.append(result)
                if result.status == FAILED and result.details.get("http_status") in ACCOUNT_ERRORS:
                    skipped = replace(result, details={**result.details, "not_sent": True})
                    results.extend(skipped for _message in messages[index + 1 :])
                    break
        finally:
            if opened_here:
                self.close()
        return results

    def send(self, message) -> SmsResult:
        """Send one message: its result, or RetryableSmsError."""
        try:
            response = self.session.post(
                self.api_url,
                json=self.payload(message),
                headers={"api-key": self.api_key, "accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.ConnectTimeout as error:
            raise RetryableSmsError(_("Brevo could not be reached: %s") % error) from error
        except requests.Timeout:
            return SmsResult(
                UNKNOWN,
                error=_(
                    "Brevo did not answer in time: the SMS may have been sent. "
                    "It is not sent again automatically."
                ),
                code="timeout",
            )
        except requests.ConnectionError as error:
            if never_connected(error):
                raise RetryableSmsError(_("Brevo could not be reached: %s") % error) from error
            return SmsResult(
                UNKNOWN,
                error=_(
                    "The connection to Brevo was lost: the SMS may have been sent. "
                    "It is not sent again automatically."
                ),
                code="connection",
            )
        except requests.RequestException:
            return SmsResult(
                UNKNOWN,
                error=_(
                    "Brevo's answer could not be read: the SMS may have been sent. "
                    "It is not sent again automatically."
                ),
                code="connection",
            )
        return self.result(response)

    def result(self, response) -> SmsResult:
        status = response.status_code
        data = _json(response)
        details = {"http_status": status, **data}
        if 200 <= status < 300:
            message_id = data.get("messageId")
            provider_id = "" if message_id is None else str(message_id)
            return SmsResult(SENT, provider_id=provider_id, details=details)
        message = str(data.get("message") or response.reason or status)
        if status == 504:
            return SmsResult(
                UNKNOWN,
                error=_(
                    "Brevo's gateway timed out: the SMS may have been sent. "
                    "It is not sent again automatically."
                ),
                code="timeout",
                details=details,
            )
        if status == 429 or status >= 500:
            raise RetryableSmsError(
                _("Brevo refused for now (HTTP %(status)s): %(message)s")
                % {"status": status, "message": message},
                retry_after=retry_after(response),
            )
        return SmsResult(FAILED, error=message, code=str(data.get("code", "")), details=details)
