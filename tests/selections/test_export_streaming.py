"""Basket exports stream, under daphne (ASGI) as under WSGI: the rows are read,
written and sent a chunk at a time, and the whole export is never in memory.

Django would buffer a synchronous iterator under ASGI (`sync_to_async(list)`):
every row would be made before the first byte left. Here the first chunk
leaves after one chunk of rows was made, and at no time are more than two
chunks of rows alive.
"""

import csv
import io

import pytest
from openpyxl import load_workbook

from crmsite.demo.bulk_load import load_directory
from selections import exports, resolution
from selections.disclosure import Disclosure
from selections.models import Basket, BasketStep, SavedSearch
from selections.views import exports as export_views
from tests.asgi_download import RowWatch, download, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

ROW_CHUNK = 2000  # resolution.stream's chunk: objects are made this many rows at a time
BLOCK = 64 * 1024  # Django's ASGI handler reads a FileResponse this much at a time
ALL_COLUMNS = ["name", "capacity", "organisation", "email", "phone", "address", "reasons"]


@pytest.fixture
def basket(staff_user):
    """A basket of a few thousand rows: everyone who may be contacted."""
    load_directory(persons=4000, organisations=80, seed=14)
    search = SavedSearch.objects.create(
        owner=staff_user,
        name="Tout le monde",
        criteria={
            "match": "all",
            "rules": [{"field": "person.do_not_contact", "operator": "is_false", "value": None}],
        },
    )
    basket = Basket.objects.create(owner=staff_user, name="Saison 2027")
    BasketStep.objects.create(basket=basket, sort_order=0, operation="union", search=search)
    return basket


@pytest.fixture
def total(basket):
    count = resolution.count(resolution.basket_rows(basket, Disclosure(None)))
    assert count > 3 * ROW_CHUNK / 2
    return count


@pytest.fixture
def cookie(staff_user):
    return session_cookie(staff_user)


def url(basket):
    return f"/admin/selections/baskets/export/{basket.pk}/"


def query(fmt, columns):
    return "&".join([f"format={fmt}", *(f"columns={column}" for column in columns)])


async def test_csv_leaves_in_chunks_before_the_rows_are_all_read(basket, total, cookie):
    with RowWatch() as watch:
        result = await download(url(basket), query("csv", ["name", "email"]), cookie, watch)
    assert result.status == 200
    assert result.headers["content-type"] == "text/csv; charset=utf-8"
    # A thousand rows a chunk: several chunks, the first sent when only the
    # first chunk of rows had been read.
    assert len(result.messages) >= total // exports.CSV_CHUNK_ROWS
    _size, made_before_first = result.messages[0]
    assert 0 < made_before_first <= ROW_CHUNK < watch.made
    assert watch.most_alive <= 2 * ROW_CHUNK
    rows = list(csv.reader(io.StringIO(result.body.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == total + 1


async def test_csv_under_asgi_raises_no_buffering_warning(basket, cookie, recwarn):
    with RowWatch() as watch:
        result = await download(url(basket), query("csv", ["name"]), cookie, watch)
    assert result.status == 200
    assert not [w for w in recwarn if "consume synchronous iterators" in str(w.message)]


class ReadCounter:
    """The workbook's file, counting what has been read of it."""

    def __init__(self, file):
        self.file = file
        self.read_bytes = 0

    def read(self, size=-1):
        data = self.file.read(size)
        self.read_bytes += len(data)
        return data

    def __getattr__(self, name):
        return getattr(self.file, name)


async def test_xlsx_is_written_row_by_row_and_sent_from_disk_block_by_block(
    basket, total, cookie, monkeypatch
):
    files = []

    def counted_xlsx_file(headings, rows):
        files.append(ReadCounter(exports.xlsx_file(headings, rows)))
        return files[-1]

    monkeypatch.setattr(export_views, "xlsx_file", counted_xlsx_file)
    with RowWatch() as watch:
        result = await download(
            url(basket),
            query("xlsx", ALL_COLUMNS),
            cookie,
            watch,
            probe=lambda: files[0].read_bytes,
        )
    assert result.status == 200
    assert result.headers["content-disposition"].startswith("attachment;")
    assert int(result.headers["content-length"]) == len(result.body) > BLOCK
    # The rows reached the writer a chunk at a time, never all at once...
    assert watch.made >= total
    assert watch.most_alive <= 2 * ROW_CHUNK * 4  # at most 4 objects a row
    # ...and the file left in blocks, each read from disk when it was sent.
    assert len(result.messages) == -(-len(result.body) // BLOCK)
    assert [read for _size, read in result.messages] == [
        min((number + 1) * BLOCK, len(result.body)) for number in range(len(result.messages))
    ]
    sheet = load_workbook(io.BytesIO(bytes(result.body)), read_only=True).active
    assert sum(1 for _row in sheet.iter_rows()) == total + 1


def test_xlsx_file_reads_its_rows_one_by_one_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    pulled = []

    def rows():
        for number in range(3):
            pulled.append(number)
            yield [f"=row {number}", number]

    workbook = exports.xlsx_file(["Nom", "Numéro"], rows())
    assert list(tmp_path.iterdir()) == []  # unlinked once open
    sheet = load_workbook(workbook).active
    workbook.close()
    assert pulled == [0, 1, 2]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Nom", "Numéro"],
        ["'=row 0", 0],
        ["'=row 1", 1],
        ["'=row 2", 2],
    ]


def test_csv_through_the_test_client_is_read_as_it_comes(basket, total, as_staff):
    with RowWatch() as watch:
        response = as_staff.get(url(basket), {"format": "csv", "columns": ["name"]})
        assert response.streaming
        assert watch.made == 0  # nothing read before the body is
        chunks = iter(response.streaming_content)
        first = next(chunks)
        assert first.startswith("\ufeff".encode())
        assert watch.made <= ROW_CHUNK
        rest = b"".join(chunks)
    assert watch.most_alive <= 2 * ROW_CHUNK
    text = (first + rest).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text), delimiter=";"))) == total + 1
