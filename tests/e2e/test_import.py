"""An administrator imports a spreadsheet with two bad rows, reads why they
are rejected, downloads them, fixes them, imports them, and finds everyone in
the directory — in headless Chromium (issue 16)."""

import csv
import io

import pytest
from playwright.sync_api import expect

from directory.models import ImportJob, Person, Position
from tests import factories
from tests.factories import PASSWORD, FunctionFactory

from .conftest import sign_in

pytestmark = pytest.mark.e2e

NBSP = "\u00a0"
HEADERS = "Prénom;Nom;Structure;Fonction;E-mail;Code postal;Ville"
GOOD_ROWS = [
    "Anne;Aubry;La Comète;Directrice;anne@la-comete.fr;51000;Châlons-en-Champagne",
    "Paul;Petit;La Comète;Administrateur;paul@la-comete.fr;51000;Châlons-en-Champagne",
    "Claire;Cerf;Le Manège;Directrice;claire@manege-reims.fr;51100;Reims",
    "Denis;Durand;Le Manège;Administrateur;denis@manege-reims.fr;51100;Reims",
]
BAD_EMAIL = "Élise;Bernard;La Filature;Directrice;elise@@lafilature.org;68100;Mulhouse"
BAD_POSTCODE = "Hugo;Roux;Le Quai;Administrateur;hugo@lequai-angers.fr;99999;Angers"
# As French Excel saves it: « ; », UTF-8 with a BOM, CRLF.
SHEET = "\ufeff" + "\r\n".join([HEADERS, *GOOD_ROWS, BAD_EMAIL, BAD_POSTCODE]) + "\r\n"


def upload(page, path):
    """The first two steps: the file, then its columns as matched."""
    page.locator("input[type=file][name=file]").set_input_files(path)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("button", name="Continuer vers l’aperçu")).to_be_visible()


def screenshot(page, path):
    """The whole page: Wagtail's admin scrolls inside its layout, so a
    full-page capture stops at the viewport; make the viewport as tall."""
    height = page.evaluate("document.querySelector('main').scrollHeight")
    page.set_viewport_size({"width": 1280, "height": max(800, height + 100)})
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1280, "height": 800})


def count(page, key):
    return page.locator(f".crm-import-counts li[data-count={key}]")


