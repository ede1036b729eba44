"""People: listing, form with positions inline, record ("fiche")."""

import django_filters
from django.db.models import CharField, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from ..exports import import_heading
from ..filters import ImportFilterMixin, YesNoFilter
from ..geography import region_choices
from ..models import Consent, Person, Position
from ..models.people import LANGUAGE_CHOICES
from ..phones import format_phone
from ..positions_summary import primary_position_values, primary_positions
from .base import DirectoryViewSet
from .choosers import PersonChooserViewSet
from .columns import PlainColumn
from .edit_panels import person_edit_handler
from .edit_views import RecordCreateView, RecordEditView
from .listing import DirectoryIndexView
from .organisations import RecordTitleMixin
from .records import PersonRecordView

INDEPENDENT = "independent"
# An export reads the shown position of this many people at a time.
EXPORT_POSITION_CHUNK = 500
WITH_POSITION = "with_position"


class PersonFilterSet(ImportFilterMixin, WagtailFilterSet):
    import_created_key = "people"  # ?import=<id>: what that import created

    situation = django_filters.ChoiceFilter(
        label=_("Situation"),
        choices=[
            (WITH_POSITION, _("Holds a current position")),
            (INDEPENDENT, _("No current position")),
        ],
        method="filter_situation",
    )
    region = django_filters.ChoiceFilter(
        label=_("Region (personal address)"), choices=region_choices
    )
    language = django_filters.ChoiceFilter(label=_("Preferred language"), choices=LANGUAGE_CHOICES)
    email_consent = django_filters.ChoiceFilter(
        label=_("E-mail consent"), choices=Consent.choices, empty_label=_("Any")
    )
    do_not_contact = YesNoFilter(label=_("Do not contact"))

    class Meta:
        model = Person
        fields = []

    def filter_situation(self, queryset, name, value):
        current = Exists(Position.objects.current().filter(person_id=OuterRef("pk")))
        if value == WITH_POSITION:
            return queryset.filter(current)
        if value == INDEPENDENT:
            return queryset.filter(~current)
        return queryset


def _main_position():
    """Each person's position shown in the listing (as `primary_positions` chooses it)."""
    return Position.objects.current().filter(person_id=OuterRef("pk")).order_by("-is_primary", "pk")


def _given(expression):
    return NullIf(expression, Value(""))


class PersonIndexView(RecordTitleMixin, DirectoryIndexView):
    default_ordering = "name_key"
    optional_columns = ("position", "email", "phone", "city")
    default_columns = ("position", "email", "city")
    # Computed on demand: only a listing sorted on them reads a position per person.
    sort_expressions = {
        "organisation": (
            "_organisation_key",
            Subquery(_main_position().values("organisation__name_key")[:1]),
        ),
        "contact_email": (
            "_contact_email",
            Coalesce(
                _given(Subquery(_main_position().values("email")[:1])),
                _given(F("email")),
                output_field=CharField(),
            ),
        ),
        "contact_phone": (
            "_contact_phone",
            Coalesce(
                _given(Subquery(_main_position().values("phone")[:1])),
                _given(F("phone")),
                _given(F("mobile")),
                output_field=CharField(),
            ),
        ),
    }

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        objects = list(object_list)
        positions = primary_positions([obj.pk for obj in objects])
        for obj in objects:
            obj.main_position = positions.get(obj.pk)
        page.object_list = objects
        return paginator, page, objects, is_paginated

    def export_rows(self, queryset):
        """Each exported person with the position the listing shows (one query
        per chunk of rows): the CSV says where to reach them, as the screen does."""
        chunk = []
        for person in super().export_rows(queryset):
            chunk.append(person)
            if len(chunk) >= EXPORT_POSITION_CHUNK:
                yield from with_export_position(chunk)
                chunk = []
        yield from with_export_position(chunk)


