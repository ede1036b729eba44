"""The results table of a search or a basket (django-tables2, Wagtail's look).

The rows are never all loaded: `ResolvedRows` gives django-tables2 a length
(one COUNT) and pages (one keys query plus one query per kind of row), and
ordering happens in the database (`selections.resolution.keys`).
"""

import django_tables2 as tables
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableData
from django_tables2.utils import OrderBy

from . import resolution
from .disclosure import read_frozen_reason
from .resolution import ORGANISATION, PERSONAL, POSITION

PER_PAGE = 50
MAX_PER_PAGE = 200  # a larger page size asked for in the URL is this one
NOWRAP = {"style": "white-space: nowrap"}


class ResolvedRows(TableData):
    """Rows of `selections.criteria.Rows`, counted, ordered and paged in SQL."""

    def __init__(self, rows):
        super().__init__(rows)
        self.rows = rows
        self.order = "name"

    @cached_property
    def length(self) -> int:
        return resolution.count(self.rows)

    def __len__(self):
        return self.length

    def __iter__(self):
        return iter(self[0 : self.length])

    def __getitem__(self, key):
        if isinstance(key, slice):
            return resolution.page(self.rows, key.start or 0, key.stop, self.order)
        return resolution.page(self.rows, key, key + 1, self.order)[0]

    def order_by(self, aliases):
        for alias in aliases:
            order = OrderBy(alias)
            bare = order.bare
            if bare in ("name", "capacity"):
                field = "name" if bare == "name" else "organisation"
                self.order = f"-{field}" if order.is_descending else field
                return

    @property
    def ordering(self):
        return None

    @property
    def verbose_name(self):
        return _("row")

    @property
    def verbose_name_plural(self):
        return _("rows")


def record_url(row) -> str:
    if row.kind == ORGANISATION:
        return reverse(
            "wagtailsnippets_directory_organisation:inspect", args=(row.organisation.pk,)
        )
    return reverse("wagtailsnippets_directory_person:inspect", args=(row.person.pk,))


class RowsTable(tables.Table):
    """One row per person in one capacity (or per organisation)."""

    select = tables.Column(
        verbose_name="", empty_values=(), orderable=False, attrs={"td": {"class": "crm-select"}}
    )
    name = tables.Column(verbose_name=_("Name"), empty_values=())
    capacity = tables.Column(verbose_name=_("Capacity"), empty_values=())
    email = tables.Column(verbose_name=_("E-mail"), empty_values=(), orderable=False)
    phone = tables.Column(
        verbose_name=_("Phone"), empty_values=(), orderable=False, attrs={"td": NOWRAP}
    )
    mobile = tables.Column(
        verbose_name=_("Mobile"), empty_values=(), orderable=False, attrs={"td": NOWRAP}
    )
    address = tables.Column(verbose_name=_("Address"), empty_values=(), orderable=False)
    reasons = tables.Column(verbose_name=_("Why it matched"), empty_values=(), orderable=False)

    class Meta:
        attrs = {"class": "listing crm-rows"}
        template_name = "selections/includes/table.html"
        orderable = True

    def __init__(self, data, *, columns=None, selectable=False, **kwargs):
        shown = ["select"] if selectable else []
        shown += ["name", "capacity", *(columns or DEFAULT_COLUMNS)]
        exclude = [name for name in self.base_columns if name not in shown]
        super().__init__(ResolvedRows(data), exclude=exclude, **kwargs)

    def render_select(self, record):
        return format_html(
            '<input type="checkbox" name="row" value="{}" form="crm-rows-form" aria-label="{}">',
            record.key,
            record.name,
        )

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', record_url(record), record.name)

    def render_capacity(self, record):
        if record.kind == POSITION:
            organisation_url = reverse(
                "wagtailsnippets_directory_organisation:inspect", args=(record.organisation.pk,)
            )
            return format_html(
                '{} – <a href="{}">{}</a>',
                record.position.label,
                organisation_url,
                record.organisation,
            )
        if record.kind == PERSONAL:
            return format_html('<span class="crm-muted">{}</span>', _("personal"))
        return format_html('<span class="crm-muted">{}</span>', record.capacity)

    def render_email(self, record):
        return record.email or "—"

    def render_phone(self, record):
        return record.phone or "—"

    def render_mobile(self, record):
        return record.mobile or "—"

    def render_address(self, record):
        lines = record.address_lines
        if not lines:
            return "—"
        return format_html_join(format_html("<br>"), "{}", ((line,) for line in lines))

    def render_reasons(self, record):
        if not record.reasons:
            return "—"
        return format_html(
            "<ul class='crm-reasons'>{}</ul>",
            format_html_join("", "<li>{}</li>", ((reason,) for reason in record.reasons)),
        )


OPTIONAL_COLUMNS = {
    "email": _("E-mail"),
    "phone": _("Phone"),
    "mobile": _("Mobile"),
    "address": _("Address"),
    "reasons": _("Why it matched"),
}
DEFAULT_COLUMNS = ["email", "phone", "reasons"]


def chosen_columns(values) -> list[str]:
    """The optional columns asked for (unknown names ignored), or the defaults."""
    chosen = [value for value in values if value in OPTIONAL_COLUMNS]
    return chosen or list(DEFAULT_COLUMNS)


class SnapshotRowsTable(tables.Table):
    """A snapshot's rows as they were frozen (`selections.models.SnapshotRow`),
    in the order they were kept; the reasons are read as `disclosure`'s reader
    may read them (`selections.disclosure.read_frozen_reason`)."""

    name = tables.Column(verbose_name=_("Name"), empty_values=())
    capacity = tables.Column(verbose_name=_("Capacity"), empty_values=())
    email = tables.Column(verbose_name=_("E-mail"), empty_values=())
    phone = tables.Column(verbose_name=_("Phone"), empty_values=(), attrs={"td": NOWRAP})
    mobile = tables.Column(verbose_name=_("Mobile"), empty_values=(), attrs={"td": NOWRAP})
    address = tables.Column(verbose_name=_("Address"), empty_values=())
    reasons = tables.Column(verbose_name=_("Why it matched"), empty_values=())

    class Meta:
        attrs = {"class": "listing crm-rows crm-snapshot-rows"}
        template_name = "selections/includes/table.html"
        orderable = False

    def __init__(self, data, *, disclosure, **kwargs):
        self.disclosure = disclosure
        super().__init__(data, **kwargs)

    def render_name(self, value):
        return value or "—"

    def render_capacity(self, value):
        return value or "—"

    def render_email(self, value):
        return value or "—"

    def render_phone(self, value):
        return value or "—"

    def render_mobile(self, value):
        return value or "—"

    def render_address(self, value):
        lines = [line for line in (value or "").splitlines() if line.strip()]
        if not lines:
            return "—"
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))

    def render_reasons(self, value):
        reasons = [read_frozen_reason(reason, self.disclosure) for reason in value or []]
        reasons = [reason for reason in reasons if reason]
        if not reasons:
            return "—"
        return format_html(
            "<ul class='crm-reasons'>{}</ul>",
            format_html_join("", "<li>{}</li>", ((reason,) for reason in reasons)),
        )
