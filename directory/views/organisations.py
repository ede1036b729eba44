"""Organisations: listing, form with positions inline, record ("fiche")."""

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.filters import WagtailFilterSet

from ..exports import import_heading
from ..filters import ImportFilterMixin, RecordMultipleChoiceFilter, YesNoFilter
from ..geography import department_choices, region_choices
from ..models import InterestCentre, Organisation, OrganisationKind, Position
from .base import DirectoryViewSet
from .choosers import DirectoryChooserViewSet
from .columns import ChipsColumn, PlainColumn, StampedTitleColumn
from .edit_panels import organisation_edit_handler
from .edit_views import RecordCreateView, RecordEditView
from .listing import DirectoryIndexView
from .records import OrganisationRecordView


class OrganisationFilterSet(ImportFilterMixin, WagtailFilterSet):
    import_created_key = "organisations"  # ?import=<id>: what that import created

    kind = RecordMultipleChoiceFilter(
        label=_("Type"),
        queryset=OrganisationKind.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    interest_centres = RecordMultipleChoiceFilter(
        label=_("Interest areas"),
        queryset=InterestCentre.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        method="filter_interest_centres",
    )
    region = django_filters.ChoiceFilter(label=_("Region"), choices=region_choices)
    department = django_filters.ChoiceFilter(label=_("Department"), choices=department_choices)
    is_active = YesNoFilter(label=pgettext_lazy("organisation", "Active"))

    class Meta:
        model = Organisation
        fields = []

    def filter_interest_centres(self, queryset, name, value):
        if not value:
            return queryset
        through = Organisation.interest_centres.through
        return queryset.filter(
            pk__in=through.objects.filter(interestcentre__in=value).values("organisation_id")
        )


def current_people_counts(organisation_ids) -> dict[int, int]:
    """Number of people currently holding a position, for a page of organisations."""
    rows = (
        Position.objects.current()
        .filter(organisation_id__in=organisation_ids)
        .values("organisation_id")
        .annotate(n=Count("person_id", distinct=True))
    )
    return {row["organisation_id"]: row["n"] for row in rows}


class RecordTitleMixin:
    """The name links to the record (the "fiche"), sorted on the indexed folded name."""

    def _get_title_column(self, field_name, column_class=StampedTitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)
        return column_class(
            field_name,
            label=_("Name"),
            sort_key="name_key",
            get_url=self.get_inspect_url,
            # The id that each row's selection checkbox refers to (aria-describedby).
            get_title_id=lambda instance: f"snippet_{quote(instance.pk)}_title",
        )

    def get_list_more_buttons(self, instance):
        """Wagtail's menu of actions, where its "Inspect" is called the record ("Fiche")."""
        buttons = super().get_list_more_buttons(instance)
        record_url = self.get_inspect_url(instance)
        for button in buttons:
            if record_url and button.url == record_url:
                button.label = str(_("Record"))
        return buttons


class OrganisationIndexView(RecordTitleMixin, DirectoryIndexView):
    default_ordering = "name_key"
    optional_columns = ("kind", "email", "phone", "city", "interest_centres")
    default_columns = ("kind", "city", "interest_centres")

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if self.is_export:
            return self.export_queryset(queryset)
        if "kind" in self.chosen_columns:
            queryset = queryset.select_related("kind")
        if "interest_centres" in self.chosen_columns:
            queryset = queryset.prefetch_related("interest_centres")
        return queryset

    @staticmethod
    def export_queryset(queryset):
        """What the export reads with each organisation."""
        return queryset.select_related("kind").prefetch_related("interest_centres")

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        objects = list(object_list)
        counts = current_people_counts([obj.pk for obj in objects])
        for obj in objects:
            obj.current_people_count = counts.get(obj.pk, 0)
        page.object_list = objects
        return paginator, page, objects, is_paginated


class OrganisationViewSet(DirectoryViewSet):
    model = Organisation
    icon = "home"
    menu_label = _("Organisations")
    menu_name = "organisations"
    menu_order = 100
    url_prefix = "directory/organisations"
    add_to_admin_menu = False
    add_view_class = RecordCreateView
    edit_view_class = RecordEditView
    index_view_class = OrganisationIndexView
    inspect_view_class = OrganisationRecordView
    inspect_view_enabled = True
    copy_view_enabled = False
    chooser_viewset_class = DirectoryChooserViewSet
    index_template_name = "directory/listing/index.html"
    index_results_template_name = "directory/listing/index_results.html"
    filterset_class = OrganisationFilterSet
    list_per_page = 25
    list_display = [
        "name",
        PlainColumn("kind", label=_("Type"), accessor="kind", sort_key="kind__name_key"),
        PlainColumn("email", label=_("E-mail"), accessor="email", sort_key="email"),
        PlainColumn("phone", label=_("Phone"), accessor="phone_display", sort_key="phone"),
        PlainColumn("city", label=_("City"), sort_key="city"),
        ChipsColumn(
            "interest_centres",
            label=_("Interest areas"),
            accessor=lambda obj: obj.interest_centres.all(),
        ),
        PlainColumn(
            "current_people_count", label=_("Current people"), accessor="current_people_count"
        ),
    ]
    list_export = [
        "name",
        "kind",
        "siret",
        "email",
        "phone_display",
        "website",
        "address_line1",
        "address_line2",
        "postcode",
        "city",
        "department_name",
        "region_name",
        "interest_centre_names",
        "is_active",
    ]
    # Headed as the spreadsheet import names its columns, so that an export
    # re-imports as is: on a row that names only an organisation, the import
    # gives the plain coordinates ("E-mail", "Adresse"...) to the organisation.
    # Department and region are derived from the postcode: the import
    # recognises and ignores them.
    export_headings = {
        "name": import_heading("organisation.name"),
        "kind": import_heading("organisation.kind"),
        "siret": import_heading("organisation.siret"),
        "email": import_heading("contact.email"),
        "phone_display": import_heading("contact.phone"),
        "website": import_heading("organisation.website"),
        "address_line1": import_heading("contact.address_line1"),
        "address_line2": import_heading("contact.address_line2"),
        "postcode": import_heading("contact.postcode"),
        "city": import_heading("contact.city"),
        "department_name": _("Department"),
        "region_name": _("Region"),
        "interest_centre_names": import_heading("organisation.interest_centres"),
        "is_active": import_heading("organisation.is_active"),
    }
    export_filename = "organisations"

    edit_handler = organisation_edit_handler
