"""The labels of a postal campaign: the PDF to print and the CSV for a word
processor's mail merge.

Both are read from the campaign's deliveries whose status is « envoyé »
(for a postal campaign, every recipient once it is prepared), in the order
they were frozen (by postcode when the campaign asks it). Each delivery's
coordinate is its label, one line per line (`outreach.freezing`). The PDF
starts at the campaign's row and column on the first sheet
(`outreach.postal.pdf.render_labels`) and is written to a temporary file
served block by block; the CSV is streamed
(`outreach.postal.mailmerge.mailmerge_chunks`).

A campaign that is not a postal one, or not prepared yet, has no labels:
404.
"""

import itertools
import tempfile

from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail.admin import messages

from directory.streaming import FileExportResponse, StreamingExportResponse

from .. import actions
from ..models import Channel, Delivery, DeliveryStatus
from ..postal.mailmerge import mailmerge_chunks
from ..postal.pdf import render_labels
from .campaigns import campaign_url, visible_campaign
from .report import file_stem


def postal_campaign(request, pk):
    campaign = visible_campaign(request, pk)
    if campaign.channel != Channel.POST or not campaign.is_frozen:
        raise Http404
    return campaign


def sent_labels(campaign):
    """(lines, name, capacity) of each label, in the order they were frozen."""
    for coordinate, name, capacity in (
        Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENT)
        .order_by("pk")
        .values_list("coordinate", "name", "capacity")
        .iterator(chunk_size=2000)
    ):
        yield [line for line in coordinate.splitlines() if line.strip()], name, capacity


def _stem(campaign) -> str:
    return file_stem(campaign.name)


def labels_pdf(request, pk):
    campaign = postal_campaign(request, pk)
    if campaign.label_template is None:
        messages.error(
            request,
            _("The label sheet of this campaign was deleted: its labels can no longer be drawn."),
        )
        return redirect(campaign_url(campaign))
    layout = actions.label_layout(campaign.label_template)
    output = tempfile.TemporaryFile()  # noqa: SIM115  (closed by the response once sent)
    try:
        render_labels(
            (lines for lines, _name, _capacity in sent_labels(campaign)),
            layout,
            campaign.start_row,
            campaign.start_column,
            output,
            title=campaign.name,
        )
    except ValueError as error:
        output.close()
        messages.error(request, str(error))
        return redirect(campaign_url(campaign))
    output.seek(0)
    actions.record_download(request.user, campaign, "labels_pdf")
    return FileExportResponse(
        output,
        as_attachment=True,
        filename=_("labels-%(name)s.pdf") % {"name": _stem(campaign)},
        content_type="application/pdf",
    )


def mailmerge_csv(request, pk):
    campaign = postal_campaign(request, pk)
    actions.record_download(request.user, campaign, "mailmerge_csv")
    labels, extras = itertools.tee(sent_labels(campaign))
    response = StreamingExportResponse(
        mailmerge_chunks(
            (lines for lines, _name, _capacity in labels),
            extra_headings=[_("Name"), _("Capacity")],
            extra_values=([name, capacity] for _lines, name, capacity in extras),
        ),
        content_type="text/csv; charset=utf-8",
    )
    name = _("mailmerge-%(name)s.csv") % {"name": _stem(campaign)}
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
