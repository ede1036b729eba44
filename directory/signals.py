"""The consent history, written whenever a person is saved (`ConsentChange`).

Connected in `directory.apps`. Before a person is saved, its stored answers
are read; after, each channel whose answer changed (and « ne pas contacter »)
gets one history row. The source is what the writer said
(`person._consent_source = (kind, detail)`: an erasure, a merge) or else
« saisie dans l'espace » with the record's own source field as detail; the
user is the writer's (`person._consent_user`) or the admin request's
(Wagtail's log context).

Writes that bypass `save()` (the spreadsheet import's bulk path, queryset
updates) call `record_consent_change` themselves, or are not in the history.
"""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from wagtail.log_actions import get_active_log_context

from .models import Consent, Person
from .models.consents import ConsentChannel, ConsentSource, record_consent_change
from .models.people import CHANNELS

FIELDS = [*(f"{channel}_consent" for channel in CHANNELS), "do_not_contact"]


def _answers(values: dict) -> dict:
    answers = {channel: values.get(f"{channel}_consent") or "" for channel in CHANNELS}
    answers[ConsentChannel.CONTACT] = Consent.REFUSED if values.get("do_not_contact") else ""
    return answers


@receiver(pre_save, sender=Person, dispatch_uid="directory_consents_before")
def read_answers_before(sender, instance, raw=False, **kwargs):
    if raw:
        return
    stored = None
    if instance.pk:
        stored = Person.all_objects.filter(pk=instance.pk).values(*FIELDS).first()
    instance._consents_before = _answers(stored or {})


@receiver(post_save, sender=Person, dispatch_uid="directory_consents_after")
def record_changed_answers(sender, instance, raw=False, **kwargs):
    before = getattr(instance, "_consents_before", None)
    if raw or before is None:
        return
    del instance._consents_before
    after = _answers({name: getattr(instance, name) for name in FIELDS})
    kind, detail = getattr(instance, "_consent_source", None) or (ConsentSource.FORM, None)
    user = getattr(instance, "_consent_user", None) or get_active_log_context().user
    if user is None and kind == ConsentSource.FORM:
        kind = ConsentSource.OTHER
    for channel, value in after.items():
        if value == before[channel]:
            continue
        if channel == ConsentChannel.CONTACT:
            said, answered_on = detail or "", None
        else:
            said = detail if detail is not None else getattr(instance, f"{channel}_consent_source")
            answered_on = getattr(instance, f"{channel}_consent_date")
        record_consent_change(
            instance, channel, value, kind, detail=said, user=user, answered_on=answered_on
        )
