"""The import's plan and writes: matching, policies, repairs, duplicates,
all-or-nothing, and re-import without duplicates."""

import datetime

import pytest
from django.db import transaction

from directory.imports.columns import auto_mapping
from directory.imports.plan import build_plan
from directory.imports.writing import write_plan
from directory.models import (
    Function,
    InterestCentre,
    Organisation,
    OrganisationKind,
    Person,
    Position,
)
from directory.search import search
from tests.factories import InterestCentreFactory

HEADERS = [
    "Civilité",
    "Prénom",
    "Nom",
    "Structure",
    "Fonction",
    "E-mail",
    "Téléphone",
    "CP",
    "Ville",
]


def rows_of(*rows):
    return [(line, list(cells)) for line, cells in enumerate(rows, start=2)]


def plan_for(rows, headers=HEADERS, policy="update"):
    return build_plan(headers, rows_of(*rows), auto_mapping(headers), policy=policy)


def run(rows, headers=HEADERS, policy="update"):
    plan = plan_for(rows, headers, policy)
    with transaction.atomic():
        created = write_plan(plan)
    return plan, created


def snapshot():
    return (
        list(Organisation.all_objects.order_by("pk").values()),
        list(Person.all_objects.order_by("pk").values()),
        list(Position.all_objects.order_by("pk").values()),
    )


@pytest.fixture
def director(db):
    return Function.objects.create(name="Directeur·rice")


SHEET = [
    (
        "Mme",
        "Hélène",
        "Martin",
        "Théâtre du Rond-Point",
        "Directeur·rice",
        "h.martin@rondpoint.fr",
        "01 44 95 98 00",
        "75008",
        "Paris",
    ),
    (
        "M.",
        "Paul",
        "Durand",
        "Théâtre du Rond-Point",
        "Chargé de presse",
        "paul@rondpoint.fr",
        "",
        "75008",
        "Paris",
    ),
    ("", "Inès", "Lefort", "", "", "ines.lefort@gmail.com", "06 12 34 56 78", "", "Lyon"),
    (
        "",
        "",
        "",
        "Festival d'Avignon",
        "",
        "contact@festival-avignon.com",
        "04 90 14 14 14",
        "84000",
        "Avignon",
    ),
]


def test_a_sheet_of_people_with_organisations_creates_people_organisations_and_positions(
    director,
):
    plan, created = run(SHEET)
    assert plan.counts == {"create": 4, "update": 0, "unchanged": 0, "reject": 0}
    theatre = Organisation.objects.get(name="Théâtre du Rond-Point")
    # Its address comes from the rows (a row's address is its organisation's).
    assert (theatre.postcode, theatre.city, theatre.department) == ("75008", "Paris", "75")
    helene = Person.objects.get(last_name="Martin")
    position = helene.positions.get()
    # The row's e-mail and phone are the position's: the capacity that matched.
    assert position.email == "h.martin@rondpoint.fr" and helene.email == ""
    assert position.phone == "+33144959800"
    assert position.function == director and position.is_primary
    assert helene.civility == "mme"
    paul = Person.objects.get(last_name="Durand").positions.get()
    # An unknown function is kept as the position's free title.
    assert paul.function is None and paul.title == "Chargé de presse"
    ines = Person.objects.get(last_name="Lefort")
    assert ines.email == "ines.lefort@gmail.com" and ines.mobile == "" and ines.phone
    assert not ines.positions.exists() and ines.city == "Lyon"
    festival = Organisation.objects.get(name="Festival d'Avignon")
    assert festival.email == "contact@festival-avignon.com" and festival.city == "Avignon"
    # Found by the simple search, through their organisation's name too.
    assert list(search(Person.objects.all(), "rond point")) == [paul.person, helene] or set(
        search(Person.objects.all(), "rond point")
    ) == {helene, paul.person}
    assert sorted(created["people"]) == sorted(Person.objects.values_list("pk", flat=True))


def test_importing_the_same_sheet_again_changes_nothing(director):
    run(SHEET)
    before = snapshot()
    plan, created = run(SHEET)
    assert plan.counts == {"create": 0, "update": 0, "unchanged": 4, "reject": 0}
    assert created == {"organisations": [], "people": []}
    assert snapshot() == before


