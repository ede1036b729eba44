"""Every admin page, as each role, reads as natural French.

The pages are the URLs of `test_every_url` (Django's resolver, filled with
real ids), requested by GET in French. Their text (what is shown, what a
screen reader reads: `aria-label`, `title`, `placeholder`, `alt`, the value
of buttons) must not contain Wagtail's generic French ("un(e)", "Le(la)",
"créé(e)", "Ce(tte)", "Nouvel(le)"), English leftovers, Python's True,
False or None, or French punctuation without its non-breaking space.
"""

import html as html_lib
import json
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests import factories
from tests.crmsite import test_every_url
from tests.crmsite.test_every_url import _cases, _fill

world = test_every_url.world  # the same small world of records, as a fixture

# Wagtail's French for any model: "un(e)", "Le(la)", "créé(e)", "Ce(tte)"...
GENERIC_FRENCH = re.compile(r"\w\((?:e|le|la|tte|s|es|x)\)|\((?:e|le|la|tte)\)\w|\bLe\(la\)")
ENGLISH_LEFTOVERS = re.compile(
    r"\b(?:True|False|None|Password|Attempted Access|Username|Search|Add|Edit|Delete|"
    r"Save|Cancel|Status|Published|Draft|Live|Snippets?|Workflows?|Dashboard|Settings|"
    r"Reports|Help|Inspect|History|Usage|Sort by|Select all|More options|Close|Loading|"
    r"Unknown|Yes|Any|Interest centres?|Kind|Coordinates|Wagtail|Page not found)\b"
)
ZERO_AGO = re.compile(r"Il y a 0 minute")
# French puts a non-breaking space (U+00A0 or the narrow U+202F) before : ; ! ?
# and inside « »; a plain space or none at all is a typo.
PUNCTUATION = re.compile(r"[^\W\d_] [:;!?](?=\s|$)|[^\W\d_][;!?](?=\s|$)|« | »")
# A colon glued to a word, as in "Débloquer:" (not a time like 10:30 or a URL).
GLUED_COLON = re.compile(r"[^\W\d_]{2,}:(?=\s|$)")

ASCII_SPACES = re.compile(r"[ \t\r\n\f]+")
SHOWN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "aria-description")
SILENT_TAGS = {"script", "style", "template", "svg", "code", "pre", "textarea"}


