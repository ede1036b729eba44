"""The generated directory: realistic, and with derived columns as the models compute them."""

import pytest
from django.core.management import call_command

from crmsite.demo.bulk_load import load_directory
from directory.models import Organisation, Person, Position
from directory.search import refresh_organisations, refresh_people

pytestmark = pytest.mark.django_db


def test_generated_rows_match_what_the_models_compute():
    # Over 50 organisations: from the 51st, names carry a number.
    counts = load_directory(300, 60, seed=1)
    assert counts["person"] == 300 and counts["organisation"] == 60
    assert 250 <= Position.objects.count() <= 450
    assert refresh_people(Person.objects.values_list("pk", flat=True)) == 0
    assert refresh_organisations(Organisation.objects.values_list("pk", flat=True), False) == 0
    organisation = Organisation.objects.first()
    assert organisation.department and organisation.region
    # Independent people exist, and people with several positions too.
    assert Person.objects.filter(positions__isnull=True).exists()
    assert (
        Person.objects.filter(positions__gt=0).count()
        > Person.objects.filter(positions__isnull=False).distinct().count()
    )


def test_loading_twice_adds_without_clashing():
    load_directory(50, 5, seed=1)
    load_directory(50, 5, seed=2)
    assert Person.objects.count() == 100
    PersonCreated = Person.objects.create(last_name="Après")
    assert PersonCreated.pk > max(
        Person.objects.exclude(pk=PersonCreated.pk).values_list("pk", flat=True)
    )


def test_seed_demo_persons_option(capsys):
    call_command("seed_demo", persons=200)
    out = capsys.readouterr().out
    assert "200 people" in out.replace(",", "").replace("\u202f", "")
    assert Person.objects.count() >= 200


def test_seed_demo_refuses_a_negative_count():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo", persons=-5)


def test_generated_records_pass_the_applications_validation():
    load_directory(200, 20, seed=3)
    for model in (Organisation, Person, Position):
        for record in model.objects.all():
            record.full_clean()


def test_demo_names_elide_de_before_a_vowel():
    from crmsite.demo.words import de_city

    assert de_city("Orléans") == "d’Orléans"
    assert de_city("Le Havre") == "du Havre"
    assert de_city("Lyon") == "de Lyon"
    assert de_city("La Rochelle") == "de La Rochelle"