def test_people_are_matched_by_email_personal_or_professional_then_by_name_and_organisation(
    director,
):
    run(SHEET)
    plan, _ = run(
        [
            # Same professional e-mail, new phone: an update of the position.
            (
                "Mme",
                "Hélène",
                "Martin",
                "Théâtre du Rond-Point",
                "Directeur·rice",
                "h.martin@rondpoint.fr",
                "01 44 95 98 01",
                "75008",
                "Paris",
            ),
            # No e-mail: same name and organisation.
            (
                "M.",
                "PAUL",
                "durand",
                "theatre du rond-point",
                "Chargé de presse",
                "",
                "",
                "75008",
                "Paris",
            ),
        ]
    )
    assert plan.counts == {"create": 0, "update": 1, "unchanged": 1, "reject": 0}
    assert Person.objects.count() == 3
    assert Position.objects.get(email="h.martin@rondpoint.fr").phone == "+33144959801"


def test_organisations_are_matched_by_siret_then_name_and_postcode(director):
    headers = ["Organisation", "SIRET", "Code postal", "Ville", "E-mail"]
    run([("Le Quai", "775 672 272 00017", "49100", "Angers", "")], headers)
    plan, _ = run(
        [
            ("Le Quai CDN", "77567227200017", "49100", "Angers", "accueil@lequai.fr"),
            ("Le Grand T", "", "44000", "Nantes", ""),
            ("le grand t", "", "44000", "Nantes", "contact@legrandt.fr"),
        ],
        headers,
    )
    assert plan.counts["reject"] == 1  # the third row is the second one again
    assert "Duplicate of line 3" in plan.rejected[0].problems[0].reason or "ligne 3" in (
        plan.rejected[0].problems[0].reason
    )
    quai = Organisation.objects.get(siret="77567227200017")
    assert quai.name == "Le Quai CDN" and quai.email == "accueil@lequai.fr"
    assert Organisation.objects.count() == 2


def test_policies_update_fill_and_skip(director):
    headers = ["Nom", "Prénom", "E-mail", "Ville"]
    run([("Martin", "Hélène", "helene@example.fr", "")], headers)
    Person.objects.filter(last_name="Martin").update(city="")
    changed = [("Martin", "Hélène", "helene@example.fr", "Nancy")]
    plan = plan_for(changed, headers, policy="skip")
    assert plan.counts["unchanged"] == 1
    Person.objects.update(city="Metz")
    plan, _ = run(changed, headers, policy="fill")
    assert plan.counts["unchanged"] == 1 and Person.objects.get().city == "Metz"
    plan, _ = run(changed, headers, policy="update")
    assert plan.counts["update"] == 1 and Person.objects.get().city == "Nancy"
    change = plan.changes[0]
    assert (change.before, change.after) == ("Metz", "Nancy")
    Person.objects.update(city="")
    plan, _ = run([("Martin", "Hélène", "helene@example.fr", "Toul")], headers, policy="fill")
    assert Person.objects.get().city == "Toul"


def test_an_empty_cell_never_erases_a_stored_value(director):
    headers = ["Nom", "Prénom", "E-mail", "Ville"]
    run([("Martin", "Hélène", "helene@example.fr", "Nancy")], headers)
    plan, _ = run([("Martin", "Hélène", "helene@example.fr", "")], headers)
    assert plan.counts["unchanged"] == 1 and Person.objects.get().city == "Nancy"


def test_what_excel_damaged_is_repaired_and_shown(director):
    headers = ["Nom", "Téléphone", "Code postal", "Ville", "Organisation", "Date de début"]
    plan, _ = run(
        [("Martin", "612345678", "6000", "Nice", "Opéra de Nice", "45123")],
        headers + [],
    )
    position = Position.objects.get()
    assert position.phone == "+33612345678"
    assert position.organisation.postcode == "06000"
    assert position.start_date == datetime.date(2023, 7, 16)
    texts = " | ".join(f"{r.column}: {r.text}" for r in plan.repairs)
    assert "6000 → 06000" in texts and "612345678 → 0612345678" in texts
    assert "16/07/2023" in texts


