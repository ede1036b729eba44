"""What single sign-on keeps: who is bound to which identity, and the staff rule.

* `SingleSignOnIdentity`: a workspace account bound to an identity of an
  OpenID Connect provider (its `iss` and `sub`). The first sign-in finds the
  account by its verified e-mail address and binds it (`crmsite.sso.actions`);
  later sign-ins find it by the binding alone, whatever the address has become
  on either side. One identity per account and provider, one account per
  identity.
* `SignInSettings`: the administrators' choice, in *Paramètres → Connexion*,
  to make single sign-on the only way in for staff (`crmsite.sso.policy`).

Imported by `crmsite.models`, so that Django finds them in the `crmsite` app.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


class SingleSignOnIdentity(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="sso_identities",
    )
    issuer = models.CharField(_("identity provider"), max_length=255)
    subject = models.CharField(_("identifier at the provider"), max_length=255)
    bound_at = models.DateTimeField(_("bound on"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="crm_sso_one_account"),
            models.UniqueConstraint(fields=["user", "issuer"], name="crm_sso_one_identity"),
        ]

    def __str__(self):
        return f"{self.issuer} {self.subject}"


@register_setting(icon="key", name="sign-in")
class SignInSettings(BaseGenericSetting):
    sso_only_for_staff = models.BooleanField(
        _("staff sign in with single sign-on only"),
        default=False,
        help_text=_(
            "When ticked, staff members can no longer sign in with a password: they use "
            "the identity provider's button. Administrators keep their password, to get in "
            "when the provider fails; clients keep theirs. Without single sign-on configured, "
            "this has no effect."
        ),
    )

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-in")
