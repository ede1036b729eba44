"""Our own exports re-import unchanged: an export of the people or the
organisations listing, as CSV or XLSX, imported again, changes nothing and
creates no duplicate."""

import datetime

import pytest

from directory import actions
from directory.imports.jobs import run_job
from directory.models import Consent, Organisation, Person, Position
from tests.factories import (
    FunctionFactory,
    InterestCentreFactory,
    OrganisationFactory,
    OrganisationKindFactory,
    PersonFactory,
    PositionFactory,
    logged_in,
)

PEOPLE = "/admin/directory/people/"
ORGS = "/admin/directory/organisations/"


@pytest.fixture
def directory(db):
    festival = OrganisationKindFactory(name="Festival")
    theatre = OrganisationKindFactory(name="Scène nationale")
    dance, youth = InterestCentreFactory(name="Danse"), InterestCentreFactory(name="Jeune public")
    quai = OrganisationFactory(
        name="Le Quai",
        kind=theatre,
        siret="77567227200017",
        email="accueil@lequai.fr",
        phone="+33241225050",
        website="https://www.lequai.fr",
        address_line1="17 rue de la Tannerie",
        postcode="49100",
        city="Angers",
    )
    quai.interest_centres.set([dance, youth])
    avignon = OrganisationFactory(
        name="Festival d'Avignon", kind=festival, postcode="84000", city="Avignon"
    )
    # Two homonyms in different cities.
    OrganisationFactory(name="Théâtre municipal", postcode="57000", city="Metz")
    municipal = OrganisationFactory(name="Théâtre municipal", postcode="54000", city="Nancy")
    inactive = OrganisationFactory(name="Compagnie dissoute", postcode="", city="", is_active=False)
    director, press = (
        FunctionFactory(name="Directeur·rice"),
        FunctionFactory(name="Attaché·e de presse"),
    )

    helene = PersonFactory(
        civility="mme",
        first_name="Hélène",
        last_name="Martin",
        email="helene.martin@gmail.com",
        mobile="+33612345678",
        address_line1="3 place Stanislas",
        postcode="54000",
        city="Nancy",
        language="en",
        email_consent=Consent.CONSENTED,
        sms_consent=Consent.REFUSED,
        do_not_contact=False,
    )
    PositionFactory(
        person=helene,
        organisation=quai,
        function=director,
        title="Directrice générale",
        email="h.martin@lequai.fr",
        phone="+33241225051",
        is_primary=True,
    )
    PositionFactory(person=helene, organisation=avignon, function=press)
    paul = PersonFactory(civility="m", first_name="Paul", last_name="Durand", do_not_contact=True)
    PositionFactory(person=paul, organisation=municipal, function=press, is_primary=True)
    PositionFactory(
        person=paul,
        organisation=inactive,
        function=director,
        end_date=datetime.date(2020, 1, 1),
    )
    PersonFactory(first_name="Inès", last_name="Lefort", city="Lyon", post_consent=Consent.REFUSED)
    return locals()


def state():
    return (
        list(Organisation.all_objects.order_by("pk").values()),
        list(Person.all_objects.order_by("pk").values()),
        list(Position.all_objects.order_by("pk").values()),
        list(
            Organisation.interest_centres.through.objects.order_by("pk").values_list(
                "organisation_id", "interestcentre_id"
            )
        ),
    )


def download(browser, url, file_format) -> bytes:
    response = browser.get(url, {"export": file_format})
    assert response.status_code == 200
    content = getattr(response, "streaming_content", None)
    return b"".join(content) if content is not None else response.content


def reimport(admin, data: bytes, name: str, policy="update"):
    job = actions.start_import(admin, name, data)
    assert "" not in [key for key in job.mapping if key is None]
    job = actions.map_import(admin, job, job.mapping)
    actions.run_import(admin, job, policy, skip_invalid=False)
    return run_job(job.pk)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("url", [PEOPLE, ORGS])
def test_an_export_imported_again_changes_nothing(directory, admin_user, url, file_format):
    data = download(logged_in(admin_user), url, file_format)
    before = state()
    job = reimport(admin_user, data, f"export.{file_format}")
    assert job.error == ""
    expected_rows = 3 if url == PEOPLE else 5
    assert job.counts == {
        "create": 0,
        "update": 0,
        "unchanged": expected_rows,
        "reject": 0,
    }
    assert state() == before


def test_an_edited_export_updates_only_what_was_edited(directory, admin_user):
    data = download(logged_in(admin_user), PEOPLE, "csv").decode("utf-8-sig")
    data = data.replace("Lyon", "Villeurbanne")
    job = reimport(admin_user, data.encode(), "export.csv")
    assert job.counts == {"create": 0, "update": 1, "unchanged": 2, "reject": 0}
    assert Person.objects.get(last_name="Lefort").city == "Villeurbanne"
    assert Person.objects.count() == 3 and Organisation.objects.count() == 5
