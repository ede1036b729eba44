from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from directory.audit import ChangesFormatter

from .bulk_actions import AssignRoleBulkAction, DeleteUsersBulkAction
from .roles import ROLE_ACTION, is_client
from .views.lockouts import LockoutViewSet


@hooks.register("register_admin_viewset")
def register_lockouts():
    return LockoutViewSet()


class RoleFormatter(ChangesFormatter):
    """ "Rôle attribué : Rôle : « Équipe » → « Administrateur »"."""

    label = _("Assign role")
    message = _("Role assigned")


@hooks.register("register_log_actions")
def register_role_action(actions):
    actions.register_action(ROLE_ACTION)(RoleFormatter)


# Registered after Wagtail's own (order=10), so that it replaces it.
hooks.register("register_bulk_action", AssignRoleBulkAction, order=10)
hooks.register("register_bulk_action", DeleteUsersBulkAction, order=10)


@hooks.register("construct_main_menu")
def shape_the_main_menu(request, menu_items):
    if is_client(request.user):
        menu_items[:] = []
        return
    # Each app has its own menu; Wagtail's catch-all "Snippets" menu is noise.
    menu_items[:] = [item for item in menu_items if item.name != "snippets"]


@hooks.register("construct_homepage_panels")
def no_page_panels(request, panels):
    # This workspace has no public pages: drop Wagtail's page-centred panels.
    panels[:] = [p for p in panels if "page" not in getattr(p, "name", "")]


@hooks.register("construct_settings_menu")
def no_cms_settings(request, menu_items):
    # Sites and workflows belong to Wagtail's pages, which this product has not.
    menu_items[:] = [
        item for item in menu_items if item.name not in {"sites", "workflows", "workflow-tasks"}
    ]
