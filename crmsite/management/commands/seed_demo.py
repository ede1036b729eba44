"""Load French demo data and the three demo accounts (idempotent)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ...demo import seed_accounts
from ...demo.directory import seed_directory
from ...roles import ADMINISTRATORS, STAFF, sync_roles

MAX_PERSONS = 5_000_000


class Command(BaseCommand):
    help = (
        "Load French demo data and the demo accounts. Running it twice changes nothing, "
        "except --persons, which adds that many generated people each time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--persons",
            type=int,
            default=0,
            help="Also generate this many people (with organisations and positions), "
            "with COPY on PostgreSQL.",
        )

    def handle(self, *args, **options):
        persons = options["persons"]
        if persons < 0 or persons > MAX_PERSONS:
            raise CommandError(f"--persons must be between 0 and {MAX_PERSONS:,}.")
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
        counts = seed_directory(
            persons=persons, comment_authors=authors, log=self.stdout.write if persons else None
        )
        large = counts.pop("large", None)
        created = sum(
            counts.get(key, 0)
            for key in ("interest_centres", "organisation", "person", "position", "comments")
        )
        created += sum(1 for _a, was_created in accounts if was_created)
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
