"""The forms of organisations and people: their panels, positions inline."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList

from ..duplicate_panels import LikelyDuplicatesPanel
from ..forms import OrganisationForm, PersonForm
from ..panels import PositionsInlinePanel

ADDRESS_PANELS = [
    FieldPanel("address_line1"),
    FieldPanel("address_line2"),
    FieldRowPanel([FieldPanel("postcode"), FieldPanel("city"), FieldPanel("country")]),
]


def position_panels(chooser_field: str):
    """The fields of a position row, inline in a person's or an organisation's form.

    Without Wagtail's comment buttons: records have no field comments.
    """

    def field(name):
        return FieldPanel(name, disable_comments=True)

    return [
        field(chooser_field),
        FieldRowPanel([field("function"), field("title")]),
        FieldRowPanel([field("email"), field("phone"), field("mobile")]),
        FieldRowPanel([field("start_date"), field("end_date"), field("is_primary")]),
        MultiFieldPanel(
            [
                field("address_line1"),
                field("address_line2"),
                FieldRowPanel([field("postcode"), field("city"), field("country")]),
            ],
            heading=_("Address, if not the organisation's"),
            classname="collapsed",
        ),
    ]


organisation_edit_handler = ObjectList(
    [
        LikelyDuplicatesPanel(),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("siret")]),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone"), FieldPanel("website")]),
        MultiFieldPanel(ADDRESS_PANELS, heading=_("Postal address")),
        FieldPanel("interest_centres", widget=forms.CheckboxSelectMultiple),
        FieldPanel("notes"),
        FieldPanel("is_active"),
        PositionsInlinePanel(
            "positions",
            panels=position_panels("person"),
            label=_("Person"),
            heading=_("People and their positions"),
            counterpart_field="person",
            add_label=_("Add a person"),
            new_label=_("New position"),
        ),
    ],
    base_form_class=OrganisationForm,
)

person_edit_handler = ObjectList(
    [
        LikelyDuplicatesPanel(),
        FieldRowPanel([FieldPanel("civility"), FieldPanel("first_name"), FieldPanel("last_name")]),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone"), FieldPanel("mobile")]),
        MultiFieldPanel(ADDRESS_PANELS, heading=_("Personal address")),
        FieldPanel("language"),
        MultiFieldPanel(
            [
                FieldPanel("do_not_contact"),
                FieldRowPanel(
                    [
                        FieldPanel("email_consent"),
                        FieldPanel("email_consent_date"),
                        FieldPanel("email_consent_source"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("sms_consent"),
                        FieldPanel("sms_consent_date"),
                        FieldPanel("sms_consent_source"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("post_consent"),
                        FieldPanel("post_consent_date"),
                        FieldPanel("post_consent_source"),
                    ]
                ),
            ],
            heading=_("Contact preferences"),
        ),
        FieldPanel("notes", widget=forms.Textarea(attrs={"rows": 3})),
        PositionsInlinePanel(
            "positions",
            panels=position_panels("organisation"),
            label=_("Position"),
            heading=_("Positions in organisations"),
            counterpart_field="organisation",
            add_label=_("Add a position"),
            new_label=_("New position"),
        ),
    ],
    base_form_class=PersonForm,
)
