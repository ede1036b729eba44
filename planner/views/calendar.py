"""The private calendar feed: its settings page in the workspace, and the
feed itself at its secret address.

* `planner_tasks:calendar` (/admin/planner/tasks/calendar/): whether the
  user's feed is on, since when, when a calendar last read it; buttons to
  turn it on, give it a new address (the former one stops working), or turn
  it off. The address is shown once, right after it was made: only its
  hash is stored, so it cannot be shown again, only renewed.
* `planner_feed` (/calendrier/<token>.ics, outside the workspace, no
  session: calendar applications cannot sign in): the owner's tasks as
  iCalendar (`planner.feed`). An unknown, revoked or renewed token, or the
  token of an account that is inactive or may no longer use the planner,
  answers 404, the same for all.
"""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import actions, schedule
from ..feed import feed_response
from ..models import CalendarFeed, hash_token
from ..permissions import may_use_planner, require_planner

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
READ_MARK_EVERY = datetime.timedelta(minutes=5)


def feed_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("planner_feed", args=[token]))


class CalendarView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "planner/calendar.html"
    page_title = gettext_lazy("Calendar feed")
    header_icon = "calendar"

    def dispatch(self, request, *args, **kwargs):
        require_planner(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("planner_tasks:list"), "label": _("My tasks")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["feed"] = actions.feed_of(self.request.user)
        return context

    def post(self, request, *args, **kwargs):
        what = request.POST.get("action")
        if what in ("on", "renew"):
            token = actions.turn_feed_on(request.user)
            context = self.get_context_data(
                new_url=feed_url(request, token), renewed=what == "renew"
            )
            response = TemplateResponse(request, self.template_name, context)
            response["Cache-Control"] = "no-store"
            return response
        if what == "off":
            if actions.revoke_feed(request.user):
                messages.success(
                    request,
                    _("Your calendar feed is off: its address no longer answers."),
                )
            return redirect("planner_tasks:calendar")
        raise PermissionDenied


calendar_view = never_cache(CalendarView.as_view())


@require_http_methods(["GET", "HEAD"])
def calendar_feed(request, token: str):
    if not TOKEN_PATTERN.match(token):
        raise Http404
    feed = (
        CalendarFeed.objects.select_related("owner", "owner__wagtail_userprofile")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if feed is None or not may_use_planner(feed.owner):
        raise Http404
    now = schedule.now()
    if feed.last_read_at is None or feed.last_read_at < now - READ_MARK_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)
    return feed_response(request, feed, now=now)
