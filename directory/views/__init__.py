"""Admin screens of the directory, grouped under one "Annuaire" menu."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.base import ViewSetGroup

from .activity_kinds import ActivityKindViewSet
from .duplicates import DuplicatesViewSet
from .imports import ImportViewSet
from .lists import FunctionViewSet, InterestCentreViewSet, OrganisationKindViewSet
from .organisations import OrganisationViewSet
from .people import PersonViewSet
from .trash import TrashViewSet


class DirectoryViewSetGroup(ViewSetGroup):
    menu_label = _("Directory")
    menu_icon = "group"
    menu_order = 100
    items = (
        OrganisationViewSet,
        PersonViewSet,
        InterestCentreViewSet,
        OrganisationKindViewSet,
        FunctionViewSet,
        ActivityKindViewSet,
        ImportViewSet,
        DuplicatesViewSet,
        TrashViewSet,
    )
