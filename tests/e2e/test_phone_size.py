"""A phone-sized screen (390 × 844): the listings, the records (fiches), the
dashboard and the quick search are usable — nothing cut off to the right of
the screen, no word broken letter by letter, the record's sections one under
the other, the buttons within reach — in headless Chromium.

Wide tables may scroll sideways inside their own box (overflow-x: auto), as
Wagtail's do; the page itself never does, and nothing sticks out of the screen
where no scrolling box lets the user reach it (Wagtail's <main> clips it).
Screenshots of every page are left in /tmp/phone/ to be looked at.
"""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from selections.models import Basket, BasketStep, SavedSearch
from tests import factories
from tests.factories import (
    PASSWORD,
    FunctionFactory,
    InterestCentreFactory,
    OrganisationFactory,
    OrganisationKindFactory,
    PersonFactory,
    PositionFactory,
)

from .conftest import sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/phone")

# What a user would call broken, measured in the page:
# - "overflow": the document wider than the screen (a sideways-scrolling page);
# - "cut": a visible element whose right edge is past the screen's, with no
#   box scrolling sideways between it and the page to reach it;
# - "broken": a word of six letters or more split across lines (its letters'
#   boxes on two lines or more), outside e-mail and web addresses, which may
#   wrap;
# - "break_all": text laid out with `word-break: break-all`.
MEASURE = r"""
() => {
    const doc = document.documentElement;
    const width = doc.clientWidth;
    const report = {overflow: doc.scrollWidth, cut: [], broken: [], break_all: []};
    const describe = (el) => {
        const text = (el.innerText || el.value || '').trim().replace(/\s+/g, ' ');
        const kind = String(el.className).trim().split(/\s+/)[0];
        return `${el.tagName.toLowerCase()}.${kind} «${text.slice(0, 50)}»`;
    };
    const shown = (el) => {
        const style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        const away = '.w-sr-only, [hidden], [aria-hidden="true"], .sidebar, #wagtail-sidebar';
        return box.width > 1 && box.height > 1 && style.visibility !== 'hidden'
            && !el.closest(away);
    };
    const scrollsSideways = (el) => {
        for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
            const overflow = getComputedStyle(box).overflowX;
            if (overflow === 'auto' || overflow === 'scroll') {
                return box.getBoundingClientRect().right <= width + 1;
            }
        }
        return false;
    };
    for (const el of document.body.querySelectorAll('*')) {
        if (el.getBoundingClientRect().right <= width + 1 || !shown(el)) continue;
        if (!scrollsSideways(el)) report.cut.push(describe(el));
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || !node.textContent.trim() || !shown(parent)) continue;
        if (['SCRIPT', 'STYLE', 'OPTION', 'TEXTAREA'].includes(parent.tagName)) continue;
        if (getComputedStyle(parent).wordBreak === 'break-all') {
            report.break_all.push(describe(parent));
        }
        const text = node.textContent;
        for (const token of text.matchAll(/\S+/g)) {
            if (/@|:\/\/|www\./.test(token[0])) continue;  // e-mail and web addresses may wrap
            for (const word of token[0].matchAll(/\p{L}{6,}/gu)) {
                const start = token.index + word.index;
                range.setStart(node, start);
                range.setEnd(node, start + word[0].length);
                const boxes = [...range.getClientRects()].filter((r) => r.width > 0);
                const lines = new Set(boxes.map((r) => Math.round(r.bottom)));
                if (lines.size > 1) report.broken.push(`${word[0]} in ${describe(parent)}`);
            }
        }
    }
    report.cut = [...new Set(report.cut)].slice(0, 10);
    report.broken = [...new Set(report.broken)].slice(0, 10);
    report.break_all = [...new Set(report.break_all)].slice(0, 10);
    return report;
}
"""

# The record's outermost sections, in the order of the page.
SECTIONS = """
() => [...document.querySelectorAll('main section')]
    .filter((s) => !s.parentElement.closest('main section') && s.getBoundingClientRect().height > 0
        && getComputedStyle(s).visibility !== 'hidden')
    .map((s) => {
        const box = s.getBoundingClientRect();
        return {
            title: (s.querySelector('h2, h3') || s).innerText.trim().split('\\n')[0],
            left: box.left, right: box.right, top: box.top, bottom: box.bottom,
        };
    })
"""


