"""People: listing, form with positions inline, record ("fiche")."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from ..geography import region_choices
from ..models import Consent, Person, Position
from ..models.people import LANGUAGE_CHOICES
from ..positions_summary import primary_positions
from .base import DirectoryViewSet
from .choosers import PersonChooserViewSet
from .columns import PlainColumn
from .edit_panels import person_edit_handler
from .listing import DirectoryIndexView
from .organisations import RecordTitleMixin
from .records import PersonRecordView

INDEPENDENT = "independent"
WITH_POSITION = "with_position"


class PersonFilterSet(WagtailFilterSet):
    situation = django_filters.ChoiceFilter(
        label=_("Situation"),
        choices=[
            (WITH_POSITION, _("Holds a current position")),
            (INDEPENDENT, _("Independent")),
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
    do_not_contact = django_filters.BooleanFilter(label=_("Do not contact"))

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


class PersonIndexView(RecordTitleMixin, DirectoryIndexView):
    default_ordering = "name_key"

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        objects = list(object_list)
        positions = primary_positions([obj.pk for obj in objects])
        for obj in objects:
            obj.main_position = positions.get(obj.pk)
        page.object_list = objects
        return paginator, page, objects, is_paginated


def position_text(person):
    position = getattr(person, "main_position", None)
    if position is None:
        return _("Independent")
    return f"{position.label} – {position.organisation}"


def contact_email(person):
    position = getattr(person, "main_position", None)
    return (position.email if position else "") or person.email


class PersonViewSet(DirectoryViewSet):
    model = Person
    icon = "user"
    menu_label = _("People")
    menu_name = "people"
    menu_order = 200
    url_prefix = "directory/people"
    add_to_admin_menu = False
    index_view_class = PersonIndexView
    inspect_view_class = PersonRecordView
    inspect_view_enabled = True
    copy_view_enabled = False
    chooser_viewset_class = PersonChooserViewSet
    filterset_class = PersonFilterSet
    list_per_page = 25
    list_display = [
        "full_name",
        PlainColumn("position", label=_("Position"), accessor=position_text),
        PlainColumn("email", label=_("E-mail"), accessor=contact_email),
        PlainColumn("city", label=_("City"), sort_key="city"),
    ]
    list_export = [
        "civility",
        "first_name",
        "last_name",
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
    export_headings = {"phone_display": _("Phone"), "mobile_display": _("Mobile")}
    export_filename = "personnes"

    edit_handler = person_edit_handler
