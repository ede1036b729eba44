"""Reading an uploaded spreadsheet (issue 16): CSV as French Excel and
LibreOffice write it, XLSX, ODS, and every file that cannot be imported,
refused with a clear French sentence and without harming the server."""

import datetime
import io
import os
import zipfile

import openpyxl
import pytest

from directory.imports.reading import ImportFileError, Sheet, read_sheet

NBSP = "\u00a0"


def error_of(data, name, **options) -> str:
    with pytest.raises(ImportFileError) as caught:
        read_sheet(data, name, **options)
    assert caught.value.message == str(caught.value)
    return caught.value.message


def xlsx(*rows, at="A1", more_sheets=()) -> bytes:
    """An XLSX written by openpyxl, its first row at `at`."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    first_row = int(at[1:])
    first_column = ord(at[0]) - ord("A") + 1
    for index, row in enumerate(rows):
        for offset, value in enumerate(row):
            if value is not None:
                sheet.cell(row=first_row + index, column=first_column + offset, value=value)
    for name, other_rows in more_sheets:
        other = workbook.create_sheet(name)
        for row in other_rows:
            other.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ods_cell(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, datetime.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    )


def ods_rows(*rows) -> str:
    return "".join(
        "<table:table-row>" + "".join(ods_cell(value) for value in row) + "</table:table-row>"
        for row in rows
    )


def ods(table_xml: str, mimetype: str = "application/vnd.oasis.opendocument.spreadsheet") -> bytes:
    """A minimal ODS, as LibreOffice would write its first sheet."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Feuille1">'
        f"{table_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        f' manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored, first
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def rewritten(data: bytes, member: str, change) -> bytes:
    """`data` (a zip) with one member's bytes changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            archive.writestr(info.filename, change(content) if info.filename == member else content)
    return buffer.getvalue()


# CSV ------------------------------------------------------------------------


def test_semicolon_csv_as_french_excel_writes_it():
    data = "Nom;Prénom;Ville\r\nDupont;Hélène;Paris\r\nMartin; Paul ;Lyon\r\n".encode()
    sheet = read_sheet(data, "contacts.csv")
    assert isinstance(sheet, Sheet)
    assert (sheet.format, sheet.encoding, sheet.delimiter) == ("csv", "utf-8", ";")
    assert sheet.headers == ["Nom", "Prénom", "Ville"]
    assert sheet.rows == [(2, ["Dupont", "Hélène", "Paris"]), (3, ["Martin", "Paul", "Lyon"])]


def test_comma_csv_with_quoted_cells_holding_semicolons_and_line_breaks():
    data = (
        'Nom,"Adresse; bâtiment",Notes\n'
        'Dupont,"3 rue de la Paix; bât. B","Aime le ""jazz""\net le théâtre"\n'
        "Martin,1 place Bellecour,\n"
    ).encode()
    sheet = read_sheet(data, "export.CSV")
    assert sheet.delimiter == ","  # the ";" inside quotes does not count
    assert sheet.headers == ["Nom", "Adresse; bâtiment", "Notes"]
    assert sheet.rows == [
        (2, ["Dupont", "3 rue de la Paix; bât. B", 'Aime le "jazz"\net le théâtre']),
        (3, ["Martin", "1 place Bellecour", ""]),
    ]


def test_tab_separated_text_file():
    sheet = read_sheet(b"Nom\tVille\nDupont\tParis\n", "export.txt")
    assert (sheet.format, sheet.delimiter) == ("csv", "\t")
    assert sheet.rows == [(2, ["Dupont", "Paris"])]


def test_a_tie_between_separators_is_read_as_semicolons():
    sheet = read_sheet(b"Nom;Ville,pays\nDupont;Paris, France\n", "a.csv")
    assert sheet.delimiter == ";"
    assert sheet.headers == ["Nom", "Ville,pays"]


def test_utf8_with_bom_leaves_no_mark_in_the_first_header():
    data = "\ufeffNom;Prénom\r\nDupont;Hélène\r\n".encode()
    sheet = read_sheet(data, "a.csv")
    assert sheet.encoding == "utf-8-sig"
    assert sheet.headers == ["Nom", "Prénom"]


def test_windows_1252_accents_ligatures_and_euro_sign():
    data = "Nom;Structure;Cotisation\r\nHélène Dupont;Théâtre de l’Œuvre;50 €\r\n".encode("cp1252")
    sheet = read_sheet(data, "a.csv")
    assert sheet.encoding == "cp1252"
    assert sheet.rows == [(2, ["Hélène Dupont", "Théâtre de l’Œuvre", "50 €"])]


def test_forced_encoding_and_separator_as_chosen_in_the_preview():
    data = "Nom;Ville\nHélène;Paris\n".encode()
    wrong = read_sheet(data, "a.csv", encoding="cp1252")
    assert wrong.encoding == "cp1252"
    assert wrong.rows == [(2, ["HÃ©lÃ¨ne", "Paris"])]

    one_column = read_sheet(data, "a.csv", delimiter=",")
    assert one_column.delimiter == ","
    assert one_column.headers == ["Nom;Ville"]
    assert one_column.rows == [(2, ["Hélène;Paris"])]

    with_bom = read_sheet(b"\xef\xbb\xbf" + data, "a.csv", encoding="utf-8")
    assert with_bom.headers == ["Nom", "Ville"]


def test_a_forced_encoding_that_does_not_fit_names_it():
    data = "Nom\nHélène\n".encode("cp1252")
    message = error_of(data, "a.csv", encoding="utf-8")
    assert (
        message == f"Ce fichier ne peut pas être lu en UTF-8{NBSP}: choisissez un autre encodage."
    )
    assert "Encodage inconnu" in error_of(data, "a.csv", encoding="klingon")
    assert "Séparateur inconnu" in error_of(data, "a.csv", delimiter="|")


@pytest.mark.parametrize(
    "data",
    [
        "Nom;Ville\nDupont;Paris\n".encode("utf-16"),  # Excel's "Unicode text"
        b"Nom;Ville\nDupont;Pa\x00ris\n",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x0b\x01\x02\x1b\x7f\x8d\x90 stream\n",
    ],
    ids=["utf-16", "nul-byte", "pdf"],
)
def test_binary_content_is_not_a_readable_csv(data):
    assert error_of(data, "contacts.csv").startswith(
        f"Ce fichier n’est pas un CSV lisible{NBSP}: enregistrez-le depuis votre tableur"
    )


def test_an_unclosed_quote_does_not_crash(settings):
    data = b'Nom;Notes\nDupont;"ouvert\n' + b"x" * 200_000 + b"\n"
    assert "vérifiez ses guillemets" in error_of(data, "a.csv")


# XLSX and ODS ---------------------------------------------------------------


def test_xlsx_numbers_dates_and_text_as_the_spreadsheet_shows_them():
    data = xlsx(
        ["Nom", "Code postal", "Mobile", "Depuis", "Rendez-vous", "Cotisation", "Actif", "Heure"],
        [
            "  Dupont ",
            6000,  # 06000 typed in Excel, stored as a number
            612345678,
            datetime.date(2026, 3, 12),
            datetime.datetime(2026, 3, 12, 14, 5),
            12.5,
            True,
            datetime.time(9, 30),
        ],
        ["Martin", 75002, None, datetime.datetime(2026, 1, 5), None, 30.0, False, None],
    )
    sheet = read_sheet(data, "Contacts.XLSX")
    assert (sheet.format, sheet.encoding, sheet.delimiter) == ("xlsx", "", "")
    assert sheet.headers[:3] == ["Nom", "Code postal", "Mobile"]
    assert sheet.rows == [
        (
            2,
            ["Dupont", "6000", "612345678", "12/03/2026", "12/03/2026 14:05", "12.5", "1", "09:30"],
        ),
        (3, ["Martin", "75002", "", "05/01/2026", "", "30", "0", ""]),
    ]


def test_xlsx_reads_the_first_sheet_only():
    data = xlsx(["Nom"], ["Dupont"], more_sheets=[("Autre", [["Ville"], ["Lyon"], ["Paris"]])])
    sheet = read_sheet(data, "a.xlsx")
    assert sheet.headers == ["Nom"]
    assert sheet.rows == [(2, ["Dupont"])]


def test_ods_as_libreoffice_writes_it():
    table = ods_rows(
        ["Nom", "Code postal", "Depuis", "Cotisation"],
        ["Hélène", 6000, datetime.date(2026, 3, 12), 12.5],
    ) + (
        # LibreOffice ends a sheet with a million empty rows
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    sheet = read_sheet(ods(table), "contacts.ods")
    assert sheet.format == "ods"
    assert sheet.headers == ["Nom", "Code postal", "Depuis", "Cotisation"]
    assert sheet.rows == [(2, ["Hélène", "6000", "12/03/2026", "12.5"])]


def test_line_numbers_count_blank_lines_as_the_spreadsheet_shows_them():
    csv_sheet = read_sheet(
        b"\r\n;;\r\nNom;Ville\r\nDupont;Paris\r\n;;\r\n\r\nMartin;Lyon\r\n", "a.csv"
    )
    assert csv_sheet.headers == ["Nom", "Ville"]
    assert csv_sheet.rows == [(4, ["Dupont", "Paris"]), (7, ["Martin", "Lyon"])]

    xlsx_sheet = read_sheet(
        xlsx(["Nom", "Ville"], ["Dupont", "Paris"], [None, None], ["Martin", "Lyon"], at="A3"),
        "a.xlsx",
    )
    assert xlsx_sheet.rows == [(4, ["Dupont", "Paris"]), (6, ["Martin", "Lyon"])]

    ods_sheet = read_sheet(ods(ods_rows([None], ["Nom"], ["Dupont"], [None], ["Martin"])), "a.ods")
    assert ods_sheet.rows == [(3, ["Dupont"]), (5, ["Martin"])]


def test_a_row_longer_than_the_header_keeps_its_extra_cells():
    sheet = read_sheet(b"Nom;Ville\nDupont;Paris;en trop\nMartin;Lyon;;\nDurand;;\n", "a.csv")
    assert sheet.rows == [
        (2, ["Dupont", "Paris", "en trop"]),
        (3, ["Martin", "Lyon"]),  # empty cells beyond the header dropped
        (4, ["Durand", ""]),  # not cut below the header either
    ]
    data = xlsx(["Nom", "Ville", None], ["Dupont", "Paris", None, "en trop"], ["Martin"])
    assert read_sheet(data, "a.xlsx").rows == [
        (2, ["Dupont", "Paris", "", "en trop"]),
        (3, ["Martin", ""]),
    ]


def test_an_empty_header_cell_is_named_after_its_column_letter():
    sheet = read_sheet(b"Nom;Ville;;Pays;;\nDupont;Paris;x;France;;\n", "a.csv")
    assert sheet.headers == ["Nom", "Ville", "Colonne C", "Pays"]
    assert sheet.rows == [(2, ["Dupont", "Paris", "x", "France"])]
    # The real letter, when the sheet starts in column B
    data = xlsx(["Nom", None, "Ville"], ["Dupont", "x", "Paris"], at="B1")
    assert read_sheet(data, "a.xlsx").headers == ["Nom", "Colonne C", "Ville"]


def test_two_columns_with_the_same_header_are_both_kept():
    sheet = read_sheet(b"Nom;E-mail;E-mail\nDupont;a@b.fr;c@d.fr\n", "a.csv")
    assert sheet.headers == ["Nom", "E-mail", "E-mail"]


def test_reading_100_000_rows(settings):
    settings.IMPORT_MAX_ROWS = 200_000
    lines = ["Nom;Prénom;E-mail;Ville"] + [
        f"Dupont{i};Hélène;h{i}@example.fr;Paris" for i in range(100_000)
    ]
    sheet = read_sheet("\r\n".join(lines).encode(), "big.csv")
    assert len(sheet.rows) == 100_000
    assert sheet.rows[-1] == (100_001, ["Dupont99999", "Hélène", "h99999@example.fr", "Paris"])


# Files that cannot be imported -----------------------------------------------


@pytest.mark.parametrize("name", ["contacts.pdf", "contacts.xls", "contacts", "contacts.csv.exe"])
def test_other_file_types_are_refused(name):
    assert error_of(b"Nom\nDupont\n", name) == (
        f"Ce type de fichier n’est pas pris en charge{NBSP}: "
        "choisissez un fichier CSV, XLSX ou ODS."
    )


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "a.csv"),
        (b"  \r\n\r\n", "a.csv"),
        (b";;;\r\n;;;\r\n", "a.csv"),
        (b"", "a.xlsx"),
        (xlsx(), "a.xlsx"),
        (ods(ods_rows([None, None])), "a.ods"),
    ],
)
def test_an_empty_file(data, name):
    assert error_of(data, name) == "Le fichier est vide."


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"Nom;Ville\r\n;\r\n", "a.csv"), (xlsx(["Nom", "Ville"]), "a.xlsx")],
)
def test_a_file_with_only_its_header(data, name):
    assert error_of(data, name) == (
        f"Le fichier n’a que sa ligne d’en-tête{NBSP}: aucune ligne à importer."
    )


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b"Nom;Ville\r\nDupont;Paris\r\n",
        os.urandom(4096),
        ods(ods_rows(["Nom"], ["Dupont"])),  # a real ODS, but named .xlsx
    ],
    ids=["pdf", "csv", "random", "ods"],
)
def test_a_file_renamed_xlsx_is_not_a_real_xlsx(data):
    assert error_of(data, "contacts.xlsx").startswith(
        f"Ce fichier n’est pas un vrai fichier XLSX{NBSP}: ouvrez-le dans votre tableur"
    )


def test_a_file_renamed_ods_is_not_a_real_ods():
    assert "pas un vrai fichier ODS" in error_of(xlsx(["Nom"], ["Dupont"]), "a.ods")
    other_document = ods(ods_rows(["Nom"]), mimetype="application/vnd.oasis.opendocument.text")
    assert "pas un vrai fichier ODS" in error_of(other_document, "a.ods")


def test_a_password_protected_workbook_or_an_old_xls_renamed():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2000)
    assert "protégé par un mot de passe" in error_of(data, "a.xlsx")


def test_a_damaged_workbook_is_an_error_not_a_crash():
    data = rewritten(
        xlsx(["Nom"], ["Dupont"]), "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2]
    )
    assert error_of(data, "a.xlsx").startswith("Ce fichier XLSX n’a pas pu être lu")


def test_a_zip_bomb_is_refused_before_it_is_unzipped():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 100_000
    assert error_of(data, "a.xlsx").startswith(
        "Ce fichier contient trop de données une fois décompressé"
    )


def test_a_workbook_larger_than_the_unzipped_limit(settings):
    data = xlsx(["Nom"], ["Dupont"])
    assert read_sheet(data, "a.xlsx").rows == [(2, ["Dupont"])]
    settings.IMPORT_MAX_UNZIPPED_BYTES = 5_000
    assert "trop de données une fois décompressé" in error_of(data, "a.xlsx")


def test_a_tiny_workbook_asking_for_billions_of_cells_is_refused():
    """Two cells, A1 and XFD1048576: python-calamine would allocate the whole
    rectangle between them and take the server down with it."""
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Nom"
    workbook.active["A2"] = "Dupont"
    workbook.active["XFD1048576"] = "loin"
    buffer = io.BytesIO()
    workbook.save(buffer)
    message = error_of(buffer.getvalue(), "a.xlsx")
    assert message.startswith("La première feuille de ce fichier s’étend sur trop de cellules")
    assert f"10{NBSP}000{NBSP}000" in message

    # The same written unusually (no "r" first, single quotes) is measured too.
    def unusual(xml):
        return xml.replace(b'<c r="XFD1048576"', b"<c  r='XFD1048576'")

    data = rewritten(buffer.getvalue(), "xl/worksheets/sheet1.xml", unusual)
    assert "trop de cellules" in error_of(data, "a.xlsx")


def test_a_far_cell_in_the_middle_of_a_long_sheet_is_found():
    """Far from the first and last rows, where a quick look would miss it."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([f"Colonne {index}" for index in range(10)])
    for row in range(7000):
        sheet.append([f"valeur {row}"] * 10)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    assert len(read_sheet(data, "a.xlsx").rows) == 7000

    far_column = rewritten(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<c r="J3500"', b'<c r="XFD3500"'),
    )
    assert "trop de cellules" in error_of(far_column, "a.xlsx")
    far_row = rewritten(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<c r="J3500"', b'<c r="J1048576"'),
    )
    assert "trop de cellules" in error_of(far_row, "a.xlsx")


