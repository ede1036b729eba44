"""The likely-duplicates notice at the top of a creation form."""

from wagtail.admin.panels import Panel


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
