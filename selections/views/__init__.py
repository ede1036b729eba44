"""Screens of selections, grouped under one "Sélections" menu."""

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from .baskets import BasketViewSet
from .searches import SavedSearchViewSet


class PermissionMenuItem(MenuItem):
    permission = ""

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class MenuLink(ViewSet):
    """A menu entry for a page another viewset serves."""

    url_name = ""
    permission = ""

    @cached_property
    def menu_url(self):
        return reverse(self.url_name)

    @cached_property
    def menu_item_class(self):
        return type(
            f"{type(self).__name__}MenuItem", (PermissionMenuItem,), {"permission": self.permission}
        )


class NewSearchLink(MenuLink):
    name = "selections_new_search"
    menu_label = _("Advanced search")
    icon = "search"
    url_name = "selections_searches:add"
    permission = "selections.add_savedsearch"


class SharedSearchesLink(MenuLink):
    name = "selections_shared_searches"
    menu_label = _("Searches shared with me")
    icon = "crosshairs"
    url_name = "selections_searches:shared"
    permission = "selections.view_savedsearch"


class SharedBasketsLink(MenuLink):
    name = "selections_shared_baskets"
    menu_label = _("Baskets shared with me")
    icon = "list-ul"
    url_name = "selections_baskets:shared"
    permission = "selections.view_basket"


class SelectionsViewSetGroup(ViewSetGroup):
    menu_label = _("Selections")
    menu_icon = "crosshairs"
    menu_order = 150
    items = (
        NewSearchLink,
        SavedSearchViewSet,
        SharedSearchesLink,
        BasketViewSet,
        SharedBasketsLink,
    )
