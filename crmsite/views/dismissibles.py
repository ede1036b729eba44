"""Wagtail's dismissibles (which banners and tips a user closed), guarded.

Wagtail's view merges any JSON body into the user's profile: a list or a
number answers 500, and the profile grows without bound. Here a change must
be a JSON object of at most `MAX_KEYS` short keys, each with a plain value,
and the profile keeps at most `MAX_KEYS` entries.
"""

import json

from django.http import HttpResponseBadRequest
from wagtail.admin.views.dismissibles import DismissiblesView

MAX_KEYS = 100
MAX_TEXT = 200


def _plain(value) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_TEXT
    return value is None or isinstance(value, bool | int | float)


class GuardedDismissiblesView(DismissiblesView):
    def patch(self, request, *args, **kwargs):
        try:
            updates = json.loads(request.body)
        except ValueError:
            return HttpResponseBadRequest()
        if not (
            isinstance(updates, dict)
            and len(updates) <= MAX_KEYS
            and all(len(key) <= MAX_TEXT and _plain(value) for key, value in updates.items())
        ):
            return HttpResponseBadRequest()
        profile = getattr(request.user, "wagtail_userprofile", None)
        known = set(profile.dismissibles) if profile else set()
        if len(known | set(updates)) > MAX_KEYS:
            return HttpResponseBadRequest()
        return super().patch(request, *args, **kwargs)