@pytest.fixture
def phone(browser, live_server):
    """One phone-sized browser context (its sign-in kept from page to page)."""
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def screenshot(page, name):
    """The whole page (Wagtail's <main> scrolls, not the document): the
    viewport stretched to its height for the picture, then put back."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        "() => Math.max(document.querySelector('main')?.scrollHeight || 0, innerHeight)"
    )
    page.set_viewport_size({"width": PHONE["width"], "height": min(height, 6000)})
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size(PHONE)


def visit(page, path, name):
    """Opens the page (its stylesheets and scripts loaded) and checks it."""
    response = page.goto(f"{page.base_url}{path}")
    assert response.status == 200, f"{path} answered {response.status}"
    return check(page, name)


def check(page, name):
    """The page's problems, as readable lines (none when it is usable)."""
    report = page.evaluate(MEASURE)
    screenshot(page, name)
    problems = []
    if report["overflow"] > PHONE["width"]:
        problems.append(f"{name}: the page is {report['overflow']} px wide")
    problems += [f"{name}: cut off on the right: {what}" for what in report["cut"]]
    problems += [f"{name}: word broken across lines: {what}" for what in report["broken"]]
    problems += [f"{name}: letters broken anywhere: {what}" for what in report["break_all"]]
    return problems


def stacking(page, name):
    """The record's problems of layout: its sections beside one another, or
    wider than the screen."""
    sections = page.evaluate(SECTIONS)
    if len(sections) < 3:
        return [f"{name}: the record's sections are missing: {sections}"]
    problems = [
        f"{name}: « {section['title']} » sits beside « {previous['title']} », not under it"
        for previous, section in zip(sections, sections[1:], strict=False)
        if section["top"] < previous["bottom"] - 1
    ]
    problems += [
        f"{name}: « {section['title']} » goes past the screen ({section['right']:.0f} px)"
        for section in sections
        if section["left"] < 0 or section["right"] > PHONE["width"] + 1
    ]
    return problems


def assert_within_screen(locator, what):
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, (
        f"{what} is outside the screen: {box}"
    )
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] + 1, (
        f"{what} is outside the screen: {box}"
    )


def directory():
    """Long names, long e-mail and web addresses, many positions, many
    interest centres: what squeezes a phone's columns."""
    library = OrganisationKindFactory(name="Médiathèque")
    venue = OrganisationKindFactory(name="Lieu de spectacle")
    director = FunctionFactory(name="Directeur·rice")
    mediator = FunctionFactory(name="Médiateur·rice culturel·le")
    centres = [
        InterestCentreFactory(name=name)
        for name in ("Cinéma", "Éducation artistique", "Musiques actuelles", "Littérature")
    ]
    museum = OrganisationFactory(
        name="Musée départemental des instruments de musique du Vaucluse",
        kind=venue,
        email="contact@musee-departemental-des-instruments-du-vaucluse.fr",
        website="https://www.musee-departemental-des-instruments-du-vaucluse.fr/accueil",
        address_line1="111 allée des Tilleuls",
        postcode="84000",
        city="Avignon",
    )
    museum.interest_centres.set(centres)
    for number in range(12):
        OrganisationFactory(
            name=f"Bibliothèque municipale de Saint-Étienne-du-Rouvray {number}",
            kind=library,
            city="Saint-Étienne-du-Rouvray",
            postcode="76800",
        ).interest_centres.set(centres)
    names = [
        ("Bérénice", "Baron-Delacroix", "berenice.baron-delacroix"),
        ("Maëlle", "Bertrand", "maelle.bertrand"),
        ("Pierre-Yves", "Arnaud", "pierre-yves.arnaud"),
        ("Anne-Sophie", "Castelnau-Montravel", "anne-sophie.castelnau-montravel"),
    ]
    people = []
    for index in range(14):
        first, last, address = names[index % len(names)]
        person = PersonFactory(first_name=first, last_name=f"{last}{index}", city="Grenoble")
        PositionFactory(
            person=person,
            organisation=museum,
            function=mediator if index % 2 else director,
            email=f"{address}{index}@musee-departemental-du-vaucluse.fr",
            phone="04 90 12 34 56",
            start_date=datetime.date(2020, 1, 1),
        )
        people.append(person)
    cedric = people[3]
    for number in range(3):
        PositionFactory(
            person=cedric,
            organisation=OrganisationFactory(name=f"Conservatoire à rayonnement régional {number}"),
            function=mediator,
            email=f"anne-sophie.castelnau-montravel@conservatoire-{number}.fr",
        )
    return museum, cedric