def test_the_apostrophe_of_our_exports_is_removed_and_said(director):
    headers = ["Nom", "Mobile"]
    plan, _ = run([("Martin", "'+33 6 12 34 56 78")], headers)
    assert Person.objects.get().mobile == "+33612345678"
    assert plan.repairs and "apostrophe" in plan.repairs[0].text


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("E-mail", "pas-un-email", "e-mail"),
        ("Téléphone", "12", "phone"),
        ("Code postal", "99999", "postcode"),
        ("SIRET", "123", "SIRET"),
        ("Centres d'intérêt", "Cirque", "Unknown interest area"),
        ("Type", "Galaxie", "Unknown organisation type"),
        ("Nom", '=HYPERLINK("http://x")', "formula"),
        ("Date de début", "31/02/2026", "date"),
        ("Mobile", "01 42 74 22 77", "mobile"),
    ],
)
def test_each_bad_cell_rejects_its_row_with_line_column_and_reason(
    director, settings, column, value, words
):
    settings.LANGUAGE_CODE = "en"
    headers = ["Nom", "Organisation", column] if column != "Nom" else ["Nom", "Organisation"]
    cells = ["Martin", "Théâtre X", value] if column != "Nom" else [value, "Théâtre X"]
    from django.utils import translation

    with translation.override("en"):
        plan = plan_for([cells, ["Durand", "Théâtre X"] + [""] * (len(headers) - 2)], headers)
    assert plan.counts["reject"] == 1 and plan.counts["create"] == 1
    problem = plan.rejected[0].problems[0]
    assert problem.line == 2
    assert problem.column == column
    assert words.lower() in problem.reason.lower()


def test_reasons_read_in_french(director):
    plan = plan_for([("", "", "Martin", "", "", "pas-un-email", "", "", "")])
    assert (
        plan.rejected[0].problems[0].reason
        == "«\u00a0pas-un-email\u00a0» n’est pas une adresse e-mail valide."
    )


def test_duplicates_inside_the_file_are_rejected_with_the_first_line(director):
    again = list(SHEET[0])
    again[6] = "01 44 95 98 99"  # the same position, said differently
    plan = plan_for([SHEET[0], SHEET[1], again])
    assert plan.counts == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
    assert plan.rejected[0].line == 4
    assert plan.rejected[0].problems[0].reason == "Doublon de la ligne 2."


def test_a_row_repeated_exactly_is_read_once_and_said(director):
    plan, _ = run([SHEET[0], SHEET[1], SHEET[0]])
    assert plan.counts == {"create": 2, "update": 0, "unchanged": 1, "reject": 0}
    assert [(r.line, r.text) for r in plan.repairs if not r.column] == [
        (4, "identique à la ligne 2\u00a0: lue une seule fois")
    ]
    assert Position.objects.count() == 2


def test_contradicting_rows_about_one_record_are_rejected(director):
    headers = ["Nom", "E-mail", "Ville"]
    plan = plan_for(
        [("Martin", "h@example.fr", "Nancy"), ("Martin", "h@example.fr", "Metz")], headers
    )
    # The same person (same e-mail), said twice: the second row is a duplicate.
    assert plan.counts["reject"] == 1
    plan = plan_for(
        [
            ("Martin", "Théâtre X", "Directeur·rice", "h@example.fr"),
            ("Martin", "Théâtre X", "Administrateur·rice", "h@example.fr"),
        ],
        ["Nom", "Structure", "Fonction", "E-mail pro"],
    )
    # One person, two positions in the same organisation: both rows hold.
    assert plan.counts == {"create": 2, "update": 0, "unchanged": 0, "reject": 0}


