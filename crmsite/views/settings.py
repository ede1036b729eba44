"""The edit page of the settings administrators change in the workspace
(wagtail.contrib.settings: *Paramètres → Connexion*), titled in French.

Wagtail glues its title as "Editing: Sign-in" in code; ours puts the space
French wants before the colon ("Modification : Connexion"), as the
directory's screens do. Served at Wagtail's own address, before it
(`crmsite.urls`), with Wagtail's permission check.
"""

from wagtail.contrib.settings.views import EditView

from directory.views.phrased import header_title


class SettingEditView(EditView):
    def get_header_title(self):
        return header_title(self.get_page_title(), self.get_page_subtitle())
