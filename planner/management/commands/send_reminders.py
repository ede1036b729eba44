"""`manage.py send_reminders`: the planner's reminder sweep, for the embedded
defaults (no Celery beat). Run it every minute (cron, a systemd timer), or
with `--every 60` to keep it running in a terminal next to `make demo`.
Running it twice at the same time sends each reminder once."""

import time

from django.core.management.base import BaseCommand, CommandError

from planner.reminders import sweep


class Command(BaseCommand):
    help = (
        "Send the planner's reminder e-mails that are due (each once). With --every N, "
        "go on sweeping every N seconds until interrupted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="Sweep again every this many seconds (at least 10), until Ctrl-C.",
        )

    def handle(self, *args, **options):
        every = options["every"]
        if every and every < 10:
            raise CommandError("--every must be at least 10 seconds.")
        while True:
            sent = sweep()
            if sent or options["verbosity"] > 1:
                self.stdout.write(f"{sent} reminder(s) sent.")
            if not every:
                return
            try:
                time.sleep(every)
            except KeyboardInterrupt:
                return
