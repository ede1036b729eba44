"""The templates' screens: e-mail, SMS and label sheets, one Wagtail
ModelViewSet each (`outreach_emailtemplates`, `outreach_smstemplates`,
`outreach_labeltemplates`).

Administrators create, edit and delete them, through
`actions.save_template` and `actions.delete_template`: a merge field that
does not exist, a `{{` never closed, a sheet whose labels run off the page
are shown on the field concerned and nothing is saved. Staff read them
(the listing and each template's read-only page) and change nothing: the
model permissions of their role give them "view" only, so Wagtail answers
403 on the forms. Beside the editor of an e-mail or an SMS, the merge
fields one may type (`outreach.email.merge.FIELDS`, in the user's
language); the SMS body counts its characters and SMS as one types
(`SmsTextarea`); a label sheet offers the usual sheets
(`outreach.postal.layouts.PRESETS`), which fill in its dimensions.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaks_filter
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy, pgettext
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from directory.phrases import Phrases, register_phrases
from directory.views.phrased import PhrasedViewSetMixin
from selections.views.common import add_errors

from .. import actions
from ..email.merge import FIELDS
from ..forms import DIMENSIONS, EmailTemplateForm, LabelTemplateForm, SmsTemplateForm
from ..models import EmailTemplate, LabelTemplate, SmsTemplate


def _phrases(one, article_new, created, saved, deleted, none_yet, no_match, confirm, used):
    return Phrases(
        add=one,
        new=article_new,
        created=created,
        updated=saved,
        deleted=deleted,
        not_created=gettext_lazy("The template could not be created: correct the fields shown."),
        not_saved=gettext_lazy("The template could not be saved: correct the fields shown."),
        confirm_delete=confirm,
        none_yet=none_yet,
        no_match=no_match,
        referenced=used,
    )


register_phrases(
    EmailTemplate,
    _phrases(
        gettext_lazy("Add an e-mail template"),
        gettext_lazy("New e-mail template"),
        gettext_lazy("E-mail template “%(object)s” created."),
        gettext_lazy("E-mail template “%(object)s” saved."),
        gettext_lazy("E-mail template “%(object)s” deleted."),
        gettext_lazy("There are no e-mail templates yet."),
        gettext_lazy("No e-mail template matches your search."),
        gettext_lazy("Delete this e-mail template?"),
        ngettext_lazy(
            "This template is used %(count)s time.", "This template is used %(count)s times."
        ),
    ),
)
register_phrases(
    SmsTemplate,
    _phrases(
        gettext_lazy("Add an SMS template"),
        gettext_lazy("New SMS template"),
        gettext_lazy("SMS template “%(object)s” created."),
        gettext_lazy("SMS template “%(object)s” saved."),
        gettext_lazy("SMS template “%(object)s” deleted."),
        gettext_lazy("There are no SMS templates yet."),
        gettext_lazy("No SMS template matches your search."),
        gettext_lazy("Delete this SMS template?"),
        ngettext_lazy(
            "This template is used %(count)s time.", "This template is used %(count)s times."
        ),
    ),
)
register_phrases(
    LabelTemplate,
    _phrases(
        gettext_lazy("Add a label sheet"),
        gettext_lazy("New label sheet"),
        gettext_lazy("Label sheet “%(object)s” created."),
        gettext_lazy("Label sheet “%(object)s” saved."),
        gettext_lazy("Label sheet “%(object)s” deleted."),
        gettext_lazy("There are no label sheets yet."),
        gettext_lazy("No label sheet matches your search."),
        gettext_lazy("Delete this label sheet?"),
        ngettext_lazy("This sheet is used %(count)s time.", "This sheet is used %(count)s times."),
    ),
)


def merge_fields() -> list[tuple[str, str]]:
    """("{{ prenom }}", "Prénom") for each merge field, in the user's language."""
    return [("{{ " + field.name() + " }}", str(field.label)) for field in FIELDS]


class TemplateFormMixin:
    """Saved by `actions.save_template`: its refusals on the fields."""

    shows_merge_fields = True

    def form_valid(self, form):
        self.form = form
        try:
            self.object = actions.save_template(
                self.request.user,
                form.instance,
                **{name: form.cleaned_data[name] for name in form._meta.fields},
            )
        except ValidationError as error:
            add_errors(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        return self.save_action()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.shows_merge_fields:
            context["merge_fields"] = merge_fields()
        context["base_template"] = self.base_template
        return context


class TemplateCreateView(TemplateFormMixin, generic.CreateView):
    template_name = "outreach/admin/template_form.html"
    base_template = "wagtailadmin/generic/create.html"


class TemplateEditView(TemplateFormMixin, generic.EditView):
    template_name = "outreach/admin/template_form.html"
    base_template = "wagtailadmin/generic/edit.html"

    def get_editing_sessions(self):
        return None


class TemplateDeleteView(generic.DeleteView):
    def delete_action(self):
        actions.delete_template(self.request.user, self.object)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.request.get_full_path())


