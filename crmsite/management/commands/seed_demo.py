"""Load French demo data and the three demo accounts (idempotent).

`--persons N` writes generated people straight into the directory's tables
and, on PostgreSQL, drops and recreates their indexes and foreign keys while
it loads (`crmsite.demo.bulk_load`). It runs only on a development database
unless `--force` is given. A development database is:

* an SQLite file (the embedded default of `make demo` and `make test`);
* a database whose directory is empty (no organisation, no person): nothing
  there to lose or to slow down;
* a PostgreSQL database that seed_demo filled itself: when it writes into an
  empty directory it marks the database with a comment (`COMMENT ON
  DATABASE ... IS 'CRM demo data (seed_demo)'`), so that later runs may add
  more people.

`DEBUG` is no sign: `manage.py` reads the development settings by default,
whatever database `DATABASE_URL` names.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

from directory.models import Organisation, Person

from ...demo import seed_accounts
from ...demo.activities import add_activities
from ...demo.bulk_load import REBUILD_INDEXES_FROM
from ...demo.directory import seed_directory
from ...demo.helpdesk import add_helpdesk
from ...demo.outreach import add_outreach_templates
from ...demo.planner import add_tasks
from ...roles import ADMINISTRATORS, CLIENTS, STAFF, sync_roles

MAX_PERSONS = 5_000_000
DEMO_MARK = "CRM demo data (seed_demo)"


def embedded_database() -> bool:
    return connection.vendor == "sqlite"


def directory_is_empty() -> bool:
    return not (Person._base_manager.exists() or Organisation._base_manager.exists())


def _current_database_comment() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def marked_as_demo() -> bool:
    return connection.vendor == "postgresql" and _current_database_comment() == DEMO_MARK


def mark_as_demo() -> None:
    """Say in the database itself that seed_demo filled it (PostgreSQL only)."""
    if connection.vendor != "postgresql" or _current_database_comment():
        return  # never overwrite a comment someone else wrote
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            name = connection.ops.quote_name(cursor.fetchone()[0])
            cursor.execute(f"COMMENT ON DATABASE {name} IS %s", [DEMO_MARK])
    except DatabaseError:
        pass  # not the database's owner: later runs will need --force


def refusal() -> str | None:
    """Why `--persons` must not run here without --force; None on a development database."""
    if embedded_database() or directory_is_empty() or marked_as_demo():
        return None
    return (
        f"Refusing --persons on database “{connection.settings_dict['NAME']}”: it does not "
        "look like a development database (it is not SQLite, its directory is not empty "
        f"(people: {Person._base_manager.count():,}, "
        f"organisations: {Organisation._base_manager.count():,}), and seed_demo did not "
        "fill it). --persons writes generated people into the live tables and, on PostgreSQL, "
        "drops and recreates their indexes and foreign keys while it loads. Run it on a "
        "database of your own, or add --force if you really mean this one."
    )


class Command(BaseCommand):
    help = (
        "Load French demo data and the demo accounts. Running it twice changes nothing, "
        "except --persons, which adds that many generated people each time. --persons "
        "runs only on a development database (an SQLite file, a database whose directory "
        "is empty, or a PostgreSQL database seed_demo filled and marked with a comment) "
        "unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--persons",
            type=int,
            default=0,
            help="Also generate this many people (with organisations and positions), "
            "with COPY on PostgreSQL. From "
            f"{REBUILD_INDEXES_FROM:,} people, drops and recreates the directory tables' "
            "indexes and foreign keys while loading. Refused outside a development database "
            "without --force.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run --persons even on a database that is not a development database.",
        )

    def handle(self, *args, **options):
        persons = options["persons"]
        if persons < 0 or persons > MAX_PERSONS:
            raise CommandError(f"--persons must be between 0 and {MAX_PERSONS:,}.")
        if persons and not options["force"] and (reason := refusal()):
            raise CommandError(reason)
        was_empty = directory_is_empty()
        with transaction.atomic():
            sync_roles()
            accounts = seed_accounts()
            authors = list(
                get_user_model().objects.filter(
                    username__in=[
                        account.username
                        for account, _created in accounts
                        if account.group in (ADMINISTRATORS, STAFF)
                    ]
                )
            )
        templates = add_outreach_templates()
        counts = seed_directory(
            persons=persons, comment_authors=authors, log=self.stdout.write if persons else None
        )
        if was_empty:
            mark_as_demo()
        tickets = add_helpdesk(
            {
                "client": next(a.username for a, _c in accounts if a.group == CLIENTS),
                "staff": next(a.username for a, _c in accounts if a.group == STAFF),
                "admin": next(a.username for a, _c in accounts if a.group == ADMINISTRATORS),
            }
        )
        tickets += add_tasks({account.group: account.username for account, _c in accounts})
        tickets += add_activities({account.group: account.username for account, _c in accounts})
        large = counts.pop("large", None)
        created = sum(
            counts.get(key, 0)
            for key in ("interest_centres", "organisation", "person", "position", "comments")
        )
        created += sum(1 for _a, was_created in accounts if was_created) + templates + tickets
        if large:
            self.stdout.write(
                f"Generated {large.get('person', 0):,} people, "
                f"{large.get('organisation', 0):,} organisations and "
                f"{large.get('position', 0):,} positions in {large['seconds']} s: "
                f"COPY {large['load_seconds']} s ({large['load_people_per_second']:,} people/s), "
                f"search indexes {large['index_seconds']} s, ANALYZE {large['analyze_seconds']} s; "
                f"{large['people_per_second']:,} people/s overall."
            )
        self.stdout.write(f"Demo data ready ({created} new records).")
        self.stdout.write("")
        self.stdout.write("Open http://127.0.0.1:8000/ and sign in with one of these accounts:")
        for account, _created in accounts:
            self.stdout.write(
                f"  {account.label:<15} login: {account.username:<8} password: {account.password}"
            )
