"""Benchmark of the directory (`python manage.py bench directory --json`).

Figures, each beside Django's default admin search measured in the same run:

* simple search (people and organisations, first page of 25 and the count):
  p50 and p95, against `icontains` over the same fields, terms ANDed and
  fields ORed as Django's admin does, with its DISTINCT and full COUNT;
* the organisation and person listing pages (server time of the whole
  admin page, templates included): p95;
* the number of SQL queries per listing page, at 25 and 100 rows a page;
* the organisation form with 14 positions (`organisation_form`): server
  time (p50, p95, and the CPU time of the process), SQL queries and HTML
  bytes (a proxy of the page's height) of the edit page as an
  administrator, beside the same form built with Wagtail's plain
  InlinePanel, rendered by the same view in the same run.

`--only organisation_form` runs that last section alone.

* likely duplicates (`duplicates`): time to list the first page of pairs
  of people and of organisations computed by the SQL self-joins
  (`directory.duplicates.likely_pairs`, the baseline), the time to compute
  and store them (`refresh_pairs`) and to list the first page from the
  stored pairs (`stored_pairs`, what the screen reads), beside a naive
  pairwise comparison in Python of the same rules on a sample of 2,000
  people, with its time extrapolated to the whole directory (n² / 2
  comparisons). `--only duplicates` runs it alone.
"""

import datetime
import math
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)

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


FORM_POSITIONS = 14


def bench_administrator():
    user, _created = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_active": True}
    )
    user.groups.add(Group.objects.get(name="Administrateurs"))
    return user


def organisation_with_positions(count=FORM_POSITIONS):
    """The organisation with the most positions, given `count` of them (the
    caller rolls back what is added here): a few ended, one primary."""
    organisation = (
        Organisation.objects.annotate(n=Count("positions")).order_by("-n", "pk").first()
    ) or Organisation.objects.create(name="Banc d'essai", city="Lyon", postcode="69001")
    have = organisation.positions.count()
    if have >= count:
        return organisation
    people = list(
        Person.objects.exclude(positions__organisation=organisation).order_by("pk")[: count - have]
    )
    for n in range(len(people), count - have):
        people.append(Person.objects.create(first_name="Essai", last_name=f"Banc {n}"))
    today = datetime.date.today()
    for n, person in enumerate(people):
        Position.objects.create(
            organisation=organisation,
            person=person,
            email=f"poste{n}@banc-essai.fr",
            start_date=today - datetime.timedelta(days=800 + n),
            end_date=today - datetime.timedelta(days=30 + n) if n % 5 == 4 else None,
        )
    return organisation


def wagtail_default(panel):
    """The same panel with Wagtail's defaults (its comment buttons back)."""
    if isinstance(panel, FieldPanel):
        return FieldPanel(panel.field_name, heading=panel.heading, classname=panel.classname)
    if isinstance(panel, FieldRowPanel | MultiFieldPanel):
        return type(panel)(
            [wagtail_default(child) for child in panel.children],
            heading=panel.heading,
            classname=panel.classname,
        )
    return panel


def plain_inline_panel_handler():
    """The organisation form as Wagtail would render it: its panels, with the
    positions in a plain InlinePanel (each row fully rendered, expanded)."""
    from directory.panels import PositionsInlinePanel
    from directory.views.edit_panels import organisation_edit_handler

    children = [
        InlinePanel(
            child.relation_name,
            panels=[wagtail_default(panel) for panel in child.panels],
            label=child.label,
            heading=child.heading,
            max_num=child.max_num,
        )
        if isinstance(child, PositionsInlinePanel)
        else child
        for child in organisation_edit_handler.children
    ]
    return ObjectList(children, base_form_class=organisation_edit_handler.base_form_class)


def edit_view(panel=None):
    """The organisation edit view of the viewset, with another panel if given."""
    viewset = Organisation.snippet_viewset
    if panel is None:
        return viewset.edit_view
    panel = panel.bind_to_model(Organisation)
    return viewset.construct_view(
        viewset.edit_view_class,
        **viewset.get_edit_view_kwargs(panel=panel, form_class=panel.get_form_class()),
    )


class BenchSession(SessionBase):
    def exists(self, session_key):
        return False

    def create(self):
        self._session_key = "bench"

    def save(self, must_create=False):
        pass

    def delete(self, session_key=None):
        pass

    def load(self):
        return {}


def call_view(view, user, url, pk):
    request = RequestFactory().get(url)
    request.user = user
    request.session = BenchSession()
    request._messages = default_storage(request)
    response = view(request, pk=str(pk))
    if hasattr(response, "render"):
        response.render()
    assert response.status_code == 200, response.status_code
    return response


def measured(fn, repeat):
    fn()  # warm the templates and the caches
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = fn()
    return {
        **summary(wall),
        "cpu_p50_ms": round(percentile(cpu, 50), 1),
        "queries": len(captured),
        "html_bytes": len(response.content),
    }


