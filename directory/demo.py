"""French demo data of the directory, loaded by `manage.py seed_demo`.

Idempotent: running it twice changes nothing.
"""

from .models import InterestCentre

INTEREST_CENTRES = [
    ("Théâtre", "#b3261e"),
    ("Musiques actuelles", "#6f42c1"),
    ("Musique classique", "#1f6feb"),
    ("Danse", "#d63384"),
    ("Arts visuels", "#fd7e14"),
    ("Patrimoine", "#8a6d3b"),
    ("Cinéma", "#212529"),
    ("Littérature", "#198754"),
    ("Jeune public", "#ffc107"),
    ("Arts de la rue", "#20c997"),
    ("Cirque", "#e35d6a"),
    ("Éducation artistique", "#0dcaf0"),
]


def seed_directory(stdout=None) -> dict[str, int]:
    created = 0
    for name, colour in INTEREST_CENTRES:
        _centre, was_created = InterestCentre.objects.get_or_create(
            name_key=InterestCentre.key_for(name), defaults={"name": name, "colour": colour}
        )
        created += was_created
    return {"interest_centres": created}
