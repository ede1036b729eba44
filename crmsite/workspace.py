"""The workspace without its content-management parts.

Wagtail's admin brings pages, images, documents, collections, sites and
workflows, which this product does not use. Their URLs answer 404
(`crmsite.urls.UNUSED_ADMIN_URLS`); here their menu items, help links,
search areas and dashboard panels leave the interface, by name, through
Wagtail's `construct_*` hooks. The group screens drop the page, image,
document and collection permission panels (`crmsite.views.groups`), and
workflows are off (`WAGTAIL_WORKFLOW_ENABLED`). Registered from
`crmsite/wagtail_hooks.py`.
"""

from wagtail import hooks
from wagtail.admin.menu import SubmenuMenuItem

from .dashboard import shape_dashboard
from .roles import is_client

# Menu items, by their Wagtail name, that belong to the CMS.
CMS_MENU_ITEMS = {"explorer", "images", "documents", "snippets"}
CMS_SETTINGS_ITEMS = {"sites", "collections", "workflows", "workflow-tasks", "redirects"}
CMS_REPORTS = {"locked-pages", "workflows", "workflow-tasks", "aging-pages", "page-types-usage"}
# Help links to Wagtail's editor guide and release notes (outside the workspace).
CMS_HELP_ITEMS = {"editor-guide"}
CMS_HELP_PREFIXES = ("whats-new-in-wagtail",)
CMS_SEARCH_AREAS = {"pages", "images", "documents", "snippets"}
# The menu items a client sees.
CLIENT_MENU_ITEMS = {"helpdesk"}


@hooks.register("construct_main_menu")
def shape_the_main_menu(request, menu_items):
    if is_client(request.user):
        # Their tickets only (the helpdesk's own menu item).
        menu_items[:] = [item for item in menu_items if item.name in CLIENT_MENU_ITEMS]
        return
    menu_items[:] = [
        without_version(item) for item in menu_items if item.name not in CMS_MENU_ITEMS
    ]


def without_version(item):
    """Wagtail's settings menu, without "Wagtail v8…" at its foot."""
    if item.name != "settings" or not isinstance(item, SubmenuMenuItem):
        return item
    return SubmenuMenuItem(
        item.label,
        item.menu,
        name=item.name,
        icon_name=item.icon_name,
        classname=item.classname,
        attrs=item.attrs,
        order=item.order,
    )


@hooks.register("construct_settings_menu")
def no_cms_settings(request, menu_items):
    menu_items[:] = [item for item in menu_items if item.name not in CMS_SETTINGS_ITEMS]


@hooks.register("construct_reports_menu")
def no_cms_reports(request, menu_items):
    menu_items[:] = [item for item in menu_items if item.name not in CMS_REPORTS]


@hooks.register("construct_help_menu")
def no_cms_help(request, menu_items):
    menu_items[:] = [
        item
        for item in menu_items
        if item.name not in CMS_HELP_ITEMS and not item.name.startswith(CMS_HELP_PREFIXES)
    ]


@hooks.register("construct_search")
def no_cms_search_areas(request, search_areas):
    search_areas[:] = [area for area in search_areas if area.name not in CMS_SEARCH_AREAS]


# After every app's own panels (the directory's quick search among them).
hooks.register("construct_homepage_panels", shape_dashboard, order=100)
