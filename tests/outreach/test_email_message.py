"""Building a campaign e-mail: headers, unsubscribe link, anymail data, safe subject."""

import json

import pytest
import responses
from django.core import mail
from django.utils.translation import override

from outreach.email.merge import MergeTemplateError
from outreach.email.message import build_message, compile_email

URL = "https://crm.example.org/desinscription/4021.abc.def/"


def _message(**overrides):
    arguments = {
        "subject": "Saison 2025",
        "text": "Bonjour Camille,\nVoici la saison.",
        "html": "<p>Bonjour Camille,</p><p>Voici la saison.</p>",
        "from_email": "Agence culturelle <info@agence.example>",
        "to": "direction@theatre.example",
        "unsubscribe_url": URL,
    }
    arguments.update(overrides)
    return build_message(**arguments)


def test_the_message_carries_the_one_click_unsubscribe_headers():
    message = _message(headers={"List-Unsubscribe": "<mailto:old@x>", "X-Campaign": "7"})
    assert message.extra_headers == {
        "X-Campaign": "7",
        "List-Unsubscribe": f"<{URL}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    serialised = message.message()
    assert serialised["List-Unsubscribe"] == f"<{URL}>"
    assert serialised["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert serialised.get_all("List-Unsubscribe") == [f"<{URL}>"]


def test_the_link_is_appended_to_both_bodies_in_french():
    message = _message()
    assert message.to == ["direction@theatre.example"]
    assert message.body.startswith("Bonjour Camille,\nVoici la saison.\n\n")
    assert message.body.rstrip().endswith(f"Se désinscrire\u00a0: {URL}")
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert html.startswith("<p>Bonjour Camille,</p><p>Voici la saison.</p>")
    assert f'<a href="{URL}">Se désinscrire</a>' in html


def test_the_wording_follows_the_site_not_the_sender():
    with override("en"):
        message = _message()
    assert "Se désinscrire" in message.body
    assert "Unsubscribe" in _message(language="en").body


def test_the_html_link_goes_inside_the_body_element():
    html = "<html><body><p>Bonjour</p></body></html>"
    ((body, _mimetype),) = _message(html=html).alternatives
    assert body.index("Se désinscrire") < body.index("</body>")
    assert body.endswith("</body></html>")


def test_an_empty_text_body_is_derived_from_the_html():
    message = _message(
        text="", html='<p>Bonjour,</p><p>Voir <a href="https://a.example">ici</a>.</p>'
    )
    assert message.body.startswith("Bonjour,\n\nVoir ici (https://a.example).\n\n")
    assert URL in message.body


def test_a_text_only_message_has_no_html_part():
    message = _message(html="")
    assert message.alternatives == []
    assert URL in message.body


def test_the_subject_cannot_inject_headers():
    message = _message(subject="Bonjour\r\nBcc: victim@example.org\n\tX-Evil: 1\u2028fin")
    assert message.subject == "Bonjour Bcc: victim@example.org X-Evil: 1 fin"
    serialised = message.message()
    assert serialised["Bcc"] is None
    assert serialised["X-Evil"] is None
    assert message.recipients() == ["direction@theatre.example"]


def test_anymail_metadata_and_tags_are_set_when_given():
    message = _message(metadata={"delivery": "4021", "campaign": "7"}, tags=["campagne-7"])
    assert message.metadata == {"delivery": "4021", "campaign": "7"}
    assert message.tags == ["campagne-7"]
    plain = _message()
    assert not hasattr(plain, "metadata")
    assert not hasattr(plain, "tags")


def test_anymail_hands_headers_metadata_and_tags_to_the_provider(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    message = _message(metadata={"delivery": "4021"}, tags=["campagne-7"])
    message.send()
    (sent,) = mail.outbox
    params = sent.anymail_test_params
    assert params["metadata"] == {"delivery": "4021"}
    assert params["tags"] == ["campagne-7"]
    assert params["extra_headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@responses.activate
def test_brevo_receives_the_headers_metadata_and_tags(settings):
    settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    settings.ANYMAIL = {"BREVO_API_KEY": "xkeysib-test"}
    responses.post(
        "https://api.brevo.com/v3/smtp/email",
        json={"messageId": "<202501011200.12345678901@smtp-relay.mailin.fr>"},
        status=201,
    )
    message = _message(metadata={"delivery": "4021"}, tags=["campagne-7"])
    assert message.send() == 1
    (call,) = responses.calls
    assert call.request.headers["api-key"] == "xkeysib-test"
    payload = json.loads(call.request.body)
    assert payload["subject"] == "Saison 2025"
    assert payload["to"] == [{"email": "direction@theatre.example"}]
    assert payload["headers"]["List-Unsubscribe"] == f"<{URL}>"
    assert payload["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert json.loads(payload["headers"]["X-Mailin-custom"]) == {"delivery": "4021"}
    assert payload["tags"] == ["campagne-7"]
    assert "Se désinscrire" in payload["htmlContent"]
    assert URL in payload["textContent"]
    assert message.anymail_status.message_id == "<202501011200.12345678901@smtp-relay.mailin.fr>"


def test_a_compiled_email_renders_each_recipient_safely():
    template = compile_email(
        subject="{{ prenom }}, la saison de {{ organisation }}",
        html='<p onclick="x()">Bonjour {{ civilite }} {{ nom }},</p><script>x()</script>'
        '<p><a href="https://a.example">Programme</a></p>',
    )
    values = {
        "first_name": "Camille\r\nBcc: x@y",
        "civility": "Mme",
        "last_name": "<b>Martin</b> {{ prenom }}",
        "organisation": "Théâtre <&>",
    }
    rendered = template.render(values)
    assert rendered.subject == "Camille Bcc: x@y, la saison de Théâtre <&>"
    assert rendered.html == (
        "<p>Bonjour Mme &lt;b&gt;Martin&lt;/b&gt; {{ prenom }},</p>"
        '<p><a href="https://a.example" rel="noopener noreferrer">Programme</a></p>'
    )
    # the text body was derived from the template: raw values, links spelt out
    assert rendered.text == (
        "Bonjour Mme <b>Martin</b> {{ prenom }},\n\nProgramme (https://a.example)"
    )
    message = build_message(*rendered, "info@agence.example", "c@example.org", URL)
    assert message.subject == rendered.subject


def test_a_given_text_body_is_kept():
    template = compile_email("Objet", html="<p>HTML {{ nom }}</p>", text="Texte {{ nom }}")
    assert template.render({"last_name": "M"}).text == "Texte M"


def test_a_broken_template_does_not_compile():
    with pytest.raises(MergeTemplateError):
        compile_email("Bonjour {{ prenom", html="<p>x</p>")
