"""Listing columns whose cells do not each go through a template.

A listing page draws a hundred cells or more, and Wagtail renders each
through its own template: about a third of a page's server time. The plain
columns keep Wagtail's `Column` (header, ordering, accessor) and only build
the cell itself with `format_html`, escaping the value the same way. The
title column renders Wagtail's own template once per shape of row and
stamps each row with its values (`StampedTitleColumn`).
"""

import copy as pycopy
import re
import secrets

from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.widgets.button import Button, ButtonWithDropdown

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
    """One interest area, as a chip."""

    def cell_content(self, value):
        return chip_html(value) if value else value


class ChipsColumn(PlainColumn):
    """Every interest area of an organisation, as chips."""

    def render_cell_html(self, instance, parent_context):
        classname = format_html(' class="{}"', self.classname) if self.classname else ""
        return format_html("<td{}>{}</td>", classname, chips_html(self.get_value(instance)))


# Markers stand for a row's own values while a cell template is rendered:
# letters and digits only, so that escaping leaves them as they are.
_MARK = f"stamp{secrets.token_hex(8)}n"
_MARKS = re.compile(rf"{_MARK}(\d+)x")


class _Stamp:
    """A title cell's context with markers in place of the row's own values
    (`marked`), the values they stand for, escaped as the template escapes
    them, and a key naming everything else the template reads (`key`).

    `of()` gives None for a row this cannot describe; it is then rendered
    the ordinary way. So does an empty value: a template may test it, and a
    marker is never empty.
    """

    class Unfit(Exception):
        """The row has something `_Stamp` does not describe."""

    def __init__(self):
        self.values: list[str] = []
        self.key: list = []

    def mark(self, value) -> str:
        if not isinstance(value, str) or isinstance(value, SafeData) or not value:
            raise self.Unfit
        self.values.append(str(conditional_escape(value)))
        return f"{_MARK}{len(self.values) - 1}x"

    @classmethod
    def of(cls, context):
        stamp = cls()
        try:
            stamp.marked = stamp._marked(context)
        except cls.Unfit:
            return None
        stamp.key = tuple(stamp.key)
        return stamp

    def _marked(self, context) -> dict:
        if context.get("label_id") is not None:
            raise self.Unfit
        link_attrs = dict(context["link_attrs"])
        if not all(isinstance(v, str) for v in link_attrs.values()):
            raise self.Unfit
        marked = {**context, "instance": None, "row": None, "raw_value": None}
        marked["value"] = self.mark(context.get("value"))
        marked["link_url"] = link_attrs["href"] = self.mark(context.get("link_url"))
        marked["link_attrs"] = link_attrs
        self.key.append(tuple(sorted((k, v) for k, v in link_attrs.items() if k != "href")))
        if (title_id := context.get("title_id")) is not None:
            marked["title_id"] = self.mark(title_id)
        self.key.append(title_id is None)
        buttons = []
        for button in context.get("buttons", []):
            if type(button) is ButtonWithDropdown:
                self.key.append(("dropdown", len(button.dropdown_buttons)))
                copy = self._button(button, url=False)
                copy.dropdown_buttons = [self._button(item) for item in button.dropdown_buttons]
            else:
                copy = self._button(button)
            buttons.append(copy)
        marked["buttons"] = buttons
        return marked

    def _button(self, button, url=True):
        """A copy of a plain button (or a dropdown's toggle) with its URL and
        aria-label marked; any other kind of button is unfit."""
        if url and type(button) is not Button:
            raise self.Unfit
        attrs = dict(button.attrs)
        if not all(isinstance(v, str) for v in attrs.values()):
            raise self.Unfit
        if not all(isinstance(v, str | None) for v in (button.label, button.icon_name)):
            raise self.Unfit
        copy = pycopy.copy(button)
        if "aria-label" in attrs:
            attrs["aria-label"] = self.mark(attrs["aria-label"])
        copy.attrs = attrs
        if button.url is not None:
            copy.url = self.mark(button.url)
        self.key.append(
            (
                type(button).__name__,
                button.label,
                button.icon_name,
                button.classname,
                button.priority,
                button.show,
                button.url is None,
                tuple(sorted((k, v) for k, v in button.attrs.items() if k != "aria-label")),
                "aria-label" in attrs,
            )
        )
        return copy

    def apply(self, html: str) -> SafeString:
        # The template's output with escaped values in place of its markers.
        return mark_safe(_MARKS.sub(lambda match: self.values[int(match.group(1))], html))  # noqa: S308


class StampedTitleColumn(TitleColumn):
    """Wagtail's title cell (the name, its link and the "…" menu of actions),
    rendered through Wagtail's own template once per shape of row, then
    stamped.

    The template costs over a millisecond a row, a third of a listing page's
    server time, while its rows differ only in a few values (the name, the
    URLs, the ids). So it is rendered once with markers in their place, and
    each row's cell is that HTML with the markers replaced by the row's
    values, escaped as the template escapes them. A row of another shape
    (other buttons or labels) gets its own rendering; one the stamp cannot
    describe is rendered the ordinary way. The first row of each shape is
    rendered both ways: if they differ (a template that alters a value or
    reads the row itself), that shape is always rendered the ordinary way.
    Columns live for one request, and so does what they remember.
    tests/directory/test_listings.py checks that stamped cells are the
    template's.
    """

    def render_cell_html(self, instance, parent_context):
        context = self.get_cell_context_data(instance, parent_context)
        stamp = _Stamp.of(context)
        if stamp is None:
            return self.cell_template.render(context)
        stamps = self.__dict__.setdefault("_stamps", {})
        html = stamps.get(stamp.key)
        if html is None:
            ordinary = self.cell_template.render(context)
            html = self.cell_template.render(stamp.marked)
            stamps[stamp.key] = html if stamp.apply(html) == ordinary else False
            return ordinary
        if html is False:
            return self.cell_template.render(context)
        return stamp.apply(html)
