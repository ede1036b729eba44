"""The task form: what a person types, read into values for `planner.actions`.

The form only reads: dates as JJ/MM/AAAA (an impossible date such as
31/02/2026 is refused with a plain message), times as HH:MM, the reminder
among the proposed ones, the organisation and the person through the
directory's choosers. Whether the task may be saved (a title, a time with
a date, a reminder in the future, records not in the trash and visible to
the user...) is decided by the actions, whose refusal the view shows on
the fields.
"""

import functools

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from directory.ids import record_id
from directory.models import Organisation, Person

from .actions import FIELDS
from .models import Task
from .schedule import Reminder


class RecordField(forms.ModelChoiceField):
    """A directory record by id, the trash included (the action says it is
    in the trash); an id that cannot be one is refused before the database."""

    def to_python(self, value):
        if value not in self.empty_values and record_id(str(value)) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class SafeChooserMixin:
    """A chooser that shows a submitted value that cannot be an id as not
    chosen, instead of handing it to the database when the form is shown again."""

    def get_instance(self, value):
        if value is not None and not hasattr(value, "pk") and record_id(str(value)) is None:
            return None
        return super().get_instance(value)


@functools.cache
def _safe_class(widget_class):
    return type(widget_class.__name__, (SafeChooserMixin, widget_class), {})


def safe_chooser(widget):
    if not isinstance(widget, SafeChooserMixin) and hasattr(widget, "get_instance"):
        widget.__class__ = _safe_class(widget.__class__)
    return widget


class TaskForm(WagtailAdminModelForm):
    done = forms.BooleanField(label=_("Done"), required=False)

    class Meta(WagtailAdminModelForm.Meta):
        model = Task
        fields = list(FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = _("Give the task a title.")
        self.fields["title"].widget.attrs.setdefault("autofocus", "")
        self.fields["due_date"].error_messages["invalid"] = _(
            "This date does not exist: type it as DD/MM/YYYY (for example 28/02/2026)."
        )
        self.fields["due_time"].error_messages["invalid"] = _(
            "This time does not exist: type it as HH:MM (for example 14:30)."
        )
        self.fields["reminder"].choices = [("", _("No reminder")), *Reminder.CHOICES]
        self.fields["reminder"].help_text = _(
            "Sent by e-mail once. Without a time, the reminder refers to 9:00 on the day."
        )
        self.fields["place"].widget.attrs.setdefault("placeholder", _("Office, venue, phone…"))
        for name, model in (("organisation", Organisation), ("person", Person)):
            field = self.fields[name]
            field.queryset = model.all_objects.all()
            field.error_messages["invalid_choice"] = _(
                "This record of the directory does not exist (any more): choose another."
            )
            field.__class__ = RecordField
            safe_chooser(field.widget)
        if self.instance.pk:
            self.fields["done"].initial = self.instance.done_at is not None

    def task_values(self) -> dict:
        """The values the actions take, from the cleaned form."""
        return {name: self.cleaned_data.get(name) for name in FIELDS}

    def _post_clean(self):
        # The model's own validation is the actions' (with clearer messages);
        # only the values are read here.
        pass
