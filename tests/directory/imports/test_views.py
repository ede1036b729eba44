"""The import wizard's pages (`directory.views.imports`): upload, columns,
preview, run, progress, result, history; who may open them; and bad input
through them, which gets a clear French message and changes nothing."""

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import translation
from django.utils.timezone import localtime
from django.utils.translation import gettext

from directory import actions
from directory.imports import jobs
from directory.models import (
    ImportJob,
    ImportStatus,
    Organisation,
    Person,
    RememberedMapping,
)
from tests import factories

pytestmark = pytest.mark.django_db

BASE = "/admin/directory/imports/"
NEW = BASE + "new/"
NBSP = "\u00a0"
CSV = (
    "Prénom;Nom;Structure;Fonction;E-mail;Code postal;Ville\r\n"
    "Anne;Aubry;La Comète;Directrice;anne@comete.fr;51000;Châlons\r\n"
    "Paul;Petit;Le Manège;Administrateur;paul@@manege;51100;Reims\r\n"
    "Zoé;Zola;;;zoe@example.org;6000;Nice\r\n"
).encode()
MAPPING = [
    "person.first_name",
    "person.last_name",
    "organisation.name",
    "position.function",
    "contact.email",
    "contact.postcode",
    "contact.city",
]


def french(message: str) -> str:
    """A message of the engine as a French user reads it."""
    with translation.override("fr"):
        return gettext(message)


class _Text(HTMLParser):
    SKIPPED = {"script", "template", "style"}

    def __init__(self):
        super().__init__()
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIPPED
        self.parts.append(" ")

    def handle_endtag(self, tag):
        self.skipping -= tag in self.SKIPPED
        self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def text(response) -> str:
    """The page's main content as read, no-break spaces kept."""
    page = response.content.decode()
    parser = _Text()
    parser.feed(page[page.find('<main class="content-wrapper') :])
    return re.sub(r"[ \t\r\n]+", " ", "".join(parser.parts))


def messages_of(response) -> str:
    page = response.content.decode()
    found = re.search(r'<ul data-w-messages-target="container">(.*?)</ul>', page, re.S)
    parser = _Text()
    parser.feed(found.group(1))
    return re.sub(r"[ \t\r\n]+", " ", "".join(parser.parts))


def upload(browser, content=CSV, name="contacts.csv"):
    return browser.post(NEW, {"file": SimpleUploadedFile(name, content)})


def directory_size():
    return Organisation.all_objects.count(), Person.all_objects.count()


@pytest.fixture(autouse=True)
def task_runs_in_the_request():
    """These tests are about the pages: the import's task runs on commit, in
    the request, as with the embedded defaults, on Redis too (the worker is
    tested in test_celery.py)."""
    from crmsite.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def other_admin():
    return factories.administrator(username="claire")


@pytest.fixture
def job(admin_user):
    """Anne's upload of the three-row sheet, its columns mapped."""
    return actions.start_import(admin_user, "contacts.csv", CSV)


def run(browser, job, capture, **data):
    data = {"policy": "update", "rejected": "1", "skip_invalid": "on", **data}
    with capture(execute=True):
        return browser.post(f"{BASE}{job.pk}/preview/", data)


# Who may open what ------------------------------------------------------------------

JOB_URLS = [
    ("get", "{base}{pk}/"),
    ("get", "{base}{pk}/mapping/"),
    ("post", "{base}{pk}/mapping/"),
    ("get", "{base}{pk}/preview/"),
    ("post", "{base}{pk}/preview/"),
    ("get", "{base}{pk}/status/"),
    ("get", "{base}{pk}/rejected.csv"),
]
GENERAL_URLS = [("get", "{base}"), ("get", "{base}new/"), ("post", "{base}new/")]
POSTED = {
    "mapping": {"mapping": MAPPING, "encoding": "utf-8", "delimiter": ";"},
    "preview": {"policy": "update", "rejected": "0", "skip_invalid": "on"},
}


