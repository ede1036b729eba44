from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.search import SearchArea
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet

from .audit import register_log_formatters
from .views import DirectoryViewSetGroup, comments
from .views.quick_search import QuickSearchView

register_snippet(DirectoryViewSetGroup)


@hooks.register("register_admin_urls")
def register_directory_urls():
    return [
        path("directory/search/", QuickSearchView.as_view(), name="directory_search"),
        path(
            "directory/comments/",
            include((comments.urlpatterns, comments.app_name), namespace=comments.app_name),
        ),
    ]


class DirectorySearchArea(SearchArea):
    def is_shown(self, request):
        return request.user.has_perm("directory.view_person")


@hooks.register("register_admin_search_area")
def register_directory_search_area():
    # Lower than Wagtail's pages area (100): the sidebar search opens the directory.
    return DirectorySearchArea(
        _("Directory"), reverse("directory_search"), name="directory", icon_name="group", order=10
    )


class QuickSearchPanel(Component):
    name = "directory_search"
    order = 10
    template_name = "directory/includes/quick_search_panel.html"


@hooks.register("construct_homepage_panels")
def add_directory_search_panel(request, panels):
    if request.user.has_perm("directory.view_person"):
        panels.insert(0, QuickSearchPanel())


@hooks.register("register_log_actions")
def register_comment_actions(actions):
    actions.register_action("directory.comment.add", _("Add comment"), _("Comment added"))
    actions.register_action("directory.comment.edit", _("Edit comment"), _("Comment edited"))
    actions.register_action("directory.comment.delete", _("Delete comment"), _("Comment deleted"))


@hooks.register("register_log_actions", order=1)  # after Wagtail's own "wagtail.edit"
def register_change_formatters(actions):
    register_log_formatters(actions)
