"""The naive baseline of the outreach benchmark: one Celery task per message,
each reading its delivery, compiling the template and sending alone (the
worker loads it with `celery worker -I crmsite.bench.outreach_tasks`)."""

from celery import shared_task


@shared_task(name="bench.send_one")
def send_one(delivery_id: int) -> None:
    from django.conf import settings
    from django.utils import timezone

    from outreach.email.message import build_message, compile_email
    from outreach.models import Delivery, DeliveryStatus
    from outreach.sending import merge_values, unsubscribe_url

    delivery = Delivery.objects.select_related("campaign").get(pk=delivery_id)
    campaign = delivery.campaign
    rendered = compile_email(campaign.subject, campaign.html, campaign.text).render(
        merge_values([delivery])[delivery.pk]
    )
    build_message(
        rendered.subject,
        rendered.text,
        rendered.html,
        settings.DEFAULT_FROM_EMAIL,
        delivery.coordinate,
        unsubscribe_url(delivery),
    ).send()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now()
    )
