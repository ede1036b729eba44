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


# --- Long lines: never cut (issue 17's review) --------------------------------

LILAS = "Bâtiment C, résidence des Lilas, 145 boulevard du Général de Gaulle prolongé"


@pytest.mark.parametrize("line1", [LILAS, LILAS.replace(",", "")])
def test_a_street_line_too_long_is_split_building_above_street(line1):
    # Formerly "BAT C RES DES LILAS 145 BD DU GAL DE": "GAULLE PROLONGE" lost.
    lines = label_lines(name="Mme Claire Martin", line1=line1, postcode="69008", city="Lyon")
    assert lines == [
        "Mme Claire Martin",
        "BATIMENT C RESIDENCE DES LILAS",
        "145 BD DU GENERAL DE GAULLE PROLONGE",
        "69008 LYON",
    ]
    assert_standard(lines)


def test_a_building_typed_after_the_street_goes_above_it_when_split():
    lines = label_lines(
        organisation="Opéra",
        line1="112 rue du Faubourg Saint-Honoré prolongée, entrée 2, 4e étage",
        postcode="75008",
        city="Paris Cedex 08",
    )
    assert lines == [
        "Opéra",
        "ENTREE 2 4E ETAGE",
        "112 RUE DU FG SAINT HONORE PROLONGEE",
        "75008 PARIS CEDEX 08",
    ]


def test_a_street_too_long_without_building_is_split_at_a_word():
    lines = label_lines(
        organisation="Ferme des Alouettes",
        line1="Lieu-dit le Grand Champ des Alouettes du Haut Plateau de Millevaches",
        postcode="19290",
        city="Peyrelevade",
    )
    assert lines == [
        "Ferme des Alouettes",
        "LIEU DIT LE GRAND CHAMP DES ALOUETTES",
        "DU HAUT PLATEAU DE MILLEVACHES",
        "19290 PEYRELEVADE",
    ]


def test_a_line_of_exactly_38_characters_is_left_as_it_is():
    street = "38 boulevard des Capucines et Opéra 9e"
    name = "Mme Marie-Hélène Dupont de la Fontaine"
    organisation = "Théâtre national de l'Opéra-Comique 2e"
    assert len(street) == len(name) == len(organisation) == 38
    lines = label_lines(
        name=name, organisation=organisation, line1=street, postcode="75009", city="Paris"
    )
    assert lines == [name, organisation, "38 BOULEVARD DES CAPUCINES ET OPERA 9E", "75009 PARIS"]


@pytest.mark.parametrize(
    "line1, line2",
    [
        ("BP 45 - 3 avenue Foch", ""),
        ("3 avenue Foch, BP 45", ""),
        ("BP 45", "3 avenue Foch"),
        ("Boîte postale 45", "3 avenue Foch"),
    ],
)
def test_a_post_box_goes_on_its_own_line_just_above_the_postcode(line1, line2):
    lines = label_lines(
        organisation="Préfecture de la Moselle",
        line1=line1,
        line2=line2,
        postcode="57000",
        city="Metz Cedex 1",
    )
    box = "BOITE POSTALE 45" if line1.startswith("Boîte") else "BP 45"
    assert lines == ["Préfecture de la Moselle", "3 AVENUE FOCH", box, "57000 METZ CEDEX 1"]


def test_cs_and_tsa_are_post_boxes_too():
    cs = label_lines(
        organisation="Région Grand Est",
        line1="CS 70001 1 place Adrien Zeller",
        postcode="67070",
        city="Strasbourg Cedex",
    )
    assert cs[1:] == ["1 PLACE ADRIEN ZELLER", "CS 70001", "67070 STRASBOURG CEDEX"]
    tsa = label_lines(
        organisation="Service des retours", line1="TSA 30001", postcode="75801", city="Paris"
    )
    assert tsa == ["Service des retours", "TSA 30001", "75801 PARIS"]


