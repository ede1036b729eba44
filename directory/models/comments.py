from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .trash import LiveCommentManager

MAX_COMMENT_LENGTH = 5000


class Comment(models.Model):
    """A staff comment on an organisation or on a person.

    Every staff member reads them and may add one; only the author edits or
    deletes theirs (administrators may delete any, to moderate).
    """

    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
    )
    person = models.ForeignKey(
        "directory.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="directory_comments",
    )
    body = models.TextField(_("comment"), max_length=MAX_COMMENT_LENGTH)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LiveCommentManager()  # not the comments of records in the trash
    all_objects = models.Manager()  # noqa: DJ012 - a manager, the trash's comments too

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(organisation__isnull=False, person__isnull=True)
                    | models.Q(organisation__isnull=True, person__isnull=False)
                ),
                name="comment_on_one_record",
            )
        ]
        permissions = [("moderate_comment", _("Can delete any comment"))]

    def __str__(self):
        return self.body[:60]

    @property
    def target(self):
        return self.organisation if self.organisation_id else self.person

    @property
    def was_edited(self) -> bool:
        return (self.updated_at - self.created_at).total_seconds() > 1

    def can_edit(self, user) -> bool:
        return bool(user.is_authenticated and self.author_id == user.pk)

    def can_delete(self, user) -> bool:
        return self.can_edit(user) or user.has_perm("directory.moderate_comment")
