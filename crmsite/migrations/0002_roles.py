"""Create the three role groups (Administrateurs, Équipe, Clients).

Their permissions are kept in line with `crmsite.roles.ROLE_PERMISSIONS` after
every migrate, so later apps only declare theirs there.
"""

from django.db import migrations


def create_roles(apps, schema_editor):
    from crmsite.roles import sync_roles

    sync_roles(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("crmsite", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
