"""French postal address lines (NF Z10-011): what the printed label says."""

import pytest
from django.utils import translation

from directory.models.addresses import COUNTRY_CHOICES
from outreach.postal.address import (
    IncompleteAddress,
    incomplete_reason,
    label_lines,
    recipient_name,
)

THEATRE = {
    "name": "Mme Marie-Hélène Dupont",
    "function": "Directrice",
    "organisation": "Théâtre de l'Œuvre",
    "line1": "12, rue de l'Église",
    "line2": "Bâtiment B",
    "postcode": "75008",
    "city": "Paris",
}


def assert_standard(lines, abroad=False):
    assert lines, "a complete address has lines"
    assert len(lines) <= (7 if abroad else 6)
    assert all(line and line == line.strip() for line in lines), lines  # no blank line
    assert all(len(line) <= 38 for line in lines), [len(line) for line in lines]


def test_a_position_reads_name_function_organisation_street_then_city():
    lines = label_lines(**THEATRE)
    assert lines == [
        "Mme Marie-Hélène Dupont",
        "Directrice",
        "Théâtre de l'Œuvre",
        "12 RUE DE L EGLISE",
        "BATIMENT B",
        "75008 PARIS",
    ]
    assert_standard(lines)


def test_no_blank_line_for_missing_parts_and_postcode_spaces_removed():
    lines = label_lines(
        name="M. Jean Martin", line1="3 place Kléber", postcode="67 000", city="Strasbourg"
    )
    assert lines == ["M. Jean Martin", "3 PLACE KLEBER", "67000 STRASBOURG"]


def test_last_lines_are_capitals_without_accents_or_punctuation():
    lines = label_lines(
        organisation="Comédie", line1="Place Jean-Dasté", postcode="42000", city="Saint-Étienne"
    )
    assert lines[-2:] == ["PLACE JEAN DASTE", "42000 SAINT ETIENNE"]
    assert lines[0] == "Comédie"  # the recipient keeps its accents


def test_cedex_is_kept():
    lines = label_lines(organisation="Ministère", postcode="75008", city="Paris Cedex 08")
    assert lines[-1] == "75008 PARIS CEDEX 08"


def test_a_long_city_is_shortened_but_keeps_its_cedex():
    lines = label_lines(
        organisation="Mairie",
        postcode="51300",
        city="Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson Cedex 12",
    )
    last = lines[-1]
    assert len(last) <= 38
    assert last.startswith("51300 ST REMY EN BOUZEMONT")
    assert last.endswith(" CEDEX 12")


def test_long_street_uses_the_standard_abbreviations_only_when_needed():
    fits = label_lines(
        organisation="Opéra", line1="5 boulevard Voltaire", postcode="75011", city="Paris"
    )
    assert "5 BOULEVARD VOLTAIRE" in fits
    long = label_lines(
        organisation="Opéra",
        line1="128 boulevard du Maréchal de Lattre de Tassigny",
        postcode="75016",
        city="Paris",
    )
    assert "128 BD DU MARECHAL DE LATTRE DE TASSIGNY" not in long  # 39 characters
    street = long[1]
    assert street.startswith("128 BD DU ")
    assert "TASSIGNY" in street and len(street) <= 38


def test_a_name_too_long_even_with_initials_gives_a_reason_and_no_cut_label():
    # Formerly cut to "Mme Anne-Charlotte de La Tour" (the surname lost): the
    # rule is now never to drop text silently (issue 17's review).
    address = {
        "name": "Mme Anne-Charlotte de La Tour d'Auvergne-Lauraguais",
        "organisation": "Association régionale pour le développement des arts vivants",
        "line1": "Zone industrielle des Grands Champs Nord, lot numéro 1234567",
        "postcode": "69100",
        "city": "Villeurbanne",
    }
    with translation.override("en"):
        reason = incomplete_reason(**address)
        assert reason == (
            "The name “Mme Anne-Charlotte de La Tour d'Auvergne-Lauraguais” is too long for "
            "a label, even with initials: shorten it."
        )
        with pytest.raises(IncompleteAddress) as raised:
            label_lines(**address)
    assert raised.value.reason == reason


def test_long_organisation_and_street_lines_are_wrapped_not_cut():
    # Formerly the organisation was cut after "développement des arts" and the
    # street after "LOT": both now go on two lines, nothing lost.
    lines = label_lines(
        name="Mme Anne-Charlotte de La Tour",
        organisation="Association régionale pour le développement des arts vivants",
        line1="Zone industrielle des Grands Champs Nord, lot numéro 1234567",
        postcode="69100",
        city="Villeurbanne",
    )
    assert lines == [
        "Mme Anne-Charlotte de La Tour",
        "Association régionale pour le",
        "développement des arts vivants",
        "ZI DES GRANDS CHAMPS NORD",
        "LOT NUMERO 1234567",
        "69100 VILLEURBANNE",
    ]
    assert_standard(lines)