def test_a_post_box_stays_on_its_line_when_the_label_has_no_room():
    lines = label_lines(
        name="Mme Marie Dupont",
        function="Directrice",
        organisation="Préfecture de la Moselle",
        line1="BP 45 - 3 avenue Foch",
        line2="Bâtiment B",
        postcode="57000",
        city="Metz Cedex 1",
    )
    # Its own line would make seven: the function is kept, the line stays as typed.
    assert lines == [
        "Mme Marie Dupont",
        "Directrice",
        "Préfecture de la Moselle",
        "BP 45 3 AVENUE FOCH",
        "BATIMENT B",
        "57000 METZ CEDEX 1",
    ]


def test_an_address_line_too_long_for_two_lines_gives_a_translated_reason():
    line = "12 chemin de la Grande Fontaine aux Alouettes du Haut Plateau de Millevaches"
    address = {"organisation": "Ferme", "line1": line, "postcode": "19290", "city": "Peyrelevade"}
    with translation.override("fr"):
        assert incomplete_reason(**address) == (
            "L’adresse est trop longue pour une étiquette\u00a0: raccourcissez la ligne "
            f"«\u00a0{line}\u00a0»."
        )
        with pytest.raises(IncompleteAddress) as raised:
            label_lines(**address)
    assert line in raised.value.reason


def test_a_split_address_line_without_room_on_the_label_gives_a_reason():
    # Name, two lines of organisation (no usual abbreviation shortens it), the
    # split street and the building line would make seven lines in France.
    address = {
        "name": "Mme Marie Dupont",
        "organisation": "Association pour la promotion des arts de la rue en Franche-Comté",
        "line1": LILAS,
        "line2": "Escalier 4",
        "postcode": "25200",
        "city": "Montbéliard",
    }
    with translation.override("en"):
        assert incomplete_reason(**address) == (
            f"The address is too long for a label: shorten the line “{LILAS}”."
        )
    # The same label abroad has a seventh line, but needs it for the country.
    with pytest.raises(IncompleteAddress):
        label_lines(**{**address, "postcode": "1000", "city": "Bruxelles", "country": "BE"})
    # Without the building line, it fits in France.
    lines = label_lines(**{**address, "line2": ""})
    assert lines == [
        "Mme Marie Dupont",
        "Association pour la promotion des arts",
        "de la rue en Franche-Comté",
        "BATIMENT C RESIDENCE DES LILAS",
        "145 BD DU GENERAL DE GAULLE PROLONGE",
        "25200 MONTBELIARD",
    ]


@pytest.mark.parametrize(
    "name, written",
    [
        ("M. Jean-Pierre Marie-Emmanuel Martin-Delacroix", "M. J.-P. M.-E. Martin-Delacroix"),
        ("M. Jean-Pierre Emmanuel-Marie Martin-Delacroix", "M. J.-P. E.-M. Martin-Delacroix"),
        # Only as many first names as needed become initials, from the first.
        ("Mme Anne-Charlotte Marie de la Tour d'Auvergne", "Mme A.-C. Marie de la Tour d'Auvergne"),
        # The surname in capitals, whatever its length in words.
        ("Madame Marie-Hélène Éloïse LE GOFF DE KERGUELEN", "Madame M.-H. É. LE GOFF DE KERGUELEN"),
        # No civility: the name as the directory gives it (first and last names).
        (
            "Jean-Pierre Alexandre Martin-Delacroix-Beauregard",
            "J.-P. A. Martin-Delacroix-Beauregard",
        ),
    ],
)
def test_a_long_name_keeps_its_surname_and_shortens_the_first_names(name, written):
    assert len(name) > 38
    lines = label_lines(name=name, line1="1 rue Haute", postcode="57000", city="Metz")
    assert lines == [written, "1 RUE HAUTE", "57000 METZ"]


def test_long_function_and_organisation_are_wrapped_onto_a_second_line():
    address = {"name": "Mme Marie Dupont", "line1": "12 rue de la Gare"}
    address.update(postcode="25200", city="Montbéliard")
    long_function = "Directrice adjointe chargée de la programmation jeune public"
    long_organisation = "Établissement public de coopération culturelle du Pays de Montbéliard"
    assert label_lines(**address, function=long_function, organisation="EPCC") == [
        "Mme Marie Dupont",
        "Directrice adjointe chargée de la",
        "programmation jeune public",
        "EPCC",
        "12 RUE DE LA GARE",
        "25200 MONTBELIARD",
    ]
    assert label_lines(**address, function="Directrice", organisation=long_organisation) == [
        "Mme Marie Dupont",
        "Directrice",
        "Établissement public de coopération",
        "culturelle du Pays de Montbéliard",
        "12 RUE DE LA GARE",
        "25200 MONTBELIARD",
    ]


