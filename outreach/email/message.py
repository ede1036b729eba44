"""One campaign e-mail: rendered bodies, the personal unsubscribe link and headers, anymail data.

`compile_email(subject, html, text)` prepares a template once for a whole
campaign: the HTML is sanitised, the text body is derived from it when left
empty (from the template, so merge fields stay fields), and the three parts
are compiled; `render(values)` then gives a `RenderedEmail` per recipient,
the subject rendered unescaped, the HTML escaped.

`build_message(...)` makes the `EmailMultiAlternatives` handed to Django's
e-mail backend (an anymail provider in production):

- the subject is kept on one line: every run of white space, line breaks
  included, becomes one space, so no value can inject a header;
- the text body is derived from the HTML when empty;
- the personal unsubscribe link is appended to both bodies (« Se
  désinscrire »), inside `</body>` when the HTML has one;
- `List-Unsubscribe: <url>` and `List-Unsubscribe-Post:
  List-Unsubscribe=One-Click` are set (RFC 8058), over any caller's header of
  the same name;
- anymail's `metadata` (a dict, e.g. the delivery id, returned by the
  provider's tracking webhooks) and `tags` attributes are set when given.

The wording added to the message is in the site's language
(`settings.LANGUAGE_CODE`, French) unless `language` is given: what the
recipient reads does not depend on the language of the person who clicked
"send".
"""

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from . import merge
from .sanitise import sanitise_html, text_from_html
from .unsubscribe import unsubscribe_headers

__all__ = [
    "CompiledEmail",
    "PersonalParts",
    "RenderedEmail",
    "build_message",
    "compile_email",
    "one_line",
    "personal_parts",
]


def one_line(subject: str) -> str:
    """A subject on one line: white space runs (newlines, tabs, U+2028...) become one space."""
    return " ".join(str(subject or "").split())


class RenderedEmail(NamedTuple):
    subject: str
    text: str
    html: str


class CompiledEmail:
    """A template's subject, text and HTML compiled once; `render(values)` per recipient."""

    def __init__(self, subject: str, html: str = "", text: str = ""):
        clean_html = sanitise_html(html) if (html or "").strip() else ""
        if not (text or "").strip():
            text = text_from_html(clean_html)
        self.subject = merge.compile(subject or "", html=False)
        self.text = merge.compile(text, html=False)
        self.html = merge.compile(clean_html, html=True) if clean_html else None

    def render(self, values: Mapping) -> RenderedEmail:
        return RenderedEmail(
            subject=one_line(self.subject.render(values)),
            text=self.text.render(values),
            html=self.html.render(values) if self.html is not None else "",
        )


def compile_email(subject: str, html: str = "", text: str = "") -> CompiledEmail:
    """Compile a template for a campaign; raises merge.MergeTemplateError on a problem."""
    return CompiledEmail(subject, html, text)


_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def _html_with_link(html: str, url: str) -> str:
    footer = (
        '<p style="font-size:small;color:#666666">'
        f'<a href="{escape(url)}">{escape(_("Unsubscribe"))}</a></p>'
    )
    ends = list(_BODY_END.finditer(html))
    if ends:
        at = ends[-1].start()
        return f"{html[:at]}{footer}\n{html[at:]}"
    return f"{html}\n{footer}"


def _text_with_link(text: str, url: str) -> str:
    link = _("Unsubscribe: %(url)s") % {"url": url}
    return f"{text.rstrip()}\n\n-- \n{link}\n" if text.strip() else f"{link}\n"


class PersonalParts(NamedTuple):
    subject: str
    text: str
    html: str
    headers: dict


def personal_parts(
    subject: str,
    text: str,
    html: str,
    unsubscribe_url: str,
    headers: Mapping[str, str] | None = None,
    language: str | None = None,
) -> PersonalParts:
    """One recipient's subject on one line, bodies with their unsubscribe link, headers."""
    ours = unsubscribe_headers(unsubscribe_url)
    theirs = {
        name: value
        for name, value in (headers or {}).items()
        if name.lower() not in {our_name.lower() for our_name in ours}
    }
    text = text or (text_from_html(html) if html else "")
    with translation.override(language or settings.LANGUAGE_CODE):
        body = _text_with_link(text, unsubscribe_url)
        html_body = _html_with_link(html, unsubscribe_url) if html else ""
    return PersonalParts(one_line(subject), body, html_body, {**theirs, **ours})


def build_message(
    subject: str,
    text: str,
    html: str,
    from_email: str,
    to: str | Iterable[str],
    unsubscribe_url: str,
    headers: Mapping[str, str] | None = None,
    metadata: Mapping | None = None,
    tags: Iterable[str] | None = None,
    language: str | None = None,
) -> EmailMultiAlternatives:
    """The message for one recipient, ready for `send()` or a backend's `send_messages`."""
    parts = personal_parts(subject, text, html, unsubscribe_url, headers, language)
    message = EmailMultiAlternatives(
        subject=parts.subject,
        body=parts.text,
        from_email=from_email,
        to=[to] if isinstance(to, str) else list(to),
        headers=parts.headers,
    )
    if parts.html:
        message.attach_alternative(parts.html, "text/html")
    if metadata:
        message.metadata = dict(metadata)
    if tags:
        message.tags = list(tags)
    return message
