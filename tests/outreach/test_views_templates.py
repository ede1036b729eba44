"""The templates' screens: administrators create and edit e-mail templates,
SMS templates and label sheets (merge-field problems on their field, the
merge fields listed beside the editor, the SMS counter, a preset filling a
sheet's dimensions); staff read them and change nothing; clients reach
none. The « Campagnes » menu says the same."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from wagtail.admin.menu import admin_menu

from outreach.models import EmailTemplate, LabelTemplate, SmsTemplate

from .view_helpers import browser, text

pytestmark = pytest.mark.django_db


def email_data(**changes):
    data = {
        "name": "Invitation de saison",
        "subject": "Bonjour {{ prenom }}",
        "html": "<p>Bonjour {{ prenom }} {{ nom }},</p><script>alert(1)</script>",
        "text": "",
    }
    data.update(changes)
    return data


def test_an_administrator_creates_an_email_template_sanitised(admin_user):
    response = browser(admin_user).post(reverse("outreach_emailtemplates:add"), email_data())
    assert response.status_code == 302
    template = EmailTemplate.objects.get()
    assert template.subject == "Bonjour {{ prenom }}"
    assert "<script>" not in template.html and "Bonjour {{ prenom }}" in template.html


def test_an_unknown_merge_field_is_shown_on_its_field_and_nothing_is_saved(admin_user):
    response = browser(admin_user).post(
        reverse("outreach_emailtemplates:add"),
        email_data(subject="Bonjour {{ surnom }}", html="<p>{{ prenom </p>"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "surnom" in " ".join(errors["subject"])
    assert errors["html"]
    assert "Le modèle n’a pas pu être créé" in text(response)
    assert not EmailTemplate.objects.exists()


def test_the_merge_fields_are_listed_beside_the_editor_in_french(admin_user):
    page = text(browser(admin_user).get(reverse("outreach_emailtemplates:add")))
    assert "Champs de fusion" in page
    assert "{{ prenom }}" in page and "{{ organisation }}" in page and "{{ code_postal }}" in page
    assert "Prénom" in page


def test_the_sms_body_counts_as_one_types_and_is_checked(admin_user):
    as_admin = browser(admin_user)
    page = text(as_admin.get(reverse("outreach_smstemplates:add")))
    assert 'data-controller="sms-counter"' in page
    assert "outreach/sms_counter.js" in page
    assert "{{ prenom }}" in page
    refused = as_admin.post(
        reverse("outreach_smstemplates:add"), {"name": "Rappel", "body": "Bonjour {{ pseudo }}"}
    )
    assert refused.status_code == 200 and refused.context["form"].errors["body"]
    assert not SmsTemplate.objects.exists()
    saved = as_admin.post(
        reverse("outreach_smstemplates:add"), {"name": "Rappel", "body": "Bonjour {{ prenom }}"}
    )
    assert saved.status_code == 302
    assert SmsTemplate.objects.get().body == "Bonjour {{ prenom }}"


def label_data(**changes):
    data = {
        "name": "Planche du bureau",
        "preset": "",
        "page_width": "210",
        "page_height": "297",
        "rows": "7",
        "columns": "3",
        "top_margin": "15.15",
        "left_margin": "7.21",
        "label_width": "63.5",
        "label_height": "38.1",
        "horizontal_pitch": "66.04",
        "vertical_pitch": "38.1",
        "show_function": "on",
        "show_organisation": "on",
    }
    data.update(changes)
    return data


def test_a_preset_fills_the_dimensions_left_empty(admin_user):
    as_admin = browser(admin_user)
    page = text(as_admin.get(reverse("outreach_labeltemplates:add")))
    assert 'data-controller="label-preset"' in page
    assert "Avery L7163" in page
    empty = {name: "" for name in label_data() if name not in ("name", "show_function")}
    response = as_admin.post(
        reverse("outreach_labeltemplates:add"),
        {"name": "Grandes étiquettes", **empty, "preset": "avery-l7163"},
    )
    assert response.status_code == 302, response.context["form"].errors
    sheet = LabelTemplate.objects.get()
    assert (sheet.rows, sheet.columns, float(sheet.label_width)) == (7, 2, 99.1)
    assert float(sheet.horizontal_pitch) == 101.6 and sheet.preset == "avery-l7163"


def test_a_sheet_that_does_not_fit_its_page_is_refused(admin_user):
    response = browser(admin_user).post(
        reverse("outreach_labeltemplates:add"), label_data(columns="4")
    )
    assert response.status_code == 200
    assert "Les étiquettes dépassent de la page à droite" in text(response)
    assert not LabelTemplate.objects.exists()


def test_empty_dimensions_without_a_preset_are_refused(admin_user):
    response = browser(admin_user).post(
        reverse("outreach_labeltemplates:add"), label_data(rows="", label_width="")
    )
    assert response.status_code == 200
    assert not LabelTemplate.objects.exists()


def test_staff_read_templates_but_change_nothing(
    marie, email_template, sms_template, label_template
):
    as_marie = browser(marie)
    for kind, template in (
        ("email", email_template),
        ("sms", sms_template),
        ("label", label_template),
    ):
        listing = as_marie.get(reverse(f"outreach_{kind}templates:index"))
        assert listing.status_code == 200
        assert template.name in text(listing)
        inspect = reverse(f"outreach_{kind}templates:inspect", args=(template.pk,))
        assert as_marie.get(inspect).status_code == 200
        assert reverse(f"outreach_{kind}templates:edit", args=(template.pk,)) not in text(listing)
        assert as_marie.get(reverse(f"outreach_{kind}templates:add")).status_code == 403
        for view in ("edit", "delete"):
            path = reverse(f"outreach_{kind}templates:{view}", args=(template.pk,))
            assert as_marie.get(path).status_code == 403
            assert as_marie.post(path, {"name": "Changé"}).status_code == 403
    assert as_marie.post(reverse("outreach_emailtemplates:add"), email_data()).status_code == 403
    email_template.refresh_from_db()
    assert email_template.name == "Invitation"
    assert EmailTemplate.objects.count() == SmsTemplate.objects.count() == 1
    assert LabelTemplate.objects.count() == 1


def test_the_email_template_reads_as_it_is_for_staff(marie, email_template):
    page = text(
        browser(marie).get(reverse("outreach_emailtemplates:inspect", args=(email_template.pk,)))
    )
    assert "Bonjour {{ prenom }}" in page


def test_a_client_reaches_no_template(client_user, email_template):
    as_client = browser(client_user)
    for path in (
        reverse("outreach_emailtemplates:index"),
        reverse("outreach_emailtemplates:add"),
        reverse("outreach_emailtemplates:inspect", args=(email_template.pk,)),
        reverse("outreach_emailtemplates:edit", args=(email_template.pk,)),
    ):
        assert as_client.get(path).status_code in (403, 404), path


def test_an_administrator_deletes_a_template(admin_user, sms_template):
    response = browser(admin_user).post(
        reverse("outreach_smstemplates:delete", args=(sms_template.pk,))
    )
    assert response.status_code == 302
    assert not SmsTemplate.objects.exists()


def menu_labels(user) -> list[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    labels = []
    for item in admin_menu.menu_items_for_request(request):
        labels.append(str(item.label))
        for child in getattr(getattr(item, "menu", None), "registered_menu_items", []) or []:
            if child.is_shown(request):
                labels.append(f"{item.label} > {child.label}")
    return labels


def test_the_campaigns_menu_for_each_role(admin_user, marie, client_user):
    with_admin = menu_labels(admin_user)
    assert "Campagnes" in with_admin
    for label in ("Campagnes", "Modèles d’e-mail", "Modèles de SMS", "Planches d’étiquettes"):
        assert f"Campagnes > {label}" in with_admin
    with_staff = menu_labels(marie)
    assert "Campagnes > Campagnes" in with_staff
    assert not any("Modèles" in label or "Planches" in label for label in with_staff)
    assert not any(label.startswith("Campagnes") for label in menu_labels(client_user))


def test_an_administrator_edits_a_label_sheet_and_a_bad_pitch_changes_nothing(
    admin_user, label_template
):
    as_admin = browser(admin_user)
    edit = reverse("outreach_labeltemplates:edit", args=(label_template.pk,))
    page = text(as_admin.get(edit))
    assert 'value="63,5"' in page  # millimetres written the French way
    overlapping = as_admin.post(edit, label_data(name="Avery L7160", horizontal_pitch="60"))
    assert overlapping.status_code == 200
    assert "Le pas horizontal (60 mm) est plus petit que la largeur" in text(overlapping)
    label_template.refresh_from_db()
    assert float(label_template.horizontal_pitch) == 66.04
    saved = as_admin.post(edit, label_data(name="Avery L7160", rows="6"))
    assert saved.status_code == 302
    label_template.refresh_from_db()
    assert label_template.rows == 6


def test_a_label_sheet_takes_and_shows_millimetres_with_a_decimal_comma(admin_user):
    as_admin = browser(admin_user)
    french = label_data(
        top_margin="15,15",
        left_margin="7,21",
        label_width="63,5",
        label_height="38,1",
        horizontal_pitch="66,04",
        vertical_pitch="38,1",
    )
    response = as_admin.post(reverse("outreach_labeltemplates:add"), french)
    assert response.status_code == 302, response.context["form"].errors
    sheet = LabelTemplate.objects.get()
    assert (str(sheet.top_margin), str(sheet.horizontal_pitch)) == ("15.15", "66.04")
    page = text(as_admin.get(reverse("outreach_labeltemplates:edit", args=(sheet.pk,))))
    assert 'value="15,15"' in page and 'value="210"' in page and 'value="66,04"' in page
    assert 'inputmode="decimal"' in page
    assert "Saisissez un nombre." not in page


def test_a_preset_fills_the_dimensions_written_the_french_way(admin_user):
    import html
    import json
    import re

    page = browser(admin_user).get(reverse("outreach_labeltemplates:add")).content.decode()
    found = re.search(r'data-label-preset-presets-value="([^"]*)"', page)
    presets = json.loads(html.unescape(found.group(1)))
    assert presets["avery-l7160"]["top_margin"] == "15,15"
    assert presets["avery-l7160"]["page_width"] == "210"
    assert presets["avery-l7160"]["label_width"] == "63,5"
    assert presets["avery-l7160"]["rows"] == "7"


def test_a_sheet_has_rangees_not_lignes(admin_user, label_template):
    as_admin = browser(admin_user)
    form = text(as_admin.get(reverse("outreach_labeltemplates:add")))
    assert "Rangées" in form and ">Lignes<" not in form
    inspect = text(
        as_admin.get(reverse("outreach_labeltemplates:inspect", args=(label_template.pk,)))
    )
    assert "Rangées" in inspect and "Lignes" not in inspect


def test_the_sheet_list_keeps_millimetres_with_their_number(marie, label_template):
    page = browser(marie).get(reverse("outreach_labeltemplates:index")).content.decode()
    assert "3 × 7 étiquettes de 63,5 × 38,1\xa0mm" in page


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        (
            "email",
            email_data(name="Invitation"),
            "Un modèle d’e-mail porte déjà ce nom.",
        ),
        (
            "sms",
            {"name": "Rappel", "body": "Bonjour {{ prenom }}"},
            "Un modèle de SMS porte déjà ce nom.",
        ),
        (
            "label",
            label_data(name="Avery L7160"),
            "Une planche d’étiquettes porte déjà ce nom.",
        ),
    ],
)
def test_a_name_already_taken_is_refused_in_plain_french(
    admin_user, email_template, sms_template, label_template, kind, data, message
):
    model = {"email": EmailTemplate, "sms": SmsTemplate, "label": LabelTemplate}[kind]
    response = browser(admin_user).post(reverse(f"outreach_{kind}templates:add"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [message]
    assert message in text(response)
    assert "Un objet" not in text(response)
    assert model.objects.count() == 1
    # Its own name is no duplicate when the template is saved again.
    own = {"email": email_template, "sms": sms_template, "label": label_template}[kind]
    again = browser(admin_user).post(
        reverse(f"outreach_{kind}templates:edit", args=(own.pk,)), data
    )
    assert again.status_code == 302, again.context["form"].errors


def test_the_demo_templates_read_well_and_the_sms_is_one_segment(db):
    from crmsite.demo.outreach import add_outreach_templates
    from outreach.email import merge
    from outreach.sms import segments

    assert add_outreach_templates() > 0
    assert add_outreach_templates() == 0  # idempotent
    email = EmailTemplate.objects.get(name="Invitation à la présentation de saison")
    assert email.subject.replace("\xa0", " ") == "Invitation : présentation de la saison 2027"
    assert email.html.startswith("<p>Bonjour {{ prenom }} {{ nom }},</p>")
    assert "Vous êtes invité·e, en tant que {{ fonction }} – {{ organisation }}, à la" in (
        " ".join(email.html.split())
    )
    sms = SmsTemplate.objects.get(name="Rappel de la présentation")
    assert "à 18 h 30 à la salle des Pentes pour la présentation de saison." in sms.body
    counted = segments.count(sms.body.replace("{{ prenom }}", "Marie-Christine"))
    assert (counted.encoding, counted.segments) == ("gsm7", 1)
    for template in (email.subject, email.html, sms.body):
        assert not merge.check(template)
