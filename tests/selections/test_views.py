"""The selections screens as staff use them: building, saving, sharing and
copying searches; composing, filling, exporting and freezing baskets; and
what a second staff member or a client can reach by guessing URLs and ids."""

import io
import json
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from directory.models import InterestCentre
from selections.models import (
    Basket,
    BasketEntry,
    BasketStep,
    SavedSearch,
    SelectionLogEntry,
    Snapshot,
)
from tests.factories import client as client_factory
from tests.factories import logged_in

pytestmark = pytest.mark.django_db


def directors_in(town, region="44"):
    return {
        "match": "all",
        "rules": [
            {"field": "position.function", "operator": "in", "value": [town.director.pk]},
            {"field": "organisation.kind", "operator": "in", "value": [town.venue.pk]},
            {"field": "organisation.region", "operator": "in", "value": [region]},
        ],
    }


@pytest.fixture
def private(town, marie):
    """Marie's own search and basket (with a step, an entry and a snapshot)."""
    search = SavedSearch.objects.create(
        owner=marie, name="Directeurs Grand Est", criteria=directors_in(town)
    )
    basket = Basket.objects.create(owner=marie, name="Saison")
    BasketStep.objects.create(basket=basket, search=search, operation="union")
    entry = BasketEntry.objects.create(basket=basket, action="add", person=town.denis)
    snapshot = Snapshot.objects.create(basket=basket, label="Avant", row_count=0)
    return {"search": search, "basket": basket, "entry": entry, "snapshot": snapshot}


def rows_on(page) -> list[str]:
    return [row.key for row in page.context["table"].paginated_rows.data]


# Building and saving a search ---------------------------------------------------------


def test_builder_counts_previews_and_saves_a_search(town, marie):
    browser = logged_in(marie)
    criteria = json.dumps(directors_in(town))

    count = browser.post(
        reverse("selections_searches:count"), {"criteria": criteria, "target": "people"}
    )
    assert count.json()["count"] == 2  # Alice in Metz, Emma in Nancy

    preview = browser.get(
        reverse("selections_searches:add"), {"criteria": criteria, "target": "people"}
    )
    assert preview.status_code == 200
    assert sorted(rows_on(preview)) == sorted(
        [
            f"position-{town.positions.alice_director.pk}",
            f"position-{town.positions.emma_director.pk}",
        ]
    )

    saved = browser.post(
        reverse("selections_searches:add"),
        {
            "name": "Directeurs Grand Est",
            "description": "",
            "target": "people",
            "criteria": criteria,
        },
    )
    search = SavedSearch.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == reverse("selections_searches:results", args=(search.pk,))
    assert search.owner == marie
    assert search.criteria["rules"][0]["field"] == "position.function"

    page = browser.get(saved["Location"])
    assert "Directeurs Grand Est" in page.content.decode()
    assert len(rows_on(page)) == 2


