"""Benchmark of selections (`python manage.py bench selections --json`), on the
directory `seed_demo --persons 1000000` makes. Each figure is printed beside a
straightforward implementation measured in the same run:

* a saved search with four rules across person, organisation and position:
  count plus first page, p50/p95, beside filtering the person rule in Python
  (one query per row, as `position.person.language` does without care);
* a basket of three searches resolved into e-mail recipients with capacity,
  fallback and merging: total time and peak memory, beside loading every
  row as model instances and combining them in Python;
* export of those recipients to XLSX and CSV: rows per second;
* the basket's own export (CSV and XLSX, the default columns) downloaded
  through the ASGI application as daphne serves it: rows exported, seconds,
  and the process's peak memory growth (RSS) during the download, beside the
  previous way: the same responses consumed as Django consumes a synchronous
  iterator under ASGI (`sync_to_async(list)`, the whole body in memory).
"""

import asyncio
import csv
import io
import resource
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.http import StreamingHttpResponse
from django.test import Client
from openpyxl import load_workbook

from directory.models import Function, OrganisationKind, Person, Position
from directory.streaming import ChunkByChunkMixin
from selections import resolution
from selections.columns import DEFAULT_EXPORT_COLUMNS
from selections.criteria import compile_rows
from selections.disclosure import Disclosure
from selections.exports import csv_chunks, write_xlsx
from selections.models import Basket, BasketStep, SavedSearch
from selections.recipients import ORGANISATION, Policy, resolve

from . import asgi
from .directory import percentile, summary

HEADINGS = ["Nom", "Qualité", "E-mail", "Source", "Personne", "Poste", "Organisation"]


def _functions(*names):
    return list(Function.objects.filter(name__in=names).values_list("pk", flat=True))


def _kinds(*names):
    return list(OrganisationKind.objects.filter(name__in=names).values_list("pk", flat=True))


def rule(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


def fixtures(owner):
    """The searches and the basket measured, made again on every run."""
    Basket.objects.filter(owner=owner).delete()  # first: their steps protect the searches
    SavedSearch.objects.filter(owner=owner).delete()
    four_rules = SavedSearch.objects.create(
        owner=owner,
        name="Direction et programmation des lieux et festivals, Grand Est et AURA, francophones",
        criteria={
            "match": "all",
            "rules": [
                rule("position.function", "in", _functions("Directeur·rice", "Programmateur·rice")),
                rule("organisation.kind", "in", _kinds("Lieu de spectacle", "Festival")),
                rule("organisation.region", "in", ["44", "84"]),
                rule("person.language", "in", ["fr"]),
            ],
        },
    )
    heads = SavedSearch.objects.create(
        owner=owner,
        name="Têtes de structures, trois régions",
        criteria={
            "match": "all",
            "rules": [
                rule(
                    "position.function",
                    "in",
                    _functions(
                        "Directeur·rice", "Administrateur·rice", "Programmateur·rice", "Président·e"
                    ),
                ),
                rule("organisation.region", "in", ["84", "44", "75", "76"]),
            ],
        },
    )
    press = SavedSearch.objects.create(
        owner=owner,
        name="Presse des festivals",
        criteria={
            "match": "all",
            "rules": [
                rule("organisation.kind", "in", _kinds("Festival")),
                rule("position.function", "in", _functions("Attaché·e de presse")),
            ],
        },
    )
    refused = SavedSearch.objects.create(
        owner=owner,
        name="Ne pas contacter",
        criteria={"match": "all", "rules": [rule("person.do_not_contact", "is_true")]},
    )
    basket = Basket.objects.create(owner=owner, name="Saison 2027")
    for order, (operation, search) in enumerate(
        [("union", heads), ("union", press), ("exclude", refused)]
    ):
        BasketStep.objects.create(
            basket=basket, sort_order=order, operation=operation, search=search
        )
    return four_rules, basket


def naive_search(search):
    """Position and organisation rules in SQL, the person rule checked in
    Python, one query per row; then the first page sorted in Python."""
    tree = search.criteria
    position_rules = [r for r in tree["rules"] if not r["field"].startswith("person.")]
    rows = compile_rows({"match": "all", "rules": position_rules})
    matched = []
    for position in Position.objects.filter(rows.positions):
        if position.person.language == "fr":
            matched.append(position)
    matched.sort(key=lambda p: (p.person.name_key, p.pk))
    return len(matched), matched[:25]


def naive_basket(basket):
    """Every row of every search loaded as model instances, combined in
    Python, coordinates read from the instances."""
    result: dict = {}
    for step in basket.steps.all():
        rows = step.search.rows()
        found = {}
        if rows.positions is not None:
            for position in Position.objects.filter(rows.positions).select_related(
                "person", "organisation"
            ):
                found[("position", position.pk)] = position
        if rows.people is not None:
            for person in Person.objects.filter(rows.people):
                found[("personal", person.pk)] = person
        if step.operation == "union":
            result.update(found)
        elif step.operation == "intersect":
            result = {key: value for key, value in result.items() if key in found}
        else:
            excluded_people = {obj.pk for (kind, _pk), obj in found.items() if kind == "personal"}
            result = {
                key: value
                for key, value in result.items()
                if key not in found
                and not (key[0] == "position" and value.person_id in excluded_people)
            }
    recipients, seen = [], set()
    for (kind, _pk), obj in sorted(result.items()):
        person = obj.person if kind == "position" else obj
        if person.do_not_contact or person.email_consent == "refused" or person.pk in seen:
            continue
        email = obj.email or (obj.organisation.email if kind == "position" else "")
        if email:
            seen.add(person.pk)
            recipients.append(email)
    return len(recipients)


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - started) * 1000


