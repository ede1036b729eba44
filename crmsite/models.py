"""Workspace users.

The last-administrator rule is enforced here, in the model layer, so that the
admin forms, the bulk actions, the shell and the API all obey it:
`User.delete()`, `User.save()` (deactivation), queryset `delete()` and
`update(is_active=False)`, and group removals (see `crmsite.signals`).
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from directory.phones import PhoneNumberField

from .roles import ensure_administrators_remain


class UserQuerySet(models.QuerySet):
    def delete(self):
        ensure_administrators_remain(self.values_list("pk", flat=True), using=self.db)
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def update(self, **kwargs):
        if "is_active" in kwargs and not kwargs["is_active"]:
            ensure_administrators_remain(self.values_list("pk", flat=True), using=self.db)
        return super().update(**kwargs)

    update.alters_data = True


class CrmUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    phone = PhoneNumberField(_("phone"), blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)

    objects = CrmUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def save(self, *args, **kwargs):
        if self.pk is not None and not self.is_active:
            was_active = (
                type(self)
                ._base_manager.using(kwargs.get("using") or self._state.db or "default")
                .filter(pk=self.pk, is_active=True)
                .exists()
            )
            if was_active:
                ensure_administrators_remain([self.pk], using=self._state.db or "default")
        super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        ensure_administrators_remain([self.pk], using=self._state.db or "default")
        return super().delete(*args, **kwargs)

    delete.alters_data = True
