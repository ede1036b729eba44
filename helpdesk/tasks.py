"""Celery tasks of the helpdesk: the notification e-mails (`helpdesk.notifications`),
queued by `helpdesk.actions` once their write has committed."""

from celery import shared_task


@shared_task(name="helpdesk.notify_message")
def notify_message(message_id: int) -> int:
    from .notifications import notify_message as notify

    return notify(message_id)


@shared_task(name="helpdesk.notify_new_ticket")
def notify_new_ticket(ticket_id: int) -> int:
    from .notifications import notify_new_ticket as notify

    return notify(ticket_id)
