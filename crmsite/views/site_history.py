"""The site history report, with its spreadsheet exports made safe.

Wagtail's report writes names as they are; a search or an organisation named
"=HYPERLINK(...)" would become a formula in the downloaded file. Like every
export of this product, each text cell that starts like a formula is written
as text (`directory.exports.escape_formula`). What each user sees is decided
by each log model's `viewable_by_user` (see `selections.models`).
"""

from wagtail.admin.views.reports.audit_logging import LogEntriesView

from directory.exports import escape_formula


class SiteHistoryView(LogEntriesView):
    def preprocess_field_value(self, field, value, export_format):
        return escape_formula(super().preprocess_field_value(field, value, export_format))
