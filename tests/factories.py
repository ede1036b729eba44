import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from crmsite.roles import ADMINISTRATORS, CLIENTS, STAFF
from directory.models import (
    Function,
    InterestCentre,
    Organisation,
    OrganisationKind,
    Person,
    Position,
)

PASSWORD = "Correct-Horse-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


def administrator(**kwargs):
    return UserFactory(role=ADMINISTRATORS, **kwargs)


def staff(**kwargs):
    return UserFactory(role=STAFF, **kwargs)


def client(**kwargs):
    return UserFactory(role=CLIENTS, **kwargs)


class InterestCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterestCentre

    name = factory.Sequence(lambda n: f"Centre {n}")
    colour = "#1f6feb"


class OrganisationKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationKind
        django_get_or_create = ("name_key",)

    name = "Lieu de spectacle"
    name_key = factory.LazyAttribute(lambda o: OrganisationKind.key_for(o.name))


class FunctionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Function
        django_get_or_create = ("name_key",)

    name = "Directeur·rice"
    name_key = factory.LazyAttribute(lambda o: Function.key_for(o.name))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Théâtre numéro {n}")
    kind = factory.SubFactory(OrganisationKindFactory)
    city = "Metz"
    postcode = "57000"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = "Élodie"
    last_name = factory.Sequence(lambda n: f"Lefèvre{n}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    function = factory.SubFactory(FunctionFactory)


def logged_in(user):
    """A test browser signed in as `user`."""
    from django.test import Client

    browser = Client()
    browser.force_login(user)
    return browser
