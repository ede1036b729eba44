"""Template HTML: what survives sanitising, and the text body derived from it."""

import re

from outreach.email.sanitise import sanitise_html, text_from_html


def test_scripts_event_handlers_and_style_sheets_are_removed():
    dirty = (
        "<style>p { display: none }</style>"
        "<p onclick=\"steal()\">Bonjour<script>alert('x')</script></p>"
        '<img src="https://example.org/a.png" onerror="steal()">'
        '<iframe src="https://evil.example">inside</iframe>'
    )
    clean = sanitise_html(dirty)
    for gone in ("<style", "display", "onclick", "steal", "<script", "alert", "onerror", "iframe",
                 "inside"):  # fmt: skip
        assert gone not in clean
    assert "<p>Bonjour</p>" in clean
    assert '<img src="https://example.org/a.png">' in clean


def test_only_web_and_mail_links_are_kept_and_they_get_rel():
    clean = sanitise_html(
        '<a href="javascript:alert(1)">a</a>'
        '<a href="JaVaScRiPt:alert(1)">b</a>'
        '<a href="data:text/html,x">c</a>'
        '<a href="/relative">d</a>'
        '<a href="https://example.org/p?q=1&amp;r=2" title="Site">e</a>'
        '<a href="mailto:contact@example.org">f</a>'
    )
    assert "javascript" not in clean.lower()
    assert "data:" not in clean
    assert "/relative" not in clean
    assert (
        '<a href="https://example.org/p?q=1&amp;r=2" title="Site" rel="noopener noreferrer">e</a>'
        in clean
    )
    assert '<a href="mailto:contact@example.org" rel="noopener noreferrer">f</a>' in clean
    assert clean.count('rel="noopener noreferrer"') == 6


def test_the_tags_a_newsletter_needs_are_kept():
    html = (
        "<h1>Titre</h1><h2>Sous-titre</h2><h3>a</h3><h4>b</h4>"
        "<p>Un <strong>texte</strong> <em>riche</em><br>sur deux lignes</p>"
        "<ul><li>un</li></ul><ol><li>deux</li></ol>"
        '<img src="https://example.org/logo.png" alt="Logo" width="120" height="40">'
        '<table width="600"><tbody><tr><th>A</th><td colspan="2">B</td></tr></tbody></table>'
        "<div><span>c</span></div>"
    )
    assert sanitise_html(html) == html


def test_inline_styles_keep_only_layout_and_typography():
    clean = sanitise_html(
        '<p style="color: #333; text-align: center; position: fixed; '
        'background-image: url(https://evil.example/t.png)">x</p>'
    )
    assert "color:#333" in clean
    assert "text-align:center" in clean
    assert "position" not in clean
    assert "evil" not in clean


def test_merge_fields_pass_through():
    html = '<p>Bonjour {{ prénom }} {{nom}},</p><a href="mailto:{{ email }}">écrire</a>'
    clean = sanitise_html(html)
    assert "{{ prénom }}" in clean
    assert "{{nom}}" in clean
    assert 'href="mailto:{{ email }}"' in clean


def test_comments_and_unknown_tags_go_their_text_stays():
    assert sanitise_html("<!-- note --><blink>Hello</blink> <font>world</font>") == "Hello world"


def test_text_paragraphs_are_separated_by_a_blank_line():
    html = "<h1>Lettre  d’information</h1>\n<p>Bonjour,<br>\nvoici les\n nouvelles.</p><p>Fin.</p>"
    assert text_from_html(html) == "Lettre d’information\n\nBonjour,\nvoici les nouvelles.\n\nFin."


def test_text_shows_links_with_their_address():
    html = (
        '<p>Voir <a href="https://example.org/programme">le programme</a>, '
        '<a href="https://example.org">https://example.org</a> ou '
        '<a href="mailto:info@example.org">écrivez-nous</a> '
        '(<a href="mailto:info@example.org">info@example.org</a>).</p>'
    )
    assert text_from_html(html) == (
        "Voir le programme (https://example.org/programme), https://example.org "
        "ou écrivez-nous (info@example.org) (info@example.org)."
    )


def test_text_lists_start_with_a_dash():
    html = "<p>Au programme :</p><ul><li>théâtre</li><li>danse<ul><li>contemporaine</li></ul></li></ul><ol><li>un</li><li>deux</li></ol><p>Fin</p>"  # noqa: E501
    assert text_from_html(html) == (
        "Au programme :\n\n- théâtre\n- danse\n  - contemporaine\n\n1. un\n2. deux\n\nFin"
    )


def test_text_has_no_tags_or_entities_left():
    html = (
        "<p>Caf&eacute; &amp; th&#233;&acirc;tre &lt;3 &quot;ok&quot;&nbsp;!</p>"
        "<script>var a = 1;</script><style>p {}</style>"
        '<table><tr><td>A</td><td>B</td></tr></table><img src="x.png" alt="Affiche">'
    )
    text = text_from_html(html)
    assert text == 'Café & théâtre <3 "ok"\u00a0!\n\nA B\n\nAffiche'
    assert not re.search(r"&#?\w+;|</?[a-z]", text)


def test_text_of_an_empty_body_is_empty():
    assert text_from_html("") == ""
    assert text_from_html("<p> </p><br>") == ""


def test_paragraphs_inside_list_items_stay_on_the_item_line():
    html = "<ul><li><p>Un</p></li><li><p>Deux</p><p>suite</p></li></ul><p>Fin</p>"
    assert text_from_html(html) == "- Un\n- Deux\nsuite\n\nFin"
