"""Benchmark of the directory (`python manage.py bench directory --json`).

Figures, each beside Django's default admin search measured in the same run:

* simple search (people and organisations, first page of 25 and the count):
  p50 and p95, against `icontains` over the same fields, terms ANDed and
  fields ORed as Django's admin does, with its DISTINCT and full COUNT;
* the organisation and person listing pages (server time of the whole
  admin page, templates included): p95;
* the number of SQL queries per listing page, at 25 and 100 rows a page.
"""

import math
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from directory.matches import Matches
from directory.models import Organisation, Person, Position
from directory.views.listing import SEARCH_COUNT_CAP

PAGE = 25
BASELINE_FIELDS = {
    Person: [
        "first_name",
        "last_name",
        "email",
        "city",
        "phone",
        "mobile",
        "positions__organisation__name",
        "positions__email",
        "positions__phone",
    ],
    Organisation: ["name", "email", "city", "postcode", "phone"],
}


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(values):
    return {
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "runs": len(values),
    }


def timed(fn, repeat):
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def sample_queries() -> list[str]:
    """Realistic queries: names without accents, cities, organisations, phone digits."""
    queries = [
        "theatre",
        "LEFEVRE",
        "guerin",
        "festival lyon",
        "conservatoire nimes",
        "saint-etienne",
    ]
    person = Person.objects.exclude(mobile="").order_by("pk").first()
    if person:
        national = "0" + person.mobile[3:]
        queries.append(f"{national[:2]} {national[2:4]} {national[4:6]} {national[6:8]}")
    position = Position.objects.exclude(email="").order_by("pk").first()
    if position:
        queries.append(position.email.split("@")[0][:12])
    return queries


def ours(query):
    """What the listings and the quick search do: a capped count, then the first page."""
    for model in (Person, Organisation):
        matches = Matches(model.objects.order_by("name_key", "pk"), query, SEARCH_COUNT_CAP)
        matches.rows(0, PAGE)


def django_admin_search(query):
    for model, fields in BASELINE_FIELDS.items():
        queryset = model.objects.order_by("name_key", "pk")
        for term in query.split():
            condition = Q()
            for field in fields:
                condition |= Q(**{f"{field}__icontains": term})
            queryset = queryset.filter(condition)
        queryset = queryset.distinct()
        list(queryset[:PAGE])
        queryset.count()


def bench_user():
    user, _created = get_user_model().objects.get_or_create(
        username="bench-staff", defaults={"is_active": True}
    )
    user.groups.add(Group.objects.get(name="Équipe"))
    return user


def listing_urls():
    people_pages = max(1, Person.objects.count() // PAGE)
    organisation_pages = max(1, Organisation.objects.count() // PAGE)
    return {
        "organisations": [
            "/admin/directory/organisations/",
            f"/admin/directory/organisations/?p={max(1, organisation_pages // 2)}",
            "/admin/directory/organisations/?region=44",
            "/admin/directory/organisations/?q=theatre",
            "/admin/directory/organisations/?ordering=city",
        ],
        "people": [
            "/admin/directory/people/",
            f"/admin/directory/people/?p={max(1, people_pages // 2)}",
            "/admin/directory/people/?situation=independent",
            "/admin/directory/people/?q=lefevre",
            "/admin/directory/people/?ordering=-name_key",
        ],
    }


def run(options) -> dict:
    repeat = options.get("repeat", 20)
    baseline_repeat = max(1, repeat // 10)
    results = {
        "database": connection.vendor,
        "rows": {
            "people": Person.objects.count(),
            "organisations": Organisation.objects.count(),
            "positions": Position.objects.count(),
        },
    }

    queries = sample_queries()
    ours_ms, baseline_ms = [], []
    for query in queries:
        ours(query)  # warm the cache the same way for both
        ours_ms += timed(lambda q=query: ours(q), repeat)
        django_admin_search(query)
        baseline_ms += timed(lambda q=query: django_admin_search(q), baseline_repeat)
    ours_summary, baseline_summary = summary(ours_ms), summary(baseline_ms)
    results["simple_search"] = {
        "queries": queries,
        "ours": ours_summary,
        "django_admin_icontains": baseline_summary,
        "speedup_p95": round(baseline_summary["p95_ms"] / max(ours_summary["p95_ms"], 0.01), 1),
        "goal": "p95 <= 50 ms and >= 10x faster than the baseline",
    }

    client = Client(
        HTTP_HOST=(settings.ALLOWED_HOSTS or ["127.0.0.1"])[0].lstrip(".") or "127.0.0.1"
    )
    client.force_login(bench_user())
    for name, urls in listing_urls().items():
        durations = []
        for url in urls:
            assert client.get(url).status_code == 200, url
            for duration in timed(lambda u=url: client.get(u), max(1, repeat // 2)):
                durations.append(duration)
        query_counts = {}
        for per_page in (25, 100):
            with CaptureQueriesContext(connection) as captured:
                client.get(f"{urls[0]}?per_page={per_page}")
            query_counts[f"per_page_{per_page}"] = len(captured)
        results[f"{name}_listing"] = {
            "server_time": summary(durations),
            "queries_per_page": query_counts,
            "goal": "p95 <= 150 ms, queries constant whatever the page size",
        }
    return results