LABEL_FIELD_ROWS = (
    ("name",),
    ("preset",),
    ("page_width", "page_height"),
    ("rows", "columns"),
    ("top_margin", "left_margin"),
    ("label_width", "label_height"),
    ("horizontal_pitch", "vertical_pitch"),
    ("show_function", "show_organisation"),
)


class LabelFormMixin:
    """A sheet's dimensions two by two (width and height, rows and columns…)."""

    shows_merge_fields = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["field_rows"] = [[form[name] for name in row] for row in LABEL_FIELD_ROWS]
        return context


class LabelCreateView(LabelFormMixin, TemplateCreateView):
    pass


class LabelEditView(LabelFormMixin, TemplateEditView):
    pass


class TemplateInspectView(generic.InspectView):
    """A template read as it is: its name for a title, the HTML message
    drawn (it was sanitised when saved), the text body's own words."""

    template_name = "outreach/admin/template_inspect.html"

    def get_page_title(self):
        return capfirst(self.model._meta.verbose_name)

    def get_page_subtitle(self):
        return str(self.object)

    def get_field_label(self, field_name, field):
        if self.model is LabelTemplate and field_name == "rows":
            return pgettext("label sheet", "Rows")  # « Rangées », not a basket's « lignes »
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        value = getattr(self.object, field_name, None)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, Decimal):
            return _number(value)
        return super().get_field_display_value(field_name, field)

    def get_html_display_value(self):
        from ..email.sanitise import sanitise_html

        html = mark_safe(sanitise_html(self.object.html))  # noqa: S308  (nh3's allow-list)
        return format_html('<div class="crm-html-preview">{}</div>', html)

    def get_text_display_value(self):
        return self.object.text or _("Derived from the HTML message when sent.")

    def get_body_display_value(self):
        return linebreaks_filter(self.object.body, autoescape=True)


class TemplateIndexView(generic.IndexView):
    extra_columns = ()

    @cached_property
    def columns(self):
        return [
            self._get_title_column("name"),
            *self.extra_columns,
            DateColumn("updated_at", label=_("Updated"), sort_key="updated_at"),
        ]


class EmailIndexView(TemplateIndexView):
    extra_columns = (Column("subject", label=gettext_lazy("Subject")),)


class LabelIndexView(TemplateIndexView):
    extra_columns = (
        Column(
            "sheet",
            label=gettext_lazy("Sheet"),
            accessor=lambda sheet: (
                _("%(columns)s × %(rows)s labels of %(width)s × %(height)s mm")
                % {
                    "columns": sheet.columns,
                    "rows": sheet.rows,
                    "width": _number(sheet.label_width),
                    "height": _number(sheet.label_height),
                }
            ),
        ),
    )


def _number(value) -> str:
    from django.utils.formats import number_format

    return number_format(value.normalize() if hasattr(value, "normalize") else value)


class AdministratorMenuItem(MenuItem):
    """Shown to those who edit templates: staff reach them from a campaign."""

    def is_shown(self, request):
        return request.user.has_perm("outreach.change_emailtemplate")


class TemplateViewSet(PhrasedViewSetMixin, ModelViewSet):
    add_view_class = TemplateCreateView
    edit_view_class = TemplateEditView
    delete_view_class = TemplateDeleteView
    index_view_class = TemplateIndexView
    inspect_view_enabled = True
    inspect_view_class = TemplateInspectView
    copy_view_enabled = False
    add_to_reference_index = False
    menu_item_class = AdministratorMenuItem
    form_class = None
    search_fields = ["name"]

    def get_form_class(self, for_update=False):
        return self.form_class

    def get_common_view_kwargs(self, **kwargs):
        return {**super().get_common_view_kwargs(**kwargs), "usage_url_name": None}

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name != "usage"]


class EmailTemplateViewSet(TemplateViewSet):
    model = EmailTemplate
    name = "outreach_emailtemplates"
    url_prefix = "outreach/email-templates"
    icon = "mail"
    menu_label = capfirst(gettext_lazy("E-mail templates"))
    menu_order = 200
    form_class = EmailTemplateForm
    index_view_class = EmailIndexView
    inspect_view_fields = ["name", "subject", "html", "text"]


class SmsTemplateViewSet(TemplateViewSet):
    model = SmsTemplate
    name = "outreach_smstemplates"
    url_prefix = "outreach/sms-templates"
    icon = "mobile-alt"
    menu_label = capfirst(gettext_lazy("SMS templates"))
    menu_order = 300
    form_class = SmsTemplateForm
    inspect_view_fields = ["name", "body"]


class LabelTemplateViewSet(TemplateViewSet):
    model = LabelTemplate
    name = "outreach_labeltemplates"
    url_prefix = "outreach/label-sheets"
    icon = "doc-full"
    menu_label = capfirst(gettext_lazy("Label sheets"))
    menu_order = 400
    form_class = LabelTemplateForm
    index_view_class = LabelIndexView
    add_view_class = LabelCreateView
    edit_view_class = LabelEditView
    inspect_view_fields = ["name", *DIMENSIONS, "show_function", "show_organisation"]
