"""Listing columns whose cells are built without a template.

A listing page draws a hundred cells or more, and Wagtail renders each
through its own template: about a third of a page's server time. These
columns keep Wagtail's `Column` (header, ordering, accessor) and only build
the cell itself with `format_html`, escaping the value the same way.
"""

from django.utils.formats import localize
from django.utils.html import format_html
from wagtail.admin.ui.tables import Column

from ..chips import chip_html, chips_html


class PlainColumn(Column):
    def cell_content(self, value):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value
        return localize(value)

    def render_cell_html(self, instance, parent_context):
        value = self.get_value(instance)
        if value is None or not str(value).strip():
            value = self.empty_value_display
        classname = format_html(' class="{}"', self.classname) if self.classname else ""
        return format_html("<td{}>{}</td>", classname, self.cell_content(value))


class ChipColumn(PlainColumn):
    """One interest centre, as a chip."""

    def cell_content(self, value):
        return chip_html(value) if value else value


class ChipsColumn(PlainColumn):
    """Every interest centre of an organisation, as chips."""

    def render_cell_html(self, instance, parent_context):
        classname = format_html(' class="{}"', self.classname) if self.classname else ""
        return format_html("<td{}>{}</td>", classname, chips_html(self.get_value(instance)))
