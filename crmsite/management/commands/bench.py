"""`python manage.py bench AREA [--json]`: benchmarks, each figure beside its baseline.

Areas are modules with a `run(options) -> dict` function, listed in AREAS.
Benchmarks measure; they do not pass or fail. Run them on PostgreSQL with
the large directory (`seed_demo --persons 1000000`) for meaningful figures.
"""

import importlib
import json

from django.core.management.base import BaseCommand, CommandError

AREAS = {
    "directory": "crmsite.bench.directory",
    "helpdesk": "crmsite.bench.helpdesk",
    "imports": "crmsite.bench.imports",
    "outreach": "crmsite.bench.outreach",
    "selections": "crmsite.bench.selections",
}


class Command(BaseCommand):
    help = "Run a benchmark area and print its figures beside their baselines."

    def add_arguments(self, parser):
        parser.add_argument("area", choices=sorted(AREAS))
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument(
            "--repeat", type=int, default=20, help="Measurements per query (default 20)."
        )
        parser.add_argument(
            "--rows",
            type=int,
            default=100_000,
            help="Rows of the generated sheet (imports) or recipients (outreach).",
        )
        parser.add_argument(
            "--clients",
            type=int,
            default=500,
            help="Websocket clients (helpdesk, default 500).",
        )
        parser.add_argument(
            "--seconds",
            type=int,
            default=30,
            help="Seconds of load per run (helpdesk, default 30).",
        )
        parser.add_argument(
            "--interval-ms",
            type=int,
            help="Mean milliseconds between two messages of a ticket (helpdesk, default 10000).",
        )
        parser.add_argument(
            "--provider-latency-ms",
            type=int,
            default=50,
            help="Delay of the stand-in e-mail provider, per call (outreach, default 50).",
        )
        parser.add_argument(
            "--only",
            help=(
                "Run one section of the area (directory: organisation_form, duplicates; "
                "helpdesk: redis, in_memory, two_daphnes; imports: import, import_csv, "
                "import_xlsx, reimport; outreach: provider)."
            ),
        )

    def handle(self, *args, **options):
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1.")
        if options["clients"] < 2 or options["seconds"] < 1:
            raise CommandError("--clients must be at least 2 and --seconds at least 1.")
        module = importlib.import_module(AREAS[options["area"]])
        results = module.run(options)
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2, ensure_ascii=False))
            return
        for key, value in results.items():
            self.stdout.write(f"{key}: {json.dumps(value, ensure_ascii=False)}")
