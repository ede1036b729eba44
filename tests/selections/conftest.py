"""A small hand-made directory where every capacity rule shows.

* Alice: director of Théâtre de Metz (a venue in Grand Est) and board member
  of Festival de Lyon; French speaker; personal e-mail alice@perso.fr.
* Bruno: director of Théâtre de Lyon (a venue in Auvergne-Rhône-Alpes);
  English speaker.
* Chloé: press officer of Scène de Nancy (a venue in Grand Est), and its
  director until last year (an ended position); no personal e-mail.
* Denis: independent, English speaker.
* Emma: director of Scène de Nancy; she refused e-mails.
"""

import datetime
from types import SimpleNamespace

import pytest

from directory.models import Consent
from tests.factories import (
    FunctionFactory,
    OrganisationFactory,
    OrganisationKindFactory,
    PersonFactory,
    PositionFactory,
    staff,
)


@pytest.fixture
def town(db):
    venue = OrganisationKindFactory(name="Lieu de spectacle")
    festival_kind = OrganisationKindFactory(name="Festival")
    director = FunctionFactory(name="Directeur·rice")
    board = FunctionFactory(name="Membre du CA")
    press = FunctionFactory(name="Chargé·e de presse")
    metz = OrganisationFactory(
        name="Théâtre de Metz",
        kind=venue,
        postcode="57000",
        city="Metz",
        email="contact@theatre-metz.fr",
        address_line1="1 place de la Comédie",
    )
    lyon_festival = OrganisationFactory(
        name="Festival de Lyon",
        kind=festival_kind,
        postcode="69001",
        city="Lyon",
        email="info@festival-lyon.fr",
    )
    lyon_theatre = OrganisationFactory(
        name="Théâtre de Lyon",
        kind=venue,
        postcode="69002",
        city="Lyon",
        email="accueil@theatre-lyon.fr",
    )
    nancy = OrganisationFactory(
        name="Scène de Nancy",
        kind=venue,
        postcode="54000",
        city="Nancy",
        email="bonjour@scene-nancy.fr",
        address_line1="3 rue Stanislas",
    )
    alice = PersonFactory(
        first_name="Alice",
        last_name="Arnaud",
        email="alice@perso.fr",
        language="fr",
        mobile="+33 6 11 11 11 11",
    )
    bruno = PersonFactory(
        first_name="Bruno", last_name="Blanc", email="bruno@perso.fr", language="en"
    )
    chloe = PersonFactory(first_name="Chloé", last_name="Colin", email="", language="fr")
    denis = PersonFactory(
        first_name="Denis",
        last_name="Dupont",
        email="denis@perso.fr",
        language="en",
        address_line1="5 rue des Lilas",
        postcode="75011",
        city="Paris",
    )
    emma = PersonFactory(
        first_name="Emma",
        last_name="Escoffier",
        email="emma@perso.fr",
        language="fr",
        email_consent=Consent.REFUSED,
    )
    last_year = datetime.date.today() - datetime.timedelta(days=365)
    positions = SimpleNamespace(
        alice_director=PositionFactory(
            person=alice,
            organisation=metz,
            function=director,
            email="a.arnaud@theatre-metz.fr",
            mobile="+33 6 22 22 22 22",
        ),
        alice_board=PositionFactory(
            person=alice, organisation=lyon_festival, function=board, email="ca@festival-lyon.fr"
        ),
        bruno_director=PositionFactory(
            person=bruno,
            organisation=lyon_theatre,
            function=director,
            email="b.blanc@theatre-lyon.fr",
        ),
        chloe_press=PositionFactory(person=chloe, organisation=nancy, function=press, email=""),
        chloe_old_director=PositionFactory(
            person=chloe,
            organisation=nancy,
            function=director,
            email="direction@scene-nancy.fr",
            start_date=last_year - datetime.timedelta(days=2000),
            end_date=last_year,
        ),
        emma_director=PositionFactory(
            person=emma, organisation=nancy, function=director, email="direction@scene-nancy.fr"
        ),
    )
    return SimpleNamespace(
        venue=venue,
        festival=festival_kind,
        director=director,
        board=board,
        press=press,
        metz=metz,
        lyon_festival=lyon_festival,
        lyon_theatre=lyon_theatre,
        nancy=nancy,
        alice=alice,
        bruno=bruno,
        chloe=chloe,
        denis=denis,
        emma=emma,
        positions=positions,
    )


@pytest.fixture
def marie(db):
    """A staff member who owns searches and baskets."""
    return staff(username="marie", first_name="Marie", last_name="Martin")


@pytest.fixture
def paul(db):
    """Her colleague, who reads what she shares with him."""
    return staff(username="paul", first_name="Paul", last_name="Petit")