def _request(browser, method, url):
    if method == "get":
        return browser.get(url)
    if url.endswith("new/"):
        return browser.post(url, {"file": SimpleUploadedFile("contacts.csv", CSV)})
    step = url.rstrip("/").rsplit("/", 1)[-1]
    return browser.post(url, POSTED.get(step, {}))


def _browser(role, request):
    if role == "anonymous":
        return Client()
    user = {
        "client": "client_user",
        "staff": "staff_user",
        "other administrator": "other_admin",
    }[role]
    return factories.logged_in(request.getfixturevalue(user))


ROLES = ["anonymous", "client", "staff", "other administrator"]
CASES = [
    (role, method, pattern)
    for role in ROLES
    for method, pattern in JOB_URLS + GENERAL_URLS
    # An administrator opens the history and the upload page, not others' jobs.
    if not (role == "other administrator" and (method, pattern) in GENERAL_URLS)
]


@pytest.mark.parametrize("role,method,pattern", CASES)
def test_no_one_but_the_uploader_reaches_a_job(
    role, method, pattern, job, request, django_capture_on_commit_callbacks
):
    url = pattern.format(base=BASE, pk=job.pk)
    before = (ImportJob.objects.count(), directory_size())
    with django_capture_on_commit_callbacks(execute=True):
        response = _request(_browser(role, request), method, url)
    expected = {"anonymous": 302, "client": 403, "staff": 403, "other administrator": 404}[role]
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith("/admin/login/")
    job.refresh_from_db()
    assert job.status == ImportStatus.MAPPING
    assert (ImportJob.objects.count(), directory_size()) == before


def test_the_uploader_opens_every_step(as_admin, job):
    assert as_admin.get(f"{BASE}{job.pk}/").status_code == 302  # to the columns
    for url in ("mapping/", "preview/", "status/", "rejected.csv"):
        assert as_admin.get(f"{BASE}{job.pk}/{url}").status_code == 200, url
    assert as_admin.get(BASE).status_code == 200
    assert as_admin.get(NEW).status_code == 200


def test_a_job_id_that_cannot_be_one_is_not_found(as_admin):
    assert as_admin.get(f"{BASE}99999999999999999999999/").status_code == 404


def test_the_menu_item_is_for_administrators_only(as_admin, as_staff):
    def menu(browser):
        page = browser.get("/admin/").content.decode()
        props = re.search(
            r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', page
        )
        return props.group(1)

    assert '"Importer"' in menu(as_admin) and NEW in menu(as_admin)
    assert NEW not in menu(as_staff)
    # It opens the page it names.
    assert re.search(r"<h1[^>]*>\s*Importer\s*</h1>", as_admin.get(NEW).content.decode())


# Upload --------------------------------------------------------------------------------


def test_the_upload_page_says_formats_limit_and_that_nothing_is_written(as_admin):
    page = text(as_admin.get(NEW))
    assert "CSV, XLSX ou ODS" in page
    assert "de 20,0\u00a0Mo au plus" in page
    assert "Rien n’est enregistré avant l’aperçu" in page
    assert 'accept=".csv,.xlsx,.ods"' in as_admin.get(NEW).content.decode()


def test_an_upload_keeps_the_file_and_opens_its_columns(as_admin, admin_user):
    response = upload(as_admin)
    job = ImportJob.objects.get()
    assert response["Location"] == f"{BASE}{job.pk}/mapping/"
    assert (job.user, job.file_name, job.total_rows) == (admin_user, "contacts.csv", 3)
    assert directory_size() == (0, 0)

    page = as_admin.get(response["Location"])
    content = page.content.decode()
    # Each column with sample values and the field its heading names, chosen.
    assert "Anne" in text(page) and "Paul" in text(page) and "Zoé" in text(page)
    for index, key in enumerate(MAPPING):
        select = re.search(
            rf'<select name="mapping" id="import-mapping-{index}".*?</select>', content, re.S
        ).group(0)
        assert re.findall(r'<option value="([^"]*)" selected>', select) == [key]
    assert "Ne pas importer" in text(page)
    # A CSV's encoding and separator can be changed.
    assert 'name="encoding"' in content and 'name="delimiter"' in content
    assert "2. Colonnes" in text(page)


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("contacts.csv", b"", "The file is empty."),
        (
            "contacts.pdf",
            CSV,
            "This type of file is not supported: choose a CSV, XLSX or ODS file.",
        ),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_and_nothing_kept(
    as_admin, name, content, message
):
    response = upload(as_admin, content, name)
    assert response.status_code == 200
    assert french(message) in text(response)
    assert ImportJob.objects.count() == 0