def _traced(fn):
    tracemalloc.start()
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 2**20


def run(options) -> dict:
    repeat = options.get("repeat", 20)
    owner, _created = get_user_model().objects.get_or_create(username="bench-staff")
    owner.groups.add(Group.objects.get(name="Équipe"))
    four_rules, basket = fixtures(owner)
    # First, while the process is small: a peak measured later would hide in
    # the memory the baselines below freed but kept.
    export = basket_export(basket, owner)

    def ours_search():
        rows = four_rules.rows()
        return resolution.count(rows), resolution.page(rows, 0, 25)

    ours_search()
    ours_ms = [_timed(ours_search)[1] for _ in range(repeat)]
    count = ours_search()[0]
    naive_ms = [_timed(lambda: naive_search(four_rules))[1] for _ in range(max(1, repeat // 10))]
    results = {
        "saved_search_four_rules": {
            "rows": count,
            "ours": summary(ours_ms),
            "naive_python_filter_one_query_per_row": summary(naive_ms),
            "speedup_p95": round(percentile(naive_ms, 95) / max(percentile(ours_ms, 95), 0.01), 1),
            "goal": "p95 <= 300 ms",
        }
    }

    policy = Policy(fallback=ORGANISATION)

    def ours_basket():
        recipients = []
        left_out = 0
        for recipient in resolve(resolution.basket_rows(basket, Disclosure(None)), "email", policy):
            if recipient.left_out:
                left_out += 1
            else:
                recipients.append(recipient)
        return recipients, left_out

    (recipients, left_out), seconds, peak_mb = _traced(ours_basket)
    # tracemalloc slows Python down: the time is measured again without it.
    _result, ours_basket_ms = _timed(ours_basket)
    # The whole process so far (Django, the search benchmark, ours): before
    # the naive baseline, which loads everything and would dwarf it.
    ours_max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    naive_count, naive_seconds, naive_peak = _traced(lambda: naive_basket(basket))
    results["basket_recipients"] = {
        "recipients": len(recipients),
        "left_out": left_out,
        "ours": {
            "seconds": round(ours_basket_ms / 1000, 2),
            "python_peak_mb_streaming": round(peak_mb, 1),
            "python_peak_mb_note": "includes the recipients list the export below reuses",
        },
        "naive_load_everything": {
            "recipients": naive_count,
            "seconds_with_tracemalloc": round(naive_seconds, 2),
            "python_peak_mb": round(naive_peak, 1),
        },
        "process_max_rss_mb_before_baseline": round(ours_max_rss, 1),
        "goal": ">= 100,000 recipients in <= 3 s and <= 400 MB",
    }

    rows = [
        (r.name, r.capacity, r.coordinate, r.source, r.person_id, r.position_id, r.organisation_id)
        for r in recipients
    ]
    buffer = io.BytesIO()
    written, xlsx_ms = _timed(lambda: write_xlsx(HEADINGS, rows, buffer))
    csv_bytes, csv_ms = _timed(lambda: sum(len(chunk) for chunk in csv_chunks(HEADINGS, rows)))
    results["export"] = {
        "rows": written,
        "xlsx_rows_per_second": round(written / (xlsx_ms / 1000)),
        "xlsx_bytes": buffer.tell(),
        "csv_rows_per_second": round(len(rows) / (csv_ms / 1000)),
        "csv_bytes": csv_bytes,
        "goal": "XLSX >= 20,000 rows/s",
    }
    results["basket_export"] = export
    return results


# The basket's export through the ASGI application ----------------------------

PROC_STATUS = Path("/proc/self/status")
PROC_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(field: str) -> int | None:
    try:
        for line in PROC_STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Linux: make VmHWM (the peak RSS) start again from the current RSS."""
    try:
        PROC_CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _asgi_download(path: str, query: str, cookie: str, target) -> dict:
    """GET through crmsite.asgi.application; the body goes to `target` (a
    file on disk, as a browser saves a download)."""
    state = {"status": None, "messages": 0, "bytes": 0, "first": None}
    started = time.perf_counter()

    def on_start(status, headers):
        state["status"] = status

    def on_body(body):
        if state["first"] is None:
            state["first"] = time.perf_counter() - started
        state["messages"] += 1
        state["bytes"] += len(body)
        target.write(body)

    asyncio.run(asgi.get(path, query, cookie.encode(), on_start, on_body))
    state["seconds"] = time.perf_counter() - started
    return state


def _rows_in(path: Path, fmt: str) -> int:
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as text:
            return sum(1 for _row in csv.reader(text, delimiter=";")) - 1
    workbook = load_workbook(path, read_only=True)
    try:
        return sum(1 for _row in workbook.active.iter_rows(values_only=True)) - 1
    finally:
        workbook.close()


def _measured_export(basket, cookie: str, fmt: str) -> dict:
    query = "&".join([f"format={fmt}", *(f"columns={c}" for c in DEFAULT_EXPORT_COLUMNS)])
    path = f"/admin/selections/baskets/export/{basket.pk}/"
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"export.{fmt}"
        peak_reset = _reset_peak_rss()
        before = _status_kb("VmRSS")
        with target.open("wb") as out:
            state = _asgi_download(path, query, cookie, out)
        peak = _status_kb("VmHWM")
        rows = _rows_in(target, fmt) if state["status"] == 200 else 0
    result = {
        "status": state["status"],
        "rows": rows,
        "seconds": round(state["seconds"], 2),
        "seconds_to_first_byte": round(state["first"] or 0, 2),
        "bytes": state["bytes"],
        "body_messages": state["messages"],
    }
    if peak_reset and before is not None and peak is not None:
        result["peak_rss_growth_mb"] = round((peak - before) / 1024, 1)
    else:  # no /proc: the process's peak so far, which only grows
        result["process_max_rss_mb"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        )
    return result


def basket_export(basket, owner) -> dict:
    """The basket's CSV and XLSX exports as daphne serves them, beside the
    previous way (Django's own `__aiter__`, which buffers the whole body)."""
    browser = Client()
    browser.force_login(owner)
    name = settings.SESSION_COOKIE_NAME
    cookie = f"{name}={browser.cookies[name].value}"
    results = {"basket_rows": resolution.count(resolution.basket_rows(basket, Disclosure(None)))}
    # Warm-up on an empty basket: the first request of a process loads code
    # and templates, which is not the export's memory.
    empty, _created = Basket.objects.get_or_create(owner=owner, name="Vide (bench)")
    for fmt in ("csv", "xlsx"):
        _measured_export(empty, cookie, fmt)
    for fmt in ("csv", "xlsx"):
        results[fmt] = {"ours_streamed": _measured_export(basket, cookie, fmt)}
    with (
        mock.patch.object(ChunkByChunkMixin, "__aiter__", StreamingHttpResponse.__aiter__),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        for fmt in ("csv", "xlsx"):
            results[fmt]["previous_buffered_by_django"] = _measured_export(basket, cookie, fmt)
    results["columns"] = DEFAULT_EXPORT_COLUMNS
    results["goal"] = "flat: < 100 MB of process growth, whatever the row count"
    return results
