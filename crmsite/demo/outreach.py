"""Demo templates for campaigns: an invitation e-mail, a reminder SMS (one
segment), and one label sheet per usual preset (Avery, Herma). Idempotent:
a template already there (by name) is left as it is."""

from outreach.models import EmailTemplate, LabelTemplate, SmsTemplate
from outreach.postal.layouts import PRESETS

INVITATION_SUBJECT = "Invitation\u00a0: présentation de la saison 2027"
INVITATION_HTML = """<p>Bonjour {{ prenom }} {{ nom }},</p>
<p>Vous êtes invité·e, en tant que {{ fonction }} – {{ organisation }}, à la présentation
de la saison 2027, le jeudi 14 janvier à 18\u00a0h\u00a030, au Théâtre des Pentes.</p>
<p><a href="https://example.org/saison-2027">Découvrir le programme</a></p>
<p>Bien cordialement,<br>L’équipe de l’agence culturelle</p>"""
# One SMS segment: GSM-7 only (« é », « à » are in it, « â » is not, so no
# « Théâtre », which would make the SMS UCS-2 and two segments), plain
# spaces (a non-breaking one is not GSM-7 either).
REMINDER_SMS = (
    "Bonjour {{ prenom }}, rendez-vous jeudi à 18 h 30 à la salle des Pentes "
    "pour la présentation de saison."
)


def add_outreach_templates() -> int:
    created = 0
    _template, new = EmailTemplate.objects.get_or_create(
        name="Invitation à la présentation de saison",
        defaults={
            "subject": INVITATION_SUBJECT,
            "html": INVITATION_HTML,
        },
    )
    created += new
    _template, new = SmsTemplate.objects.get_or_create(
        name="Rappel de la présentation",
        defaults={"body": REMINDER_SMS},
    )
    created += new
    for key, layout in PRESETS.items():
        _template, new = LabelTemplate.objects.get_or_create(
            name=layout.name,
            defaults={
                "preset": key,
                "page_width": layout.page_width,
                "page_height": layout.page_height,
                "rows": layout.rows,
                "columns": layout.columns,
                "top_margin": layout.top_margin,
                "left_margin": layout.left_margin,
                "label_width": layout.label_width,
                "label_height": layout.label_height,
                "horizontal_pitch": layout.horizontal_pitch,
                "vertical_pitch": layout.vertical_pitch,
            },
        )
        created += new
    return created
