"""The database's own guard of the last administrator and of the role groups.

Triggers on the user table, the user-groups table and auth_group (see
`crmsite.roles.guard_sql`): PostgreSQL (PL/pgSQL) and SQLite. Within a
`migrate` run they are installed by the `post_migrate` handler instead, once
every migration has run (`crmsite.signals`), because SQLite cannot rebuild a
table that a trigger of another table names.
"""

from django.db import migrations


def install(apps, schema_editor):
    from crmsite.roles import install_guard
    from crmsite.signals import migrate_in_progress

    if not migrate_in_progress(schema_editor.connection.alias):
        install_guard(schema_editor.connection)


def remove(apps, schema_editor):
    from crmsite.roles import remove_guard

    remove_guard(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("crmsite", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(install, remove)]