@override_settings(IMPORT_MAX_BYTES=100)
def test_an_oversized_file_is_refused_before_it_is_read(as_admin):
    response = upload(as_admin, CSV)
    assert response.status_code == 200
    page = text(response)
    assert "Ce fichier est trop volumineux" in page and "100\u00a0octets" in page
    assert ImportJob.objects.count() == 0


# Columns -------------------------------------------------------------------------------


def test_columns_are_saved_and_remembered_then_the_preview_opens(as_admin, job):
    mapping = [*MAPPING[:-1], ""]  # the city left out
    response = as_admin.post(
        f"{BASE}{job.pk}/mapping/", {"mapping": mapping, "encoding": "utf-8", "delimiter": ";"}
    )
    assert response["Location"] == f"{BASE}{job.pk}/preview/"
    job.refresh_from_db()
    assert job.mapping == mapping
    assert RememberedMapping.objects.get().mapping == mapping


@pytest.mark.parametrize(
    "mapping,message",
    [
        (["person.password", *MAPPING[1:]], "Unknown column target."),
        (MAPPING[:3], "The mapping does not fit the file's columns."),
        ([], "The mapping does not fit the file's columns."),
    ],
)
def test_a_tampered_mapping_is_refused_and_nothing_changes(as_admin, job, mapping, message):
    stored = list(job.mapping)
    response = as_admin.post(
        f"{BASE}{job.pk}/mapping/", {"mapping": mapping, "encoding": "utf-8", "delimiter": ";"}
    )
    assert response.status_code == 200
    assert french(message) in text(response)
    job.refresh_from_db()
    assert job.mapping == stored
    assert not RememberedMapping.objects.exists()


def test_a_mapping_without_a_name_column_says_what_is_missing(as_admin, job):
    mapping = ["", "", "", "", "contact.email", "", ""]
    response = as_admin.post(
        f"{BASE}{job.pk}/mapping/", {"mapping": mapping, "encoding": "utf-8", "delimiter": ";"}
    )
    assert response.status_code == 200
    assert "help-critical" in response.content.decode()
    # The user's choices are shown again, not the stored ones.
    assert re.search(r'<option value="contact.email" selected>', response.content.decode())
    job.refresh_from_db()
    assert job.mapping == MAPPING


def test_a_tampered_encoding_is_refused(as_admin, job):
    response = as_admin.post(
        f"{BASE}{job.pk}/mapping/",
        {"mapping": MAPPING, "encoding": "utf-16", "delimiter": ";"},
    )
    assert response.status_code == 200
    assert "Choisissez un encodage et un séparateur dans les listes." in text(response)
    job.refresh_from_db()
    assert (job.encoding, job.mapping) == ("utf-8", MAPPING)


def test_another_separator_rereads_the_file_and_asks_to_check_its_columns(as_admin, admin_user):
    job = actions.start_import(admin_user, "contacts.csv", CSV.replace(b";", b","))
    assert job.delimiter == "," and len(job.headers) == 7
    response = as_admin.post(
        f"{BASE}{job.pk}/mapping/",
        {"mapping": MAPPING, "encoding": "utf-8", "delimiter": ";"},
    )
    assert response["Location"] == f"{BASE}{job.pk}/mapping/"
    job.refresh_from_db()
    assert job.delimiter == ";" and len(job.headers) == 1
    page = as_admin.get(response["Location"])
    assert "relu" in messages_of(page)
    assert not RememberedMapping.objects.exists()


