from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class CrmSiteConfig(AppConfig):
    name = "crmsite"
    label = "crmsite"
    verbose_name = _("Workspace")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from axes.models import AccessAttempt
        from wagtail.permissions import register_permission_policy

        from . import signals  # noqa: F401
        from .views.lockouts import ClearOnlyPermissionPolicy

        register_permission_policy(AccessAttempt, ClearOnlyPermissionPolicy(AccessAttempt))
        pause_the_guard_while_sqlite_flushes()


def pause_the_guard_while_sqlite_flushes():
    """Django's flush (`manage.py flush`, and the test runner between
    transactional tests) empties every table. On SQLite it DELETEs row by
    row, which the last-administrator triggers refuse (PostgreSQL TRUNCATEs,
    which fires no row trigger). So on SQLite the flush drops the triggers and
    creates them again within its own transaction: no other connection ever
    sees the database without them."""
    from django.db import connections

    engines = {connections.settings[alias]["ENGINE"] for alias in connections}
    if "django.db.backends.sqlite3" not in engines:
        return
    from django.db.backends.sqlite3.base import DatabaseWrapper

    DatabaseOperations = DatabaseWrapper.ops_class
    original = DatabaseOperations.execute_sql_flush
    if getattr(original, "pauses_the_guard", False):
        return

    def execute_sql_flush(self, sql_list):
        from .roles import guard_sql, installed_guard_triggers

        if sql_list and installed_guard_triggers(self.connection):
            sql_list = [
                *guard_sql(self.connection, install=False),
                *sql_list,
                *guard_sql(self.connection, install=True),
            ]
        return original(self, sql_list)

    execute_sql_flush.pauses_the_guard = True
    DatabaseOperations.execute_sql_flush = execute_sql_flush


class CrmUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user screens, with our user form (contact details and role),
    and its group screens, where the role groups are read-only."""

    user_viewset = "crmsite.views.users.UserViewSet"
    group_viewset = "crmsite.views.groups.GroupViewSet"