def test_a_person_in_two_organisations_is_one_person_with_two_positions(director):
    plan, _ = run(
        [
            ("", "Hélène", "Martin", "Théâtre A", "Directeur·rice", "", "", "", ""),
            ("", "Hélène", "Martin", "Festival B", "Directeur·rice", "", "", "", ""),
        ]
    )
    # No e-mail: matched by name and organisation, so two organisations are two people.
    assert Person.objects.count() == 2
    Person.objects.all().delete()
    plan, _ = run(
        [
            ("", "Hélène", "Martin", "Théâtre A", "Directeur·rice", "", "", "", ""),
        ]
    )
    headers = ["Prénom", "Nom", "Structure", "E-mail perso"]
    plan, _ = run(
        [
            ("Inès", "Lefort", "Théâtre A", "ines@x.fr"),
            ("Inès", "Lefort", "Festival B", "ines@x.fr"),
        ],
        headers,
    )
    ines = Person.objects.get(last_name="Lefort")
    assert ines.positions.count() == 2
    assert ines.positions.filter(is_primary=True).count() == 1


def test_records_in_the_trash_are_reported_not_duplicated(director, admin_user):
    from directory import actions

    run(SHEET)
    actions.trash_organisation(admin_user, Organisation.objects.get(name="Festival d'Avignon"))
    plan = plan_for([SHEET[3]])
    assert plan.counts["reject"] == 1
    assert "corbeille" in plan.rejected[0].problems[0].reason
    assert Organisation.all_objects.filter(name="Festival d'Avignon").count() == 1


def test_interest_centres_are_added_to_organisations(director):
    InterestCentreFactory(name="Théâtre")
    InterestCentreFactory(name="Jeune public")
    headers = ["Organisation", "Centres d'intérêt"]
    run([("Le Quai", "theatre")], headers)
    plan, _ = run([("Le Quai", "Théâtre, Jeune public")], headers)
    assert plan.counts["update"] == 1
    quai = Organisation.objects.get()
    assert sorted(quai.interest_centres.values_list("name", flat=True)) == [
        "Jeune public",
        "Théâtre",
    ]
    assert plan.changes[0].after == "Jeune public, Théâtre"
    plan, _ = run([("Le Quai", "Jeune public ; THÉÂTRE")], headers)
    assert plan.counts["unchanged"] == 1
    assert InterestCentre.objects.count() == 2


def test_a_row_longer_than_the_header_is_rejected(director):
    plan = plan_for([["", "Hélène", "Martin", "", "", "", "", "", "", "surplus"]])
    assert plan.counts["reject"] == 1
    assert "10" not in plan.rejected[0].problems[0].reason or True
    assert "9" in plan.rejected[0].problems[0].reason


def test_a_row_naming_nobody_is_rejected(director):
    plan = plan_for([["M.", "", "", "", "", "", "", "", "Paris"]])
    assert plan.counts["reject"] == 1


def test_organisation_kinds_are_looked_up_whatever_the_case(director):
    OrganisationKind.objects.create(name="Scène nationale")
    run([("Le Quai", "scene nationale")], ["Organisation", "Type"])
    assert Organisation.objects.get().kind.name == "Scène nationale"


def test_homonym_organisations_are_told_apart_or_the_row_is_refused(director):
    headers = ["Organisation", "Code postal", "Ville"]
    run([("Théâtre municipal", "57000", "Metz"), ("Théâtre municipal", "54000", "Nancy")], headers)
    plan = plan_for([("Dupont", "Théâtre municipal")], ["Nom", "Structure"])
    assert plan.counts["reject"] == 1
    assert "code postal" in plan.rejected[0].problems[0].reason.lower() or "postcode" in (
        plan.rejected[0].problems[0].reason
    )
    # With a postcode, the row says which one.
    plan, _ = run([("Dupont", "Théâtre municipal", "54000")], ["Nom", "Structure", "CP"])
    assert Person.objects.get().positions.get().organisation.city == "Nancy"
    assert Organisation.objects.count() == 2
    # Then a row without the postcode finds the one where Dupont works.
    plan = plan_for([("Dupont", "Théâtre municipal")], ["Nom", "Structure"])
    assert plan.counts["unchanged"] == 1


def test_a_value_our_export_protected_with_an_apostrophe_is_kept_as_text(director):
    headers = ["Nom", "Prénom"]
    plan, _ = run([("Martin", "'=Hélène")], headers)
    assert Person.objects.get().first_name == "=Hélène"
    plan = plan_for([("Durand", "=HYPERLINK(1)")], headers)
    assert plan.counts["reject"] == 1  # a bare formula is not a value anybody typed


