"""The dashboard (Wagtail's home page): what starts the day, by role.

Staff and administrators find the directory's quick search (the directory's
own panel), the records they viewed and changed lately, their searches and
baskets and those shared with them, and the places where later features put
their own panels (tasks of the day, open tickets, campaigns in progress).
The activity of the agency's other applications (a chart per month, and
the API clients' last use for administrators) is `activity_dashboard`'s.
Clients find what their area is for. Wagtail's page-centred panels are
dropped: this product has no pages.

"Recently viewed" is a short list of record keys on the user
(`User.recently_viewed`), filled by `RecentlyViewedMiddleware` when a record
(fiche) or its edit form answers 200, so that yesterday's records are still
there the next morning; the directory's views stay untouched. "Recently
changed" reads the user's own entries of the audit log.
Every record shown is read again through the default managers, so a record
moved to the trash meanwhile disappears from both lists.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component
from wagtail.models import ModelLogEntry

from directory.models import Organisation, Person
from selections.models import SHARE_ACTION, Basket, SavedSearch, SelectionLogEntry

from .activity_dashboard import activity_panels
from .roles import is_client

RECENT_COUNT = 10
RECORD_MODELS = {"organisation": Organisation, "person": Person}
RECORD_VIEWS = {
    f"wagtailsnippets_directory_{name}:{view}": name
    for name in RECORD_MODELS
    for view in ("inspect", "edit")
}
CHANGE_ACTIONS = ("wagtail.create", "wagtail.edit")
SELECTIONS_SHOWN = 8


def remember_viewed(user, kind: str, pk) -> None:
    """Put `kind`-`pk` first in the user's recently viewed records (one
    UPDATE, and none when it is first already)."""
    key = f"{kind}-{pk}"
    current = list(user.recently_viewed or [])
    if current[:1] == [key]:
        return
    keys = [key, *(k for k in current if k != key)][:RECENT_COUNT]
    get_user_model()._default_manager.filter(pk=user.pk).update(recently_viewed=keys)
    user.recently_viewed = keys


class RecentlyViewedMiddleware:
    """Records each organisation or person whose fiche (or form) a user opens."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        kind = match and RECORD_VIEWS.get(match.view_name)
        if (
            kind
            and request.method == "GET"
            and response.status_code == 200
            and request.user.is_authenticated
        ):
            pk = match.kwargs.get("pk")
            if pk and str(pk).isdigit():
                remember_viewed(request.user, kind, int(pk))
        return response


def _records(keys: list[str]) -> list:
    """The records behind `kind-pk` keys, in the keys' order, trash left out."""
    wanted: dict[str, list[int]] = {}
    for key in keys:
        kind, _sep, pk = key.partition("-")
        if kind in RECORD_MODELS and pk.isdigit():
            wanted.setdefault(kind, []).append(int(pk))
    found = {}
    for kind, pks in wanted.items():
        for record in RECORD_MODELS[kind].objects.filter(pk__in=pks):
            found[f"{kind}-{record.pk}"] = record
    return [found[key] for key in keys if key in found]


def _record_row(record, when=None) -> dict:
    kind = record._meta.model_name
    return {
        "record": record,
        "icon": "group" if kind == "organisation" else "user",
        "kind": record._meta.verbose_name,
        "url": reverse(f"wagtailsnippets_directory_{kind}:inspect", args=[record.pk]),
        "when": when,
    }


def recently_viewed(request) -> list[dict]:
    keys = [key for key in (request.user.recently_viewed or []) if isinstance(key, str)]
    return [_record_row(r) for r in _records(keys)]


def recently_changed(user) -> list[dict]:
    """The records `user` created or edited last, latest first, each once."""
    types = ContentType.objects.get_for_models(*RECORD_MODELS.values())
    kinds = {ct.pk: model._meta.model_name for model, ct in types.items()}
    entries = (
        ModelLogEntry.objects.filter(
            user=user, action__in=CHANGE_ACTIONS, content_type__in=list(types.values())
        )
        .order_by("-timestamp", "-pk")
        .values_list("content_type_id", "object_id", "timestamp")[: RECENT_COUNT * 5]
    )
    latest: dict[str, object] = {}
    for content_type_id, object_id, timestamp in entries:
        key = f"{kinds[content_type_id]}-{object_id}"
        latest.setdefault(key, timestamp)
        if len(latest) == RECENT_COUNT:
            break
    return [
        _record_row(record, latest[f"{record._meta.model_name}-{record.pk}"])
        for record in _records(list(latest))
    ]


def _share_dates(selections) -> dict:
    """When each selection was last shared: {(model name, pk): timestamp}."""
    dates = {}
    for model, items in selections.items():
        if not items:
            continue
        content_type = ContentType.objects.get_for_model(model)
        entries = SelectionLogEntry.objects.filter(
            content_type=content_type,
            action=SHARE_ACTION,
            object_id__in=[str(item.pk) for item in items],
        ).values_list("object_id", "timestamp")
        for object_id, timestamp in entries:
            key = (model._meta.model_name, int(object_id))
            dates[key] = max(dates.get(key, timestamp), timestamp)
    return dates


