"""An interest centre drawn as a chip in its colour, with black or white text
for contrast: one piece of markup for listings, records and choosers."""

from django.utils.html import format_html, format_html_join

CHIP_STYLE = (
    "display: inline-block; padding: 0.1em 0.6em; border-radius: 1em; font-size: 0.85em; "
    "font-weight: 600; line-height: 1.6; white-space: nowrap;"
)


def chip_html(centre) -> str:
    return format_html(
        '<span class="crm-chip" style="background-color: {}; color: {}; {}">{}</span>',
        centre.colour,
        centre.text_colour,
        CHIP_STYLE,
        centre.name,
    )


def chips_html(centres) -> str:
    return format_html_join(" ", "{}", ((chip_html(centre),) for centre in centres))
