"""What the organisation and person listings share: the simple search, a
count that does not scan a million rows, page-only annotations, and exports
whose cells cannot run as spreadsheet formulae."""

from django.db import connections
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.paginator import WagtailPaginator
from wagtail.snippets.views.snippets import IndexView

from ..exports import escape_formula
from ..search import capped_count, search, sort_matches

COUNT_CAP = 10_000
# A search counts its matches up to here. The count also decides how the
# matches are sorted (see `directory.search.sort_matches`): below it, a name
# that clusters along the name index ("lefevre": thousands of rows in one
# place) is fetched through the trigram index instead of walking to it.
SEARCH_COUNT_CAP = COUNT_CAP
PAGE_SIZES = ("25", "50", "100")
ESTIMATE_ABOVE = 50_000


class DirectoryPaginator(WagtailPaginator):
    """Counts exactly up to COUNT_CAP, then says "more than 10,000".

    An unfiltered listing on PostgreSQL uses the planner's row estimate
    instead of COUNT(*), which would read the whole table on every page.
    """

    count_is_estimate = False
    count_is_capped = False

    @cached_property
    def count(self):
        queryset = self.object_list
        estimate = self._estimate(queryset)
        if estimate is not None:
            self.count_is_estimate = True
            return estimate
        counted = queryset.order_by()[: COUNT_CAP + 1].count()
        if counted > COUNT_CAP:
            self.count_is_capped = True
            return COUNT_CAP
        return counted

    @staticmethod
    def _estimate(queryset):
        connection = connections[queryset.db]
        if connection.vendor != "postgresql" or queryset.query.where:
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
        if not row or row[0] < ESTIMATE_ABOVE:
            return None
        return int(row[0])

    @cached_property
    def items_count_label(self):
        count = self.count
        name = self.verbose_name if count == 1 else self.verbose_name_plural
        number = f"{count:,}".replace(",", "\u202f")
        if self.count_is_estimate:
            return _("about %(count)s %(name)s") % {"count": number, "name": name}
        if self.count_is_capped:
            return _("more than %(count)s %(name)s") % {"count": number, "name": name}
        return ngettext("%(count)s %(name)s", "%(count)s %(name)s", count) % {
            "count": number,
            "name": name,
        }


class DirectoryIndexView(IndexView):
    """A listing searched with `directory.search`, not Wagtail's search backend."""

    paginator_class = DirectoryPaginator
    is_searchable = True

    def get_paginate_by(self, queryset):
        paginate_by = super().get_paginate_by(queryset)
        if paginate_by and self.request.GET.get("per_page") in PAGE_SIZES:
            return int(self.request.GET["per_page"])
        return paginate_by

    search_count = None

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        queryset = search(queryset, self.search_query)
        self.search_count = capped_count(queryset, SEARCH_COUNT_CAP)
        return sort_matches(queryset, self.search_count, SEARCH_COUNT_CAP)

    def get_paginator(self, *args, **kwargs):
        paginator = super().get_paginator(*args, **kwargs)
        if self.search_count is not None:
            # Counted once while searching; the paginator reuses it.
            paginator.count_is_capped = self.search_count > SEARCH_COUNT_CAP
            paginator.__dict__["count"] = min(self.search_count, SEARCH_COUNT_CAP)
        return paginator

    def preprocess_field_value(self, field, value, export_format):
        return escape_formula(super().preprocess_field_value(field, value, export_format))
