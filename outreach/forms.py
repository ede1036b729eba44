"""The forms of the outreach screens. They only read what was typed: every
rule (a name, a template that fits, a start on the sheet, a moment in the
future, merge fields that exist) is checked by `outreach.actions`, whose
refusals the views put back on these forms' fields.

* `CampaignForm`: the name (required, at most `actions.MAX_NAME`
  characters), the basket (among those the user may see), the channel, one
  template chosen in a list grouped by channel (`email-3`, `sms-2`,
  `post-1`; in the browser only the chosen channel's, `campaign_form.js`),
  the recipient policy and the label options (shown for labels only).
* `ScheduleForm`, `TestForm`: the campaign page's small forms; the moment
  to schedule for is not marked required (sending now is the other way),
  but an empty one is refused.
* The template forms: e-mail, SMS (with the live segment counter), label
  sheet (with a preset that fills the dimensions left empty, and in the
  browser every dimension when it is picked). A name another template of
  the same kind has is refused in words a person says. Millimetres are
  read and shown in the user's language (« 15,15 » in French).
"""

import json
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.admin.widgets import AdminDateTimeInput

from selections.models import Basket

from .actions import MAX_NAME
from .models import Campaign, Channel, EmailTemplate, LabelTemplate, SmsTemplate
from .postal.layouts import PRESETS, preset_choices
from .sms.widgets import SmsTextarea

TEMPLATE_FIELDS = {
    Channel.EMAIL: ("email_template", EmailTemplate),
    Channel.SMS: ("sms_template", SmsTemplate),
    Channel.POST: ("label_template", LabelTemplate),
}
LABEL_OPTIONS = ("start_row", "start_column", "sort_by_postcode")


def template_choices():
    """The templates, grouped by channel: [(group, [(value, name), ...]), ...]."""
    groups = []
    for channel, (_field, model) in TEMPLATE_FIELDS.items():
        options = [
            (f"{channel}-{pk}", name) for pk, name in model.objects.values_list("pk", "name")
        ]
        if options:
            groups.append((str(Channel(channel).label), options))
    return groups


def template_value(campaign: Campaign) -> str:
    template = campaign.template
    return f"{campaign.channel}-{template.pk}" if template is not None else ""


