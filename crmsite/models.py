"""Workspace users.

The last-administrator rule is enforced here, in the model layer, so that the
admin forms, the bulk actions, the shell and the API all obey it:
`User.delete()`, `User.save()` (deactivation), queryset `delete()`,
`update()` and `bulk_update()` touching `is_active`, and group removals (see
`crmsite.signals`). Each check runs in the transaction of the change, after
taking the lock of `crmsite.roles.lock_administrators`; database triggers
(`crmsite.roles.guard_sql`) refuse what reaches the database by other paths,
and their refusal becomes `LastAdministratorError` here.

Deleting a user deletes their saved searches and baskets, and the steps of
colleagues' baskets that use them (`selections.owners`).
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models, router, transaction
from django.utils.translation import gettext_lazy as _

from directory.phones import PhoneNumberField

# People's rights over their data (crmsite.privacy).
from .models_privacy import DormantReview, ErasedCoordinate, Erasure  # noqa: F401

# Single sign-on's identities and the sign-in setting live in their own module.
from .models_sso import SignInSettings, SingleSignOnIdentity  # noqa: F401
from .roles import (
    LastAdministratorError,
    active_administrator_ids,
    ensure_administrators_remain,
    lock_administrators,
    translated_guard_errors,
)


def _delete_selections_of(user_ids, using):
    from selections.owners import delete_selections_of

    delete_selections_of(user_ids, using=using)


class UserQuerySet(models.QuerySet):
    def delete(self):
        with translated_guard_errors(), transaction.atomic(using=self.db):
            lock_administrators(self.db)
            ids = list(self.values_list("pk", flat=True))
            ensure_administrators_remain(ids, using=self.db)
            _delete_selections_of(ids, using=self.db)
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def update(self, **kwargs):
        if "is_active" not in kwargs or kwargs["is_active"] is True:
            return super().update(**kwargs)
        # Any other value may deactivate someone: a literal, an expression
        # (`Value(False)`, `F(...)`, `Case(...)`). Check what it leaves.
        return self._keeping_an_administrator(lambda: super(UserQuerySet, self).update(**kwargs))

    update.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        if "is_active" not in fields:
            return super().bulk_update(objs, fields, batch_size=batch_size)
        return self._keeping_an_administrator(
            lambda: super(UserQuerySet, self).bulk_update(objs, fields, batch_size=batch_size)
        )

    bulk_update.alters_data = True

    def _keeping_an_administrator(self, change):
        """Run `change`, and undo it when it left no active administrator
        where there was one."""
        with translated_guard_errors(), transaction.atomic(using=self.db):
            lock_administrators(self.db)
            before = active_administrator_ids(self.db)
            result = change()
            if before and not active_administrator_ids(self.db):
                raise LastAdministratorError()
            return result


# The usernames of API clients' service accounts (`crmsite.actions`): "~" is in
# no username a person can be given (Django's username validator refuses it).
SERVICE_ACCOUNT_PREFIX = "api~"


class CrmUserManager(UserManager.from_queryset(UserQuerySet)):
    """People's accounts. The service accounts of API clients (`ApiClient.user`)
    are left out of every listing, chooser, form and bulk action that goes
    through `User.objects`: they are managed as API clients, never as users
    (related look-ups and the API's authentication use the base manager)."""

    def get_queryset(self):
        return super().get_queryset().exclude(username__startswith=SERVICE_ACCOUNT_PREFIX)


class User(AbstractUser):
    phone = PhoneNumberField(_("phone"), blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    # "organisation-12", "person-7"…: the records whose fiche the user opened
    # last, latest first (crmsite.dashboard): kept from one sign-in to the next.
    recently_viewed = models.JSONField(default=list, blank=True, editable=False)
    # A client's account is linked to their directory record; through that
    # person's positions, to organisations (the helpdesk's "concerned" ones).
    person = models.OneToOneField(
        "directory.Person",
        verbose_name=_("directory person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user_account",
        help_text=_("The person of the directory this account belongs to (clients)."),
    )

    objects = CrmUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def _db_for_write(self, using=None):
        return using or self._state.db or router.db_for_write(type(self), instance=self)

    def save(self, *args, **kwargs):
        if self.pk is None or self.is_active:
            return super().save(*args, **kwargs)
        using = self._db_for_write(kwargs.get("using"))
        with translated_guard_errors(), transaction.atomic(using=using):
            was_active = (
                type(self)._base_manager.using(using).filter(pk=self.pk, is_active=True).exists()
            )
            if was_active:
                ensure_administrators_remain([self.pk], using=using)
            return super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        using = self._db_for_write(kwargs.get("using"))
        with translated_guard_errors(), transaction.atomic(using=using):
            ensure_administrators_remain([self.pk], using=using)
            _delete_selections_of([self.pk], using=using)
            return super().delete(*args, **kwargs)

    delete.alters_data = True


class ApiScope(models.TextChoices):
    READ_DIRECTORY = "directory:read", _("Read the directory")
    WRITE_ACTIVITY = "activity:write", _("Record activities")
    WRITE_DIRECTORY = "directory:write", _("Write the directory")


class ApiClient(models.Model):
    """An application of the agency allowed to use the private API.

    Its token is one of Wagtail's `APIToken` (only a keyed digest is stored;
    the token is shown once, at creation and at each renewal), held by the
    client's own service account (`user`: no password, no e-mail, it cannot
    sign in), so that every write made through the API is in the audit log
    under the client's name. Written through `crmsite.api_clients`.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires on"))
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="api_client", editable=False
    )
    token = models.OneToOneField(
        "wagtailcore.APIToken",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="api_client",
        editable=False,
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def last_used_at(self):
        return self.token.last_used_at if self.token_id else None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        from django.utils import timezone

        return self.expires_at <= (now or timezone.now())

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])
