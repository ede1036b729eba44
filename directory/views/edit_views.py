"""The create and edit views of organisations and people: saving returns to the record.

After saving, the user lands on the record (the "fiche", Wagtail's inspect
view) of what they have just created or changed, not on the listing; the
message's button leads back to the listing.
"""

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages

from .base import CreateView, EditView


class ReturnToRecordMixin:
    # Declared so that the viewset passes it to the create view too.
    inspect_url_name = None

    def get_record_url(self):
        if self.inspect_url_name:
            return reverse(self.inspect_url_name, args=(quote(self.object.pk),))
        return None

    def get_success_url(self):
        return self.get_record_url() or super().get_success_url()

    def get_success_buttons(self):
        if not self.get_record_url():
            return super().get_success_buttons()
        if self.index_url_name:
            return [messages.button(reverse(self.index_url_name), _("Back to the list"))]
        return []


class RecordCreateView(ReturnToRecordMixin, CreateView):
    pass


class RecordEditView(ReturnToRecordMixin, EditView):
    pass
