"""A phone-sized screen (390 px wide): the workspace's phone stylesheet,
crmsite/static/crmsite/phone.css, on every admin page. Registered from
`crmsite/wagtail_hooks.py`."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_global_admin_css")
def phone_stylesheet():
    return format_html('<link rel="stylesheet" href="{}">', static("crmsite/phone.css"))
