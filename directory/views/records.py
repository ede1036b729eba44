"""Records ("fiches"): an organisation or a person laid out for reading.

Each record has named places where other apps add their panels (tasks,
tickets, activity, baskets): a function registered with the Wagtail hook
`directory_record_panels` receives (request, record) and returns a
Component (or None); its panels are shown under the record's own sections.
Likewise `directory_record_header_buttons` receives (request, record) and
returns buttons for the header's "…" menu (or an empty list).
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views.snippets import InspectView

from ..forms import CommentForm

RECORD_PANELS_HOOK = "directory_record_panels"
RECORD_HEADER_BUTTONS_HOOK = "directory_record_header_buttons"


class RecordView(InspectView):
    page_title = _("Record")

    def get_fields(self):
        return []

    def get_page_title(self):
        return str(self.object)

    def get_page_subtitle(self):
        return str(self.model._meta.verbose_name).capitalize()

    @cached_property
    def header_buttons(self):
        """ "Edit" as a visible button of the header, not hidden in the "…" menu."""
        buttons = list(super().header_buttons)
        if edit_url := self.get_edit_url():
            buttons.append(
                HeaderButton(
                    _("Edit"),
                    url=edit_url,
                    icon_name="edit",
                    classname="crm-record-edit",
                    attrs={"data-record-edit": ""},
                    priority=10,
                )
            )
        return buttons

    @cached_property
    def header_more_buttons(self):
        edit_url = self.get_edit_url()
        buttons = [button for button in super().header_more_buttons if button.url != edit_url]
        for hook in hooks.get_hooks(RECORD_HEADER_BUTTONS_HOOK):
            buttons.extend(hook(self.request, self.object) or [])
        return buttons

    def get_comments(self):
        return self.object.comments.select_related("author")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        comments = list(self.get_comments())
        for comment in comments:
            comment.user_can_edit = comment.can_edit(user)
            comment.user_can_delete = comment.can_delete(user)
        model_name = self.model._meta.model_name
        context.update(
            {
                "record": self.object,
                "today": timezone.localdate(),
                "comments": comments,
                "comment_form": CommentForm() if user.has_perm("directory.add_comment") else None,
                "comment_add_url": reverse(
                    "directory_comments:add", args=(model_name, self.object.pk)
                ),
                "edit_url": self.get_edit_url(),
                "history_url": reverse(
                    self.model.snippet_viewset.get_url_name("history"), args=(self.object.pk,)
                ),
                "extra_panels": [
                    panel
                    for hook in hooks.get_hooks(RECORD_PANELS_HOOK)
                    if (panel := hook(self.request, self.object)) is not None
                ],
            }
        )
        return context


def split_positions(positions, today):
    """Positions held or about to be (with their start date shown), and ended ones."""
    current, past = [], []
    for position in positions:
        (past if position.has_ended(today) else current).append(position)
    return current, past


class OrganisationRecordView(RecordView):
    template_name = "directory/records/organisation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        positions = self.object.positions.select_related("person", "function").order_by(
            "person__name_key", "pk"
        )
        context["current_positions"], context["past_positions"] = split_positions(
            positions, context["today"]
        )
        return context


class PersonRecordView(RecordView):
    template_name = "directory/records/person.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        positions = self.object.positions.select_related("organisation", "function")
        context["current_positions"], context["past_positions"] = split_positions(
            positions, context["today"]
        )
        return context
