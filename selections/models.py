"""Saved searches, baskets and their frozen snapshots.

A saved search is a criteria tree (`selections.criteria`) with an owner. A
basket combines saved searches (and other baskets) by union, intersection
and exclusion, in the order of its steps, plus rows added or removed by
hand; it is resolved each time it is used (`selections.resolution`). Both
are shared read-only with users, groups, or every staff member; only the
owner edits, shares or deletes them.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable
from wagtail.models.audit_log import BaseLogEntry, LogEntryQuerySet, ModelLogEntryManager

from directory.models import Organisation, Person, Position

from . import capacity
from .capacity import ORGANISATION, PERSONAL, POSITION
from .criteria import TARGETS, CriteriaError, parse


class SharedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What `user` may open: their own, and what is shared with them."""
        if not user.is_authenticated:
            return self.none()
        shared = (
            Q(owner=user) | Q(shared_with_users=user) | Q(shared_with_groups__in=user.groups.all())
        )
        if user.has_perm("selections.view_savedsearch"):
            shared |= Q(shared_with_all_staff=True)
        return self.filter(pk__in=self.filter(shared).values("pk"))

    def owned_by(self, user):
        return self.filter(owner=user)

    def shared_with(self, user):
        return self.visible_to(user).exclude(owner=user)


class Shared(models.Model):
    """Owner and read-only sharing, common to searches and baskets."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    shared_with_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared with these users"),
        blank=True,
        related_name="+",
    )
    shared_with_groups = models.ManyToManyField(
        Group, verbose_name=_("shared with these groups"), blank=True, related_name="+"
    )
    shared_with_all_staff = models.BooleanField(_("shared with every staff member"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modified"), auto_now=True)

    objects = SharedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def can_edit(self, user) -> bool:
        return user.is_authenticated and self.owner_id == user.pk

    def is_visible_to(self, user) -> bool:
        return type(self).objects.visible_to(user).filter(pk=self.pk).exists()

    @property
    def is_shared(self) -> bool:
        return self.shared_with_all_staff or (
            self.pk is not None
            and (self.shared_with_users.exists() or self.shared_with_groups.exists())
        )


class SavedSearch(Shared):
    class Target(models.TextChoices):
        PEOPLE = "people", _("People, in the capacity that matched")
        ORGANISATIONS = "organisations", _("Organisations")

    target = models.CharField(
        _("search for"), max_length=20, choices=Target.choices, default=Target.PEOPLE
    )
    criteria = models.JSONField(_("criteria"), default=dict)

    class Meta(Shared.Meta):
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def clean(self):
        super().clean()
        if self.target not in TARGETS:
            raise ValidationError({"target": _("Unknown kind of search.")})
        try:
            self.criteria = parse(self.criteria, self.target)
        except CriteriaError as error:
            raise ValidationError({"criteria": error.messages}) from None

    def rows(self):
        """Which rows match now (`selections.capacity.Selection`); raises CriteriaError
        when the criteria no longer hold (a deleted interest centre, say)."""
        from .criteria import compile_rows

        return compile_rows(parse(self.criteria, self.target), self.target)


ROW_KINDS = {POSITION: "position", PERSONAL: "person", ORGANISATION: "organisation"}
ROW_MODELS = {POSITION: Position, PERSONAL: Person, ORGANISATION: Organisation}


def parse_row_keys(row_keys) -> dict[str, set[int]]:
    """{"position": {12}, "personal": {3}} from row keys
    (`selections.capacity.parse_row_keys`); ids of rows that do not exist are
    dropped."""
    return {
        kind: set(ROW_MODELS[kind].objects.filter(pk__in=ids).values_list("pk", flat=True))
        for kind, ids in capacity.parse_row_keys(row_keys).items()
    }


class Basket(ClusterableModel, Shared):
    class Meta(Shared.Meta):
        verbose_name = _("basket")
        verbose_name_plural = _("baskets")

    def add_rows(self, row_keys, user) -> int:
        """Add rows by hand (undoing a removal by hand of the same row);
        returns how many rows were not in the hand-made additions yet."""
        return self._record(row_keys, user, BasketEntry.Action.ADD)

    def remove_rows(self, row_keys, user) -> int:
        """Remove rows by hand: a removal wins over every search of the basket."""
        return self._record(row_keys, user, BasketEntry.Action.REMOVE)

    def _record(self, row_keys, user, action) -> int:
        created = 0
        for kind, ids in parse_row_keys(row_keys).items():
            column = ROW_KINDS[kind]
            entries = self.entries.filter(**{f"{column}_id__in": ids})
            entries.exclude(action=action).delete()
            present = set(entries.filter(action=action).values_list(f"{column}_id", flat=True))
            new = [
                BasketEntry(basket=self, action=action, added_by=user, **{f"{column}_id": pk})
                for pk in sorted(ids - present)
            ]
            BasketEntry.objects.bulk_create(new)
            created += len(new)
        return created


class BasketStep(Orderable):
    """One saved search (or basket) combined into a basket, in order."""

    class Operation(models.TextChoices):
        UNION = "union", _("add (union)")
        INTERSECT = "intersect", _("keep only those also in (intersection)")
        EXCLUDE = "exclude", _("remove (exclusion)")

    basket = ParentalKey(Basket, on_delete=models.CASCADE, related_name="steps")
    operation = models.CharField(
        _("operation"), max_length=10, choices=Operation.choices, default=Operation.UNION
    )
    search = models.ForeignKey(
        SavedSearch,
        verbose_name=_("saved search"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="basket_steps",
    )
    included_basket = models.ForeignKey(
        Basket,
        verbose_name=_("basket"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="included_in_steps",
    )
    # Its search or basket was deleted by its owner (or with their account):
    # an intersection or exclusion cannot simply go, since the basket would
    # silently widen; it stays, sourceless, and the basket refuses to resolve
    # until its owner removes or replaces it.
    source_deleted = models.BooleanField(_("source deleted"), default=False)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("basket step")
        verbose_name_plural = _("basket steps")
        constraints = [
            models.CheckConstraint(
                condition=(Q(search__isnull=False) & Q(included_basket__isnull=True))
                | (Q(search__isnull=True) & Q(included_basket__isnull=False))
                | (
                    Q(search__isnull=True)
                    & Q(included_basket__isnull=True)
                    & Q(source_deleted=True)
                ),
                name="basket_step_one_source",
                violation_error_message=_("Choose one saved search or one basket for each step."),
            )
        ]

    def __str__(self):
        return f"{self.get_operation_display()} {self.source or _('(deleted)')}"

    def save(self, *args, **kwargs):
        if self.search_id or self.included_basket_id:
            self.source_deleted = False
        super().save(*args, **kwargs)

    save.alters_data = True

    def release_source(self) -> bool:
        """Its source is being deleted: a union step goes (the basket only
        narrows); an intersection or exclusion stays, sourceless, so that the
        basket does not silently widen (see `source_deleted`). True if kept."""
        if self.operation == self.Operation.UNION:
            self.delete()
            return False
        self.search = self.included_basket = None
        self.source_deleted = True
        self.save(update_fields=["search", "included_basket", "source_deleted"])
        return True

    def clean(self):
        """Refuse a step with no source (or two), or that would make its
        basket include itself."""
        super().clean()
        if (self.search_id is None) == (self.included_basket_id is None):
            raise ValidationError(_("Choose one saved search or one basket for each step."))
        if self.included_basket_id is None:
            return
        pending, seen = [self.included_basket_id], set()
        while pending:
            current = pending.pop()
            if current == self.basket_id:
                raise ValidationError(
                    {
                        "included_basket": _(
                            "The basket “%(name)s” would include itself through this basket."
                        )
                        % {"name": self.basket}
                    }
                )
            if current not in seen:
                seen.add(current)
                pending.extend(
                    BasketStep.objects.filter(
                        basket_id=current, included_basket__isnull=False
                    ).values_list("included_basket_id", flat=True)
                )

    @property
    def source(self):
        return self.search or self.included_basket


class BasketEntryQuerySet(models.QuerySet):
    def live(self):
        """Entries whose person, position or organisation is not in the trash."""
        return (
            self.exclude(person__trashed_at__isnull=False)
            .exclude(position__in_trash=True)
            .exclude(organisation__trashed_at__isnull=False)
        )


class BasketEntry(models.Model):
    """A row added to or removed from a basket by hand; a removal wins."""

    class Action(models.TextChoices):
        ADD = "add", _("added by hand")
        REMOVE = "remove", _("removed by hand")

    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="entries")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    position = models.ForeignKey(
        Position, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BasketEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("basket entry")
        verbose_name_plural = _("basket entries")
        constraints = [
            # Exactly one capacity: a person's personal row, a position, or an organisation.
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, position__isnull=True, organisation__isnull=True)
                    | Q(person__isnull=True, position__isnull=False, organisation__isnull=True)
                    | Q(person__isnull=True, position__isnull=True, organisation__isnull=False)
                ),
                name="basket_entry_one_capacity",
                violation_error_message=_("A row is one person, one position or one organisation."),
            ),
        ]

    def __str__(self):
        return _("%(label)s: %(items)s") % {
            "label": self.get_action_display(),
            "items": self.person or self.position or self.organisation,
        }


class Snapshot(models.Model):
    """A basket frozen as it resolved at one moment (a campaign keeps one)."""

    basket = models.ForeignKey(
        Basket, on_delete=models.SET_NULL, null=True, related_name="snapshots"
    )
    label = models.CharField(_("label"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")

    def __str__(self):
        return self.label


class SnapshotRow(models.Model):
    """One row as it was: who, in which capacity, why, and the coordinates then."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="rows")
    kind = models.CharField(max_length=12)
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    position = models.ForeignKey(Position, on_delete=models.SET_NULL, null=True, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    name = models.CharField(max_length=250)
    capacity = models.CharField(max_length=400, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    mobile = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    # [{"kind": "search", "id": 3, "name": "..."} or {"label": "..."}]: read
    # through `selections.disclosure.read_frozen_reason`, never shown as stored.
    reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} ({self.capacity})" if self.capacity else self.name


# Log actions administrators read on every selection, as an oversight of what
# leaves the workspace or reaches more people (`selections.actions`); the
# selection is named only to those who may see it (`SelectionLogQuerySet`).
SHARE_ACTION = "selections.share"
UNSHARE_ACTION = "selections.unshare"
EXPORT_ACTION = "selections.export"
FREEZE_ACTION = "selections.freeze"
OVERSIGHT_ACTIONS = (SHARE_ACTION, UNSHARE_ACTION, EXPORT_ACTION, FREEZE_ACTION)
OVERSIGHT_PERMISSION = "selections.view_selectionlogentry"  # administrators hold it
HIDDEN_NAMES = {
    "savedsearch": _("a saved search not shared with you"),
    "basket": _("a basket not shared with you"),
    None: _("a selection not shared with you"),
}


class SelectionLogQuerySet(LogEntryQuerySet):
    def named_for(self, user):
        """The entries whose selection `user` may read the name of: the history
        of the searches and baskets they may see, and their own actions. The
        site history must not name another's private selection, administrators
        included (`selections.permissions`)."""
        if not user.is_authenticated:
            return self.none()
        allowed = Q(user=user)
        for model in (SavedSearch, Basket):
            keys = model.objects.visible_to(user).annotate(key=Cast("pk", models.CharField()))
            allowed |= Q(
                content_type__app_label=model._meta.app_label,
                content_type__model=model._meta.model_name,
                object_id__in=keys.values("key"),
            )
        return self.filter(allowed)

    def viewable_by_user(self, user):
        """What `user` reads in the site history: the entries named for them
        and, for administrators, the oversight entries of every selection
        (sharing, exports, snapshots), shown without a name they may not read
        (`SelectionLogManager.hide_names`)."""
        if not user.is_authenticated:
            return self.none()
        if not user.has_perm(OVERSIGHT_PERMISSION):
            return self.named_for(user)
        named = self.named_for(user).values("pk")
        return self.filter(Q(pk__in=named) | Q(action__in=OVERSIGHT_ACTIONS))


class SelectionLogManager(ModelLogEntryManager):
    """Wagtail's reports call the manager's `viewable_by_user`, whose default
    answer depends on content-type permissions and is cached on the user for
    every log model; ours asks the selections' own visibility and leaves that
    cache alone, so the answer does not depend on the order of the log models."""

    def get_queryset(self):
        return SelectionLogQuerySet(self.model, using=self._db)

    def viewable_by_user(self, user):
        return self.get_queryset().viewable_by_user(user)

    def hide_names(self, entries, user) -> None:
        """Replace, in these entries read by `user`, the name of each selection
        they may not see by what stands for it."""
        entries = [entry for entry in entries if isinstance(entry, self.model)]
        if not entries:
            return
        named = set(
            self.get_queryset()
            .named_for(user)
            .filter(pk__in=[entry.pk for entry in entries])
            .values_list("pk", flat=True)
        )
        for entry in entries:
            if entry.pk not in named:
                entry.label = str(HIDDEN_NAMES.get(entry.content_type.model, HIDDEN_NAMES[None]))


class SelectionLogEntry(BaseLogEntry):
    """The audit log of searches and baskets (Wagtail's, with its own viewers)."""

    object_id = models.CharField(max_length=255, db_index=True)

    objects = SelectionLogManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("selection log entry")
        verbose_name_plural = _("selection log entries")
