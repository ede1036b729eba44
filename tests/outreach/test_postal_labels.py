"""A label campaign's options: one label per address, sorted by postcode,
incomplete addresses left out with their reason."""

from django.utils import translation

from outreach.postal.labels import LabelRecipient, prepare_labels

THEATRE_ADDRESS = {"line1": "12, boulevard Voltaire", "postcode": "75011", "city": "Paris"}


def director():
    return LabelRecipient(
        "director",
        name="Mme Marie Dupont",
        function="Directrice",
        organisation="Théâtre Voltaire",
        organisation_id=7,
        **THEATRE_ADDRESS,
    )


def administrator():
    # The same address typed differently: case, punctuation, abbreviation.
    return LabelRecipient(
        "administrator",
        name="M. Paul Martin",
        function="Administrateur",
        organisation="Théâtre Voltaire",
        organisation_id=7,
        line1="12 Bd  Voltaire",
        postcode="75 011",
        city="PARIS",
    )


def test_without_merging_each_recipient_has_a_label():
    prepared = prepare_labels([director(), administrator()])
    assert [label.recipients for label in prepared.labels] == [("director",), ("administrator",)]
    assert prepared.labels[0].lines[:3] == ["Mme Marie Dupont", "Directrice", "Théâtre Voltaire"]


def test_merged_per_address_colleagues_get_one_label_to_their_organisation():
    prepared = prepare_labels([director(), administrator()], merge_by_address=True)
    (label,) = prepared.labels
    assert label.recipients == ("director", "administrator")
    assert label.lines == ["Théâtre Voltaire", "12 BOULEVARD VOLTAIRE", "75011 PARIS"]
    assert prepared.left_out == []


def test_merged_people_of_different_organisations_keep_the_first_ones_label():
    neighbour = administrator()._replace(organisation="Compagnie du Coin", organisation_id=9)
    prepared = prepare_labels([director(), neighbour], merge_by_address=True)
    (label,) = prepared.labels
    assert label.lines[0] == "Mme Marie Dupont"
    assert label.recipients == ("director", "administrator")


def test_different_addresses_are_not_merged():
    elsewhere = administrator()._replace(line1="14 boulevard Voltaire")
    prepared = prepare_labels([director(), elsewhere], merge_by_address=True)
    assert len(prepared.labels) == 2


def test_sorted_by_postcode_france_first_then_abroad():
    recipients = [
        LabelRecipient(1, organisation="A", postcode="69001", city="Lyon"),
        LabelRecipient(2, organisation="B", postcode="1000", city="Bruxelles", country="BE"),
        LabelRecipient(3, organisation="C", postcode="13001", city="Marseille"),
        LabelRecipient(4, organisation="D", postcode="1200", city="Genève", country="CH"),
        LabelRecipient(5, organisation="E", postcode="06000", city="Nice"),
    ]
    unsorted = prepare_labels(recipients).labels
    assert [label.recipients[0] for label in unsorted] == [1, 2, 3, 4, 5]
    ordered = prepare_labels(recipients, sort_by_postcode=True).labels
    assert [label.recipients[0] for label in ordered] == [5, 3, 1, 2, 4]


def test_incomplete_addresses_are_left_out_with_their_reason():
    no_city = LabelRecipient("no-city", name="Jean Petit", line1="3 rue Basse", postcode="75002")
    nothing = LabelRecipient("nothing", name="Anne Roy")
    with translation.override("en"):
        prepared = prepare_labels([director(), no_city, nothing], merge_by_address=True)
    assert [label.recipients for label in prepared.labels] == [("director",)]
    assert [(left.recipient.key, left.reason) for left in prepared.left_out] == [
        ("no-city", "The address has no city."),
        ("nothing", "No postal address."),
    ]


def test_a_label_too_long_is_left_out_with_its_reason_never_cut():
    street = "12 chemin de la Grande Fontaine aux Alouettes du Haut Plateau de Millevaches"
    too_long = LabelRecipient("too-long", name="Jean Petit", line1=street, postcode="19290")
    too_long = too_long._replace(city="Peyrelevade")
    with translation.override("en"):
        prepared = prepare_labels([director(), too_long])
    assert [label.recipients for label in prepared.labels] == [("director",)]
    assert [(left.recipient.key, left.reason) for left in prepared.left_out] == [
        ("too-long", f"The address is too long for a label: shorten the line “{street}”."),
    ]


def test_a_merged_label_keeps_every_word_of_a_long_address():
    address = {
        "line1": "Bâtiment C, résidence des Lilas, 145 boulevard du Général de Gaulle prolongé",
        "postcode": "69008",
        "city": "Lyon",
    }
    colleagues = [
        LabelRecipient(key, name=name, organisation="Compagnie des Lilas", **address)
        for key, name in (("a", "Mme Anne Roy"), ("b", "M. Paul Roy"))
    ]
    (label,) = prepare_labels(colleagues, merge_by_address=True).labels
    assert label.lines == [
        "Compagnie des Lilas",
        "BATIMENT C RESIDENCE DES LILAS",
        "145 BD DU GENERAL DE GAULLE PROLONGE",
        "69008 LYON",
    ]
    assert label.recipients == ("a", "b")