def selections(owner, colleague):
    criteria = {
        "match": "all",
        "rules": [{"field": "organisation.city", "operator": "contains", "value": "Avignon"}],
    }
    search = SavedSearch.objects.create(
        owner=owner,
        name="Directeurs et directrices des lieux de spectacle en Provence-Alpes-Côte d'Azur",
        description="Pour l'invitation à la présentation de la saison 2026-2027",
        criteria=criteria,
    )
    SavedSearch.objects.create(
        owner=colleague,
        name="Programmateurs et programmatrices partagés",
        criteria=criteria,
        shared_with_all_staff=True,
    )
    basket = Basket.objects.create(
        owner=owner,
        name="Invitations au festival d'automne de la médiathèque départementale",
        description="Liste des invités",
    )
    BasketStep.objects.create(
        basket=basket, operation=BasketStep.Operation.UNION, search=search, sort_order=0
    )
    return search, basket


def test_the_workspace_on_a_phone(phone, transactional_db):
    museum, person = directory()
    marie = factories.staff(username="marie", first_name="Marie", last_name="Martin")
    paul = factories.staff(username="paul", first_name="Paul", last_name="Petit")
    search, basket = selections(marie, paul)
    sign_in(phone, "marie", PASSWORD)

    problems = []
    for path, name in [
        ("/admin/", "dashboard"),
        ("/admin/directory/organisations/", "organisations"),
        ("/admin/directory/people/", "people"),
        ("/admin/selections/searches/", "searches"),
        ("/admin/selections/searches/shared/", "searches-shared"),
        ("/admin/selections/baskets/", "baskets"),
        ("/admin/selections/baskets/shared/", "baskets-shared"),
        (f"/admin/selections/searches/{search.pk}/", "search-results"),
        (f"/admin/selections/baskets/{basket.pk}/", "basket"),
    ]:
        problems += visit(phone, path, name)

    # The records: usable, and their sections one under the other.
    for path, name in [
        (f"/admin/directory/organisations/inspect/{museum.pk}/", "organisation-record"),
        (f"/admin/directory/people/inspect/{person.pk}/", "person-record"),
    ]:
        problems += visit(phone, path, name)
        problems += stacking(phone, name)
    assert problems == [], "\n".join(problems)

    # The quick search, from the header's menu: typed, sent, its results listed.
    phone.goto(f"{phone.base_url}/admin/directory/organisations/")
    phone.locator(".sidebar-nav-toggle--mobile").click()
    search_box = phone.locator("#menu-search-q")
    assert_within_screen(search_box, "The quick search box")
    search_box.fill("musee vaucluse")
    search_box.press("Enter")
    phone.wait_for_url("**/admin/directory/search/**")
    expect(phone.get_by_role("link", name=museum.name)).to_be_visible()
    problems = check(phone, "quick-search")
    assert problems == [], "\n".join(problems)

    # The bulk actions: once a row is ticked, their bar is on the screen,
    # not below the last row and the pagination.
    phone.goto(f"{phone.base_url}/admin/directory/organisations/")
    phone.locator("table.listing tbody tr input[type=checkbox]").first.check()
    bar = phone.locator(".bulk-actions-choices.footer")
    expect(bar).not_to_have_class("hidden")
    phone.wait_for_timeout(300)  # its sliding in
    assert_within_screen(bar, "The bulk actions bar")
    screenshot(phone, "organisations-bulk-actions")


def test_the_client_home_on_a_phone(phone, transactional_db):
    factories.client(username="cliente")
    sign_in(phone, "cliente", PASSWORD)
    problems = visit(phone, "/admin/", "client-home")
    assert problems == [], "\n".join(problems)
