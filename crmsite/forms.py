"""The user form of Wagtail's user screens, with contact details and one role."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm
from wagtail.snippets.widgets import AdminSnippetChooser
from wagtail.users.forms import UserCreationForm, UserEditForm

from directory.models import Person

from .roles import (
    ROLE_ADMINISTRATOR,
    ROLE_CHOICES,
    LastAdministratorError,
    ensure_administrators_remain,
    role_of,
)

CONTACT_FIELDS = ("phone", "job_title")
# A client's directory record: the helpdesk shows its organisations to the
# other participants and lets them open tickets about them.
LINK_FIELDS = ("person",)


def person_chooser(form) -> None:
    """The directory person, chosen with Wagtail's chooser (people are many)."""
    if "person" in form.fields:
        form.fields["person"].widget = AdminSnippetChooser(Person)


class RoleFormMixin(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        help_text=_(
            "Administrators manage everything, users included. Staff work in the directory, "
            "searches, campaigns and helpdesk. Clients only reach their helpdesk tickets."
        ),
    )

    def setup_role_field(self):
        for name in ("is_superuser", "groups"):
            self.fields.pop(name, None)
        if self.instance.pk:
            self.fields["role"].initial = role_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and role_of(self.instance) == ROLE_ADMINISTRATOR:
            stays_admin = cleaned.get("role", ROLE_ADMINISTRATOR) == ROLE_ADMINISTRATOR
            stays_active = cleaned.get("is_active", self.instance.is_active)
            if not (stays_admin and stays_active):
                try:
                    ensure_administrators_remain([self.instance.pk])
                except LastAdministratorError as error:
                    field = "role" if not stays_admin else "is_active"
                    self.add_error(field if field in self.fields else None, error)
        return cleaned

    # The role itself is assigned by the view, as its user, through
    # `crmsite.roles.assign_role` (access, the last administrator, the log);
    # this form only reports the last-administrator rule first, on its field.


class CrmUserCreationForm(RoleFormMixin, UserCreationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_role_field()
        person_chooser(self)

    class Meta(UserCreationForm.Meta):
        fields = set(UserCreationForm.Meta.fields) | set(CONTACT_FIELDS) | set(LINK_FIELDS)


class CrmUserEditForm(RoleFormMixin, UserEditForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_role_field()
        person_chooser(self)

    class Meta(UserEditForm.Meta):
        fields = set(UserEditForm.Meta.fields) | set(CONTACT_FIELDS) | set(LINK_FIELDS)


class CrmLoginForm(LoginForm):
    """Wagtail's sign-in form, whose password field has a translated label
    (Wagtail's has none, so Django shows the field's name: "Password").

    With single sign-on on, it also tells the login page where the provider's
    button leads (`single_sign_on`), and refuses the password of staff when
    an administrator has made single sign-on their only way in
    (`crmsite.sso.policy`)."""

    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"placeholder": _("Enter password")}),
        strip=False,
    )

    @property
    def single_sign_on(self) -> dict | None:
        from .sso import is_enabled, provider_name

        if not is_enabled():
            return None
        return {"url": reverse("crm_sso_login"), "provider": provider_name()}

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        from .sso import provider_name
        from .sso.policy import password_sign_in_allowed

        if not password_sign_in_allowed(user, self.request):
            raise forms.ValidationError(
                _(
                    "Staff members sign in with %(provider)s: use the button "
                    "“Sign in with %(provider)s” above."
                )
                % {"provider": provider_name()},
                code="single_sign_on_only",
            )
