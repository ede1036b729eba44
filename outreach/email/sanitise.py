"""The HTML of e-mail templates: what a newsletter may contain, and its plain-text twin.

`sanitise_html(html)` keeps what a newsletter needs and nothing that runs:

- tags: paragraphs and line breaks (`p`, `br`, `hr`, `div`, `span`,
  `blockquote`), emphasis (`strong`, `b`, `em`, `i`, `u`, `s`, `small`,
  `sub`, `sup`), headings `h1` to `h4`, lists (`ul`, `ol`, `li`), links `a`
  (`href`, `title`), images `img` (`src`, `alt`, `width`, `height`) and the
  basic layout tables (`table`, `caption`, `thead`, `tbody`, `tfoot`, `tr`,
  `th`, `td` with their usual sizing and alignment attributes);
- inline `style` on any of them, since mail clients ignore style sheets, but
  only the layout and typography properties of `STYLE_PROPERTIES` (no
  `position`, no `background` images, no `url()`);
- links and images only to `http`, `https` and `mailto` URLs: `javascript:`,
  `data:` and relative URLs (meaningless in a mailbox) are dropped, and every
  link gets `rel="noopener noreferrer"`;
- `script`, `style`, `title`, `iframe`, `object`, `embed`, `svg`, ... are
  removed with their content; other unknown tags, event attributes
  (`onclick`) and comments are removed, their text kept.

Merge fields (`{{ prenom }}`) are text and pass through untouched.

`text_from_html(html)` derives the text body when a template leaves it
empty: blocks become paragraphs separated by a blank line, `br` a line
break, list items lines starting with "- " ("1. " in a numbered list,
indented by level), links
"text (url)" (the URL once when it is the text), images their alt text;
no tag or entity is left (a non-breaking space stays one).
"""

import re
from html.parser import HTMLParser

import nh3

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "STYLE_PROPERTIES",
    "URL_SCHEMES",
    "sanitise_html",
    "text_from_html",
]

_TABLE_CELL = {"colspan", "rowspan", "width", "height", "align", "valign"}

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "div", "span", "blockquote",
        "strong", "b", "em", "i", "u", "s", "small", "sub", "sup",
        "h1", "h2", "h3", "h4",
        "ul", "ol", "li",
        "a", "img",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "*": {"style"},
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "table": {"width", "align", "border", "cellpadding", "cellspacing"},
    "td": _TABLE_CELL,
    "th": _TABLE_CELL,
    "ol": {"start"},
}

STYLE_PROPERTIES = frozenset(
    {
        "color", "background-color",
        "font-family", "font-size", "font-style", "font-weight", "line-height",
        "text-align", "text-decoration", "text-transform", "vertical-align",
        "width", "max-width", "height",
        "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
        "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
        "border", "border-top", "border-right", "border-bottom", "border-left",
        "border-collapse", "border-radius",
    }
)  # fmt: skip

URL_SCHEMES = frozenset({"http", "https", "mailto"})

#: removed together with their content (the rest of unknown tags keep their text)
_REMOVED_WITH_CONTENT = {
    "script", "style", "title", "noscript", "template", "iframe", "object", "embed",
    "svg", "math", "select", "textarea", "button",
}  # fmt: skip


def sanitise_html(html: str) -> str:
    """The template HTML reduced to the allowed tags, attributes, styles and URLs."""
    return nh3.clean(
        html or "",
        tags=set(ALLOWED_TAGS),
        clean_content_tags=_REMOVED_WITH_CONTENT,
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",
        link_rel="noopener noreferrer",
        filter_style_properties=set(STYLE_PROPERTIES),
        strip_comments=True,
    )


