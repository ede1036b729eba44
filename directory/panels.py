from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext_lazy as _
from modelcluster.forms import BaseChildFormSet
from wagtail.admin.panels import InlinePanel

MAX_POSITION_ROWS = 200


class BoundedChildFormSet(BaseChildFormSet):
    """Rows of the record being edited, and only them, at most MAX_POSITION_ROWS.

    Django would otherwise build up to max_num + 1,000 forms from a tampered
    management form before refusing it, which takes minutes. A row whose id
    is not one of this record's positions (tampered, or deleted by someone
    else meanwhile) is refused: modelcluster would crash on an id that is
    not a number, and save any other as a new copy of the row.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.absolute_max = MAX_POSITION_ROWS
        self.unknown_rows = set()

    def _construct_form(self, i, **kwargs):
        if self.is_bound and i < self.initial_form_count() and not self._known_row(i):
            self.unknown_rows.add(i)
            kwargs["instance"] = self.model()
            return BaseFormSet._construct_form(self, i, **kwargs)
        return super()._construct_form(i, **kwargs)

    def _known_row(self, i) -> bool:
        pk_field = self.model._meta.pk
        value = self.data.get(f"{self.add_prefix(i)}-{pk_field.name}")
        if value == "":
            return True  # a row not saved yet (modelcluster's own convention)
        try:
            return self._existing_object(pk_field.to_python(value)) is not None
        except (ValidationError, TypeError, ValueError, OverflowError):
            return False

    def clean(self, *args, **kwargs):
        if self.unknown_rows:
            raise ValidationError(
                _(
                    "A row of this list no longer exists here (deleted or moved meanwhile): "
                    "reload the page, then make your changes again."
                ),
                code="unknown_row",
            )
        return super().clean(*args, **kwargs)


class PositionsInlinePanel(InlinePanel):
    """Positions inline, at most MAX_POSITION_ROWS of them per form."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_num", MAX_POSITION_ROWS)
        super().__init__(*args, **kwargs)

    def get_form_options(self):
        options = super().get_form_options()
        for formset in options.get("formsets", {}).values():
            formset["formset"] = BoundedChildFormSet
        return options