@pytest.mark.parametrize(
    "criteria, message",
    [
        ("{not json", "Les critères n’ont pas pu être lus."),
        (
            json.dumps(
                {
                    "match": "all",
                    "rules": [{"field": "person.shoe_size", "operator": "equals", "value": "42"}],
                }
            ),
            "Règle 1",
        ),
        (
            json.dumps(
                {
                    "match": "all",
                    "rules": [{"field": "person.language", "operator": "before", "value": "fr"}],
                }
            ),
            "Règle 1",
        ),
        (
            json.dumps(
                {
                    "match": "all",
                    "rules": [{"field": "position.start_date", "operator": "before", "value": 12}],
                }
            ),
            "Règle 1",
        ),
        ("x" * 100_001, "trop longs"),
        ("5", "groupe de conditions"),
        ("[]", "groupe de conditions"),
        ('{"rules":' * 3000 + "[]" + "}" * 3000, "n’ont pas pu être lus"),
        (
            '{"match": "all", "rules": [{"field": "person.name", "operator": "contains", '
            '"value": "\\ud800"}]}',
            "ne peuvent pas être utilisés",
        ),
        (
            json.dumps(
                {
                    "match": "all",
                    "rules": [{"field": "position.function", "operator": "in", "value": [10**30]}],
                }
            ),
            "Règle 1",
        ),
        (
            '{"match": "all", "rules": [{"field": "person.created_at", '
            '"operator": "within_last_days", "value": Infinity}]}',
            "ne peuvent pas être utilisés",
        ),
        (json.dumps({"match": "all", "rules": {"field": "person.name"}}), "Groupe 1"),
        (json.dumps({"match": "all", "rules": ["abc", 5]}), "La règle 1.1"),
        (
            json.dumps(
                {"match": "all", "rules": [{"field": "organisation", "operator": "in", "value": 5}]}
            ),
            "Règle 1",
        ),
        (
            json.dumps({"match": "all", "rules": [{"field": ["x"], "operator": "in", "value": 5}]}),
            "Règle 1",
        ),
    ],
)
def test_malformed_criteria_are_refused_and_nothing_is_saved(town, marie, criteria, message):
    browser = logged_in(marie)
    response = browser.post(
        reverse("selections_searches:add"),
        {"name": "Cassée", "target": "people", "criteria": criteria},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert not SavedSearch.objects.exists()
    errors = response.context["form"].non_field_errors()
    assert len(errors) == len(set(errors)), "each problem is said once"

    count = browser.post(
        reverse("selections_searches:count"), {"criteria": criteria, "target": "people"}
    )
    assert count.status_code == 400
    assert count.json()["errors"]


def test_a_search_naming_a_deleted_interest_centre_says_so(town, marie):
    centre = InterestCentre.objects.create(name="Jazz", colour="#336699")
    search = SavedSearch.objects.create(
        owner=marie,
        name="Jazz",
        target="organisations",
        criteria={
            "match": "all",
            "rules": [
                {"field": "organisation.interest_centres", "operator": "in", "value": [centre.pk]}
            ],
        },
    )
    centre.delete()
    page = logged_in(marie).get(reverse("selections_searches:results", args=(search.pk,)))
    assert page.status_code == 200
    assert "existe plus (numéro" in page.content.decode()
    assert "table" not in page.context


def test_organisation_chooser_finds_organisations_by_name(town, marie):
    response = logged_in(marie).get(reverse("selections_searches:organisations"), {"q": "theatre"})
    labels = [item["label"] for item in response.json()["results"]]
    assert labels == ["Théâtre de Lyon (Lyon)", "Théâtre de Metz (Metz)"]


def test_results_are_sorted_by_organisation_on_request(town, marie):
    criteria = json.dumps(
        {
            "match": "all",
            "rules": [
                {"field": "position.function", "operator": "in", "value": [town.director.pk]}
            ],
        }
    )
    browser = logged_in(marie)
    by_name = browser.get(
        reverse("selections_searches:add"), {"criteria": criteria, "target": "people"}
    )
    by_org = browser.get(
        reverse("selections_searches:add"),
        {"criteria": criteria, "target": "people", "sort": "-capacity"},
    )
    names = [row.name for row in by_name.context["table"].paginated_rows.data]
    organisations = [str(row.organisation) for row in by_org.context["table"].paginated_rows.data]
    assert names == ["Alice Arnaud", "Bruno Blanc", "Emma Escoffier"]
    assert organisations == ["Théâtre de Metz", "Théâtre de Lyon", "Scène de Nancy"]


# Sharing and copying -------------------------------------------------------------------


def test_sharing_then_a_colleague_reads_and_copies_but_cannot_change(town, marie, paul, private):
    search = private["search"]
    owner, colleague = logged_in(marie), logged_in(paul)

    assert (
        "Directeurs Grand Est"
        not in colleague.get(reverse("selections_searches:shared")).content.decode()
    )
    response = owner.post(
        reverse("selections_searches:share", args=(search.pk,)),
        {"shared_with_users": [paul.pk]},
    )
    assert response.status_code == 302
    assert list(search.shared_with_users.all()) == [paul]

    assert (
        "Directeurs Grand Est"
        in colleague.get(reverse("selections_searches:shared")).content.decode()
    )
    page = colleague.get(reverse("selections_searches:results", args=(search.pk,)))
    assert page.status_code == 200 and len(rows_on(page)) == 2
    for name in ("edit", "delete", "share"):
        assert (
            colleague.get(reverse(f"selections_searches:{name}", args=(search.pk,))).status_code
            == 404
        )
    colleague.post(
        reverse("selections_searches:edit", args=(search.pk,)), {"name": "Pris", "target": "people"}
    )
    colleague.post(reverse("selections_searches:delete", args=(search.pk,)))
    search.refresh_from_db()
    assert search.name == "Directeurs Grand Est"

    copied = colleague.post(reverse("selections_searches:copy", args=(search.pk,)))
    copy = SavedSearch.objects.get(owner=paul)
    assert copied["Location"] == reverse("selections_searches:edit", args=(copy.pk,))
    assert copy.criteria == search.criteria and copy.name == "Directeurs Grand Est (copie)"
    assert not copy.is_shared


def test_sharing_with_an_unknown_user_or_a_client_is_refused(town, marie, private):
    search = private["search"]
    theo = client_factory(username="theo")
    browser = logged_in(marie)
    for hostile in ([999_999], [theo.pk], ["paul"], ["1 OR 1=1"]):
        response = browser.post(
            reverse("selections_searches:share", args=(search.pk,)),
            {"shared_with_users": hostile, "shared_with_all_staff": "on"},
        )
        assert response.status_code == 200
        assert "n’est pas un membre de l’équipe" in response.content.decode()
    search.refresh_from_db()
    assert not search.is_shared


def test_deleting_a_search_used_by_a_basket_is_refused_with_a_message(town, marie, private):
    browser = logged_in(marie)
    response = browser.post(
        reverse("selections_searches:delete", args=(private["search"].pk,)), follow=True
    )
    assert SavedSearch.objects.filter(pk=private["search"].pk).exists()
    assert "Saison" in response.content.decode()


# A second staff member and a client, by listing, URL, export and id -------------------------

SEARCH_URLS = ["results", "edit", "delete", "share", "history", "usage"]
BASKET_URLS = ["basket", "edit", "delete", "share", "history", "usage", "export"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_colleague_reaches_nothing_private_by_url_or_id(town, marie, paul, private, method):
    browser = logged_in(paul)
    search, basket = private["search"], private["basket"]
    for name in SEARCH_URLS:
        url = reverse(f"selections_searches:{name}", args=(search.pk,))
        assert getattr(browser, method)(url).status_code == 404, url
    for name in BASKET_URLS:
        url = reverse(f"selections_baskets:{name}", args=(basket.pk,))
        assert getattr(browser, method)(url).status_code == 404, url
    for url in [
        reverse("selections_searches:copy", args=(search.pk,)),
        reverse("selections_baskets:freeze", args=(basket.pk,)),
        reverse("selections_baskets:remove_rows", args=(basket.pk,)),
        reverse("selections_baskets:cancel_entry", args=(basket.pk, private["entry"].pk)),
    ]:
        assert browser.post(url, {"row": [f"personal-{town.alice.pk}"]}).status_code == 404, url
    snapshot = reverse("selections_baskets:snapshot", args=(basket.pk, private["snapshot"].pk))
    assert browser.get(snapshot).status_code == 404
    export = reverse("selections_baskets:export", args=(basket.pk,))
    assert browser.get(export, {"format": "csv", "columns": ["name"]}).status_code == 404

    # Nor by naming her basket as the target of rows, or her search in a basket of his.
    browser.post(
        reverse("selections_baskets:add_rows"),
        {"row": [f"personal-{town.alice.pk}"], "basket": basket.pk},
    )
    assert basket.entries.count() == 1
    own = Basket.objects.create(owner=paul, name="À moi")
    response = browser.post(reverse("selections_baskets:edit", args=(own.pk,)), step_data(search))
    assert response.status_code == 200
    assert not own.steps.exists()

    # And the listings do not show them.
    for name in (
        "selections_searches:index",
        "selections_searches:shared",
        "selections_baskets:index",
        "selections_baskets:shared",
    ):
        content = browser.get(reverse(name)).content.decode()
        assert "Directeurs Grand Est" not in content and "Saison" not in content
    # Nothing changed.
    assert SavedSearch.objects.filter(owner=marie).count() == 1
    assert Basket.objects.filter(owner=marie, name="Saison").exists()
    assert Snapshot.objects.count() == 1


def test_a_client_reaches_no_selection_screen(town, private):
    theo = logged_in(client_factory(username="theo"))
    urls = [
        reverse("selections_searches:index"),
        reverse("selections_searches:add"),
        reverse("selections_searches:shared"),
        reverse("selections_searches:help"),
        reverse("selections_searches:organisations") + "?q=theatre",
        reverse("selections_baskets:index"),
        reverse("selections_baskets:add"),
        reverse("selections_searches:results", args=(private["search"].pk,)),
        reverse("selections_baskets:basket", args=(private["basket"].pk,)),
        reverse("selections_baskets:export", args=(private["basket"].pk,))
        + "?format=csv&columns=name",
    ]
    for url in urls:
        assert theo.get(url).status_code in (302, 403, 404), url
    assert theo.post(reverse("selections_searches:count"), {"criteria": "{}"}).status_code in (
        403,
        404,
    )
    response = theo.post(
        reverse("selections_baskets:add_rows"),
        {"row": [f"personal-{town.alice.pk}"], "new_basket_name": "Espion"},
    )
    assert response.status_code in (403, 404)
    assert not Basket.objects.filter(name="Espion").exists()


def test_shared_basket_is_read_and_exported_but_not_changed(town, marie, paul, private):
    basket = private["basket"]
    basket.shared_with_all_staff = True
    basket.save()
    browser = logged_in(paul)
    page = browser.get(reverse("selections_baskets:basket", args=(basket.pk,)))
    assert page.status_code == 200
    assert page.context["can_edit"] is False
    export = browser.get(
        reverse("selections_baskets:export", args=(basket.pk,)),
        {"format": "csv", "columns": ["name"]},
    )
    assert export.status_code == 200
    assert browser.post(reverse("selections_baskets:freeze", args=(basket.pk,))).status_code == 404
    assert browser.get(reverse("selections_baskets:edit", args=(basket.pk,))).status_code == 404
    assert Snapshot.objects.count() == 1


# Baskets ----------------------------------------------------------------------------------


def step_data(*sources, operations=None):
    data = {
        "name": "À moi",
        "description": "",
        "steps-TOTAL_FORMS": str(len(sources)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for index, source in enumerate(sources):
        key = "search" if isinstance(source, SavedSearch) else "included_basket"
        data.update(
            {
                f"steps-{index}-operation": (operations or ["union"] * len(sources))[index],
                f"steps-{index}-{key}": str(source.pk),
                f"steps-{index}-ORDER": str(index + 1),
                f"steps-{index}-DELETE": "",
                f"steps-{index}-id": "",
            }
        )
    return data


def test_compose_a_basket_from_two_searches_and_read_why_rows_are_there(town, marie, private):
    lyon = SavedSearch.objects.create(
        owner=marie, name="Directeurs Lyon", criteria=directors_in(town, "84")
    )
    basket = Basket.objects.create(owner=marie, name="Deux régions")
    browser = logged_in(marie)
    response = browser.post(
        reverse("selections_baskets:edit", args=(basket.pk,)),
        {**step_data(private["search"], lyon), "name": "Deux régions"},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert [step.search for step in basket.steps.all()] == [private["search"], lyon]

    page = browser.get(reverse("selections_baskets:basket", args=(basket.pk,)))
    rows = {row.name: row.reasons for row in page.context["table"].paginated_rows.data}
    assert set(rows) == {"Alice Arnaud", "Bruno Blanc", "Emma Escoffier"}
    assert rows["Bruno Blanc"] == ["recherche « Directeurs Lyon »"]


def test_a_basket_cannot_include_itself_through_another(town, marie):
    first = Basket.objects.create(owner=marie, name="Premier")
    second = Basket.objects.create(owner=marie, name="Second")
    BasketStep.objects.create(basket=second, included_basket=first)
    response = logged_in(marie).post(
        reverse("selections_baskets:edit", args=(first.pk,)),
        {**step_data(second), "name": "Premier"},
    )
    assert response.status_code == 200
    assert "inclurait lui-même par ce panier" in response.content.decode()
    assert not first.steps.exists()


def test_rows_added_and_removed_by_hand_from_results(town, marie, private):
    browser = logged_in(marie)
    alice_director = f"position-{town.positions.alice_director.pk}"
    response = browser.post(
        reverse("selections_baskets:add_rows"),
        {"row": [alice_director, f"personal-{town.bruno.pk}"], "new_basket_name": "À la main"},
    )
    basket = Basket.objects.get(name="À la main")
    assert basket.owner == marie
    assert response["Location"] == reverse("selections_baskets:basket", args=(basket.pk,))
    page = browser.get(response["Location"])
    assert sorted(rows_on(page)) == sorted([alice_director, f"personal-{town.bruno.pk}"])

    browser.post(
        reverse("selections_baskets:remove_rows", args=(basket.pk,)), {"row": [alice_director]}
    )
    page = browser.get(reverse("selections_baskets:basket", args=(basket.pk,)))
    assert rows_on(page) == [f"personal-{town.bruno.pk}"]

    # A removal wins over the basket's searches too.
    saison = private["basket"]
    browser.post(
        reverse("selections_baskets:remove_rows", args=(saison.pk,)), {"row": [alice_director]}
    )
    page = browser.get(reverse("selections_baskets:basket", args=(saison.pk,)))
    assert alice_director not in rows_on(page)


@pytest.mark.parametrize(
    "rows",
    [
        [],
        ["position-abc"],
        ["person-1"],
        ["position-1;DROP TABLE"],
        ["organisation-²", "personal-¹"],
        [f"personal-{n}" for n in range(501)],
    ],
)
def test_hostile_row_keys_change_nothing(town, marie, private, rows):
    browser = logged_in(marie)
    basket = private["basket"]
    response = browser.post(
        reverse("selections_baskets:add_rows"), {"row": rows, "basket": basket.pk}, follow=True
    )
    assert response.status_code == 200
    assert list(response.context["messages"])[0].level_tag == "error"
    assert basket.entries.count() == 1


def test_rows_of_ids_that_do_not_exist_are_ignored(town, marie, private):
    basket = private["basket"]
    logged_in(marie).post(
        reverse("selections_baskets:add_rows"), {"row": ["position-999999"], "basket": basket.pk}
    )
    assert basket.entries.count() == 1


def test_export_with_chosen_columns_escapes_formulae(town, marie, private):
    town.alice.first_name = "=1+1"
    town.alice.save()
    browser = logged_in(marie)
    url = reverse("selections_baskets:export", args=(private["basket"].pk,))
    response = browser.get(url, {"format": "csv", "columns": ["name", "email", "reasons"]})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "Nom complet;E-mail;Pourquoi elle est là"
    assert lines[1].startswith("'=1+1 Arnaud;")
    assert "a.arnaud@theatre-metz.fr" in lines[1]
    assert any(line.startswith("Denis Dupont;denis@perso.fr;ajouté à la main") for line in lines)

    workbook = browser.get(url, {"format": "xlsx", "columns": ["name", "capacity"]})
    content = b"".join(workbook.streaming_content)
    assert zipfile.is_zipfile(io.BytesIO(content))

    refused = browser.get(url, {"format": "pdf", "columns": ["password"]})
    assert refused.status_code == 200
    assert refused.context["form"].errors.keys() == {"format", "columns"}


def test_exported_phones_read_as_on_screen(town, marie, private):
    town.positions.alice_director.phone = "03 87 00 00 01"
    town.positions.alice_director.save()
    url = reverse("selections_baskets:export", args=(private["basket"].pk,))
    response = logged_in(marie).get(url, {"format": "csv", "columns": ["name", "phone"]})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Arnaud;03 87 00 00 01" in text
    assert "+33" not in text


def test_freeze_keeps_rows_as_they_were(town, marie, private):
    browser = logged_in(marie)
    browser.post(reverse("selections_baskets:freeze", args=(private["basket"].pk,)))
    snapshot = Snapshot.objects.exclude(label="Avant").get()
    assert snapshot.row_count == 3
    town.positions.alice_director.email = "nouvelle@theatre-metz.fr"
    town.positions.alice_director.save()
    page = browser.get(
        reverse("selections_baskets:snapshot", args=(private["basket"].pk, snapshot.pk))
    ).content.decode()
    assert "a.arnaud@theatre-metz.fr" in page and "nouvelle@" not in page
    response = browser.get(
        reverse("selections_baskets:snapshot_csv", args=(private["basket"].pk, snapshot.pk))
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "a.arnaud@theatre-metz.fr" in text and "nouvelle@" not in text


def test_add_to_basket_from_a_person_record(town, marie, private):
    browser = logged_in(marie)
    record = reverse("wagtailsnippets_directory_person:inspect", args=(town.alice.pk,))
    page = browser.get(record).content.decode()
    assert "Ajouter au panier" in page
    assert f'value="position-{town.positions.alice_board.pk}"' in page
    response = browser.post(
        reverse("selections_baskets:add_rows"),
        {
            "row": [f"position-{town.positions.alice_board.pk}"],
            "basket": private["basket"].pk,
            "next": record,
        },
    )
    assert response["Location"] == record
    assert private["basket"].entries.filter(position=town.positions.alice_board).exists()
    response = browser.post(
        reverse("selections_baskets:add_rows"),
        {
            "row": [f"personal-{town.alice.pk}"],
            "basket": private["basket"].pk,
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse(
        "selections_baskets:basket", args=(private["basket"].pk,)
    )


def test_a_colleague_does_not_see_private_names_in_forms_or_site_history(
    town, marie, paul, private
):
    # Transactional tests elsewhere re-create content types under new ids on
    # PostgreSQL; Wagtail's report reads them through this cache.
    ContentType.objects.clear_cache()
    browser = logged_in(paul)
    for url in (
        reverse("selections_baskets:add"),
        reverse(
            "selections_baskets:edit", args=(Basket.objects.create(owner=paul, name="À moi").pk,)
        ),
        "/admin/reports/site-history/",
    ):
        content = browser.get(url).content.decode()
        assert "Directeurs Grand Est" not in content and "Saison" not in content, url
    logged_in(marie).post(
        reverse("selections_searches:share", args=(private["search"].pk,)),
        {"shared_with_all_staff": "on"},
    )
    # Once shared, its history is hers to show (the report reads this queryset).
    shown = SelectionLogEntry.objects.viewable_by_user(paul).values_list("label", flat=True)
    assert list(shown) == ["Directeurs Grand Est"]


def test_unsharing_cuts_a_colleague_off_even_inside_his_basket(town, marie, paul, private):
    search = private["search"]
    search.shared_with_users.add(paul)
    his = Basket.objects.create(owner=paul, name="Le mien")
    BasketStep.objects.create(basket=his, search=search)
    browser = logged_in(paul)
    assert len(rows_on(browser.get(reverse("selections_baskets:basket", args=(his.pk,))))) == 2

    search.shared_with_users.clear()
    page = browser.get(reverse("selections_baskets:basket", args=(his.pk,)))
    assert "n’est plus partagée avec le propriétaire de ce panier" in page.content.decode()
    assert "Directeurs Grand Est" not in page.content.decode()
    assert "table" not in page.context
    export = browser.get(
        reverse("selections_baskets:export", args=(his.pk,)), {"format": "csv", "columns": ["name"]}
    )
    assert export.status_code == 200 and "n’est plus partagé" in export.content.decode()
    edit = browser.post(
        reverse("selections_baskets:edit", args=(his.pk,)),
        {**step_data(search), "name": "Le mien"},
    )
    assert "n’est plus partagée avec vous" in edit.content.decode()

    # Marie may still delete her search: the step in Paul's basket goes with it,
    # and she is not told the name of his basket.
    response = logged_in(marie).post(
        reverse("selections_searches:delete", args=(search.pk,)), follow=True
    )
    assert "Le mien" not in response.content.decode()
    assert SavedSearch.objects.filter(pk=search.pk).exists()  # her own basket "Saison" uses it
    private["basket"].steps.all().delete()
    logged_in(marie).post(reverse("selections_searches:delete", args=(search.pk,)))
    assert not SavedSearch.objects.filter(pk=search.pk).exists()
    assert not his.steps.exists()


def test_an_absurd_number_of_steps_is_refused_at_once(town, marie, private):
    data = {**step_data(private["search"]), "name": "Saison", "steps-TOTAL_FORMS": "100000000"}
    response = logged_in(marie).post(
        reverse("selections_baskets:edit", args=(private["basket"].pk,)), data
    )
    assert response.status_code == 200
    assert len(response.content) < 2_000_000
    assert private["basket"].steps.count() == 1


def test_my_searches_listing_says_what_is_shared_in_constant_queries(town, marie, paul):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = logged_in(marie)
    url = reverse("selections_searches:index")
    SavedSearch.objects.create(owner=marie, name="Seule", criteria=directors_in(town))
    browser.get(url)
    with CaptureQueriesContext(connection) as one:
        first = browser.get(url)
    for index in range(5):
        search = SavedSearch.objects.create(
            owner=marie, name=f"Partagée {index}", criteria=directors_in(town)
        )
        search.shared_with_users.add(paul)
    with CaptureQueriesContext(connection) as six:
        page = browser.get(url)
    assert len(six) == len(one)
    rows = page.context["table"].data
    assert {row.name: bool(row.has_users) for row in rows} == {
        "Seule": False,
        **{f"Partagée {index}": True for index in range(5)},
    }
    assert first.status_code == 200
