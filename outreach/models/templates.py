"""The templates administrators edit: e-mails, SMS and label sheets.

Their content is checked when saved (`outreach.actions`): merge fields
known, syntax whole, HTML sanitised, label layout fitting its page.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TemplateBase(models.Model):
    name = models.CharField(_("name"), max_length=150, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class EmailTemplate(TemplateBase):
    subject = models.CharField(_("subject"), max_length=200)
    html = models.TextField(
        _("message (HTML)"),
        help_text=_("Merge fields such as {{ prenom }} or {{ organisation }} are replaced."),
    )
    text = models.TextField(
        _("message (plain text)"),
        blank=True,
        help_text=_("Left empty, it is derived from the HTML message."),
    )

    class Meta(TemplateBase.Meta):
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")


class SmsTemplate(TemplateBase):
    body = models.TextField(_("message"), max_length=1600)

    class Meta(TemplateBase.Meta):
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")


class LabelTemplate(TemplateBase):
    """A sheet of labels: its layout in millimetres, and what a label shows."""

    preset = models.CharField(_("sheet"), max_length=40, blank=True)
    page_width = models.DecimalField(_("page width (mm)"), max_digits=6, decimal_places=2)
    page_height = models.DecimalField(_("page height (mm)"), max_digits=6, decimal_places=2)
    rows = models.PositiveSmallIntegerField(_("rows"))
    columns = models.PositiveSmallIntegerField(_("columns"))
    top_margin = models.DecimalField(_("top margin (mm)"), max_digits=6, decimal_places=2)
    left_margin = models.DecimalField(_("left margin (mm)"), max_digits=6, decimal_places=2)
    label_width = models.DecimalField(_("label width (mm)"), max_digits=6, decimal_places=2)
    label_height = models.DecimalField(_("label height (mm)"), max_digits=6, decimal_places=2)
    horizontal_pitch = models.DecimalField(
        _("horizontal pitch (mm)"), max_digits=6, decimal_places=2
    )
    vertical_pitch = models.DecimalField(_("vertical pitch (mm)"), max_digits=6, decimal_places=2)
    show_function = models.BooleanField(_("show the function line"), default=True)
    show_organisation = models.BooleanField(_("show the organisation's name"), default=True)

    class Meta(TemplateBase.Meta):
        verbose_name = _("label sheet")
        verbose_name_plural = _("label sheets")
