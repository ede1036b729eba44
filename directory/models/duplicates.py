"""Likely duplicates that are not, and merges of two records.

* `NotDuplicate`: a pair of people or of organisations that someone said
  are not the same ("pas un doublon"); the list of likely duplicates
  (`directory.duplicates.likely_pairs`) never shows it again. The pair is
  stored by ids, the smaller first, so that the listing's query excludes
  it with one indexed lookup.
* `Merge`: one record merged into another (`directory.merging`): which one
  was kept, which went to the trash, what moved (the ids of the rows whose
  link changed, by relation) and the values the kept record had before,
  so that restoring the merged record from the trash undoes the merge.

The indexes that the duplicate rules join on (lower-cased e-mails and
cities, SIREN) are expressions, created by migration 0011 in SQL: they
belong to the rules of `directory.duplicates`, not to the records' models.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DuplicateKind(models.TextChoices):
    PERSON = "person", _("people")
    ORGANISATION = "organisation", _("organisations")


class NotDuplicate(models.Model):
    kind = models.CharField(_("kind of record"), max_length=12, choices=DuplicateKind.choices)
    first_id = models.BigIntegerField()
    second_id = models.BigIntegerField()
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked on"), auto_now_add=True)

    class Meta:
        verbose_name = _("pair that is not a duplicate")
        verbose_name_plural = _("pairs that are not duplicates")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "first_id", "second_id"], name="not_duplicate_once"
            ),
            models.CheckConstraint(
                condition=Q(first_id__lt=models.F("second_id")), name="not_duplicate_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.first_id} ≠ {self.second_id}"


class Merge(models.Model):
    """`moved`: {relation key: [ids of the rows moved to the kept record]}
    (keys of `directory.merging.RELATIONS`); `kept_before`: {field: value the
    kept record had} for the fields the merge changed, `kept_after`: {field:
    value the merge gave}; `merged_cleared`: {field: value} taken from the
    merged record (a SIRET, unique) so that the kept one could take it."""

    kind = models.CharField(_("kind of record"), max_length=12, choices=DuplicateKind.choices)
    kept_person = models.ForeignKey(
        "directory.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    merged_person = models.ForeignKey(
        "directory.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kept_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    merged_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("merged on"), auto_now_add=True)
    moved = models.JSONField(default=dict, blank=True)
    kept_before = models.JSONField(default=dict, blank=True)
    kept_after = models.JSONField(default=dict, blank=True)
    merged_cleared = models.JSONField(default=dict, blank=True)
    undone_at = models.DateTimeField(_("undone on"), null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="person",
                        kept_person__isnull=False,
                        merged_person__isnull=False,
                        kept_organisation__isnull=True,
                        merged_organisation__isnull=True,
                    )
                    | Q(
                        kind="organisation",
                        kept_person__isnull=True,
                        merged_person__isnull=True,
                        kept_organisation__isnull=False,
                        merged_organisation__isnull=False,
                    )
                ),
                name="merge_of_one_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["merged_person", "undone_at"], name="merge_merged_person"),
            models.Index(
                fields=["merged_organisation", "undone_at"], name="merge_merged_organisation"
            ),
        ]

    def __str__(self):
        return f"{self.merged} → {self.kept}"

    @property
    def kept(self):
        return self.kept_person if self.kind == DuplicateKind.PERSON else self.kept_organisation

    @property
    def merged(self):
        return self.merged_person if self.kind == DuplicateKind.PERSON else self.merged_organisation


class DuplicatePair(models.Model):
    """A likely pair, stored by `directory.duplicates.refresh_pairs` (nightly,
    after an import, on demand) so that the « Doublons probables » list reads
    a page of an indexed table instead of running the self-joins. `rules`:
    the rules matched, comma-separated (`duplicates.PERSON_RULES` /
    `ORGANISATION_RULES`); `score`: how many. The list filters at read time
    (both records live, not marked "pas un doublon"); a merge or a "pas un
    doublon" deletes the rows at once."""

    kind = models.CharField(_("kind of record"), max_length=12, choices=DuplicateKind.choices)
    low_id = models.BigIntegerField()
    high_id = models.BigIntegerField()
    score = models.PositiveSmallIntegerField(_("score"))
    rules = models.CharField(_("rules matched"), max_length=100)
    computed_at = models.DateTimeField(_("computed on"))

    class Meta:
        verbose_name = _("likely pair")
        verbose_name_plural = _("likely pairs")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "low_id", "high_id"], name="duplicate_pair_once"
            ),
            models.CheckConstraint(
                condition=Q(low_id__lt=models.F("high_id")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [
            # The list's order: most rules first, then the newest records.
            models.Index(
                "kind",
                models.F("score").desc(),
                models.F("high_id").desc(),
                models.F("low_id").desc(),
                name="duplicate_pair_listing",
            ),
            # The pairs of one record (deleted when it is merged).
            models.Index(fields=["kind", "high_id"], name="duplicate_pair_high"),
        ]

    def __str__(self):
        return f"{self.kind} {self.low_id} ~ {self.high_id} ({self.score})"


class DuplicateScan(models.Model):
    """When the pairs of a kind were last computed: how many, how long."""

    kind = models.CharField(
        _("kind of record"), max_length=12, choices=DuplicateKind.choices, unique=True
    )
    computed_at = models.DateTimeField(_("computed on"))
    pairs = models.PositiveIntegerField(_("pairs"), default=0)
    seconds = models.FloatField(_("duration in seconds"), default=0)

    class Meta:
        verbose_name = _("computation of likely pairs")
        verbose_name_plural = _("computations of likely pairs")

    def __str__(self):
        return f"{self.kind} {self.computed_at:%Y-%m-%d %H:%M} ({self.pairs})"
