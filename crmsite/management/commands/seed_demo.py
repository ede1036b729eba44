"""Load French demo data and the three demo accounts (idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from directory.demo import seed_directory

from ...demo import seed_accounts
from ...roles import sync_roles


class Command(BaseCommand):
    help = "Load French demo data and the demo accounts. Running it twice changes nothing."

    def handle(self, *args, **options):
        with transaction.atomic():
            sync_roles()
            accounts = seed_accounts()
            counts = seed_directory()
        created = sum(counts.values()) + sum(1 for _a, was_created in accounts if was_created)
        self.stdout.write(f"Demo data ready ({created} new records).")
        self.stdout.write("")
        self.stdout.write("Open http://127.0.0.1:8000/ and sign in with one of these accounts:")
        for account, _created in accounts:
            self.stdout.write(
                f"  {account.label:<15} login: {account.username:<8} password: {account.password}"
            )