def _selection_url(selection) -> str:
    if isinstance(selection, SavedSearch):
        return reverse("selections_searches:results", args=[selection.pk])
    return reverse("selections_baskets:basket", args=[selection.pk])


def _selection_rows(items, dates=None) -> list[dict]:
    return [
        {
            "selection": item,
            "kind": item._meta.verbose_name,
            "icon": "search" if isinstance(item, SavedSearch) else "tasks",
            "url": _selection_url(item),
            "shared_by": item.owner,
            "shared_at": (dates or {}).get((item._meta.model_name, item.pk)),
            "updated_at": item.updated_at,
        }
        for item in items
    ]


def selections_for(user) -> dict:
    """The user's own searches and baskets, and those shared with them."""
    own, shared = [], []
    for model in (SavedSearch, Basket):
        own += model.objects.owned_by(user).order_by("-updated_at")[:SELECTIONS_SHOWN]
        shared += (
            model.objects.shared_with(user)
            .select_related("owner")
            .order_by("-updated_at")[:SELECTIONS_SHOWN]
        )
    own.sort(key=lambda item: item.updated_at, reverse=True)
    dates = _share_dates(
        {
            model: [item for item in shared if isinstance(item, model)]
            for model in (SavedSearch, Basket)
        }
    )
    shared_rows = _selection_rows(shared, dates)
    shared_rows.sort(key=lambda row: row["shared_at"] or row["updated_at"], reverse=True)
    return {
        "own": _selection_rows(own[:SELECTIONS_SHOWN]),
        "shared": shared_rows[:SELECTIONS_SHOWN],
    }


class DashboardPanel(Component):
    def __init__(self, request):
        self.request = request


class RecentRecordsPanel(DashboardPanel):
    name = "recent_records"
    order = 20
    template_name = "crmsite/dashboard/recent_records.html"

    def get_context_data(self, parent_context=None):
        return {
            "viewed": recently_viewed(self.request),
            "changed": recently_changed(self.request.user),
        }


class SelectionsPanel(DashboardPanel):
    name = "selections"
    order = 30
    template_name = "crmsite/dashboard/selections.html"

    def get_context_data(self, parent_context=None):
        return {
            **selections_for(self.request.user),
            "searches_url": reverse("selections_searches:index"),
            "baskets_url": reverse("selections_baskets:index"),
        }


# Places kept for features to come. A feature adds its own dashboard panel
# under the name given here (through `construct_homepage_panels`), and its
# announcement leaves the dashboard.
UPCOMING = (
    (
        "tasks_of_the_day",
        "date",
        _("Tasks of the day"),
        _("Your tasks and reminders for today will appear here, with the planner."),
    ),
    (
        "open_tickets",
        "help",
        _("Open tickets"),
        _("The helpdesk tickets waiting for an answer will appear here."),
    ),
    (
        "campaigns_in_progress",
        "mail",
        _("Campaigns in progress"),
        _("Campaigns being prepared or sent (emails, SMS, postal labels) will appear here."),
    ),
)


class UpcomingPanel(Component):
    name = "upcoming"
    order = 90
    template_name = "crmsite/dashboard/upcoming.html"

    def __init__(self, present: set[str]):
        self.items = [
            {"name": name, "icon": icon, "title": title, "text": text}
            for name, icon, title, text in UPCOMING
            if name not in present
        ]

    def is_shown(self, parent_context=None):
        return bool(self.items)

    def render_html(self, parent_context=None):
        return super().render_html(parent_context) if self.items else ""

    def get_context_data(self, parent_context=None):
        return {"items": self.items}


class ClientAreaPanel(DashboardPanel):
    name = "client_area"
    order = 10
    template_name = "crmsite/dashboard/client_area.html"

    def get_context_data(self, parent_context=None):
        return {"account_url": reverse("wagtailadmin_account"), "user": self.request.user}


# Wagtail's own panels, about pages and their workflows.
CMS_PANELS = {
    "whats_new_in_wagtail_version",
    "user_objects_in_workflow_moderation",
    "workflow_objects_to_moderate",
    "recent_edits",
    "locked_pages",
}
# The directory's quick-search panel: the dashboard's header search is that search.
REPLACED_BY_HEADER = {"directory_search"}


def shape_dashboard(request, panels) -> None:
    """The `construct_homepage_panels` hook: run after every app has added its own."""
    if is_client(request.user):
        panels[:] = [ClientAreaPanel(request)]
        return
    dropped = CMS_PANELS | REPLACED_BY_HEADER
    panels[:] = [panel for panel in panels if getattr(panel, "name", "") not in dropped]
    user = request.user
    if user.has_perm("directory.view_person") and user.has_perm("directory.view_organisation"):
        panels.append(RecentRecordsPanel(request))
    if user.has_perm("selections.view_savedsearch"):
        panels.append(SelectionsPanel(request))
    activity_panels(request, panels)
    panels.append(UpcomingPanel({getattr(panel, "name", "") for panel in panels}))
