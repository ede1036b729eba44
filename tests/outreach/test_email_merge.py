"""Merge fields: what staff type, what the checker says, what recipients see."""

import pytest
from django.utils.html import escape
from django.utils.translation import override

from outreach.email import merge

VALUES = {
    "civility": "Mme",
    "first_name": "Camille",
    "last_name": "Martin",
    "full_name": "Camille Martin",
    "function": "Directrice",
    "organisation": "Théâtre du Moulin",
    "email": "direction@moulin.example",
    "address": ["Théâtre du Moulin", "12 rue des Arts", "57000 METZ"],
    "postcode": "57000",
    "city": "METZ",
}


def test_a_sound_template_has_no_problem():
    text = "Bonjour {{ civilite }} {{nom}},\n{{ organisation }} — {{ fonction }} {{ adresse }}"
    assert merge.check(text) == []


@pytest.mark.parametrize(
    "typed",
    ["{{ prenom }}", "{{prenom}}", "{{  Prénom  }}", "{{ PRENOM }}", "{{ first_name }}",
     "{{ First Name }}", "{{first-name}}"],
)  # fmt: skip
def test_a_field_name_ignores_spaces_case_and_accents(typed):
    assert merge.check(typed) == []
    assert merge.render(typed, VALUES, html=False) == "Camille"


def test_multi_word_names_accept_spaces_or_underscores():
    assert merge.render("{{ code postal }} {{ Code_Postal }}", VALUES, html=False) == "57000 57000"
    assert merge.render("{{ nom complet }}", VALUES, html=False) == "Camille Martin"


def test_an_unknown_field_is_named_with_its_position_and_the_known_fields():
    with override("en"):
        problems = merge.check("Bonjour,\n  {{ prenon }} !")
    assert len(problems) == 1
    problem = problems[0]
    assert "line 2, column 3" in problem.lower()
    assert "prenon" in problem
    # the known fields are named in the reader's language (both names work everywhere)
    for known in ("civility", "first_name", "last_name", "function", "organisation", "address"):
        assert known in problem


def test_unknown_field_in_french():
    with override("fr"):
        (problem,) = merge.check("{{ foo }}")
    assert problem.startswith("Ligne 1, colonne 1")
    assert "«\u00a0foo\u00a0»" in problem
    assert "prenom" in problem


def test_an_unclosed_opening_is_reported_where_it_opens():
    with override("en"):
        problems = merge.check("Bonjour {{ prenom,\nbienvenue {{ nom }}")
    assert problems == ["Line 1, column 9: “{{” is never closed by “}}”."]


def test_a_stray_closing_is_reported():
    with override("en"):
        problems = merge.check("Bonjour prenom }} et {{ nom }}")
    assert problems == ["Line 1, column 16: “}}” without an opening “{{”."]


def test_an_empty_field_is_reported():
    with override("en"):
        problems = merge.check("ab\ncd {{   }}")
    assert len(problems) == 1
    assert problems[0].startswith("Line 2, column 4: empty merge field")


def test_every_problem_is_listed_in_order():
    with override("en"):
        problems = merge.check("{{ x }} }} {{ }} {{ nom")
    assert [problem.split(":")[0] for problem in problems] == [
        "Line 1, column 1",
        "Line 1, column 9",
        "Line 1, column 12",
        "Line 1, column 18",
    ]


def test_single_braces_are_plain_text():
    assert merge.check("{x} { nom } }") == []
    assert merge.render("{x} { nom }", VALUES, html=False) == "{x} { nom }"


def test_compile_refuses_a_broken_template_with_the_same_problems():
    with pytest.raises(merge.MergeTemplateError) as raised:
        merge.compile("{{ inconnu }}")
    assert raised.value.problems == merge.check("{{ inconnu }}")


def test_html_values_are_escaped_and_text_values_raw():
    values = {"last_name": "<script>alert(1)</script>", "first_name": "\"&'"}
    template = "<p>{{ prenom }} {{ nom }}</p>"
    html = merge.render(template, values, html=True)
    assert html == f"<p>{escape(values['first_name'])} {escape(values['last_name'])}</p>"
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&quot;&amp;&#x27;" in html
    text = merge.render("{{ prenom }} {{ nom }}", values, html=False)
    assert text == "\"&' <script>alert(1)</script>"


def test_a_value_is_never_read_as_template_code():
    values = {"last_name": "{{ prenom }}", "first_name": "Camille", "organisation": "}} {{"}
    out = merge.render("{{ nom }} / {{ organisation }}", values, html=False)
    assert out == "{{ prenom }} / }} {{"
    assert "Camille" not in out


def test_a_missing_or_empty_value_renders_as_nothing():
    template = merge.compile("Bonjour {{ civilite }} {{ nom }},")
    assert template.render({"last_name": "Martin"}) == "Bonjour  Martin,"
    assert template.render({"civility": None, "last_name": ""}) == "Bonjour  ,"


def test_address_lines_are_joined_by_line_breaks():
    assert merge.render("{{ adresse }}", VALUES, html=False) == (
        "Théâtre du Moulin\n12 rue des Arts\n57000 METZ"
    )
    assert merge.render("{{ adresse }}", VALUES, html=True) == (
        "Théâtre du Moulin<br>12 rue des Arts<br>57000 METZ"
    )
    multiline = {"address": "1 rue <A>\n57000 METZ"}
    assert merge.render("{{ adresse }}", multiline, html=True) == (
        "1 rue &lt;A&gt;<br>\n57000 METZ"
    )


def test_non_text_values_are_printed():
    assert merge.render("{{ code_postal }}", {"postcode": 57000}, html=True) == "57000"


def test_a_compiled_template_renders_many_recipients_and_knows_its_fields():
    template = merge.compile("{{ prenom }} {{ nom }} ({{ prenom }})", html=True)
    assert template.keys == ("first_name", "last_name")
    people = [{"first_name": f"P{i}", "last_name": f"<N{i}>"} for i in range(3)]
    assert [template.render(p) for p in people] == [
        "P0 &lt;N0&gt; (P0)",
        "P1 &lt;N1&gt; (P1)",
        "P2 &lt;N2&gt; (P2)",
    ]


def test_every_field_has_distinct_names_and_the_sample_covers_them():
    names = [merge.field_for_name(name) for f in merge.FIELDS for name in f.names]
    assert None not in names
    assert set(merge.sample_values()) == {f.key for f in merge.FIELDS}
    sample = "".join(f"{{{{ {f.french} }}}}" for f in merge.FIELDS)
    assert merge.check(sample) == []


def test_html_escaping_is_djangos_for_every_kind_of_value():
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    samples = [
        "".join(chr(code) for code in range(32, 127)),
        "Théâtre « l’Œuvre » — 50 % & <co>",
        mark_safe("<b>déjà « sûr »</b>"),  # marked safe by someone: still escaped
        gettext_lazy("Unsubscribe"),
        3.5,
    ]
    for value in samples:
        assert merge.render("{{ nom }}", {"last_name": value}, html=True) == escape(value)
