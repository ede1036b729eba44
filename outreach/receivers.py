"""Signal receivers of outreach: the e-mail provider's tracking events.

django-anymail's webhook views (`/webhooks/anymail/<provider>/tracking/`,
crmsite/urls.py) check the shared basic-auth secret
(`ANYMAIL["WEBHOOK_SECRET"]`; a bad or missing one is refused before any
event is read), turn each provider's payload into an
`AnymailTrackingEvent` and send the `tracking` signal. The receiver hands
every event to `actions.record_event`, which stores it once (the provider
may post it again), moves its delivery's status forward only, suppresses
the coordinate on a hard bounce and records an opt-out on a complaint. An
error propagates: anymail answers 500 and the provider posts the event
again later.
"""

from anymail.signals import tracking
from django.dispatch import receiver


@receiver(tracking, dispatch_uid="outreach.record_tracking_event")
def record_tracking_event(sender, event, esp_name, **kwargs):
    from . import actions

    actions.record_event(esp_name, event)