class PageText(HTMLParser):
    """The text of a page as people read or hear it, one string per node."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.silent = 0

    def handle_starttag(self, tag, attrs):
        if tag in SILENT_TAGS:
            self.silent += 1
        attributes = dict(attrs)
        for name in SHOWN_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in SILENT_TAGS and self.silent:
            self.silent -= 1

    def handle_data(self, data):
        if not self.silent and data.strip(" \t\r\n\f"):
            # Runs of ASCII whitespace only: a non-breaking space is text.
            self.parts.append(" ".join(ASCII_SPACES.split(data.strip(" \t\r\n\f"))))


def page_texts(html: str) -> list[str]:
    parser = PageText()
    parser.feed(html)
    return parser.parts


def offences(texts, *, allowed=()) -> list[str]:
    found = []
    for text in texts:
        for word in allowed:  # what users typed is theirs: read the rest
            text = text.replace(word, "Nom")
        for rule, pattern in (
            ("generic French", GENERIC_FRENCH),
            ("English", ENGLISH_LEFTOVERS),
            ("zero minutes", ZERO_AGO),
            ("punctuation", PUNCTUATION),
            ("glued colon", GLUED_COLON),
        ):
            match = pattern.search(text)
            if match:
                found.append(f"{rule}: {match.group(0)!r} in {text[:120]!r}")
    return found


# Text that users typed, or that is a proper name, not the interface's.
WORLD_TEXTS = ("Quetzal", "Zorglub", "Ysolde", "marie", "paul", "theo", "admin", "@")


def _browser(user=None):
    browser = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="fr")
    if user is not None:
        browser.force_login(user)
    return browser


def _walk(world, users):
    problems = {}
    for case in _cases():
        name, route = case.values
        if name.startswith("bulk ") or route.startswith("^admin/(api|"):
            continue
        url = _fill(name, route, world)
        for role, user in users:
            response = _browser(user).get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            if getattr(response, "streaming", False):
                continue
            found = offences(page_texts(response.content.decode()), allowed=WORLD_TEXTS)
            if found:
                problems[f"{url} as {role}"] = sorted(set(found))
    return problems


def _report(problems) -> str:
    return "\n".join(
        f"{page}:\n  " + "\n  ".join(found) for page, found in sorted(problems.items())
    )


# Words are decided in Python and templates, the same on either database: read
# on the embedded one (on PostgreSQL it was a minute of CI's slower half).
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="the wording is read on SQLite (the same templates answer on PostgreSQL)",
)
@pytest.mark.parametrize("role", ["anonymous", "staff", "administrator", "client"])
def test_every_page_reads_as_natural_french(role, world, staff_user, admin_user, client_user):
    user = {"staff": staff_user, "administrator": admin_user, "client": client_user}.get(role)
    with translation.override("fr"):
        problems = _walk(world, [(role, user)])
    assert not problems, _report(problems)


@pytest.mark.parametrize(
    "text",
    [
        "Ajouter un(e) organisation",
        "Le(la) organisation a été créé(e).",
        "Ce(tte) personne",
        "Nouvel(le) : Organisation",
        "Aucun(e) organisations ne correspond",
        "Il y a 0 minute",
        "Password",
        "True",
        "Statut Status : Publié",
        "Supprimer None",
        "Débloquer: marie",
        "Nom : Dupont",
        "« Dupont »",
    ],
)
def test_the_walk_catches_each_known_leftover(text):
    assert offences([text])


@pytest.mark.parametrize(
    "text",
    [
        "Ajouter une organisation",
        "L\u2019organisation «\u00a0Théâtre\u00a0» a été créée.",
        "Nom\u00a0: Dupont",
        "Rendez-vous à 10:30",
        "Aucune organisation ne correspond à votre recherche.",
    ],
)
def test_the_walk_accepts_natural_french(text):
    assert not offences([text])


def test_a_person_record_reads_as_natural_french(staff_user):
    person = factories.PersonFactory(first_name="Ysolde", last_name="Quetzal")
    factories.PositionFactory(person=person)
    response = _browser(staff_user).get(f"/admin/directory/people/inspect/{person.pk}/")
    assert response.status_code == 200
    assert not offences(page_texts(response.content.decode()), allowed=WORLD_TEXTS)


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def test_the_scripts_strings_read_as_natural_french(staff_user):
    """What Wagtail's scripts write ("2 lignes sélectionnées" under a listing's
    bulk actions) comes from the page's configuration, not from its text."""
    page = _browser(staff_user).get("/admin/directory/people/").content.decode()
    found = re.search(r'<script id="wagtail-config" type="application/json">(.*?)</script>', page)
    assert found, "Wagtail's configuration is on the page"
    strings = list(_strings(json.loads(found.group(1))))
    assert "%(objects)s lignes sélectionnées" in strings
    assert not [text for text in strings if "fragment" in text]
    assert not offences(strings)


def _menu_links(node):
    if isinstance(node, dict):
        if isinstance(node.get("label"), str) and isinstance(node.get("url"), str):
            yield node["label"], node["url"]
        for item in node.values():
            yield from _menu_links(item)
    elif isinstance(node, list):
        for item in node:
            yield from _menu_links(item)


def _heading(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", found.group(1))) if found else ""
    return " ".join(ASCII_SPACES.split(text.strip()))


# A menu item may open a page that names what it does ("Recherche avancée"
# opens "Nouvelle recherche"), but the listings bear their menu's name.
MENU_OPENS = {"Recherche avancée": "Nouvelle recherche"}


def test_each_menu_item_opens_the_page_it_names(admin_user):
    browser = _browser(admin_user)
    home = browser.get("/admin/").content.decode()
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', home
    )
    assert props, "the sidebar's menu is on the page"
    links = [
        (label, url)
        for label, url in _menu_links(json.loads(props.group(1)))
        if url.startswith("/admin/")
    ]
    assert len(links) >= 10
    wrong = {}
    for label, url in links:
        heading = _heading(browser.get(url).content.decode())
        if heading != MENU_OPENS.get(label, label):
            wrong[label] = heading
    assert not wrong, wrong


def test_choosers_speak_of_a_person_not_of_personne(staff_user):
    from django.urls import reverse

    organisation = factories.OrganisationFactory()
    browser = _browser(staff_user)
    form = browser.get(f"/admin/directory/organisations/edit/{organisation.pk}/").content.decode()
    assert "Choisir une personne" in form and "Choisir personne" not in form
    modal = browser.get(reverse("wagtailsnippetchoosers_directory_person:choose")).json()
    assert "Choisir une personne" in modal["html"] and "Choisir personne" not in modal["html"]


def test_a_view_that_calls_for_the_phrases_gets_them(admin_user):
    """The directory's delete view says its own words for the trash, and asks
    the phrases for the rest: « Supprimer ce centre d’intérêt ? »."""
    centre = factories.InterestCentreFactory(name="Cirque")
    page = _browser(admin_user).get(f"/admin/directory/interest-centres/delete/{centre.pk}/")
    assert "Supprimer ce centre d’intérêt\u00a0?" in page.content.decode()
