"""The screens of people's rights: export, erasure, dormant contacts.

Administrators only (`crmsite.manage_personal_data`): everyone else gets a
403 before any record is read, so that guessing an id says nothing. Every
write is a `crmsite.actions` call.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from directory.ids import record_id
from directory.models import Person
from directory.views.phrased import header_title

from .. import actions
from ..models_privacy import MAX_REASON
from . import may_manage
from .dormant import DEFAULT_MONTHS, MAX_MONTHS, dormant_people, period_months
from .erasure import is_erased
from .export import filename_for

PER_PAGE = 50


def person_url(person) -> str:
    return reverse(Person.snippet_viewset.get_url_name("inspect"), args=(person.pk,))


class PrivacyMixin(WagtailAdminTemplateMixin):
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not may_manage(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_header_title(self):
        return header_title(self.get_page_title(), self.get_page_subtitle())


class PersonPrivacyMixin(PrivacyMixin):
    """A view about one person (ids that cannot be ids: 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not may_manage(request.user):
            raise PermissionDenied
        pk = record_id(kwargs.get("pk"))
        if pk is None:
            raise Http404
        self.person = get_object_or_404(Person.all_objects, pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.person)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": person_url(self.person), "label": str(self.person)},
            {"url": "", "label": self.get_page_title()},
        ]


class ExportView(PersonPrivacyMixin, TemplateView):
    """A page that says what the export holds; its button downloads the ZIP."""

    template_name = "crmsite/privacy/export.html"
    page_title = gettext_lazy("Export personal data")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(person=self.person, person_url=person_url(self.person))
        return context

    def post(self, request, *args, **kwargs):
        data = actions.export_person_data(request.user, self.person)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{filename_for(self.person)}"'
        return response


class ErasureForm(forms.Form):
    confirmation = forms.CharField(
        label=gettext_lazy("Type the person's name to confirm"),
        max_length=250,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class EraseView(PersonPrivacyMixin, TemplateView):
    template_name = "crmsite/privacy/erase.html"
    page_title = gettext_lazy("Erase personal data")

    def get_context_data(self, **kwargs):
        from crmsite.models import User

        from .erasure import check_account, preview

        context = super().get_context_data(**kwargs)
        try:
            check_account(User._base_manager.filter(person=self.person).first())
        except ValidationError as error:
            blocked = " ".join(error.messages)
        else:
            blocked = ""
        context.update(
            person=self.person,
            person_url=person_url(self.person),
            erased=is_erased(self.person),
            blocked=blocked,
            form=kwargs.get("form") or ErasureForm(),
            preview=preview(self.person),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ErasureForm(request.POST)
        if is_erased(self.person):
            messages.error(request, _("This person has already been erased."))
            return redirect(person_url(self.person))
        if form.is_valid():
            try:
                actions.erase_person(request.user, self.person, form.cleaned_data["confirmation"])
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    _(
                        "The person’s data is erased. The record stays, named "
                        "“Personne effacée”, so that the statistics stay true."
                    ),
                )
                return redirect(person_url(self.person))
        messages.error(request, _("Nothing was erased: correct the form below."))
        return self.render_to_response(self.get_context_data(form=form), status=200)


def _months(value) -> int | None:
    number = record_id(value)
    if number is None or number > MAX_MONTHS:
        return None
    return number


class DormantView(PrivacyMixin, TemplateView):
    template_name = "crmsite/privacy/dormant.html"
    page_title = gettext_lazy("Dormant contacts")
    header_icon = "time"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        raw = self.request.GET.get("months", "")
        months = _months(raw) if raw else period_months()
        error = ""
        if months is None:
            error = _("Give a number of months between 1 and %(max)d.") % {"max": MAX_MONTHS}
            months = period_months()
        page = Paginator(dormant_people(months), PER_PAGE).get_page(self.request.GET.get("p"))
        for person in page.object_list:
            person.record_url = person_url(person)
            person.erase_url = reverse("crmsite_privacy:erase", args=(person.pk,))
            person.keep_url = reverse("crmsite_privacy:keep", args=(person.pk,))
        context.update(
            page=page,
            people=page.object_list,
            months=months,
            months_error=error,
            default_months=period_months(),
            cnil_months=DEFAULT_MONTHS,
            max_reason=MAX_REASON,
        )
        return context


def keep(request, pk):
    if not may_manage(request.user):
        raise PermissionDenied
    if request.method != "POST":
        raise Http404
    number = record_id(pk)
    if number is None:
        raise Http404
    person = get_object_or_404(Person.objects, pk=number)
    try:
        actions.keep_dormant(request.user, person, request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(
            request,
            _("The contact “%(name)s” was not kept. %(error)s")
            % {"name": person, "error": " ".join(error.messages)},
        )
    else:
        messages.success(
            request,
            _("The contact “%(name)s” is kept: it leaves the list until the period passes again.")
            % {"name": person},
        )
    months = _months(request.POST.get("months", ""))
    target = reverse("crmsite_privacy:dormant")
    return redirect(f"{target}?months={months}" if months else target)


app_name = "crmsite_privacy"
urlpatterns = [
    path("person/<str:pk>/export/", ExportView.as_view(), name="export"),
    path("person/<str:pk>/erase/", EraseView.as_view(), name="erase"),
    path("dormant/", DormantView.as_view(), name="dormant"),
    path("dormant/<str:pk>/keep/", keep, name="keep"),
]
