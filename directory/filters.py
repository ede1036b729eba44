"""Filters of the directory's listings and histories whose values are record ids.

django-filter's model choice fields look each submitted value up in the
database; a value that cannot be an id ("abc", or a number past 64 bits,
see `directory.ids`) fails there with a server error on SQLite. These fields
refuse such a value as an invalid choice first, so the listing shows the
filter's usual error. Every model choice filter of the directory uses them
(a test walks the filtersets to keep it so), as does the history's "user"
filter, which Wagtail declares with its own field.

A yes/no filter (`YesNoFilter`) offers « Tous / Oui / Non », where
django-filter's offers « Inconnu / Oui / Non », and shows « Oui » or « Non »
among the active filters, where Wagtail would show "True".
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.active_filters import BaseFilterAdapter, register_filter_adapter_class
from wagtail.admin.filters import MultipleUserFilter, UserModelMultipleChoiceField
from wagtail.admin.views.generic.history import HistoryFilterSet

from .ids import is_record_id


def _refuse_non_ids(field, values):
    for value in values:
        if not is_record_id(value):
            raise forms.ValidationError(
                field.error_messages["invalid_pk_value"],
                code="invalid_pk_value",
                params={"pk": value},
            )


class RecordChoiceField(django_filters.fields.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not is_record_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class RecordMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    def _check_values(self, value):
        _refuse_non_ids(self, value)
        return super()._check_values(value)


class RecordUserMultipleChoiceField(UserModelMultipleChoiceField):
    def _check_values(self, value):
        _refuse_non_ids(self, value)
        return super()._check_values(value)


class RecordChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = RecordChoiceField


class RecordMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = RecordMultipleChoiceField


class RecordUserFilter(MultipleUserFilter):
    field_class = RecordUserMultipleChoiceField


class DirectoryHistoryFilterSet(HistoryFilterSet):
    """Wagtail's history filters, with a "user" filter that refuses non-ids."""

    user = RecordUserFilter(label=_("User"), widget=forms.CheckboxSelectMultiple)


_YES_NO_VALUES = {"true": True, "false": False, "1": True, "0": False}


class YesNoWidget(forms.RadioSelect):
    """« Tous », « Oui », « Non » as radio buttons; "true"/"false" in the URL."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs,
            choices=(
                ("", pgettext_lazy("yes or no filter", "All")),
                ("true", _("Yes")),
                ("false", _("No")),
            ),
        )

    def format_value(self, value):
        if isinstance(value, str):
            value = _YES_NO_VALUES.get(value.lower())
        return [{True: "true", False: "false"}.get(value, "")] if value in (True, False) else [""]

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        return _YES_NO_VALUES.get(value.lower()) if isinstance(value, str) else None


class YesNoFilter(django_filters.BooleanFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoWidget)
        super().__init__(*args, **kwargs)


class YesNoFilterAdapter(BaseFilterAdapter):
    def get_active_filters(self):
        for active in super().get_active_filters():
            yield active._replace(value=str(_("Yes") if self.value else _("No")))


register_filter_adapter_class(YesNoFilter, YesNoFilterAdapter)


# The records an import created ---------------------------------------------------


def ids_filter(ids) -> Q:
    """A Q keeping these ids, written as ranges: an import's records were
    created in bulk, so their ids run mostly in a row, and a hundred thousand
    of them make a few ranges rather than a hundred thousand parameters."""
    ranges = []
    for pk in sorted(set(ids)):
        if ranges and pk == ranges[-1][1] + 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    if not ranges:
        return Q(pk__in=[])
    found = Q()
    for first, last in ranges:
        found |= Q(pk=first) if first == last else Q(pk__range=(first, last))
    return found


def _own_finished_imports(request):
    from .models import ImportJob, ImportStatus

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ImportJob.objects.none()
    return (
        ImportJob.objects.filter(user=user, status=ImportStatus.DONE)
        .only("pk", "file_name", "created_at")
        .order_by("-created_at", "-pk")
    )


class ImportChoiceField(RecordChoiceField):
    def label_from_instance(self, obj):
        return _("%(file)s of %(date)s") % {
            "file": obj.file_name,
            "date": date_format(localtime(obj.created_at), "d/m/Y H:i"),
        }


class ImportFilter(RecordChoiceFilter):
    """The records one of the user's own imports created (`?import=12`),
    from `ImportJob.created_ids[key]`; another's import is not a choice."""

    field_class = ImportChoiceField

    def __init__(self, key: str, **kwargs):
        self.created_key = key  # "organisations" or "people"
        kwargs.setdefault("label", pgettext_lazy("an import", "Import"))
        kwargs.setdefault("queryset", _own_finished_imports)
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(ids_filter((value.created_ids or {}).get(self.created_key) or []))


class ImportFilterMixin:
    """Put on the organisation and person filtersets: an « Import » filter for
    administrators who have run an import (`import` is a keyword, so it is
    added here rather than declared)."""

    import_created_key = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.request
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.has_perm("directory.add_importjob")
            and _own_finished_imports(request).exists()
        ):
            found = ImportFilter(self.import_created_key)
            found.model = self._meta.model
            found.parent = self
            self.filters["import"] = found
