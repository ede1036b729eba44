"""Every link to a person, an organisation or a position is in the merge's
table (`directory.merging.RELATIONS`): a new model with a foreign key to
one of them, not listed, makes this test fail, so that a merge never leaves
rows behind unknowingly. And merging organisations: interest areas joined,
the SIRET taken from the merged one, positions moved, undone by restore."""

import pytest
from django.apps import apps

from directory import actions
from directory.merging import IGNORE, RELATIONS, TARGETS, links_to, relation_key
from directory.models import Organisation, Person, Position
from tests import factories

TARGET_MODELS = (Person, Organisation, Position)


def every_link():
    """Found by going through every installed model's fields, not through
    the targets' own reverse relations (which the merge uses)."""
    found = set()
    for model in apps.get_models(include_auto_created=False):
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or not field.is_relation:
                continue
            if field.related_model in TARGET_MODELS:
                found.add(f"{model._meta.label}.{field.name}")
            elif model in TARGET_MODELS and field.many_to_many:
                found.add(f"{model._meta.label}.{field.name}")  # a set of the record's own
    return found


def test_every_link_to_a_directory_record_is_handled_by_the_merge():
    missing = sorted(every_link() - set(RELATIONS))
    assert not missing, f"say in directory.merging.RELATIONS how a merge treats: {missing}"


def test_the_merge_finds_the_same_links_as_the_registry():
    found = {relation_key(relation) for target in TARGETS for relation in links_to(target)}
    assert found == every_link()


def test_ignored_links_say_why():
    assert all(handling.reason for handling in RELATIONS.values() if handling.how == IGNORE)


@pytest.mark.django_db
def test_merging_organisations(staff_user):
    music, dance = (
        factories.InterestCentreFactory(name="Musique"),
        factories.InterestCentreFactory(name="Danse"),
    )
    kept = factories.OrganisationFactory(name="Théâtre du Lac", postcode="57000")
    merged = factories.OrganisationFactory(
        name="THEATRE DU LAC", postcode="57000", siret="73282932000074", email="contact@lac.fr"
    )
    kept.interest_centres.add(music)
    kept.save()
    merged.interest_centres.add(music, dance)
    merged.save()
    position = factories.PositionFactory(organisation=merged)
    actions.merge_organisations(staff_user, kept, merged, choices={"siret": "merged"})
    kept = Organisation.objects.get(pk=kept.pk)
    assert kept.siret == "73282932000074"
    assert kept.email == "contact@lac.fr"
    assert set(kept.interest_centres.values_list("name", flat=True)) == {"Musique", "Danse"}
    assert Position.objects.get(pk=position.pk).organisation_id == kept.pk
    assert "theatre du lac" in Person.objects.get(pk=position.person_id).search_text

    actions.restore_organisation(staff_user, Organisation.all_objects.get(pk=merged.pk))
    kept.refresh_from_db()
    merged.refresh_from_db()
    assert kept.siret is None and merged.siret == "73282932000074"
    assert set(kept.interest_centres.values_list("name", flat=True)) == {"Musique"}
    assert Position.objects.get(pk=position.pk).organisation_id == merged.pk