def organisation_form(repeat) -> dict:
    """The edit page of an organisation with 14 positions, ours beside Wagtail's default."""
    with transaction.atomic():
        organisation = organisation_with_positions()
        user = bench_administrator()
        url = f"/admin/directory/organisations/edit/{organisation.pk}/"
        client = Client(
            HTTP_HOST=(settings.ALLOWED_HOSTS or ["127.0.0.1"])[0].lstrip(".") or "127.0.0.1"
        )
        client.force_login(user)

        def page():
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        ours_view, plain_view = edit_view(), edit_view(plain_inline_panel_handler())
        results = {
            "organisation": organisation.pk,
            "positions": organisation.positions.count(),
            "ours_page": measured(page, repeat),
            "ours_view": measured(lambda: call_view(ours_view, user, url, organisation.pk), repeat),
            "wagtail_inline_panel_view": measured(
                lambda: call_view(plain_view, user, url, organisation.pk), max(3, repeat // 4)
            ),
            "goal": "p95 < 300 ms, queries constant whatever the number of positions",
        }
        transaction.set_rollback(True)
    ours, plain = results["ours_view"], results["wagtail_inline_panel_view"]
    results["speedup_p50"] = round(plain["p50_ms"] / max(ours["p50_ms"], 0.01), 1)
    return results


DUPLICATE_SAMPLE = 2_000


def naive_pairs(sample):
    """Every two people of `sample` compared in Python by the same rules."""
    from directory.text import fold

    people = list(
        Person.objects.order_by("pk")[:sample].values(
            "pk", "email", "phone", "mobile", "name_key", "city"
        )
    )
    positions = {}
    for person_id, organisation_id, email, phone, mobile in Position.objects.filter(
        person_id__in=[p["pk"] for p in people]
    ).values_list("person_id", "organisation_id", "email", "phone", "mobile"):
        positions.setdefault(person_id, []).append((organisation_id, email, phone, mobile))
    keys = []
    for p in people:
        held = positions.get(p["pk"], [])
        keys.append(
            (
                {e.lower() for e in [p["email"], *(h[1] for h in held)] if e},
                {n for n in [p["phone"], p["mobile"], *(x for h in held for x in h[2:])] if n},
                {h[0] for h in held},
                p["name_key"],
                fold(p["city"]),
            )
        )
    found = 0
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            same_name = a[3] == b[3]
            if (
                a[0] & b[0]
                or a[1] & b[1]
                or (same_name and a[2] & b[2])
                or (same_name and a[4] and a[4] == b[4])
            ):
                found += 1
    return found


def duplicates(repeat, stored_repeat=20) -> dict:
    from directory.duplicates import likely_pairs, refresh_pairs, stored_pairs

    results = {}
    for kind in ("person", "organisation"):
        # The baseline: the first page computed by the SQL self-joins.
        durations = timed(lambda k=kind: likely_pairs(k), repeat)
        results[f"{kind}_first_page_direct_sql"] = {
            **summary(durations),
            "pairs": likely_pairs(kind)[1],
        }
        # The stored pairs: computed once, then the first page read from them.
        started = time.perf_counter()
        stored = refresh_pairs([kind])[kind]
        results[f"{kind}_refresh_stored_pairs"] = {
            "s": round(time.perf_counter() - started, 2),
            "pairs": stored,
        }
        durations = timed(lambda k=kind: stored_pairs(k), stored_repeat)
        results[f"{kind}_first_page_stored"] = {
            **summary(durations),
            "pairs": stored_pairs(kind)[1],
        }
    sample = min(DUPLICATE_SAMPLE, Person.objects.count())
    started = time.perf_counter()
    found = naive_pairs(sample)
    naive_ms = (time.perf_counter() - started) * 1000
    people = Person.objects.count()
    results["naive_python_pairwise"] = {
        "sample": sample,
        "pairs_in_sample": found,
        "ms": round(naive_ms, 1),
        "extrapolated_to_all_people_s": round(naive_ms / 1000 * (people / max(sample, 1)) ** 2, 1),
    }
    results["goal"] = (
        "the first page of pairs of a million people, read from the stored pairs, "
        "well under a second"
    )
    return results


def run(options) -> dict:
    repeat = options.get("repeat", 20)
    if options.get("only") == "duplicates":
        return {
            "database": connection.vendor,
            "people": Person.objects.count(),
            "duplicates": duplicates(max(1, repeat // 10)),
        }
    if options.get("only") == "organisation_form":
        return {
            "database": connection.vendor,
            "organisation_form": organisation_form(repeat),
        }
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
    results["organisation_form"] = organisation_form(repeat)
    results["duplicates"] = duplicates(max(1, repeat // 10))
    return results