def test_a_wrong_encoding_says_so_and_keeps_the_file_as_it_was_read(as_admin, admin_user):
    data = "Prénom;Nom\r\nZoé;Zola\r\n".encode("cp1252")
    job = actions.start_import(admin_user, "contacts.csv", data)
    assert job.encoding == "cp1252"
    response = as_admin.post(
        f"{BASE}{job.pk}/mapping/",
        {
            "mapping": ["person.first_name", "person.last_name"],
            "encoding": "utf-8",
            "delimiter": ";",
        },
    )
    assert response.status_code == 200
    assert "help-critical" in response.content.decode()
    job.refresh_from_db()
    assert job.encoding == "cp1252"
    assert "Zoé" in text(response)


# Preview and run -------------------------------------------------------------------------


def test_the_whole_wizard_on_a_small_csv(as_admin, django_capture_on_commit_callbacks):
    already = factories.PersonFactory(first_name="Hugo", last_name="Hors-import")
    mapping_url = upload(as_admin)["Location"]
    job = ImportJob.objects.get()

    # Columns: as found from the headings.
    response = as_admin.post(
        mapping_url, {"mapping": MAPPING, "encoding": "utf-8", "delimiter": ";"}
    )
    preview_url = response["Location"]

    # Preview: counts, the rejected line, the repairs; nothing written.
    page = text(as_admin.get(preview_url))
    assert "2 lignes à créer" in page
    assert "0 ligne à mettre à jour" in page
    assert "1 ligne rejetée" in page
    assert "paul@@manege" in page
    assert re.search(r"\b3 E-mail .*paul@@manege", page)
    assert f"ligne 4 · Code postal{NBSP}: 6000 → 06000" in page
    assert f"Tout ou rien{NBSP}: tant qu’une ligne est rejetée, rien n’est importé." in page
    assert "Importer seulement les lignes valides (la ligne rejetée sera ignorée)" in page
    assert directory_size() == (0, 1)

    # All or nothing: refused while a row is rejected, and the job is kept.
    response = run(as_admin, job, django_capture_on_commit_callbacks, skip_invalid="")
    assert response["Location"].startswith(preview_url)
    assert "Tout ou rien" in messages_of(as_admin.get(response["Location"]))
    job.refresh_from_db()
    assert job.status == ImportStatus.MAPPING
    assert directory_size() == (0, 1)

    # The valid rows only.
    response = run(as_admin, job, django_capture_on_commit_callbacks)
    assert response["Location"] == f"{BASE}{job.pk}/"
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.skip_invalid
    assert directory_size() == (1, 3)
    page = text(as_admin.get(response["Location"]))
    assert "2 lignes créées" in page and "1 ligne rejetée" in page
    assert "Voir l’organisation créée" in page and "Voir les 2 personnes créées" in page

    # The rejected rows, for French Excel, with their reasons.
    download = as_admin.get(f"{BASE}{job.pk}/rejected.csv")
    assert download["Content-Disposition"] == (
        'attachment; filename="lignes-rejetees-contacts.csv"'
    )
    content = download.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert rows[0][:7] == list(CSV.decode().splitlines()[0].split(";"))
    assert len(rows) == 2
    assert rows[1][:2] == ["Paul", "Petit"] and rows[1][7] == "3"
    assert "paul@@manege" in rows[1][8]

    # The links open what was created, and only that.
    people = as_admin.get(f"/admin/directory/people/?import={job.pk}")
    assert "Aubry" in text(people) and "Zola" in text(people)
    assert already.last_name not in text(people)
    assert already.last_name in text(as_admin.get("/admin/directory/people/"))
    organisations = as_admin.get(f"/admin/directory/organisations/?import={job.pk}")
    assert "La Comète" in text(organisations)


