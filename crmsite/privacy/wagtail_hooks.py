"""The admin's wiring of people's rights (imported by `crmsite.wagtail_hooks`):
the screens' URLs, « Contacts dormants » in the Settings menu, the export
and erasure buttons in a person's record, the log actions."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button

from directory.models import Person

from ..actions import PRIVACY_EXPORT_ACTION, PRIVACY_KEEP_ACTION
from . import may_manage, views
from .erasure import ERASE_ACTION, is_erased


@hooks.register("register_admin_urls")
def register_privacy_urls():
    return [
        path("privacy/", include((views.urlpatterns, views.app_name), namespace=views.app_name)),
    ]


class PrivacyMenuItem(MenuItem):
    def is_shown(self, request):
        return may_manage(request.user)


@hooks.register("register_settings_menu_item")
def register_dormant_menu_item():
    return PrivacyMenuItem(
        _("Dormant contacts"),
        reverse("crmsite_privacy:dormant"),
        name="dormant-contacts",
        icon_name="time",
        order=660,
    )


@hooks.register("directory_record_header_buttons")
def privacy_buttons(request, record):
    if not isinstance(record, Person) or not may_manage(request.user):
        return []
    buttons = [
        Button(
            _("Export personal data"),
            url=reverse("crmsite_privacy:export", args=(record.pk,)),
            icon_name="download",
            priority=30,
            attrs={"data-privacy-export": ""},
        )
    ]
    if not is_erased(record):
        buttons.append(
            Button(
                _("Erase personal data"),
                url=reverse("crmsite_privacy:erase", args=(record.pk,)),
                icon_name="bin",
                priority=40,
                attrs={"data-privacy-erase-link": ""},
            )
        )
    return buttons


@hooks.register("register_log_actions")
def register_privacy_actions(actions):
    actions.register_action(ERASE_ACTION, _("Erase personal data"), _("Personal data erased"))
    actions.register_action(
        PRIVACY_EXPORT_ACTION, _("Export personal data"), _("Personal data exported")
    )
    actions.register_action(
        PRIVACY_KEEP_ACTION, _("Keep a dormant contact"), _("Kept after the dormant review")
    )