def test_an_ods_repeating_a_row_a_million_times_is_refused():
    table = ods_rows(["Nom", "Ville"]) + (
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="30" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row>"
    )
    assert "trop de cellules" in error_of(ods(table), "a.ods")
    # Empty rows repeated before a last row count too: the sheet spans them.
    table = (
        ods_rows(["Nom", "Ville"])
        + '<table:table-row table:number-rows-repeated="1000000">'
        + "<table:table-cell/></table:table-row>"
        + ods_rows(["x"] * 30)
    )
    assert "trop de cellules" in error_of(ods(table), "a.ods")


def test_a_file_over_the_size_limit(settings):
    settings.IMPORT_MAX_BYTES = 1000
    assert read_sheet(b"Nom\n" + b"Dupont\n" * 100, "a.csv").rows[-1][0] == 101
    message = error_of(b"Nom\n" + b"Dupont\n" * 200, "a.csv")
    assert (
        message
        == f"Le fichier est trop volumineux (1,4{NBSP}ko){NBSP}: 1000{NBSP}octets au maximum."
    )


def test_a_file_over_the_row_limit(settings):
    settings.IMPORT_MAX_ROWS = 1500
    rows = b"".join(b"Dupont%d\n" % index for index in range(1500))
    assert len(read_sheet(b"Nom\n\n" + rows, "a.csv").rows) == 1500
    message = error_of(b"Nom\n" + rows + b"Durand\n", "a.csv")
    assert message == (
        f"Le fichier a plus de 1{NBSP}500 lignes à importer{NBSP}: "
        "découpez-le en plusieurs fichiers."
    )
    data = xlsx(["Nom"], *([f"Dupont{index}"] for index in range(1501)))
    assert "plus de 1" in error_of(data, "a.xlsx")


