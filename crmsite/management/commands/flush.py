"""Django's `flush`, with the last-administrator triggers set aside meanwhile.

`flush` (and the test runner between transactional tests) empties every
table. On SQLite it deletes row by row, which the triggers of
`crmsite.roles.guard_sql` refuse once the last administrator goes; on
PostgreSQL it truncates, which fires no row trigger. So on SQLite the
triggers are removed, the tables emptied, and the triggers installed again,
all in one transaction: no other connection sees the database without them.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections, transaction

from ...roles import guard_sql, installed_guard_triggers


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite" or not installed_guard_triggers(connection):
            return super().handle(**options)
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for statement in guard_sql(connection, install=False):
                cursor.execute(statement)
            super().handle(**options)
            for statement in guard_sql(connection, install=True):
                cursor.execute(statement)
