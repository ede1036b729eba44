"""French demo data of the directory, loaded by `manage.py seed_demo`.

Idempotent: running it twice changes nothing. The directory itself is
generated (`directory.bulk_load`) once, when it is empty; `persons` asks for
a large one (`seed_demo --persons 1000000`). A few named records
(`showcase`) make sure that the help page's examples find rows.
"""

import random

from django.contrib.auth import get_user_model

from directory.models import Comment, InterestCentre, Organisation

from . import words as demo_data
from .bulk_load import load_directory
from .showcase import add_showcase

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
DEMO_PERSONS = 400
DEMO_ORGANISATIONS = 80
DEMO_COMMENTS = 40


def seed_directory(persons: int | None = None, comment_authors=(), log=None) -> dict[str, int]:
    created = 0
    for name, colour in INTEREST_CENTRES:
        _centre, was_created = InterestCentre.objects.get_or_create(
            name_key=InterestCentre.key_for(name), defaults={"name": name, "colour": colour}
        )
        created += was_created
    counts = {"interest_centres": created}
    if not Organisation.objects.exists():
        counts.update(load_directory(DEMO_PERSONS, DEMO_ORGANISATIONS, seed=2026))
        counts["comments"] = add_demo_comments(comment_authors)
    counts["showcase"] = add_showcase()  # the help page's examples, each time
    if persons:
        counts["large"] = load_directory(persons, seed=persons, log=log)
    return counts


def add_demo_comments(authors) -> int:
    user_model = get_user_model()
    authors = [a for a in authors if isinstance(a, user_model)]
    if not authors:
        return 0
    rng = random.Random(7)
    organisations = list(Organisation.objects.order_by("pk")[:DEMO_COMMENTS])
    comments = [
        Comment(
            organisation=organisation,
            author=rng.choice(authors),
            body=rng.choice(demo_data.COMMENTS),
        )
        for organisation in organisations
    ]
    Comment.objects.bulk_create(comments)
    return len(comments)
