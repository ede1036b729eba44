"""« Historique des consentements » on a person's record: when and how each
consent was given or refused (`ConsentChange`), latest first.

Added through the records' extension point (`directory_record_panels`), for
whoever may read the person: staff and administrators.
"""

from wagtail.admin.ui.components import Component

from ..models import ConsentChange, Person

SHOWN = 30


class ConsentHistoryPanel(Component):
    template_name = "directory/panels/consent_history.html"

    def __init__(self, person):
        self.person = person

    @classmethod
    def for_record(cls, request, record):
        if not isinstance(record, Person) or not request.user.has_perm("directory.view_person"):
            return None
        return cls(record)

    def get_context_data(self, parent_context=None):
        changes = list(
            ConsentChange.objects.filter(person=self.person).select_related("changed_by")[
                : SHOWN + 1
            ]
        )
        for change in changes:
            user = change.changed_by
            change.by_label = (user.get_full_name().strip() or user.get_username()) if user else ""
        return {"changes": changes[:SHOWN], "more": len(changes) > SHOWN}
