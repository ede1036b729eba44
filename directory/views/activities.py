"""« Activité » on an organisation's or a person's record: what they did
elsewhere (orders, rentals… recorded by the agency's other applications),
latest first, and the totals per year and kind.

Added through the records' extension point (`directory_record_panels`, see
`directory.views.records`), for whoever may read the record: staff and
administrators, never clients (who reach no record). The panel reads
through `directory.activities`; a record in the trash shows nothing.
"""

import json

from django.utils.translation import gettext as _
from wagtail.admin.ui.components import Component

from .. import activities
from ..models import Organisation, Person

SHOWN = 25
MAX_DETAILS_SHOWN = 20


def _details(details) -> list[tuple[str, str]]:
    """The free details as (name, value) lines, plain text, a few only."""
    if not isinstance(details, dict):
        return []
    lines = []
    for name, value in list(details.items())[:MAX_DETAILS_SHOWN]:
        if isinstance(value, dict | list):
            try:
                value = json.dumps(value, ensure_ascii=False)
            except (TypeError, ValueError, RecursionError):
                value = "…"
        elif value is None:
            value = "—"
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        lines.append((str(name)[:100], str(value)[:300]))
    return lines


class RecordActivitiesPanel(Component):
    template_name = "directory/panels/record_activities.html"

    def __init__(self, record):
        self.record = record

    @classmethod
    def for_record(cls, request, record):
        if not isinstance(record, Organisation | Person) or record.is_trashed:
            return None
        if not request.user.has_perm(f"directory.view_{record._meta.model_name}"):
            return None
        return cls(record)

    def get_context_data(self, parent_context=None):
        shown = activities.timeline(self.record, limit=SHOWN + 1)
        more = 0
        if len(shown) > SHOWN:
            shown = shown[:SHOWN]
            more = activities.activities_of(self.record).count() - SHOWN
        rows = [
            {
                "activity": activity,
                "amount": activities.format_amount(activity.amount, activity.currency),
                "details": _details(activity.details),
            }
            for activity in shown
        ]
        return {"rows": rows, "more": more, "years": activities.totals(self.record)}
