"""The simple search: any part of a name, e-mail, city, organisation or phone,
whatever the case and accents."""

import pytest

from directory.models import Organisation, Person, Position
from directory.search import query_terms, search
from tests.factories import FunctionFactory, OrganisationFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    theatre = OrganisationFactory(
        name="Théâtre de l'Œuvre", city="Marseille", postcode="13001", email="Contact@OEUVRE.fr"
    )
    festival = OrganisationFactory(name="Festival d'Avignon", city="Avignon", postcode="84000")
    elodie = PersonFactory(
        first_name="Élodie", last_name="Lefèvre", mobile="+33 6 12 34 56 78", city="Nîmes"
    )
    PositionFactory(
        person=elodie,
        organisation=theatre,
        function=FunctionFactory(name="Directrice"),
        email="e.lefevre@oeuvre.fr",
        phone="04 91 00 00 01",
    )
    jerome = PersonFactory(first_name="Jérôme", last_name="Guérin", email="jerome@exemple.fr")
    PositionFactory(person=jerome, organisation=festival)
    return {"theatre": theatre, "festival": festival, "elodie": elodie, "jerome": jerome}


def people(query):
    return set(search(Person.objects.all(), query).values_list("last_name", flat=True))


def organisations(query):
    return set(search(Organisation.objects.all(), query).values_list("name", flat=True))


@pytest.mark.parametrize(
    "query",
    [
        "theatre",
        "THEATRE",
        "Théâtre",
        "theâtre",
        "oeuvre",
        "Œuvre",
        "l'oeuvre",
        "marseille",
        "13001",
    ],
)
def test_organisation_found_whatever_case_and_accents(directory, query):
    assert organisations(query) == {"Théâtre de l'Œuvre"}


@pytest.mark.parametrize(
    "query", ["LEFEVRE", "lefevre", "Lefèvre", "lefÈvre", "elodie lef", "LEF ELO"]
)
def test_person_found_by_any_part_of_the_name(directory, query):
    assert people(query) == {"Lefèvre"}


@pytest.mark.parametrize(
    "query",
    ["06 12 34", "0612345678", "06.12.34.56.78", "+33 6 12 34", "+33612345678", "6 12 34 56 78"],
)
def test_phone_digits_find_the_mobile(directory, query):
    assert people(query) == {"Lefèvre"}


def test_professional_phone_and_email_find_the_person(directory):
    assert people("04 91 00") == {"Lefèvre"}
    assert people("e.lefevre@") == {"Lefèvre"}


def test_organisation_name_finds_its_people(directory):
    assert people("oeuvre") == {"Lefèvre"}
    assert people("avignon") == {"Guérin"}


def test_city_and_personal_email_find_people(directory):
    assert people("nimes") == {"Lefèvre"}
    assert people("jerome@exemple") == {"Guérin"}


def test_every_term_must_match(directory):
    assert people("elodie guerin") == set()
    assert organisations("festival marseille") == set()


def test_nothing_found_and_empty_query(directory):
    assert people("zzzz") == set()
    assert len(people("")) == 2


def test_search_text_follows_an_organisation_rename(directory):
    directory["theatre"].name = "La Criée"
    directory["theatre"].save()
    assert people("criee") == {"Lefèvre"}
    assert people("theatre") == set()


def test_search_text_follows_positions_added_and_deleted(directory):
    position = PositionFactory(person=directory["jerome"], organisation=directory["theatre"])
    assert people("oeuvre") == {"Lefèvre", "Guérin"}
    position.delete()
    assert people("oeuvre") == {"Lefèvre"}


def test_search_text_follows_bulk_updates(directory):
    Person.objects.filter(pk=directory["jerome"].pk).update(city="Besançon")
    assert people("besancon") == {"Guérin"}
    Organisation.objects.filter(pk=directory["festival"].pk).update(name="Festival Off")
    assert organisations("off") == {"Festival Off"}
    assert people("festival off") == {"Guérin"}
    Position.objects.filter(person=directory["jerome"]).delete()
    assert people("festival") == set()


@pytest.mark.parametrize(
    "query", ["saint-etienne", "Saint Étienne", "saintetienne", "st-etienne", "SAINT–ÉTIENNE"]
)
def test_punctuation_is_neither_needed_nor_in_the_way(directory, query):
    PersonFactory(last_name="Martin", city="Saint-Étienne")
    PersonFactory(last_name="Étienne", city="Saint-Denis")
    expected = {"st-etienne": set(), "Saint Étienne": {"Martin", "Étienne"}}
    # Two words are two terms, found anywhere: Étienne lives in Saint-Denis.
    assert people(query) == expected.get(query, {"Martin"})