_BLOCKS = frozenset(
    {
        "p", "div", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
        "table", "caption", "thead", "tbody", "tfoot", "hr", "pre", "address",
        "section", "article", "header", "footer", "main", "nav", "aside", "figure",
        "form", "fieldset", "dl", "dd", "dt", "center",
    }
)  # fmt: skip
_SKIPPED = frozenset(_REMOVED_WITH_CONTENT | {"head"})
_HTML_SPACES = re.compile(r"[ \t\n\r\f]+")  # not \s: a non-breaking space is kept


class _TextWriter(HTMLParser):
    """Collects the text of an HTML fragment with paragraph, line and list breaks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._pending_breaks = 0  # newlines owed before the next text
        self._at_line_start = True
        self._skipping = 0
        self._lists: list[list] = []  # one [kind, counter] per open ul/ol
        self._links: list[tuple[str, int]] = []  # (href, index in out where its text starts)
        self._line_prefix = ""

    # breaks ----------------------------------------------------------------------
    def _break(self, count: int) -> None:
        if self.out:
            self._pending_breaks = max(self._pending_breaks, count)

    def _write(self, text: str) -> None:
        if self._pending_breaks:
            self.out.append("\n" * self._pending_breaks)
            self._pending_breaks = 0
            self._at_line_start = True
        if self._at_line_start:
            text = text.lstrip(" ")
            if not text:
                return
            if self._line_prefix:
                self.out.append(self._line_prefix)
                self._line_prefix = ""
            self._at_line_start = False
        self.out.append(text)

    # parser callbacks ---------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self._skipping += 1
            return
        if self._skipping:
            return
        attributes = dict(attrs)
        if tag == "br":
            if self.out and not self._pending_breaks:
                self.out.append("\n")
            self._at_line_start = True
        elif tag in ("ul", "ol"):
            self._break(1 if self._lists else 2)
            self._lists.append([tag, int(attributes.get("start") or 1) - 1])
        elif tag == "li":
            self._break(1)
            depth = max(len(self._lists), 1)
            marker = "-"
            if self._lists and self._lists[-1][0] == "ol":
                self._lists[-1][1] += 1
                marker = f"{self._lists[-1][1]}."
            self._line_prefix = "  " * (depth - 1) + marker + " "
            self._at_line_start = True
        elif tag == "tr":
            self._break(1)
        elif tag in ("td", "th"):
            if not self._at_line_start:
                self._write(" ")
        elif tag in _BLOCKS:
            if not self._line_prefix:  # a paragraph opening a list item stays on its line
                self._break(1 if self._lists else 2)
        elif tag == "a":
            self._links.append((attributes.get("href") or "", len(self.out)))
        elif tag == "img":
            alt = _HTML_SPACES.sub(" ", attributes.get("alt") or "").strip()
            if alt:
                self._write(alt)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self._skipping = max(self._skipping - 1, 0)
            return
        if self._skipping:
            return
        if tag in ("ul", "ol"):
            if self._lists:
                self._lists.pop()
            self._break(1 if self._lists else 2)
        elif tag in ("li", "tr"):
            self._break(1)
        elif tag in _BLOCKS:
            self._break(1 if self._lists else 2)
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            label = "".join(self.out[start:]).strip()
            if href.split(":", 1)[0].lower() not in URL_SCHEMES:
                return  # a relative or unsafe URL is not worth showing
            shown = href.removeprefix("mailto:")
            if shown not in (label, "") and href != label:
                self._write(f" ({shown if href.startswith('mailto:') else href})")

    def handle_data(self, data):
        if self._skipping:
            return
        text = _HTML_SPACES.sub(" ", data)
        if text:
            self._write(text)


_TRAILING_SPACES = re.compile(r"[ \t]+\n")
_MANY_BREAKS = re.compile(r"\n{3,}")


def text_from_html(html: str) -> str:
    """The plain-text body for an HTML body (see the module docstring)."""
    writer = _TextWriter()
    writer.feed(html or "")
    writer.close()
    text = "".join(writer.out)
    text = _TRAILING_SPACES.sub("\n", text)
    return _MANY_BREAKS.sub("\n\n", text).strip()
