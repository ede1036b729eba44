from django import template

from ..chips import chip_html, chips_html

register = template.Library()
register.filter("chip", chip_html)
register.filter("chips", chips_html)