class CampaignForm(forms.Form):
    """What a campaign is: its basket, channel, template and recipient policy."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        error_messages={"required": gettext_lazy("Give the campaign a name.")},
        widget=forms.TextInput(attrs={"maxlength": MAX_NAME}),
    )
    basket = forms.ModelChoiceField(
        label=gettext_lazy("Basket"),
        queryset=Basket.objects.none(),
        empty_label=None,
        help_text=gettext_lazy("The people it reaches: resolved when the campaign is sent."),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=Channel.choices,
        initial=Channel.EMAIL,
        widget=forms.RadioSelect,
    )
    template = forms.ChoiceField(
        label=gettext_lazy("Template"),
        required=False,
        help_text=gettext_lazy(
            "An e-mail or SMS template, or a label sheet, of the chosen channel."
        ),
    )
    fallback = forms.ChoiceField(
        label=gettext_lazy("When the capacity has no coordinate for this channel"),
        choices=Campaign._meta.get_field("fallback").choices,
    )
    merge = forms.ChoiceField(
        label=gettext_lazy("Duplicates"),
        choices=Campaign._meta.get_field("merge").choices,
        help_text=gettext_lazy(
            "One message per person (their first capacity), per address, or one per row."
        ),
    )
    start_row = forms.IntegerField(
        label=gettext_lazy("Start at row"),
        initial=1,
        widget=forms.NumberInput(attrs={"min": 1, "max": 20}),
    )
    start_column = forms.IntegerField(
        label=gettext_lazy("Start at column"),
        initial=1,
        widget=forms.NumberInput(attrs={"min": 1, "max": 20}),
    )
    sort_by_postcode = forms.BooleanField(
        label=gettext_lazy("Sort the labels by postcode"), required=False, initial=True
    )

    def __init__(self, *args, user=None, basket=None, with_basket=True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_basket:
            self.fields["basket"].queryset = Basket.objects.visible_to(user).order_by("name")
            if basket is not None:
                self.fields["basket"].initial = basket.pk
        else:
            del self.fields["basket"]
        self.fields["template"].choices = [("", "—"), *template_choices()]
        self.fields["template"].widget.attrs["data-campaign-channel-target"] = "template"

    def clean_name(self):
        # The action says the same; the form says it before anything is tried.
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) > MAX_NAME:
            raise ValidationError(
                _("A name has at most %(max)d characters.") % {"max": MAX_NAME}, code="max_length"
            )
        return name

    def clean(self):
        data = super().clean()
        value = data.get("template") or ""
        channel = data.get("channel")
        data["templates"] = {name: None for name, _model in TEMPLATE_FIELDS.values()}
        if value and channel:
            kind, _sep, pk = value.partition("-")
            if kind != channel:
                self.add_error(
                    "template",
                    _("This template is for another channel: choose one for %(channel)s.")
                    % {"channel": Channel(channel).label},
                )
            else:
                name, model = TEMPLATE_FIELDS[channel]
                data["templates"][name] = model.objects.filter(pk=pk).first()
        return data

    def campaign_fields(self) -> dict:
        """The keyword arguments of `actions.create_campaign` / `update_campaign`."""
        data = self.cleaned_data
        fields = {
            "name": data["name"],
            "channel": data["channel"],
            "fallback": data["fallback"],
            "merge": data["merge"],
            "start_row": data["start_row"],
            "start_column": data["start_column"],
            "sort_by_postcode": data["sort_by_postcode"],
        }
        fields.update(data["templates"])
        return fields

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict:
        return {
            "name": campaign.name,
            "channel": campaign.channel,
            "template": template_value(campaign),
            "fallback": campaign.fallback,
            "merge": campaign.merge,
            "start_row": campaign.start_row,
            "start_column": campaign.start_column,
            "sort_by_postcode": campaign.sort_by_postcode,
        }


class ScheduleForm(forms.Form):
    # Not marked required: it is the other way to send, beside "send now".
    scheduled_for = forms.DateTimeField(
        label=gettext_lazy("Or schedule it for"), required=False, widget=AdminDateTimeInput()
    )

    def clean_scheduled_for(self):
        value = self.cleaned_data.get("scheduled_for")
        if value is None:
            raise ValidationError(_("Choose a moment in the future."), code="required")
        return value


class TestForm(forms.Form):
    to = forms.CharField(
        label=gettext_lazy("Mobile number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


# --- Templates -------------------------------------------------------------------------


class UniqueNameMixin:
    """A name another template of the same kind has: refused in words."""

    duplicate_name = ""

    def clean_name(self):
        name = self.cleaned_data.get("name")
        if name:
            others = type(self.instance).objects.filter(name=name)
            if self.instance.pk is not None:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                raise ValidationError(self.duplicate_name, code="unique")
        return name


class EmailTemplateForm(UniqueNameMixin, forms.ModelForm):
    duplicate_name = gettext_lazy("An e-mail template already has this name.")

    class Meta:
        model = EmailTemplate
        fields = ["name", "subject", "html", "text"]
        widgets = {
            "html": forms.Textarea(attrs={"rows": 16, "spellcheck": "true"}),
            "text": forms.Textarea(attrs={"rows": 10, "spellcheck": "true"}),
        }


class SmsTemplateForm(UniqueNameMixin, forms.ModelForm):
    duplicate_name = gettext_lazy("An SMS template already has this name.")

    class Meta:
        model = SmsTemplate
        fields = ["name", "body"]
        widgets = {"body": SmsTextarea(attrs={"rows": 6})}


DIMENSIONS = (
    "page_width",
    "page_height",
    "rows",
    "columns",
    "top_margin",
    "left_margin",
    "label_width",
    "label_height",
    "horizontal_pitch",
    "vertical_pitch",
)


MILLIMETRES = tuple(name for name in DIMENSIONS if name not in ("rows", "columns"))


def preset_values(key: str) -> dict:
    """The dimensions of a preset, by field name (millimetres as decimals)."""
    layout = PRESETS[key]
    values = {}
    for name in DIMENSIONS:
        value = getattr(layout, name)
        values[name] = value if isinstance(value, int) else Decimal(str(value))
    return values


def localized(value) -> str:
    """A dimension as the user types it: « 15,15 », « 210 » in French."""
    if isinstance(value, Decimal):
        value = value.normalize()  # 210.00 -> 210, 63.50 -> 63.5
    return formats.localize_input(value)


class LabelTemplateForm(UniqueNameMixin, forms.ModelForm):
    """A label sheet. Choosing a preset fills the dimensions in the browser
    (`label_preset.js`, with the values written in the user's language);
    on the server, a preset fills those left empty."""

    duplicate_name = gettext_lazy("A label sheet already has this name.")

    class Meta:
        model = LabelTemplate
        fields = ["name", "preset", *DIMENSIONS, "show_function", "show_organisation"]
        localized_fields = MILLIMETRES
        labels = {"rows": pgettext_lazy("label sheet", "Rows")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in MILLIMETRES:
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})
            if isinstance(self.initial.get(name), Decimal):
                self.initial[name] = localized(self.initial[name])
        preset = self.fields["preset"] = forms.ChoiceField(
            label=gettext_lazy("Sheet"),
            required=False,
            choices=[("", _("Other sheet (enter its dimensions)")), *preset_choices()],
            help_text=gettext_lazy(
                "A usual sheet fills in the dimensions below; check them on the box."
            ),
        )
        presets = {
            key: {name: localized(value) for name, value in preset_values(key).items()}
            for key in PRESETS
        }
        preset.widget.attrs.update(
            {
                "data-controller": "label-preset",
                "data-action": "change->label-preset#fill",
                "data-label-preset-presets-value": json.dumps(presets),
            }
        )
        for name in DIMENSIONS:
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        key = data.get("preset") or ""
        if key in PRESETS:
            for name, value in preset_values(key).items():
                if data.get(name) is None and name not in self._errors:
                    data[name] = value
                    setattr(self.instance, name, value)
        return data

    def _post_clean(self):
        # The model's own checks (a value for each dimension) come with the
        # layout's from `actions.save_template`, on the right fields.
        pass