def test_the_import_filter_is_the_uploaders(
    as_admin, as_staff, job, other_admin, django_capture_on_commit_callbacks
):
    run(as_admin, job, django_capture_on_commit_callbacks)
    mine = as_admin.get(f"/admin/directory/people/?import={job.pk}").content.decode()
    assert 'name="import"' in mine and "contacts.csv" in mine
    assert 'name="import"' not in as_staff.get("/admin/directory/people/").content.decode()
    theirs = factories.logged_in(other_admin).get(f"/admin/directory/people/?import={job.pk}")
    assert "contacts.csv" not in theirs.content.decode()


def test_changing_the_policy_recomputes_the_preview(as_admin, admin_user):
    factories.PersonFactory(first_name="Zoé", last_name="Zola", email="zoe@example.org", city="")
    job = actions.start_import(admin_user, "contacts.csv", CSV)
    update = text(as_admin.get(f"{BASE}{job.pk}/preview/?policy=update"))
    assert "1 ligne à mettre à jour" in update
    assert "Nice" in update  # the city, before → after
    skip = text(as_admin.get(f"{BASE}{job.pk}/preview/?policy=skip"))
    assert "0 ligne à mettre à jour" in skip and "1 ligne inchangée" in skip
    # The run form carries the policy shown.
    page = as_admin.get(f"{BASE}{job.pk}/preview/?policy=skip").content.decode()
    assert '<input type="hidden" name="policy" value="skip">' in page
    # Choosing a policy submits its form at once (Wagtail's w-submit controller).
    assert page.count('data-action="change-&gt;w-submit#submit"') == 3
    assert directory_size() == (0, 1)


def test_a_clean_file_is_imported_without_the_valid_rows_choice(
    as_admin, admin_user, django_capture_on_commit_callbacks
):
    clean = b"\r\n".join(line for line in CSV.split(b"\r\n") if b"@@" not in line)
    job = actions.start_import(admin_user, "propre.csv", clean)
    page = as_admin.get(f"{BASE}{job.pk}/preview/")
    assert 'name="skip_invalid"' not in page.content.decode()
    assert "Tout ou rien" not in text(page)
    assert "0 ligne rejetée" in text(page)
    response = run(as_admin, job, django_capture_on_commit_callbacks, rejected="0", skip_invalid="")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and not job.skip_invalid
    assert directory_size() == (1, 2)
    page = as_admin.get(response["Location"]).content.decode()
    assert "rejected.csv" not in page
    assert as_admin.get(f"{BASE}{job.pk}/rejected.csv").status_code == 404


def test_a_policy_not_in_the_choices_is_refused(as_admin, job, django_capture_on_commit_callbacks):
    page = as_admin.get(f"{BASE}{job.pk}/preview/?policy=erase")
    assert page.status_code == 200
    assert "Choisissez que faire des fiches qui existent déjà." in text(page)

    message = french("Choose what to do with the records that already exist.")

    response = run(as_admin, job, django_capture_on_commit_callbacks, policy="erase")
    assert message in messages_of(as_admin.get(response["Location"]))
    job.refresh_from_db()
    assert job.status == ImportStatus.MAPPING
    assert directory_size() == (0, 0)


