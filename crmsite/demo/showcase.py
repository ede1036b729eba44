"""A few named organisations and people of the demo directory, so that every
example of the help page ("Comment ça marche", `selections/help.html`) finds
rows, whatever the generated directory holds: directors of venues in Grand
Est (one of them English-speaking), directors in Lyon, a former director, a
press officer who also works in a venue, festivals in Occitanie, someone who
asked not to be contacted. `tests/selections/test_help_examples.py` checks it.

Written through the models (derived columns and all), and idempotent.
"""

import datetime

from directory.models import Function, Organisation, OrganisationKind, Person, Position

VENUE, FESTIVAL = "Lieu de spectacle", "Festival"
DIRECTOR, PRESS = "Directeur·rice", "Attaché·e de presse"
PRODUCTION, BOARD = "Chargé·e de production", "Membre du conseil d'administration"

# name, kind, address, postcode, city, e-mail
ORGANISATIONS = [
    (
        "La Comète",
        VENUE,
        "5 rue des Fripiers",
        "51000",
        "Châlons-en-Champagne",
        "accueil@la-comete.fr",
    ),
    (
        "Scène des Tanneurs",
        VENUE,
        "12 rue des Tanneurs",
        "57000",
        "Metz",
        "contact@scene-tanneurs.fr",
    ),
    (
        "Théâtre des Pentes",
        VENUE,
        "3 montée de la Grande-Côte",
        "69001",
        "Lyon",
        "bonjour@theatre-pentes.fr",
    ),
    (
        "Festival des Traboules",
        FESTIVAL,
        "8 rue Saint-Jean",
        "69005",
        "Lyon",
        "info@festival-traboules.fr",
    ),
    (
        "Festival des Garrigues",
        FESTIVAL,
        "2 place de la Comédie",
        "34000",
        "Montpellier",
        "contact@festival-garrigues.fr",
    ),
    (
        "Les Nuits du Canal",
        FESTIVAL,
        "14 port Saint-Sauveur",
        "31000",
        "Toulouse",
        "bonjour@nuits-du-canal.fr",
    ),
    (
        "Scène de la Garonne",
        VENUE,
        "1 quai de la Daurade",
        "31000",
        "Toulouse",
        "accueil@scene-garonne.fr",
    ),
]

# first name, last name, civility, language, personal e-mail, do not contact
PEOPLE = [
    ("Jérôme", "Lefèvre", "m", "fr", "jerome.lefevre@courriel.fr", False),
    ("Sarah", "Mitchell", "mme", "en", "sarah.mitchell@courriel.fr", False),
    ("Paul", "Girard", "m", "fr", "", False),
    ("Michel", "Bernard", "m", "fr", "michel.bernard@courriel.fr", False),
    ("Inès", "Roux", "mme", "fr", "ines.roux@courriel.fr", False),
    ("Nadia", "Benali", "mme", "fr", "", True),
]

# person, organisation, function, title, e-mail, start, end
POSITIONS = [
    (
        "Lefèvre",
        "La Comète",
        DIRECTOR,
        "Directeur général",
        "direction@la-comete.fr",
        "2020-09-01",
        None,
    ),
    (
        "Mitchell",
        "Scène des Tanneurs",
        DIRECTOR,
        "",
        "s.mitchell@scene-tanneurs.fr",
        "2022-01-03",
        None,
    ),
    ("Mitchell", "Festival des Traboules", BOARD, "", "", "2021-06-01", None),
    (
        "Girard",
        "Théâtre des Pentes",
        DIRECTOR,
        "",
        "p.girard@theatre-pentes.fr",
        "2019-01-01",
        None,
    ),
    ("Bernard", "La Comète", DIRECTOR, "", "", "2008-09-01", "2020-08-31"),
    (
        "Roux",
        "Festival des Garrigues",
        PRESS,
        "",
        "presse@festival-garrigues.fr",
        "2023-03-01",
        None,
    ),
    ("Roux", "Scène de la Garonne", PRODUCTION, "", "i.roux@scene-garonne.fr", "2021-09-01", None),
    (
        "Benali",
        "Les Nuits du Canal",
        DIRECTOR,
        "",
        "direction@nuits-du-canal.fr",
        "2018-01-01",
        None,
    ),
]


def add_showcase() -> int:
    """Add what is missing; return how many records were created."""
    created = 0
    organisations = {}
    for name, kind, line1, postcode, city, email in ORGANISATIONS:
        kind_obj, _new = OrganisationKind.objects.get_or_create(
            name_key=OrganisationKind.key_for(kind), defaults={"name": kind}
        )
        organisations[name], new = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind_obj,
                "address_line1": line1,
                "postcode": postcode,
                "city": city,
                "email": email,
            },
        )
        created += new
    people = {}
    for first, last, civility, language, email, do_not_contact in PEOPLE:
        people[last], new = Person.objects.get_or_create(
            first_name=first,
            last_name=last,
            defaults={
                "civility": civility,
                "language": language,
                "email": email,
                "do_not_contact": do_not_contact,
            },
        )
        created += new
    for last, organisation, function, title, email, start, end in POSITIONS:
        function_obj, _new = Function.objects.get_or_create(
            name_key=Function.key_for(function), defaults={"name": function}
        )
        _position, new = Position.objects.get_or_create(
            person=people[last],
            organisation=organisations[organisation],
            function=function_obj,
            defaults={
                "title": title,
                "email": email,
                "start_date": datetime.date.fromisoformat(start),
                "end_date": datetime.date.fromisoformat(end) if end else None,
                "is_primary": end is None and not people[last].positions.exists(),
            },
        )
        created += new
    return created