def test_import_fix_the_rejected_rows_and_import_them(page, transactional_db, tmp_path):
    factories.administrator(username="anne", first_name="Anne", last_name="Admin")
    FunctionFactory(name="Directrice")
    FunctionFactory(name="Administrateur")
    sheet = tmp_path / "contacts.csv"
    sheet.write_bytes(SHEET.encode())
    sign_in(page, "anne", PASSWORD)

    # Annuaire › Importer.
    page.goto(f"{page.base_url}/admin/")
    page.get_by_role("button", name="Annuaire").click()
    page.get_by_role("link", name="Importer", exact=True).click()
    expect(page).to_have_url(f"{page.base_url}/admin/directory/imports/new/")
    upload(page, sheet)
    # The headings were recognised: Prénom is the first name, Code postal the postcode.
    expect(page.locator("#import-mapping-0")).to_have_value("person.first_name")
    expect(page.locator("#import-mapping-5")).to_have_value("contact.postcode")
    page.get_by_role("button", name="Continuer vers l’aperçu").click()

    # The preview: the counts, then each rejected row with its column and reason.
    expect(page.get_by_role("heading", name="Lignes rejetées")).to_be_visible()
    expect(count(page, "create")).to_have_text("4 lignes à créer")
    expect(count(page, "reject")).to_have_text("2 lignes rejetées")
    rejected = page.locator("table.listing", has=page.get_by_role("columnheader", name="Motif"))
    expect(rejected.locator("thead th")).to_have_text(["Ligne", "Colonne", "Motif"])
    expect(rejected.locator("tbody tr")).to_have_count(2)
    expect(rejected.locator("tbody tr").nth(0).locator("td")).to_have_text(
        [
            "6",
            "E-mail",
            f"«{NBSP}elise@@lafilature.org{NBSP}» n’est pas une adresse e-mail valide.",
        ]
    )
    expect(rejected.locator("tbody tr").nth(1).locator("td")).to_have_text(
        [
            "7",
            "Code postal",
            f"«{NBSP}99999{NBSP}» n’est pas un code postal français à cinq chiffres.",
        ]
    )
    expect(page.get_by_text("Rien n’a encore été écrit")).to_be_visible()
    expect(
        page.get_by_text(f"Tout ou rien{NBSP}: tant qu’une ligne est rejetée, rien n’est importé.")
    ).to_be_visible()
    screenshot(page, tmp_path / "import_preview.png")

    # All or nothing: importing now is refused, and says why.
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page.get_by_text(f"Tout ou rien{NBSP}: 2 lignes sont rejetées")).to_be_visible()
    assert not Person.objects.exists()

    # The rejected rows, with their line and reasons, to fix in a spreadsheet.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger les lignes rejetées (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    data = download.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "French Excel needs the BOM"
    downloaded = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(downloaded), delimiter=";"))
    assert rows[0] == [*HEADERS.split(";"), "Ligne", "Motifs"]
    assert [row[:7] for row in rows[1:]] == [BAD_EMAIL.split(";"), BAD_POSTCODE.split(";")]
    assert [row[7] for row in rows[1:]] == ["6", "7"]
    assert "n’est pas une adresse e-mail valide" in rows[1][8]
    assert "n’est pas un code postal français à cinq chiffres" in rows[2][8]

    # Import the valid rows only.
    page.get_by_label("Importer seulement les lignes valides").check()
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page.get_by_text("L’import est terminé.")).to_be_visible(timeout=30_000)
    expect(count(page, "create")).to_have_text("4 lignes créées")
    expect(count(page, "reject")).to_have_text("2 lignes rejetées")
    first = ImportJob.objects.order_by("pk").last()
    assert Person.objects.count() == 4
    screenshot(page, tmp_path / "import_job.png")

    # The people it created, from the job's link.
    page.get_by_role("link", name="Voir les 4 personnes créées").click()
    expect(page).to_have_url(f"{page.base_url}/admin/directory/people/?import={first.pk}")
    for name in ("Anne Aubry", "Paul Petit", "Claire Cerf", "Denis Durand"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_role("link", name="Élise Bernard")).to_have_count(0)

    # Fix the two rows in the downloaded file (its Ligne and Motifs columns stay).
    fixed = downloaded.replace("elise@@lafilature.org", "elise@lafilature.org")
    fixed = fixed.replace(";99999;", ";49000;")
    assert fixed != downloaded
    fixed_file = tmp_path / "lignes-corrigees.csv"
    fixed_file.write_bytes(("\ufeff" + fixed).encode())

    page.goto(f"{page.base_url}/admin/directory/imports/new/")
    upload(page, fixed_file)
    # The report's two extra columns are not imported.
    expect(page.locator("#import-mapping-7")).to_have_value("")
    expect(page.locator("#import-mapping-8")).to_have_value("")
    page.get_by_role("button", name="Continuer vers l’aperçu").click()
    expect(count(page, "create")).to_have_text("2 lignes à créer")
    expect(count(page, "reject")).to_have_text("0 ligne rejetée")
    expect(page.get_by_role("heading", name="Lignes rejetées")).to_have_count(0)
    expect(page.get_by_label("Importer seulement les lignes valides")).to_have_count(0)
    screenshot(page, tmp_path / "import_preview_fixed.png")
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page.get_by_text("L’import est terminé.")).to_be_visible(timeout=30_000)
    expect(count(page, "create")).to_have_text("2 lignes créées")
    expect(count(page, "reject")).to_have_text("0 ligne rejetée")
    expect(page.get_by_role("link", name="Télécharger les lignes rejetées (CSV)")).to_have_count(0)

    # Everyone is in the directory, found by name from the people listing's search box.
    page.goto(f"{page.base_url}/admin/directory/people/")
    search = page.locator("header input[name=q]")
    search.fill("bernard")
    search.press("Enter")
    expect(page.get_by_role("link", name="Élise Bernard")).to_be_visible()
    expect(page.get_by_role("link", name="Anne Aubry")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("La Filature")
    for query, name, organisation in (
        ("roux", "Hugo Roux", "Le Quai"),
        ("aubry", "Anne Aubry", "La Comète"),
    ):
        page.goto(f"{page.base_url}/admin/directory/people/?q={query}")
        expect(page.get_by_role("link", name=name)).to_be_visible()
        expect(page.locator("main")).to_contain_text(organisation)
    hugo = Person.objects.get(last_name="Roux")
    position = Position.objects.select_related("organisation", "function").get(person=hugo)
    assert position.organisation.postcode == "49000"
    assert position.function.name == "Administrateur"
    assert Person.objects.count() == 6