def test_an_import_cannot_be_run_twice(as_admin, job, django_capture_on_commit_callbacks):
    run(as_admin, job, django_capture_on_commit_callbacks)
    before = directory_size()
    job.refresh_from_db()
    finished = job.finished_at
    for url, data in (
        (f"{BASE}{job.pk}/preview/", {"policy": "update", "skip_invalid": "on"}),
        (f"{BASE}{job.pk}/mapping/", {"mapping": MAPPING, "encoding": "utf-8", "delimiter": ";"}),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = as_admin.post(url, data)
        assert response["Location"] == f"{BASE}{job.pk}/"
        assert "Cet import a déjà été lancé" in messages_of(as_admin.get(response["Location"]))
    job.refresh_from_db()
    assert (job.status, job.finished_at) == (ImportStatus.DONE, finished)
    assert directory_size() == before
    # Its columns and preview now lead to its result.
    assert as_admin.get(f"{BASE}{job.pk}/preview/")["Location"] == f"{BASE}{job.pk}/"


def test_a_refused_run_shows_why_and_the_rejected_rows(
    as_admin, job, django_capture_on_commit_callbacks
):
    # The engine refuses too when the page's count was tampered with.
    response = run(as_admin, job, django_capture_on_commit_callbacks, rejected="0", skip_invalid="")
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert directory_size() == (0, 0)
    page = as_admin.get(response["Location"])
    assert job.error and job.error in text(page)
    assert f"{BASE}{job.pk}/rejected.csv" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_import_that_fails_shows_its_page_not_a_server_error(as_admin, job, monkeypatch):
    """Celery runs eagerly by default: the task's failure reaches the view."""

    def broken(*args, **kwargs):
        Organisation.all_objects.create(name="Écrite à moitié")
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "write_plan", broken)
    response = as_admin.post(
        f"{BASE}{job.pk}/preview/", {"policy": "update", "rejected": "1", "skip_invalid": "on"}
    )
    assert response["Location"] == f"{BASE}{job.pk}/"
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert directory_size() == (0, 0)
    assert "RuntimeError" in text(as_admin.get(response["Location"]))


# Progress --------------------------------------------------------------------------------


def test_a_running_import_shows_a_progress_bar_that_follows_it(as_admin, job):
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    cache.set(jobs.progress_key(job.pk), {"done": 1, "total": 3})
    try:
        response = as_admin.get(f"{BASE}{job.pk}/")
        content = response.content.decode()
        assert 'data-controller="import-progress"' in content
        assert f'data-import-progress-url-value="{BASE}{job.pk}/status/"' in content
        assert "directory/import_progress.js" in content
        assert "Vous pouvez quitter cette page et y revenir" in text(response)

        status = json.loads(as_admin.get(f"{BASE}{job.pk}/status/").content)
        assert status["status"] == "running" and not status["finished"]
        assert (status["percent"], status["done"], status["total"]) == (33, 1, 3)
        assert status["text"] == "1 ligne sur 3 lue"
    finally:
        cache.delete(jobs.progress_key(job.pk))


def test_the_status_of_a_finished_import(as_admin, job, django_capture_on_commit_callbacks):
    run(as_admin, job, django_capture_on_commit_callbacks)
    status = json.loads(as_admin.get(f"{BASE}{job.pk}/status/").content)
    assert status["finished"] and status["percent"] == 100 and status["status"] == "done"
    page = as_admin.get(f"{BASE}{job.pk}/").content.decode()
    assert "import-progress" not in page


# History ---------------------------------------------------------------------------------


def test_the_history_lists_every_import_and_links_ones_own(
    as_admin, admin_user, other_admin, job, django_capture_on_commit_callbacks
):
    run(as_admin, job, django_capture_on_commit_callbacks)
    theirs = actions.start_import(other_admin, "leurs-contacts.csv", CSV)
    response = as_admin.get(BASE)
    content = response.content.decode()
    page = text(response)
    # Newest first.
    assert page.index("leurs-contacts.csv") < re.search(r"(?<!-)contacts\.csv", page).start()
    assert f'href="{BASE}{job.pk}/"' in content
    assert f'href="{BASE}{theirs.pk}/"' not in content
    assert localtime(job.created_at).strftime("%d/%m/%Y %H:%M") in page
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", page)
    assert other_admin.get_full_name() in page and admin_user.get_full_name() in page
    assert f'href="{NEW}"' in content and "Nouvel import" in page


def test_the_history_is_paginated(as_admin, admin_user):
    for number in range(31):
        ImportJob.objects.create(user=admin_user, file_name=f"fichier-{number}.csv")
    first = text(as_admin.get(BASE))
    assert "fichier-30.csv" in first and "fichier-0.csv" not in first
    assert "fichier-0.csv" in text(as_admin.get(BASE + "?p=2"))
