"""The site history report, with its spreadsheet exports made safe.

Wagtail's report writes names as they are; a search or an organisation named
"=HYPERLINK(...)" would become a formula in the downloaded file. Like every
export of this product, each text cell that starts like a formula is written
as text (`directory.exports.escape_formula`). What each user sees is decided
by each log model's `viewable_by_user` (see `selections.models`); a log model
whose manager has `hide_names` shows some entries without their name (an
administrator reads that a colleague's private basket was exported, not its
name), and the "Name" filter finds an entry only by a name its reader may read.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet

from directory.exports import escape_formula


class SiteHistoryFilterSet(SiteHistoryReportFilterSet):
    label = django_filters.CharFilter(label=_("Name"), method="filter_label")

    def filter_label(self, queryset, name, value):
        queryset = queryset.filter(label__icontains=value)
        named_for = getattr(queryset, "named_for", None)
        return named_for(self.request.user) if named_for else queryset


class SiteHistoryView(LogEntriesView):
    filterset_class = SiteHistoryFilterSet

    def decorate_paginated_queryset(self, queryset):
        entries = super().decorate_paginated_queryset(queryset)
        for log_model in self.log_models:
            hide_names = getattr(log_model.objects, "hide_names", None)
            if hide_names is not None:
                hide_names(entries, self.request.user)
        return entries

    def preprocess_field_value(self, field, value, export_format):
        return escape_formula(super().preprocess_field_value(field, value, export_format))
