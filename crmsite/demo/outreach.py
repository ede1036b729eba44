"""Demo templates for campaigns: an invitation e-mail, a reminder SMS, and
one label sheet per usual preset (Avery, Herma). Idempotent."""

from outreach.models import EmailTemplate, LabelTemplate, SmsTemplate
from outreach.postal.layouts import PRESETS

INVITATION_HTML = """<p>Bonjour {{ civilite }} {{ prenom }} {{ nom }},</p>
<p>En tant que {{ fonction }} de {{ organisation }}, vous êtes invité·e à la
présentation de la saison 2027, le jeudi 14 janvier à 18 h 30, au Théâtre des Pentes.</p>
<p><a href="https://example.org/saison-2027">Découvrir le programme</a></p>
<p>Bien cordialement,<br>L’équipe de l’agence culturelle</p>"""


def add_outreach_templates() -> int:
    created = 0
    _template, new = EmailTemplate.objects.get_or_create(
        name="Invitation à la présentation de saison",
        defaults={
            "subject": "{{ prenom }}, vous êtes invité·e à la présentation de saison",
            "html": INVITATION_HTML,
        },
    )
    created += new
    _template, new = SmsTemplate.objects.get_or_create(
        name="Rappel de la présentation",
        defaults={
            "body": "Bonjour {{ prenom }}, rendez-vous jeudi à 18h30 au Theatre des Pentes "
            "pour la presentation de saison."
        },
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