def test_abroad_ends_with_the_country_in_french_capitals():
    with translation.override("en"):
        lines = label_lines(
            name="M. Jan Peeters",
            organisation="Théâtre royal",
            line1="Rue de la Loi 16",
            postcode="1000",
            city="Bruxelles",
            country="BE",
        )
    assert lines[-2:] == ["1000 BRUXELLES", "BELGIQUE"]
    assert_standard(lines, abroad=True)


def test_seven_lines_at_most_abroad_and_the_function_goes_first():
    lines = label_lines(
        name="Ms Jane Doe",
        function="Head of programming",
        organisation="Barbican Centre",
        line1="Silk Street",
        line2="Barbican",
        postcode="EC2Y 8DS",
        city="London",
        country="GB",
    )
    assert lines == [
        "Ms Jane Doe",
        "Barbican Centre",
        "SILK STREET",
        "BARBICAN",
        "LONDON",
        "EC2Y 8DS",
        "ROYAUME UNI",
    ]
    assert_standard(lines, abroad=True)


def test_six_lines_at_most_in_france():
    lines = label_lines(**THEATRE)
    assert len(lines) == 6
    assert lines[-1] == "75008 PARIS"  # the postcode and city on the last line


def test_monaco_has_no_country_line():
    lines = label_lines(
        organisation="Opéra de Monte-Carlo",
        line1="Place du Casino",
        postcode="98000",
        city="Monaco",
        country="MC",
    )
    assert lines[-1] == "98000 MONACO"


def test_canada_writes_the_postcode_after_the_city():
    lines = label_lines(
        organisation="Théâtre du Nouveau Monde",
        line1="84 rue Sainte-Catherine Ouest",
        postcode="H2X 1Z6",
        city="Montréal",
        country="CA",
    )
    assert lines[-2:] == ["MONTREAL H2X 1Z6", "CANADA"]


@pytest.mark.parametrize("code", [code for code, _label in COUNTRY_CHOICES if code != "ZZ"])
def test_every_country_of_the_directory_makes_a_label(code):
    postcode = "98000" if code == "MC" else "75001" if code == "FR" else "1000"
    lines = label_lines(organisation="Compagnie", postcode=postcode, city="Ville", country=code)
    if code in ("FR", "MC"):
        assert lines[-1] == f"{postcode} VILLE"
    else:
        assert lines[-1].isupper() and lines[-1].replace(" ", "").isalpha()


def test_an_organisation_alone_is_written_once():
    lines = label_lines(
        name="Théâtre de l'Œuvre",
        organisation="Théâtre de l'Œuvre",
        postcode="75009",
        city="Paris",
    )
    assert lines == ["Théâtre de l'Œuvre", "75009 PARIS"]


@pytest.mark.parametrize(
    "address, reason",
    [
        ({}, "No postal address."),
        ({"organisation": "X", "line1": "1 rue Haute", "postcode": "75001"}, "no city"),
        ({"organisation": "X", "line1": "1 rue Haute", "city": "Paris"}, "no postcode"),
        ({"organisation": "X", "postcode": "7500", "city": "Paris"}, "“7500”"),
        ({"organisation": "X", "postcode": "1000", "city": "Nowhere", "country": "ZZ"}, "country"),
        ({"line1": "1 rue Haute", "postcode": "75001", "city": "Paris"}, "nobody"),
    ],
)
def test_an_incomplete_address_gets_a_reason_and_no_lines(address, reason):
    with translation.override("en"):
        assert reason in incomplete_reason(**address)
        with pytest.raises(IncompleteAddress) as raised:
            label_lines(**address)
        assert reason in raised.value.reason


def test_a_complete_address_has_no_reason():
    assert incomplete_reason(**THEATRE) == ""


def test_reasons_are_translated():
    with translation.override("fr"):
        assert (
            incomplete_reason(organisation="X", postcode="75001") == "L’adresse n’a pas de ville."
        )
        assert incomplete_reason() == "Pas d’adresse postale."


def test_recipient_name_writes_the_civility_as_the_post_does():
    assert recipient_name("mme", "Marie", "Dupont") == "Mme Marie Dupont"
    assert recipient_name("m", "", "Martin") == "M. Martin"
    assert recipient_name("", "Camille", "Petit") == "Camille Petit"