# The exported columns of the position the listing shows (the primary
# current one, else the first current one): attribute -> `values()` field.
EXPORT_POSITION_FIELDS = {
    "export_organisation": "organisation__name",
    "export_function": "function__name",
    "export_position_title": "title",
    "export_professional_email": "email",
    "export_professional_phone": "phone",
    "export_professional_mobile": "mobile",
}
EXPORT_POSITION_PHONES = ("phone", "mobile")


def with_export_position(people):
    """Each person with the columns of their shown position (empty without
    one), read for all of them in one query."""
    positions = primary_position_values(
        [person.pk for person in people], EXPORT_POSITION_FIELDS.values()
    )
    for person in people:
        position = positions.get(person.pk, {})
        for attribute, field in EXPORT_POSITION_FIELDS.items():
            value = position.get(field) or ""
            if field in EXPORT_POSITION_PHONES:
                value = format_phone(value)
            setattr(person, attribute, value)
    return people


def position_text(person):
    position = getattr(person, "main_position", None)
    if position is None:
        return _("No current position")
    return f"{position.label} – {position.organisation}"


def contact_email(person):
    position = getattr(person, "main_position", None)
    return (position.email if position else "") or person.email


def contact_phone(person):
    position = getattr(person, "main_position", None)
    return format_phone((position.phone if position else "") or person.phone or person.mobile)


class PersonViewSet(DirectoryViewSet):
    model = Person
    icon = "user"
    menu_label = _("People")
    menu_name = "people"
    menu_order = 200
    url_prefix = "directory/people"
    add_to_admin_menu = False
    add_view_class = RecordCreateView
    edit_view_class = RecordEditView
    index_view_class = PersonIndexView
    inspect_view_class = PersonRecordView
    inspect_view_enabled = True
    copy_view_enabled = False
    chooser_viewset_class = PersonChooserViewSet
    index_template_name = "directory/listing/index.html"
    index_results_template_name = "directory/listing/index_results.html"
    filterset_class = PersonFilterSet
    list_per_page = 25
    list_display = [
        "full_name",
        PlainColumn(
            "position",
            label=_("Position and organisation"),
            accessor=position_text,
            sort_key="organisation",
        ),
        PlainColumn("email", label=_("E-mail"), accessor=contact_email, sort_key="contact_email"),
        PlainColumn("phone", label=_("Phone"), accessor=contact_phone, sort_key="contact_phone"),
        PlainColumn("city", label=_("City"), sort_key="city"),
    ]
    # Headed as the spreadsheet import names its columns, so that an export
    # re-imports as is: the person, their shown position (organisation,
    # function, title, professional coordinates), their own coordinates.
    list_export = [
        "civility",
        "first_name",
        "last_name",
        "export_organisation",
        "export_function",
        "export_position_title",
        "export_professional_email",
        "export_professional_phone",
        "export_professional_mobile",
        "email",
        "phone_display",
        "mobile_display",
        "address_line1",
        "address_line2",
        "postcode",
        "city",
        "language",
        "email_consent",
        "sms_consent",
        "post_consent",
        "do_not_contact",
    ]
    export_headings = {
        field: import_heading(key)
        for field, key in {
            "civility": "person.civility",
            "first_name": "person.first_name",
            "last_name": "person.last_name",
            "export_organisation": "organisation.name",
            "export_function": "position.function",
            "export_position_title": "position.title",
            "export_professional_email": "position.email",
            "export_professional_phone": "position.phone",
            "export_professional_mobile": "position.mobile",
            "email": "person.email",
            "phone_display": "person.phone",
            "mobile_display": "person.mobile",
            "address_line1": "person.address_line1",
            "address_line2": "person.address_line2",
            "postcode": "person.postcode",
            "city": "person.city",
            "language": "person.language",
            "email_consent": "person.email_consent",
            "sms_consent": "person.sms_consent",
            "post_consent": "person.post_consent",
            "do_not_contact": "person.do_not_contact",
        }.items()
    }
    export_filename = "personnes"

    edit_handler = person_edit_handler