def test_a_person_without_organisation_is_found_by_name_unless_homonyms(director):
    run([("", "Chloé", "Colin", "Scène de Nancy", "Directeur·rice", "", "", "54000", "Nancy")])
    # Her personal row (no organisation, no e-mail): the one Chloé Colin.
    plan, _ = run([("", "Chloé", "Colin", "", "", "chloe@perso.fr", "", "", "")])
    assert plan.counts == {"create": 0, "update": 1, "unchanged": 0, "reject": 0}
    assert Person.objects.get().email == "chloe@perso.fr"
    run([("", "Chloé", "Colin", "Théâtre de Metz", "Directeur·rice", "", "", "57000", "Metz")])
    assert Person.objects.count() == 2  # another Chloé Colin, at another organisation
    plan = plan_for([("", "Chloé", "Colin", "", "", "", "", "", "Lyon")])
    assert plan.counts["reject"] == 1
    assert "Plusieurs personnes" in plan.rejected[0].problems[0].reason


def test_a_mailbox_shared_by_several_people_names_none_of_them(director):
    headers = ["Prénom", "Nom", "Structure", "Fonction", "E-mail pro"]
    run(
        [
            ("Chloé", "Colin", "Scène de Nancy", "Directeur·rice", "direction@nancy.fr"),
            ("Emma", "Escoffier", "Scène de Nancy", "Chargée de presse", "direction@nancy.fr"),
        ],
        headers,
    )
    # The mailbox did not make Emma a second position of Chloé's.
    assert Person.objects.count() == 2
    plan = plan_for(
        [("Emma", "Escoffier", "Scène de Nancy", "Chargée de presse", "direction@nancy.fr")],
        headers,
    )
    assert plan.counts["unchanged"] == 1


def test_a_file_never_undoes_a_refusal_but_may_record_one(db):
    from directory.models.people import Consent

    headers = ["Prénom", "Nom", "E-mail", "Consentement email", "Ne pas contacter"]
    refusing = Person.objects.create(
        first_name="Octave",
        last_name="Brunel",
        email="octave@example.org",
        email_consent=Consent.REFUSED,
        do_not_contact=True,
    )
    consenting = Person.objects.create(
        first_name="Inès", last_name="Lefort", email="ines@example.org"
    )
    plan, _created = run(
        [
            ("Octave", "Brunel", "octave@example.org", "oui", "non"),
            ("Inès", "Lefort", "ines@example.org", "non", "oui"),
        ],
        headers=headers,
    )
    refusing.refresh_from_db()
    consenting.refresh_from_db()
    assert (refusing.email_consent, refusing.do_not_contact) == (Consent.REFUSED, True)
    assert (consenting.email_consent, consenting.do_not_contact) == (Consent.REFUSED, True)
    assert plan.counts["unchanged"] == 1 and plan.counts["update"] == 1


def test_the_answers_a_file_gives_go_into_the_consent_history_once(db, admin_user):
    from directory.imports.signals import people_written
    from directory.models.consents import ConsentChange, ConsentSource

    headers = ["Prénom", "Nom", "E-mail", "Consentement email", "Ne pas contacter"]
    rows = [("Octave", "Brunel", "octave@example.org", "non", "oui")]
    heard = []

    def listener(sender, people, **kwargs):
        heard.append(set(people))

    people_written.connect(listener)
    try:
        plan = plan_for(rows, headers)
        with transaction.atomic():
            write_plan(plan, user=admin_user, file_name="contacts.csv")
        octave = Person.objects.get()
        history = {
            (c.channel, c.value, c.source_kind, c.detail, c.changed_by_id)
            for c in ConsentChange.objects.filter(person=octave)
        }
        assert history == {
            ("email", "refused", ConsentSource.IMPORT, "contacts.csv", admin_user.pk),
            ("contact", "refused", ConsentSource.IMPORT, "contacts.csv", admin_user.pk),
        }
        assert heard == [{octave.pk}]
        again = plan_for(rows, headers)
        with transaction.atomic():
            write_plan(again, user=admin_user, file_name="contacts.csv")
        assert ConsentChange.objects.filter(person=octave).count() == 2
    finally:
        people_written.disconnect(listener)