def test_a_title_line_above_the_header():
    data = "Export du 12/03/2026;;\r\nNom;Prénom;E-mail\r\nDupont;Hélène;h@example.fr\r\n".encode()
    assert error_of(data, "a.csv") == (
        f"La première ligne ressemble à un titre et la deuxième à l’en-tête{NBSP}: "
        "supprimez la ligne de titre et réessayez."
    )
    data = xlsx(["Export du 12/03/2026"], [], ["Nom", "Prénom"], ["Dupont", "Hélène"])
    assert "ressemble à un titre" in error_of(data, "a.xlsx")
    # A one-column sheet is not a title.
    assert read_sheet(b"Nom\nDupont\nMartin\n", "a.csv").headers == ["Nom"]


def test_the_header_written_twice():
    data = "\r\nNom;Prénom;Ville\r\nNOM;prénom;Ville\r\nDupont;Hélène;Paris\r\n".encode()
    assert error_of(data, "a.csv") == (
        f"Le fichier a deux lignes d’en-tête (lignes 2 et 3){NBSP}: supprimez la seconde."
    )
    # A person who lives in Ville-d'Avray or is called "Nom" is no header.
    sheet = read_sheet("Nom;Prénom;Ville\r\nNom;Hélène;Paris\r\n".encode(), "a.csv")
    assert sheet.rows == [(2, ["Nom", "Hélène", "Paris"])]


def test_english_messages_for_english_users():
    from django.utils import translation

    with translation.override("en"):
        assert error_of(b"", "a.csv") == "The file is empty."
        assert error_of(b"x", "a.pdf") == (
            "This type of file is not supported: choose a CSV, XLSX or ODS file."
        )


def test_a_sheet_too_wide_to_map_is_refused(settings):
    settings.IMPORT_MAX_COLUMNS = 5
    header = ";".join(f"C{i}" for i in range(6))
    with pytest.raises(ImportFileError) as caught:
        read_sheet(f"{header}\r\n1;2;3;4;5;6\r\n".encode(), "large.csv")
    assert "6 colonnes" in str(caught.value) and "5 au plus" in str(caught.value)