def test_without_room_the_function_goes_first_then_the_organisation_is_abbreviated():
    address = {
        "name": "Mme Marie Dupont",
        "function": "Directrice adjointe chargée de la programmation jeune public",
        "organisation": "Établissement public de coopération culturelle du Pays de Montbéliard",
        "line1": "12 rue de la Gare",
        "line2": "Bâtiment B",
        "postcode": "25200",
        "city": "Montbéliard",
    }
    assert label_lines(**address) == [
        "Mme Marie Dupont",
        "Établissement public de coopération",
        "culturelle du Pays de Montbéliard",
        "12 RUE DE LA GARE",
        "BATIMENT B",
        "25200 MONTBELIARD",
    ]
    assert label_lines(**{**address, "line1": LILAS, "line2": "BP 45"}) == [
        "Mme Marie Dupont",
        "EPCC du Pays de Montbéliard",
        "BATIMENT C RESIDENCE DES LILAS",
        "145 BD DU GENERAL DE GAULLE PROLONGE",
        "BP 45",
        "25200 MONTBELIARD",
    ]


def test_an_organisation_that_cannot_be_shortened_gives_a_reason():
    address = {
        "name": "Ms Jane Doe",
        "organisation": "Royal Society for the Encouragement of Arts Manufactures",
        "line1": "8 John Adam Street Covent Garden",
        "line2": "Adelphi Building Eighteen",
        "postcode": "WC2N 6EZ",
        "city": "London",
        "country": "GB",
    }
    with translation.override("fr"):
        assert incomplete_reason(**address) == (
            "Le nom de l’organisation «\u00a0Royal Society for the Encouragement of Arts "
            "Manufactures\u00a0» est trop long pour une étiquette, même avec les abréviations "
            "usuelles\u00a0: raccourcissez-le."
        )
    # One address line less and the organisation has its two lines.
    assert label_lines(**{**address, "line2": ""})[:3] == [
        "Ms Jane Doe",
        "Royal Society for the Encouragement of",
        "Arts Manufactures",
    ]


def test_abroad_a_seventh_line_is_allowed():
    recipient = {
        "name": "M. Jan Peeters",
        "function": "Directeur artistique",
        "organisation": "Théâtre royal",
        "line1": "Rue de la Loi 16",
        "line2": "Bâtiment B",
    }
    lines = label_lines(**recipient, postcode="1000", city="Bruxelles", country="BE")
    assert lines == [
        "M. Jan Peeters",
        "Directeur artistique",
        "Théâtre royal",
        "RUE DE LA LOI 16",
        "BATIMENT B",
        "1000 BRUXELLES",
        "BELGIQUE",
    ]
    assert_standard(lines, abroad=True)
    # The same with a function on two lines: seven lines abroad without the
    # country, so the function goes; in France the postcode line is the sixth.
    longer = {**recipient, "function": "Directeur artistique et responsable de la programmation"}
    assert "Directeur artistique et responsable de" not in label_lines(
        **longer, postcode="1000", city="Bruxelles", country="BE"
    )
    french = label_lines(**{**longer, "line2": ""}, postcode="75001", city="Paris")
    assert french == [
        "M. Jan Peeters",
        "Directeur artistique et responsable de",
        "la programmation",
        "Théâtre royal",
        "RUE DE LA LOI 16",
        "75001 PARIS",
    ]


def test_the_reasons_follow_the_language():
    address = {"name": "Mme Anne-Charlotte de La Tour d'Auvergne-Lauraguais", "city": "Metz"}
    address.update(line1="1 rue Haute", postcode="57000")
    with translation.override("en"):
        english = incomplete_reason(**address)
    with translation.override("fr"):
        french = incomplete_reason(**address)
    assert english.startswith("The name “Mme Anne-Charlotte")
    assert french.startswith("Le nom «\u00a0Mme Anne-Charlotte")
