"""A postal campaign's screens: preparing the labels freezes the recipients,
then the PDF (a real PDF, starting at the campaign's row and column) and
the mail-merge CSV (one row per label, its lines in « Ligne 1 »…) are
downloaded from the deliveries."""

import pytest

from outreach.models import CampaignStatus
from outreach.postal.layouts import PRESETS
from outreach.postal.pdf import MM

from .test_postal_pdf import labels_drawn, page_streams
from .view_helpers import browser, new_campaign, page_url, post_and_run, text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepared(marie, directors_basket, label_template):
    campaign = new_campaign(
        marie,
        directors_basket,
        label_template,
        channel="post",
        name="Vœux 2027",
        start_row=2,
        start_column=3,
    )
    response = post_and_run(browser(marie), url("send", campaign))
    assert response.status_code == 302
    campaign.refresh_from_db()
    return campaign


def test_preparing_labels_freezes_the_recipients_and_offers_the_downloads(marie, prepared):
    assert prepared.status == CampaignStatus.SENT
    page = text(browser(marie).get(page_url(prepared)))
    assert "Télécharger les étiquettes (PDF)" in page
    assert "Fichier de publipostage (CSV)" in page
    assert url("labels_pdf", prepared) in page


def test_the_label_pdf_is_a_pdf_of_the_labels_from_the_campaigns_start(marie, prepared):
    response = browser(marie).get(url("labels_pdf", prepared))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    [page] = [labels_drawn(stream) for stream in page_streams(body)]
    assert len(page) == 2  # Emma at Nancy (54000), then Alice at Metz (57000)
    # The first label at row 2, column 3, the next one on row 3, column 1.
    sheet = PRESETS["avery-l7160"]
    for (x, y, _lines), (row, column) in zip(page, ((2, 3), (3, 1)), strict=True):
        left, top = sheet.label_origin(row, column)
        assert left * MM < x < (left + sheet.label_width) * MM
        assert (297 - top - sheet.label_height) * MM < y < (297 - top) * MM
    assert page[0][2][-1] == b"54000 NANCY" and page[1][2][-1] == b"57000 METZ"


def test_the_mailmerge_csv_has_the_label_lines(marie, prepared):
    response = browser(marie).get(url("mailmerge_csv", prepared))
    assert response.status_code == 200
    csv = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0].startswith("Ligne 1;Ligne 2;")
    assert lines[0].endswith(";Nom;Qualité")
    assert len(lines) == 3  # by postcode: Emma at Nancy, then Alice at Metz
    emma, alice = lines[1].split(";"), lines[2].split(";")
    assert emma[:5] == [
        "Emma Escoffier",
        "Directeur·rice",
        "Scène de Nancy",
        "3 RUE STANISLAS",
        "54000 NANCY",
    ]
    assert alice[:5] == [
        "Alice Arnaud",
        "Directeur·rice",
        "Théâtre de Metz",
        "1 PLACE DE LA COMEDIE",
        "57000 METZ",
    ]
    assert alice[7:] == ["Alice Arnaud", "Directeur·rice – Théâtre de Metz"]
    assert "alice@perso.fr" not in csv


def test_an_email_campaign_has_no_labels(marie, directors_basket, email_template):
    campaign = new_campaign(marie, directors_basket, email_template)
    as_marie = browser(marie)
    assert as_marie.get(url("labels_pdf", campaign)).status_code == 404
    assert as_marie.get(url("mailmerge_csv", campaign)).status_code == 404


def test_labels_of_a_draft_are_not_there_yet(marie, directors_basket, label_template):
    campaign = new_campaign(marie, directors_basket, label_template, channel="post")
    assert browser(marie).get(url("labels_pdf", campaign)).status_code == 404


def test_another_staff_member_gets_no_labels_of_a_private_basket(paul, prepared):
    assert browser(paul).get(url("labels_pdf", prepared)).status_code == 404
    assert browser(paul).get(url("mailmerge_csv", prepared)).status_code == 404


def test_downloads_are_in_the_campaigns_history(marie, prepared):
    from outreach.models import CampaignLogEntry

    for name in ("labels_pdf", "mailmerge_csv"):
        response = browser(marie).get(url(name, prepared))
        b"".join(response.streaming_content)
    files = [
        entry.data["file"]
        for entry in CampaignLogEntry.objects.filter(
            object_id=str(prepared.pk), action="outreach.download"
        ).order_by("pk")
    ]
    assert files == ["labels_pdf", "mailmerge_csv"]


def test_a_postal_campaign_reads_as_labels_prepared_never_as_sent(marie, town, prepared):
    from django.urls import reverse

    as_marie = browser(marie)
    listing = text(as_marie.get(reverse("outreach_campaigns:index")))
    assert "Étiquettes prêtes" in listing
    assert "2 étiquettes préparées" in listing
    assert "envoyé sur" not in listing

    response = as_marie.get(page_url(prepared))
    page = text(response)
    assert "Étiquettes prêtes" in page and "Préparée le" in page
    assert "Envoyée" not in page and "Terminée le" not in page
    assert response.context["totals"] == [("sent", "Préparée", 2)]
    assert "<td>Préparée</td>" in page and "<td>Envoyé</td>" not in page

    csv = b"".join(as_marie.get(url("report_csv", prepared)).streaming_content)
    lines = csv.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(";Statut;Motif;Date de préparation")
    assert all(";Préparée;" in line for line in lines[1:]) and len(lines) == 3

    record = reverse("wagtailsnippets_directory_person:inspect", args=(town.alice.pk,))
    assert "Étiquettes postales, préparée" in text(as_marie.get(record))


def test_the_first_label_is_given_by_row_in_french_rangee(marie, prepared):
    page = text(browser(marie).get(page_url(prepared)))
    assert "rangée 2, colonne 3" in page
