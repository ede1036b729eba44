"""The likely-duplicates notice at the top of a creation form.

A warning notice (not a form error) listing the records the new one
probably duplicates, each linked to its record ("fiche") in a new tab with
what matched, and a "Create anyway" button. The form finds them
(`forms.LikelyDuplicateCheckForm`); `LikelyDuplicatesViewMixin` keeps the
create view from adding its red "could not be created" message on top.
"""

from django.urls import reverse
from wagtail.admin.panels import Panel


def candidate_rows(candidates, user):
    """What the notice shows of each candidate: the record, where to open it,
    its current position (for a person), city and e-mail, what matched, and
    whether it is in the trash (then it is opened in the
    trash, where staff restore it, and it cannot be chosen)."""
    from .models import Person
    from .positions_summary import primary_positions
    from .views.trash import may_restore

    people = [c.record.pk for c in candidates if isinstance(c.record, Person)]
    positions = primary_positions(people) if people else {}
    rows = []
    for candidate in candidates:
        record = candidate.record
        position = positions.get(record.pk) if isinstance(record, Person) else None
        details = [f"{position.label}, {position.organisation}"] if position else []
        details += [value for value in (record.city, record.email) if value]
        if candidate.trashed:
            url = (
                reverse("directory_trash:index") + f"?kind={record._meta.model_name}"
                if may_restore(user)
                else ""
            )
        else:
            url = reverse(record.snippet_viewset.get_url_name("inspect"), args=(record.pk,))
        rows.append(
            {
                "record": record,
                "url": url,
                "details": details,
                "trashed": candidate.trashed,
                "reasons": candidate.reason_labels,
            }
        )
    return rows


class LikelyDuplicatesViewMixin:
    """For the create views of forms that check for likely duplicates.

    When the only thing holding the form back is the user's confirmation
    (`form.needs_confirmation`), the form comes back with the notice alone,
    without Wagtail's red "could not be created due to errors" message.
    """

    def is_valid(self, form):
        valid = super().is_valid(form)
        if getattr(form, "needs_confirmation", False):
            self.produced_error_message = None
        return valid


class LikelyDuplicatesPanel(Panel):
    """Lists the records the new one probably duplicates, with the "Create
    anyway" button.

    Shown only on a creation form whose check found candidates.
    """

    def get_form_options(self):
        # The form declares the field; the panel draws it as its button.
        return {"fields": ["create_anyway"]}

    class BoundPanel(Panel.BoundPanel):
        template_name = "directory/panels/likely_duplicates.html"

        def is_shown(self):
            return bool(getattr(self.form, "likely_duplicates", None)) and (
                "create_anyway" in self.form.fields
            )

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["title"] = self.form.duplicate_notice_title
            context["candidates"] = candidate_rows(self.form.likely_duplicates, self.request.user)
            context["create_anyway"] = self.form.needs_confirmation
            return context
