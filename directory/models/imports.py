"""Spreadsheet imports: one `ImportJob` per uploaded file, and the column
mappings remembered for the next file with the same headers.

The uploaded file is kept in the job itself (at most `IMPORT_MAX_BYTES`), so
that a Celery worker on another machine reads it from the database.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportPolicy(models.TextChoices):
    UPDATE = "update", _("Update them with the file's values")
    FILL = "fill", _("Only fill their empty fields")
    SKIP = "skip", _("Leave them as they are")


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", pgettext_lazy("import", "Columns to check")
    QUEUED = "queued", pgettext_lazy("import", "Waiting")
    RUNNING = "running", pgettext_lazy("import", "In progress")
    DONE = "done", pgettext_lazy("import", "Done")
    FAILED = "failed", pgettext_lazy("import", "Failed")


class ImportJob(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4)  # csv, xlsx, ods
    file_size = models.PositiveIntegerField(_("size"), default=0)
    file_data = models.BinaryField(editable=False)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("separator"), max_length=1, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=list)  # one target key ("" = ignored) per column
    policy = models.CharField(
        _("existing records"),
        max_length=6,
        choices=ImportPolicy.choices,
        default=ImportPolicy.UPDATE,
    )
    skip_invalid = models.BooleanField(_("import the valid rows only"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.MAPPING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)  # create, update, unchanged, reject
    created_ids = models.JSONField(default=dict)  # {"organisations": [...], "people": [...]}
    rejected_csv = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def progress_percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))


class RememberedMapping(models.Model):
    """The last mapping chosen for files with these headers (any administrator's)."""

    signature = models.CharField(max_length=64, unique=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return ", ".join(self.headers)
