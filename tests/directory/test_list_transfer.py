"""Import and export of the administrators' lists (interest areas,
organisation types, functions) through their django-import-export
resources: who reaches which URL, French spreadsheets, the preview, bad
rows refused with their line and reason, all or nothing, audit entries,
and an export that re-imports without changing anything."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook
from wagtail.models import ModelLogEntry

from directory.models import Function, InterestCentre, OrganisationKind
from directory.resources import resource_for
from tests.factories import (
    FunctionFactory,
    InterestCentreFactory,
    OrganisationKindFactory,
    PositionFactory,
    staff,
)

CENTRES = "/admin/directory/interest-centres/"
KINDS = "/admin/directory/kinds/"
FUNCTIONS = "/admin/directory/functions/"
LISTS = [(CENTRES, InterestCentre), (KINDS, OrganisationKind), (FUNCTIONS, Function)]
LIST_URLS = [url for url, _model in LISTS]
NBSP = "\u00a0"


def fr(text: str) -> str:
    """French typography: a no-break space inside « » and before a colon."""
    return text.replace("« ", f"«{NBSP}").replace(" »", f"{NBSP}»").replace(" :", f"{NBSP}:")


def csv_file(text: str, name: str = "liste.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


def xlsx_file(rows, name: str = "liste.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile(name, output.getvalue())


def upload(browser, base: str, file):
    return browser.post(f"{base}import/", {"file": file})


def run(browser, base: str, preview):
    return browser.post(f"{base}import/run/", {"payload": preview.context["payload"]})


def read_csv(response) -> list[list[str]]:
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def problems(response) -> list[tuple]:
    return [(p["line"], p["column"], p["reason"]) for p in response.context["problems"]]


def counts(response) -> dict[str, int]:
    return {key: number for key, number, _phrase in response.context["counts"]}


def log_count() -> int:
    return ModelLogEntry.objects.count()


# --- Who reaches what ------------------------------------------------------------------


def every_url(base: str) -> list[tuple[str, str]]:
    return [
        ("get", f"{base}export/csv/"),
        ("get", f"{base}export/xlsx/"),
        ("get", f"{base}import/"),
        ("post", f"{base}import/"),
        ("post", f"{base}import/run/"),
    ]


@pytest.mark.parametrize("base", LIST_URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, base):
    for method, url in every_url(base):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


@pytest.mark.parametrize("base", LIST_URLS)
def test_clients_reach_none_of_them(as_client, base):
    InterestCentreFactory(name="Secret centre")
    OrganisationKindFactory(name="Secret kind")
    FunctionFactory(name="Secret function")
    for method, url in every_url(base):
        response = getattr(as_client, method)(url)
        assert response.status_code in (403, 404), url
        assert b"Secret" not in response.content, url


@pytest.mark.parametrize("base", LIST_URLS)
def test_staff_export_but_do_not_import(as_staff, base):
    assert as_staff.get(f"{base}export/csv/").status_code == 200
    assert as_staff.get(f"{base}export/xlsx/").status_code == 200
    assert as_staff.get(f"{base}import/").status_code == 403
    assert upload(as_staff, base, csv_file("Nom\nCirque\n")).status_code == 403
    assert as_staff.post(f"{base}import/run/", {"payload": "x"}).status_code == 403
    assert as_staff.get(f"{base}export/pdf/").status_code == 404


@pytest.mark.parametrize("base", LIST_URLS)
def test_administrators_reach_every_step(as_admin, base):
    assert as_admin.get(f"{base}export/csv/").status_code == 200
    assert as_admin.get(f"{base}export/xlsx/").status_code == 200
    page = as_admin.get(f"{base}import/")
    assert page.status_code == 200
    assert fr("« Nom »") in page.content.decode()
    assert f"1{NBSP}000 lignes au plus" in page.content.decode()
    preview = upload(as_admin, base, csv_file("Nom\nCirque\n"))
    assert preview.status_code == 200
    assert run(as_admin, base, preview).status_code == 302


@pytest.mark.parametrize("base", LIST_URLS)
def test_the_listing_offers_import_to_administrators_and_export_to_staff(as_admin, as_staff, base):
    admin_page = as_admin.get(base).content.decode()
    assert f'href="{base}import/"' in admin_page and "Importer" in admin_page
    assert f'href="{base}export/csv/"' in admin_page
    assert f'href="{base}export/xlsx/"' in admin_page and "Exporter" in admin_page
    staff_page = as_staff.get(base).content.decode()
    assert f'href="{base}import/"' not in staff_page
    assert f'href="{base}export/csv/"' in staff_page and "Exporter" in staff_page


# --- Export --------------------------------------------------------------------------


def test_the_csv_export_is_french_excel_with_the_columns_in_order(as_staff):
    InterestCentreFactory(name="Théâtre", colour="#d63384")
    InterestCentreFactory(name="arts de la rue", colour="#20c997")
    response = as_staff.get(f"{CENTRES}export/csv/")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="centres-dinteret.csv"' in response["Content-Disposition"]
    assert read_csv(response) == [
        ["Nom", "Couleur"],
        ["arts de la rue", "#20c997"],
        ["Théâtre", "#d63384"],
    ]


def test_the_xlsx_export_has_a_frozen_filtered_header(as_staff):
    FunctionFactory(name="Directeur")
    FunctionFactory(name="Chargée de production")
    response = as_staff.get(f"{FUNCTIONS}export/xlsx/")
    assert 'filename="fonctions.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert list(sheet.iter_rows(values_only=True)) == [
        ("Nom",),
        ("Chargée de production",),
        ("Directeur",),
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:A3"


def test_formula_like_names_are_escaped_in_both_exports(as_staff):
    OrganisationKindFactory(name='=HYPERLINK("http://x")')
    rows = read_csv(as_staff.get(f"{KINDS}export/csv/"))
    assert rows[1] == ['\'=HYPERLINK("http://x")']
    sheet = load_workbook(io.BytesIO(as_staff.get(f"{KINDS}export/xlsx/").content)).active
    cell = sheet["A2"]
    assert cell.value == '\'=HYPERLINK("http://x")' and cell.data_type == "s"


def test_the_export_speaks_english_to_an_english_user():
    from wagtail.users.models import UserProfile

    InterestCentreFactory(name="Danse", colour="#000000")
    user = staff(username="jane")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    browser = Client()
    browser.force_login(user)
    response = browser.get(f"{CENTRES}export/csv/")
    assert read_csv(response)[0] == ["Name", "Colour"]
    assert 'filename="interest-areas.csv"' in response["Content-Disposition"]


# --- Import: the happy path ----------------------------------------------------------------


def test_an_import_previews_then_creates_and_updates_with_audit_entries(as_admin, admin_user):
    theatre = InterestCentreFactory(name="Théâtre", colour="#ff0000")
    InterestCentreFactory(name="Cirque", colour="#00ff00")
    before = log_count()
    preview = upload(
        as_admin,
        CENTRES,
        csv_file("Nom;Couleur\nTHÉÂTRE;#0000FF\nDanse;#D63384\nCirque;#00ff00\nMusique;\n"),
    )
    assert counts(preview) == {"new": 2, "update": 1, "skip": 1, "invalid": 0}
    page = preview.content.decode()
    assert "2 lignes à créer" in page and "1 ligne à mettre à jour" in page
    assert "1 ligne inchangée" in page
    assert "Rien n’a encore été écrit" in page
    assert [
        (c["line"], c["field"], c["before"], c["after"]) for c in preview.context["changed"]
    ] == [
        (2, "Nom", "Théâtre", "THÉÂTRE"),
        (2, "Couleur", "#ff0000", "#0000ff"),
    ]
    # The preview wrote nothing (the dry run was rolled back), not even to the log.
    assert InterestCentre.objects.count() == 2 and log_count() == before
    theatre.refresh_from_db()
    assert theatre.name == "Théâtre"

    response = run(as_admin, CENTRES, preview)
    assert response.status_code == 302 and response["Location"] == CENTRES
    message = [str(m).strip() for m in as_admin.get(CENTRES).context["messages"]][0]
    assert message == fr(
        "Import de « liste.csv » : 2 lignes créées, 1 ligne mise à jour, 1 ligne inchangée."
    )
    theatre.refresh_from_db()
    assert (theatre.name, theatre.colour) == ("THÉÂTRE", "#0000ff")
    assert InterestCentre.objects.get(name="Danse").colour == "#d63384"
    assert InterestCentre.objects.get(name="Musique").colour == "#1f6feb"  # the default
    assert InterestCentre.objects.count() == 4
    # One entry per created or changed item, by the administrator.
    entries = ModelLogEntry.objects.order_by("pk")[before:]
    assert sorted((e.action, e.label) for e in entries) == [
        ("wagtail.create", "Danse"),
        ("wagtail.create", "Musique"),
        ("wagtail.edit", "THÉÂTRE"),
    ]
    assert {e.user_id for e in entries} == {admin_user.pk}


def test_an_empty_colour_keeps_the_colour_an_entry_has(as_admin):
    centre = InterestCentreFactory(name="Danse", colour="#123456")
    preview = upload(as_admin, CENTRES, csv_file("Nom;Couleur\ndanse;\n"))
    assert counts(preview)["update"] == 1  # only the name's case changes
    run(as_admin, CENTRES, preview)
    centre.refresh_from_db()
    assert (centre.name, centre.colour) == ("danse", "#123456")


def test_an_xlsx_file_with_english_headings_and_extra_columns(as_admin):
    preview = upload(
        as_admin,
        KINDS,
        xlsx_file([["Notes", "Name"], ["à revoir", "Lieu de diffusion"], ["", "Compagnie"]]),
    )
    assert counts(preview) == {"new": 2, "update": 0, "skip": 0, "invalid": 0}
    assert preview.context["ignored_columns"] == ["Notes"]
    assert "Colonnes laissées de côté" in preview.content.decode()
    run(as_admin, KINDS, preview)
    assert sorted(OrganisationKind.objects.values_list("name", flat=True)) == [
        "Compagnie",
        "Lieu de diffusion",
    ]


def test_renaming_a_function_by_import_renames_it_for_its_holders(as_admin):
    position = PositionFactory(function=FunctionFactory(name="directeur"))
    preview = upload(as_admin, FUNCTIONS, csv_file("Fonction\nDIRECTEUR\n"))
    assert counts(preview)["update"] == 1
    run(as_admin, FUNCTIONS, preview)
    message = [str(m).strip() for m in as_admin.get(FUNCTIONS).context["messages"]][0]
    assert message == fr("Import de « liste.csv » : 1 ligne mise à jour.")
    assert Function.objects.get().name == "DIRECTEUR"
    position.person.refresh_from_db()
    assert "directeur" in position.person.search_text.lower()


# --- Bad input: a French reason per row, nothing written ------------------------------------


NOT_A_COLOUR = "n’est pas une couleur : écrivez-la sous la forme #rrggbb, par exemple #1f6feb."
BAD_ROWS = [
    ("Nom;Couleur\n;#123456\n", "Nom", "Le nom est vide."),
    (
        "Nom;Couleur\n" + "x" * 101 + ";#123456\n",
        "Nom",
        fr("Trop long : 101 caractères, 100 au plus."),
    ),
    (
        "Nom;Couleur\nDanse;rouge\n",
        "Couleur",
        fr(f"« rouge » {NOT_A_COLOUR}"),
    ),
    (
        "Nom;Couleur\nDanse;#12345\n",
        "Couleur",
        fr(f"« #12345 » {NOT_A_COLOUR}"),
    ),
    (
        "Nom;Couleur\n=cmd;#123456\n",
        "Nom",
        fr("« =cmd » ressemble à une formule de tableur, pas à une valeur."),
    ),
    (
        "Nom;Couleur\nDanse;#123456;oups\n",
        "",
        "Cette ligne a 1 cellules remplies au-delà des 2 colonnes de l’en-tête.",
    ),
]


@pytest.mark.parametrize(("text", "column", "reason"), BAD_ROWS)
def test_a_bad_row_is_explained_and_nothing_is_written(as_admin, text, column, reason):
    before = log_count()
    preview = upload(as_admin, CENTRES, csv_file("Nom;Couleur\nCirque;#000000\n" + text[12:]))
    assert problems(preview) == [(3, column, reason)]
    page = preview.content.decode()
    assert "Lignes rejetées" in page and "rien n’est importé" in page
    assert 'name="payload"' not in page  # no import button
    # Posting the rejected preview anyway writes nothing either.
    response = as_admin.post(f"{CENTRES}import/run/", {"payload": preview.context["payload"]})
    assert response.status_code == 200
    assert "Rien n’a été importé" in response.content.decode()
    assert not InterestCentre.objects.exists()
    assert log_count() == before


def test_names_that_fold_alike_in_one_file_are_duplicates(as_admin):
    preview = upload(as_admin, CENTRES, csv_file("Nom\nThéâtre\nDanse\nTHEATRE\n"))
    assert problems(preview) == [(4, "Nom", "Doublon de la ligne 2.")]
    assert counts(preview) == {"new": 2, "update": 0, "skip": 0, "invalid": 1}
    run(as_admin, CENTRES, preview)
    assert not InterestCentre.objects.exists()


def test_every_bad_row_is_listed_with_its_line(as_admin):
    text = "Nom;Couleur\n\nDanse;rouge\n;#000000\n=cmd;\nCirque;#000000\n"
    preview = upload(as_admin, CENTRES, csv_file(text))
    assert [(line, column) for line, column, _reason in problems(preview)] == [
        (3, "Couleur"),
        (4, "Nom"),
        (5, "Nom"),
    ]
    assert counts(preview)["new"] == 1 and counts(preview)["invalid"] == 3


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (csv_file("", "vide.csv"), "Le fichier est vide."),
        (csv_file("Nom\n", "entete.csv"), "Le fichier n’a que sa ligne d’en-tête"),
        (
            SimpleUploadedFile("liste.pdf", b"%PDF-1.4"),
            "Ce type de fichier n’est pas pris en charge",
        ),
        (SimpleUploadedFile("liste.xlsx", b"not a zip"), "n’est pas un vrai fichier XLSX"),
        (
            csv_file("Libellé long;Code\nCirque;C\n"),
            fr(
                "Le fichier n’a pas de colonne « Nom » (ses colonnes : « Libellé long », « Code »)."
            ),
        ),
        (csv_file("Nom;Name\nCirque;Circus\n"), fr("Deux colonnes du fichier sont « Nom »")),
    ],
)
def test_a_file_that_cannot_be_imported_says_why(as_admin, file, message):
    response = upload(as_admin, CENTRES, file)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not InterestCentre.objects.exists()


def test_too_many_rows_for_a_list(as_admin, monkeypatch):
    monkeypatch.setattr("directory.resources.MAX_ROWS", 2)
    response = upload(as_admin, KINDS, csv_file("Nom\nA\nB\nC\n"))
    assert "Ce fichier a 3 lignes" in " ".join(response.context["form"].errors["file"])


def test_a_tampered_preview_is_refused(as_admin):
    preview = upload(as_admin, CENTRES, csv_file("Nom\nCirque\n"))
    payload = preview.context["payload"]
    response = as_admin.post(f"{CENTRES}import/run/", {"payload": payload[:-3] + "abc"})
    assert response.status_code == 302 and response["Location"] == f"{CENTRES}import/"
    # Nor does a preview of one list import into another.
    as_admin.post(f"{KINDS}import/run/", {"payload": payload})
    assert not InterestCentre.objects.exists() and not OrganisationKind.objects.exists()


def test_the_preview_carries_only_the_list_s_columns(as_admin):
    from django.core import signing

    salt = "directory.list_transfer.directory.organisationkind"
    preview = upload(as_admin, KINDS, csv_file("Nom;Notes\nLieu;confidentiel\n"))
    carried = signing.loads(preview.context["payload"], salt=salt)
    assert carried["fields"] == ["name"] and carried["rows"] == [[2, 0, "Lieu"]]
    # A signed selection naming another field (or none) is refused all the same.
    for fields, rows in ((["name_key"], [[2, 0, "x"]]), (["name"], [[2, 0, "a", "b"]])):
        forged = signing.dumps(
            {"file": "x.csv", "fields": fields, "width": 1, "ignored": [], "rows": rows},
            salt=salt,
        )
        response = as_admin.post(f"{KINDS}import/run/", {"payload": forged})
        assert response["Location"] == f"{KINDS}import/"
    assert not OrganisationKind.objects.exists()


def test_a_row_refused_at_import_time_rolls_back_the_whole_file(as_admin, monkeypatch):
    """The preview was clean, but something changed before the import: a
    failure on the third row leaves the first two unwritten too."""
    preview = upload(as_admin, KINDS, csv_file("Nom\nLieu\nCompagnie\nFestival\n"))
    from directory import actions

    create = actions.create_record

    def failing(user, instance):
        if instance.name == "Festival":
            from django.core.exceptions import ValidationError

            raise ValidationError({"name": "refusé"})
        return create(user, instance)

    monkeypatch.setattr(actions, "create_record", failing)
    before = log_count()
    response = run(as_admin, KINDS, preview)
    assert response.status_code == 200
    assert "Rien n’a été importé" in response.content.decode()
    assert not OrganisationKind.objects.exists()
    assert log_count() == before


# --- Round trip -----------------------------------------------------------------------------


@pytest.mark.parametrize(("base", "model"), LISTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_re_importing_an_export_changes_nothing(as_admin, base, model, fmt):
    for name in ("Théâtre", "arts de la rue", "-Danse", "=1+1", "Cirque"):
        model.objects.create(name=name)
    if model is InterestCentre:
        InterestCentre.objects.filter(name="Cirque").update(colour="#abcdef")
    stored = list(model.objects.order_by("pk").values())
    export = as_admin.get(f"{base}export/{fmt}/")
    before = log_count()
    preview = upload(as_admin, base, SimpleUploadedFile(f"export.{fmt}", export.content))
    assert counts(preview) == {"new": 0, "update": 0, "skip": 5, "invalid": 0}
    assert "ne changerait rien" in preview.content.decode()
    response = run(as_admin, base, preview)
    assert response.status_code == 302
    assert list(model.objects.order_by("pk").values()) == stored
    assert log_count() == before


def test_a_name_marked_as_text_is_kept_but_a_bare_formula_is_refused(as_admin):
    preview = upload(as_admin, KINDS, csv_file("Nom\n'=SOMME(A1)\n"))
    assert counts(preview)["new"] == 1
    run(as_admin, KINDS, preview)
    assert OrganisationKind.objects.get().name == "=SOMME(A1)"
    preview = upload(as_admin, KINDS, csv_file("Nom\n@SOMME(A1)\n"))
    assert problems(preview) == [
        (2, "Nom", fr("« @SOMME(A1) » ressemble à une formule de tableur, pas à une valeur."))
    ]


def test_the_resource_imports_a_dataset_through_the_actions(admin_user, staff_user):
    """The resource on its own, as a shell or a task would use it."""
    import tablib

    dataset = tablib.Dataset(headers=["Nom"])
    dataset.append(["Lieu"])
    result = resource_for(OrganisationKind, admin_user).import_data(dataset)
    assert result.totals["new"] == 1
    assert ModelLogEntry.objects.filter(action="wagtail.create", label="Lieu").exists()
    dataset = tablib.Dataset(["Lieu"], ["Compagnie"], headers=["Nom"])
    refused = resource_for(OrganisationKind, staff_user).import_data(dataset)
    assert refused.totals["skip"] == 1 and refused.totals["error"] == 1
    assert "pas le droit d" in str(refused.error_rows[0].errors[0].error)
    assert not OrganisationKind.objects.filter(name="Compagnie").exists()
