"""« Clients de l’API » in the Settings menu, for administrators only.

A listing (name, scopes, expiry, last use, state), a creation form that
shows the new token once (on the answer to the form, never stored, never
cached), an edit form, and two actions on an existing client: renew its
token (shown once; the old one stops at once) and revoke it. A client is
never deleted: revoked, it stays with its history and its activities.
Every write goes through `crmsite.actions`.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from directory.phrases import Phrases, register_phrases
from directory.views.phrased import PhrasedViewSetMixin

from .. import actions
from ..models import ApiClient, ApiScope

register_phrases(
    ApiClient,
    Phrases(
        add=_("Add an API client"),
        new=_("New API client"),
        created=_("API client “%(object)s” created."),
        updated=_("API client “%(object)s” saved."),
        deleted=_("API client “%(object)s” deleted."),
        not_created=_("The API client could not be created: correct the fields shown."),
        not_saved=_("The API client could not be saved: correct the fields shown."),
        confirm_delete=_("Delete this API client?"),
        none_yet=_(
            "There is no API client yet. Add one for each application of the agency "
            "that sends its orders, rentals or registrations."
        ),
        no_match=_("No API client matches your search."),
    ),
)


class ApiClientPolicy(ModelPermissionPolicy):
    """Administrators' (the only role with these permissions); never deleted."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return super().user_has_permission(user, action)


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the application may do. Give it only what it needs."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        help_text=_("At most three years from today; renew the token then."),
    )

    class Meta:
        model = ApiClient
        fields = ["name"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["scopes"] = self.instance.scopes
            self.initial["expires_on"] = timezone.localdate(self.instance.expires_at)
        else:
            self.initial["expires_on"] = timezone.localdate() + datetime.timedelta(days=365)

    def expires_at(self):
        day = self.cleaned_data["expires_on"]
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))

    def _post_clean(self):
        pass  # the action validates and saves


def _apply_errors(form, error: ValidationError) -> None:
    mapping = {"expires_at": "expires_on"}
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            name = mapping.get(field, field)
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _token_page(request, client, token, title):
    response = TemplateResponse(
        request,
        "crmsite/api_clients/token.html",
        {"object": client, "token": token, "page_title": title, "header_title": title},
    )
    add_never_cache_headers(response)
    response["Cache-Control"] += ", no-store"
    return response


class CreateView(generic.CreateView):
    def form_valid(self, form):
        try:
            client, token = actions.create_api_client(
                self.request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        self.object = client
        return _token_page(self.request, client, token, _("API client created"))


class EditView(generic.EditView):
    def form_valid(self, form):
        try:
            self.object = actions.update_api_client(
                self.request.user,
                self.object,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        messages.success(self.request, _("API client “%(name)s” saved.") % {"name": self.object})
        return redirect(self.get_success_url())


def _state(client) -> str:
    if client.revoked_at:
        return str(_("Revoked"))
    if client.is_expired():
        return str(_("Expired"))
    return str(_("Active"))


class IndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("token")


class ApiClientViewSet(PhrasedViewSetMixin, ModelViewSet):
    model = ApiClient
    icon = "key"
    menu_label = _("API clients")
    menu_name = "api_clients"
    add_to_settings_menu = True
    menu_order = 605
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ["name"]
    index_view_class = IndexView
    add_view_class = CreateView
    edit_view_class = EditView
    edit_template_name = "crmsite/api_clients/edit.html"
    list_display = [
        "name",
        Column(
            "scopes",
            label=_("Scopes"),
            accessor=lambda c: ", ".join(str(ApiScope(s).label) for s in c.scopes),
        ),
        Column(
            "expires_at",
            label=_("Expires on"),
            accessor=lambda c: date_format(timezone.localtime(c.expires_at), "d/m/Y"),
        ),
        DateColumn("last_used_at", label=_("Last used")),
        Column("state", label=_("State"), accessor=_state),
    ]

    def get_form_class(self, for_update=False):
        return ApiClientForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/renew/", require_POST(self.renew_view), name="renew"),
            path("<int:pk>/revoke/", require_POST(self.revoke_view), name="revoke"),
        ]

    def _client(self, request, pk):
        if not self.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        return get_object_or_404(ApiClient, pk=pk)

    def renew_view(self, request, pk):
        client = self._client(request, pk)
        token = actions.renew_api_client(request.user, client)
        client.refresh_from_db()
        return _token_page(request, client, token, _("New token"))

    def revoke_view(self, request, pk):
        client = self._client(request, pk)
        actions.revoke_api_client(request.user, client)
        message = _("API client “%(name)s” revoked: its token no longer works.")
        messages.success(request, message % {"name": client})
        return redirect(self.get_url_name("edit"), client.pk)