def test_emails_and_apostrophes_found_with_or_without_punctuation(directory):
    for query in ("e.lefevre@oeuvre.fr", "elefevre", "e.lefevre@oeuvre", "lefevre@oeuvre.fr"):
        assert people(query) == {"Lefèvre"}, query
    for query in ("l'oeuvre", "l’Œuvre", "loeuvre", "de l'oeuvre"):
        assert organisations(query) == {"Théâtre de l'Œuvre"}, query
    assert organisations("festival d'avignon") == {"Festival d'Avignon"}


@pytest.mark.parametrize("query", ["%", "_", "-", "'", "« »", "@.", "...", "|", " | ", "−ʼ"])
def test_a_query_of_punctuation_only_finds_nothing(directory, query):
    assert people(query) == set()
    assert organisations(query) == set()


def test_hostile_and_oversized_queries_are_harmless(directory):
    assert people("%") == set()
    assert people("_") == set()
    assert people("'; DROP TABLE directory_person; --") == set()
    assert people("a" * 10_000) == set()
    assert Person.objects.count() == 2


def test_query_terms():
    assert query_terms("  Théâtre   DU Soleil ") == ["theatre", "du", "soleil"]
    assert query_terms("06 12 34") == ["061234"]
    assert query_terms("+33 (0)6 12") == ["330612"]
    assert query_terms("Saint-Étienne, « l'Œuvre » !") == ["saintetienne", "loeuvre"]
    assert len(query_terms(" ".join(f"mot{i}" for i in range(50)))) == 8


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="PostgreSQL's trigram index",
)
def test_the_trigram_index_serves_the_search_on_postgresql(directory):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%'")
        indexes = {row[0] for row in cursor.fetchall()}
        assert indexes == {"directory_person_search_trgm", "directory_organisation_search_trgm"}
        # The table is tiny here: forbid the sequential scan to see which index the plan can use.
        # (`all_objects`: on a tiny table, the partial index of the records out of the trash
        # looks as cheap as any; on a real one it matches nearly every row.)
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = search(Person.all_objects.order_by(), "lefevre").explain()
    assert "directory_person_search_trgm" in plan


def test_bulk_updates_keep_the_sort_key_and_geography_current(directory):
    Person.objects.filter(pk=directory["jerome"].pk).update(last_name="Àbel", postcode="57000")
    jerome = Person.objects.get(pk=directory["jerome"].pk)
    assert jerome.name_key == "abel jerome"
    assert (jerome.department, jerome.region) == ("57", "44")
    assert Person.objects.order_by("name_key").first() == jerome
    Organisation.objects.filter(pk=directory["festival"].pk).update(name="Été", postcode="31000")
    festival = Organisation.objects.get(pk=directory["festival"].pk)
    assert (festival.name_key, festival.department, festival.region) == ("ete", "31", "76")


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="PostgreSQL's translate()",
)
def test_the_migration_strips_punctuation_as_the_application_does():
    import importlib

    from django.db import connection

    from directory.search import PUNCTUATION, without_punctuation

    migration = importlib.import_module("directory.migrations.0004_search_text_without_punctuation")
    assert migration.PUNCTUATION == PUNCTUATION
    text = "Théâtre | l'œuvre – saint-étienne · régisseur·se « x » a_b@c.fr " + PUNCTUATION * 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT translate(%s, %s, '')", [text, migration.PUNCTUATION])
        assert cursor.fetchone()[0] == without_punctuation(text)


def test_the_migration_strips_texts_written_by_the_earlier_code(directory):
    """Texts with punctuation (as the code before migration 0004 wrote them)
    come out as the application computes them now, and are found again."""
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("directory.migrations.0004_search_text_without_punctuation")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE directory_organisation SET search_text = %s WHERE id = %s",
            ["theatre de l'oeuvre | contact@oeuvre.fr 13001 marseille", directory["theatre"].pk],
        )
    assert organisations("loeuvre") == set()
    # The function reads only the editor's connection (SQLite's schema editor
    # cannot open inside a test's transaction).
    migration.strip_punctuation(apps, type("Editor", (), {"connection": connection})())
    assert organisations("loeuvre") == {"Théâtre de l'Œuvre"}
    organisation = Organisation.objects.get(pk=directory["theatre"].pk)
    before = organisation.search_text
    organisation.save()
    assert organisation.search_text == before
