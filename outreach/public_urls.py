"""The URLs of outreach reached without signing in (outside /admin/).

`outreach_unsubscribe` is the personal one-click unsubscribe link of every
e-mail (`outreach.sending.unsubscribe_url`); `outreach_sms_brevo_inbound`
is the address given to Brevo for SMS events, with `?secret=`.
"""

from django.urls import path

from .views import public

urlpatterns = [
    path("desinscription/<str:token>/", public.unsubscribe, name="outreach_unsubscribe"),
    path(
        "webhooks/sms/brevo/",
        public.brevo_sms_inbound,
        name="outreach_sms_brevo_inbound",
    ),
]
