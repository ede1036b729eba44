from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionsConfig(AppConfig):
    name = "selections"
    verbose_name = _("Selections")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .phrases import register_selection_phrases

        register_selection_phrases()
