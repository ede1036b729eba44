"""Exports of the whole people and organisations listings ("Télécharger CSV /
XLSX", unfiltered) read their rows a chunk at a time and stream, under daphne
(ASGI) as under WSGI.

Wagtail's own export counted the rows with `len()` of the queryset (every
row loaded), kept them all while writing, built the workbook in memory, and
its responses were buffered whole under ASGI.
"""

import csv
import io

import pytest
from openpyxl import load_workbook

from crmsite.demo.directory import seed_directory
from directory.models import Organisation, Person
from directory.views.listing import EXPORT_CHUNK_ROWS
from tests.asgi_download import RowWatch, download, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def read_csv(body: bytes) -> list[list[str]]:
    """French CSV (directory.exports): a byte order mark, then rows separated by ";"."""
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


PEOPLE = "/admin/directory/people/"
ORGANISATIONS = "/admin/directory/organisations/"


@pytest.fixture
def directory():
    seed_directory(persons=5000)  # interest centres, the demo directory, 5,000 more people
    return Person.objects.count()


@pytest.fixture
def cookie(staff_user):
    return session_cookie(staff_user)


def test_people_csv_through_the_test_client_is_read_as_it_comes(directory, as_staff):
    with RowWatch() as watch:
        response = as_staff.get(PEOPLE, {"export": "csv"})
        assert response.streaming
        assert watch.made == 0  # no row read before the body is
        chunks = iter(response.streaming_content)
        first = next(chunks)
        assert watch.made <= EXPORT_CHUNK_ROWS
        rest = b"".join(chunks)
    assert watch.most_alive <= 2 * EXPORT_CHUNK_ROWS
    rows = read_csv(first + rest)
    assert rows[0][:3] == ["Civilité", "Prénom", "Nom de famille"]
    assert len(rows) == directory + 1


async def test_people_csv_under_asgi_leaves_before_the_rows_are_all_read(directory, cookie):
    with RowWatch() as watch:
        result = await download(PEOPLE, "export=csv", cookie, watch)
    assert result.status == 200
    assert result.headers["content-type"] == "text/csv; charset=utf-8"
    assert result.headers["content-disposition"] == 'attachment; filename="personnes.csv"'
    assert len(result.messages) >= directory // EXPORT_CHUNK_ROWS
    _size, made_before_first = result.messages[0]
    assert 0 < made_before_first <= EXPORT_CHUNK_ROWS < watch.made
    assert watch.most_alive <= 2 * EXPORT_CHUNK_ROWS
    assert len(read_csv(bytes(result.body))) == directory + 1


async def test_people_xlsx_under_asgi_is_sent_from_disk_block_by_block(directory, cookie):
    with RowWatch() as watch:
        result = await download(PEOPLE, "export=xlsx", cookie, watch)
    assert result.status == 200
    assert int(result.headers["content-length"]) == len(result.body)
    assert len(result.messages) == -(-len(result.body) // (64 * 1024)) > 1
    assert watch.most_alive <= 2 * EXPORT_CHUNK_ROWS
    sheet = load_workbook(io.BytesIO(bytes(result.body)), read_only=True).active
    assert sum(1 for _row in sheet.iter_rows()) == directory + 1


async def test_organisations_export_keeps_its_interest_centres_chunk_by_chunk(directory, cookie):
    with RowWatch() as watch:
        result = await download(ORGANISATIONS, "export=csv", cookie, watch)
    assert result.status == 200
    rows = read_csv(bytes(result.body))
    centres = rows[0].index("Centres d’intérêt")
    assert len(rows) == await Organisation.objects.acount() + 1
    assert any(row[centres] for row in rows[1:])


def test_a_filtered_export_exports_the_filtered_rows_only(directory, as_staff):
    city = Person.objects.exclude(city="").values_list("city", flat=True).first()
    response = as_staff.get(PEOPLE, {"export": "csv", "q": city})
    rows = read_csv(b"".join(response.streaming_content))
    assert 1 < len(rows) < directory + 1
