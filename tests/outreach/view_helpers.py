"""What the tests of the outreach screens share: a signed-in browser, the
form a person fills to create a campaign, and sending with the task run at
once (Celery is eager in tests; the task is queued on commit)."""

from django.test import Client, TestCase
from django.urls import reverse

from outreach import actions


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add_url(basket) -> str:
    return reverse("outreach_campaigns:add") + f"?basket={basket.pk}"


def page_url(campaign) -> str:
    return reverse("outreach_campaigns:campaign", args=(campaign.pk,))


def url(name, campaign) -> str:
    return reverse(f"outreach_campaigns:{name}", args=(campaign.pk,))


def campaign_form(basket, chosen, channel="email", **changes) -> dict:
    """The creation form as a person fills it: `chosen` is the template."""
    data = {
        "name": "Saison 2027",
        "basket": basket.pk,
        "channel": channel,
        "template": f"{channel}-{chosen.pk}",
        "fallback": "skip",
        "merge": "person",
        "start_row": "1",
        "start_column": "1",
        "sort_by_postcode": "on",
    }
    data.update(changes)
    return data


def new_campaign(user, basket, template, channel="email", name="Saison 2027", **fields):
    field = {"email": "email_template", "sms": "sms_template", "post": "label_template"}[channel]
    return actions.create_campaign(
        user, basket=basket, name=name, channel=channel, **{field: template}, **fields
    )


def post_and_run(client, path, data=None):
    """POST, and run what the view queued on commit (the sending task)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, data or {})


def text(response) -> str:
    """The page, its non-breaking spaces (French typography) read as spaces."""
    return response.content.decode().replace("\xa0", " ")


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []
