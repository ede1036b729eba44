from modelcluster.forms import BaseChildFormSet
from wagtail.admin.panels import InlinePanel, Panel


class LikelyDuplicatesPanel(Panel):
    """Lists the records the new one probably duplicates, with the "create anyway" box.

    Shown only on a creation form whose check found candidates.
    """

    class BoundPanel(Panel.BoundPanel):
        template_name = "directory/panels/likely_duplicates.html"

        def is_shown(self):
            return bool(getattr(self.form, "likely_duplicates", None)) and (
                "create_anyway" in self.form.fields
            )

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["duplicates"] = self.form.likely_duplicates
            context["field"] = self.form["create_anyway"]
            return context


MAX_POSITION_ROWS = 200


class BoundedChildFormSet(BaseChildFormSet):
    """Never builds more rows than MAX_POSITION_ROWS, whatever TOTAL_FORMS says.

    Django would otherwise build up to max_num + 1,000 forms from a tampered
    management form before refusing it, which takes minutes.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.absolute_max = MAX_POSITION_ROWS


class PositionsInlinePanel(InlinePanel):
    """Positions inline, at most MAX_POSITION_ROWS of them per form."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_num", MAX_POSITION_ROWS)
        super().__init__(*args, **kwargs)

    def get_form_options(self):
        options = super().get_form_options()
        for formset in options.get("formsets", {}).values():
            formset["formset"] = BoundedChildFormSet
        return options
