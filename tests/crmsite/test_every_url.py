"""Every URL of the site, as every role, by GET and POST.

The URL patterns are read from Django's resolver, so a URL added later is
tried here without anyone remembering to: until `EXPECTED` states who may
reach it, its test fails. Each pattern is filled with real ids of a small
world (`world`), where another staff member owns private selections, and
requested as an anonymous visitor, a client, a staff member who does not own
the objects, their owner and an administrator. It checks that:

* anonymous visitors are sent to the login page (but for public URLs);
* clients reach only their pages; staff reach no administrator's page;
* nobody gets a 500;
* nobody but the owner (and those it is shared with) gets a 200 on a private
  selection, administrators included;
* no body shown to a client names a contact, and none shown to a non-owner
  names another's private selection.
"""

import re
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from wagtail.admin.models import EditingSession
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.log_actions import log

from crmsite.roles import STAFF
from crmsite.urls import not_used_here
from directory.models import Comment
from selections.models import Basket, BasketEntry, BasketStep, SavedSearch, Snapshot
from tests import factories

# Who may reach a URL, by URL name (or route, for unnamed patterns):
PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed in"  # every signed-in user, clients included
STAFF_ONLY = "staff"  # staff and administrators
ADMIN_ONLY = "administrators"  # administrators only
PRIVATE = "owner"  # the owner of a private selection (and those it is shared with)
GONE = "gone"  # a CMS URL this product does not use: 404 for everyone
HELPDESK = "helpdesk"  # clients and staff (the helpdesk's own pages)
TICKET = "ticket"  # staff; a client only their own tickets and those open to all clients
API_TOKEN = "api token"  # the private API: an API client's token, never a session (401)

DIRECTORY_MODELS = ("organisation", "person", "interestcentre", "organisationkind", "function")
REFERENCE_LISTS = ("interestcentre", "organisationkind", "function")


def _snippet_expectations():
    expected = {}
    for model in DIRECTORY_MODELS:
        edited_by = ADMIN_ONLY if model in REFERENCE_LISTS else STAFF_ONLY
        namespace = f"wagtailsnippets_directory_{model}"
        for view in ("list", "list_results", "inspect", "history", "history_results", "usage"):
            expected[f"{namespace}:{view}"] = STAFF_ONLY
        for view in ("add", "edit", "delete"):
            expected[f"{namespace}:{view}"] = edited_by
        choosers = f"wagtailsnippetchoosers_directory_{model}"
        for view in ("choose", "choose_results", "chosen", "chosen_multiple"):
            expected[f"{choosers}:{view}"] = STAFF_ONLY
        expected[f"{choosers}:create"] = edited_by
        if model in REFERENCE_LISTS:  # directory.views.list_transfer
            expected[f"{namespace}:export"] = STAFF_ONLY
            expected[f"{namespace}:import"] = ADMIN_ONLY
            expected[f"{namespace}:import_run"] = ADMIN_ONLY
    return expected


EXPECTED = {
    "healthz": PUBLIC,
    "wagtailadmin_login": PUBLIC,
    "wagtailadmin_password_reset": PUBLIC,
    "wagtailadmin_password_reset_done": PUBLIC,
    "wagtailadmin_password_reset_confirm": PUBLIC,
    "wagtailadmin_password_reset_complete": PUBLIC,
    "wagtailadmin_javascript_catalog": PUBLIC,
    "wagtailadmin_sprite": PUBLIC,
    # Outreach's public endpoints: a signed token or a secret, never a session.
    "outreach_unsubscribe": PUBLIC,
    "outreach_sms_brevo_inbound": PUBLIC,
    **{
        f"anymail:{provider}_tracking_webhook": PUBLIC
        for provider in ("brevo", "mailjet", "mailtrap", "postmark", "sendgrid", "sparkpost")
    },
    "wagtailadmin_home": SIGNED_IN,
    "wagtailadmin_account": SIGNED_IN,
    "wagtailadmin_logout": SIGNED_IN,
    "wagtailadmin_dismissibles": SIGNED_IN,
    "crm_dismissibles": SIGNED_IN,
    "wagtailadmin_error_test": GONE,
    "wagtailadmin_tag_autocomplete": GONE,
    "wagtailadmin_tag_model_autocomplete": GONE,
    "wagtailadmin_block_preview": GONE,
    # Answered by `crm_bulk_action`, declared in its place, before it.
    "wagtail_bulk_action": GONE,
    # Editing sessions are not used: 404 (crmsite/urls.py, UNUSED_ADMIN_URLS).
    "wagtailadmin_editing_sessions:ping": GONE,
    "wagtailadmin_editing_sessions:release": GONE,
    "crm_site_history": STAFF_ONLY,
    "crm_site_history_results": STAFF_ONLY,
    "wagtailadmin_reports:site_history": STAFF_ONLY,
    "wagtailadmin_reports:site_history_results": STAFF_ONLY,
    "wagtailsnippets:index": STAFF_ONLY,
    "directory_search": STAFF_ONLY,
    "directory_comments:add": STAFF_ONLY,
    "directory_comments:edit": STAFF_ONLY,
    "directory_comments:delete": STAFF_ONLY,
    "directory_trash:index": STAFF_ONLY,
    "directory_trash:restore": STAFF_ONLY,
    "directory_trash:purge": ADMIN_ONLY,
    "directory_trash:empty": ADMIN_ONLY,
    **_snippet_expectations(),
    **{
        f"lockouts:{view}": ADMIN_ONLY
        for view in ("index", "index_results", "add", "edit", "delete", "history")
    },
    "lockouts:history_results": ADMIN_ONLY,
    "lockouts:usage": ADMIN_ONLY,
    **{
        f"selections_{kind}:{view}": STAFF_ONLY
        for kind in ("searches", "baskets")
        for view in ("index", "index_results", "add", "shared", "shared_results")
    },
    "selections_searches:count": STAFF_ONLY,
    "selections_searches:organisations": STAFF_ONLY,
    "selections_searches:help": STAFF_ONLY,
    "selections_baskets:add_rows": STAFF_ONLY,
    **{
        f"selections_searches:{view}": PRIVATE
        for view in (
            "edit",
            "delete",
            "history",
            "history_results",
            "usage",
            "results",
            "share",
            "copy",
            "export",
        )
    },
    # The spreadsheet import: administrators only; a job is its uploader's.
    **{
        f"directory_imports:{view}": ADMIN_ONLY
        for view in ("index", "new", "job", "mapping", "preview", "status", "rejected")
    },
    **{
        f"selections_baskets:{view}": PRIVATE
        for view in (
            "edit",
            "delete",
            "history",
            "history_results",
            "usage",
            "basket",
            "share",
            "export",
            "remove_rows",
            "cancel_entry",
            "freeze",
            "snapshot",
            "snapshot_csv",
            "snapshot_xlsx",
        )
    },
    **{
        f"wagtailusers_{screens}:{view}": ADMIN_ONLY
        for screens in ("users", "groups")
        for view in (
            "index",
            "index_results",
            "add",
            "edit",
            "delete",
            "history",
            "history_results",
            "usage",
        )
    },
    "wagtailusers_users:copy": ADMIN_ONLY,
    # Campaigns: staff and administrators; one campaign is seen by its author
    # and those who see its basket (the world's is on a private basket).
    **{f"outreach_campaigns:{view}": STAFF_ONLY for view in ("index", "index_results", "add")},
    **{
        f"outreach_campaigns:{view}": PRIVATE
        for view in (
            "campaign",
            "edit",
            "delete",
            "history",
            "history_results",
            "status",
            "send",
            "schedule",
            "test",
            "cancel",
            "duplicate",
            "report_csv",
            "labels_pdf",
            "mailmerge_csv",
        )
    },
    # Templates: staff read them, administrators edit them.
    **{
        f"outreach_{kind}templates:{view}": STAFF_ONLY
        for kind in ("email", "sms", "label")
        for view in ("index", "index_results", "inspect", "history", "history_results")
    },
    **{
        f"outreach_{kind}templates:{view}": ADMIN_ONLY
        for kind in ("email", "sms", "label")
        for view in ("add", "edit", "delete")
    },
    # The helpdesk: clients and staff; the world's ticket is another client's private one.
    "helpdesk:index": HELPDESK,
    "helpdesk:new": HELPDESK,
    **{
        f"helpdesk:{view}": TICKET
        for view in (
            "ticket",
            "reply",
            "assign",
            "status",
            "settings",
            "add_participant",
            "remove_participant",
        )
    },
    # The planner: staff and administrators, each their own tasks only (the
    # world's task is the owner's); its chooser creates nothing; the calendar
    # feed is reached by its secret token, without a session.
    **{f"planner_tasks:{view}": STAFF_ONLY for view in ("list", "list_results", "add", "calendar")},
    **{
        f"planner_tasks:{view}": PRIVATE
        for view in (
            "edit",
            "delete",
            "inspect",
            "history",
            "history_results",
            "usage",
            "done",
            "reopen",
        )
    },
    **{
        f"planner_task_chooser:{view}": STAFF_ONLY
        for view in ("choose", "choose_results", "chosen_multiple")
    },
    "planner_task_chooser:chosen": PRIVATE,
    "planner_task_chooser:create": GONE,
    "planner_feed": PUBLIC,
    # Settings edited in the workspace (wagtail.contrib.settings): sign-in, for
    # administrators (filled here with an unknown app: 404; the setting itself
    # is tried in tests/crmsite/sso/test_password_form.py).
    "wagtailsettings:edit": ADMIN_ONLY,
    "wagtailsettings:preview_on_edit": ADMIN_ONLY,
    "crm_setting_edit": ADMIN_ONLY,
    # Wagtail's catch-all: an unknown admin URL answers 404.
    "admin/^.*/$": STAFF_ONLY,
}

# Activity kinds: the administrators' list (directory.views.activity_kinds); its
# chooser names kinds to staff as the other lists' do, and creates none (a code is needed).
EXPECTED.update(
    {
        f"wagtailsnippets_directory_activitykind:{view}": ADMIN_ONLY
        for view in ("list", "list_results", "add", "edit", "delete", "usage")
        + ("history", "history_results", "inspect")
    }
)
EXPECTED.update(
    {
        f"wagtailsnippetchoosers_directory_activitykind:{view}": STAFF_ONLY
        for view in ("choose", "choose_results", "chosen", "chosen_multiple")
    }
)
EXPECTED["wagtailsnippetchoosers_directory_activitykind:create"] = GONE

# The private API (crmsite.api): its schema and documentation are public; every
# other address answers a session, whoever's, with a JSON refusal.
EXPECTED.update(
    {
        "api-v1:openapi-json": PUBLIC,
        "api-v1:openapi-view": PUBLIC,
        "api/v1/": API_TOKEN,
        **{
            f"api-v1:{view}": API_TOKEN
            for view in (
                "api-root",
                "list_organisations",
                "upsert_organisation",
                "get_organisation",
                "list_people",
                "upsert_person",
                "get_person",
                "record_activity",
                "organisation_activities",
                "person_activities",
            )
        },
    }
)
# The API clients: administrators only (crmsite.views.api_clients).
EXPECTED.update(
    {
        f"crmsite_api_clients:{view}": ADMIN_ONLY
        for view in ("index", "index_results", "add", "edit", "delete", "history")
        + ("history_results", "usage", "renew", "revoke")
    }
)
# Likely duplicates and their merge: staff and administrators.
EXPECTED.update(
    {
        f"directory_duplicates:{view}": STAFF_ONLY
        for view in ("index", "merge", "not_duplicate", "bulk", "refresh")
    }
)
# People's rights (crmsite.privacy): administrators only.
EXPECTED.update(
    {f"crmsite_privacy:{view}": ADMIN_ONLY for view in ("export", "erase", "dormant", "keep")}
)

# Bulk actions, by app label and model name.
BULK_EXPECTED = {
    ("directory", model): STAFF_ONLY if model not in REFERENCE_LISTS else ADMIN_ONLY
    for model in DIRECTORY_MODELS
}
BULK_EXPECTED[("crmsite", "user")] = ADMIN_ONLY
BULK_EXPECTED[("directory", "activitykind")] = ADMIN_ONLY
BULK_EXPECTED[("planner", "task")] = PRIVATE


def _patterns(patterns=None, prefix="", namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                name = route
            yield name, route


def _cases():
    seen = set()
    for name, route in _patterns():
        if route.startswith("^static/") or route == "" or (name, route) in seen:
            continue
        seen.add((name, route))
        if name == "crm_bulk_action":
            bulk_action_registry._scan_for_bulk_actions()
            for app_label, models in bulk_action_registry.actions.items():
                for model_name, actions in models.items():
                    for action in actions:
                        yield pytest.param(
                            f"bulk {app_label} {model_name}",
                            f"admin/bulk/{app_label}/{model_name}/{action}/",
                            id=f"bulk-{app_label}-{model_name}-{action}",
                        )
            continue
        yield pytest.param(name, route, id=route)


SECRET_CONTACT = "Quetzal"  # every contact of the world bears it
PRIVATE_SELECTION = "Zorglub"  # every private selection of the owner bears it


@pytest.fixture
def world(admin_user, staff_user, other_staff_user, client_user):
    kind = factories.OrganisationKindFactory(name="Genre Quetzal")
    function = factories.FunctionFactory(name="Fonction Quetzal")
    centre = factories.InterestCentreFactory(name="Centre Quetzal")
    organisation = factories.OrganisationFactory(name="Theatre Quetzal", kind=kind)
    organisation.interest_centres.add(centre)
    person = factories.PersonFactory(first_name="Ysolde", last_name="Quetzal")
    position = factories.PositionFactory(
        person=person, organisation=organisation, function=function
    )
    comment = Comment.objects.create(
        organisation=organisation, author=staff_user, body="Commentaire Quetzal"
    )
    criteria = {
        "match": "all",
        "rules": [{"field": "position.function", "operator": "in", "value": [function.pk]}],
    }
    search = SavedSearch.objects.create(
        owner=staff_user, name="Recherche Zorglub", criteria=criteria
    )
    basket = Basket.objects.create(owner=staff_user, name="Panier Zorglub")
    BasketStep.objects.create(basket=basket, search=search, operation="union")
    entry = BasketEntry.objects.create(basket=basket, action="add", person=person)
    snapshot = Snapshot.objects.create(basket=basket, label="Instantane Zorglub", row_count=0)
    for selection in (search, basket):
        log(selection, "wagtail.create", user=staff_user)
    log(organisation, "wagtail.create", user=staff_user)
    attempt = AccessAttempt.objects.create(
        username="marie", ip_address="203.0.113.7", failures_since_start=3, user_agent="x"
    )
    session = EditingSession.objects.create(
        user=staff_user,
        content_type=ContentType.objects.get_for_model(organisation),
        object_id=str(organisation.pk),
        last_seen_at=timezone.now(),
    )
    from directory import actions
    from outreach import actions as outreach_actions
    from outreach.models import EmailTemplate, LabelTemplate, SmsTemplate

    email_template = EmailTemplate.objects.create(
        name="Invitation", subject="Bonjour {{ prenom }}", html="<p>Bonjour {{ prenom }}</p>"
    )
    sms_template = SmsTemplate.objects.create(name="Rappel", body="Bonjour {{ prenom }}")
    label_template = LabelTemplate.objects.create(
        name="Avery L7160",
        page_width=210,
        page_height=297,
        rows=7,
        columns=3,
        top_margin="15.15",
        left_margin="7.21",
        label_width="63.5",
        label_height="38.1",
        horizontal_pitch="66.04",
        vertical_pitch="38.1",
    )
    campaign = outreach_actions.create_campaign(
        staff_user,
        basket=basket,
        name="Campagne Zorglub",
        channel="email",
        email_template=email_template,
    )
    from helpdesk import actions as helpdesk_actions

    other_client = factories.client(username="lea")
    ticket = helpdesk_actions.open_ticket(
        other_client, subject="Billet Quetzal", text="Question sur le Theatre Quetzal"
    )
    helpdesk_actions.update_ticket(admin_user, ticket, organisation=organisation, person=person)
    helpdesk_actions.add_participant(admin_user, ticket, staff_user)
    import_job = actions.start_import(
        admin_user, "contacts.csv", b"Nom;Structure\r\nQuetzal;Theatre Quetzal\r\n"
    )
    from planner import actions as planner_actions

    task = planner_actions.create_task(
        staff_user,
        title="Tâche Zorglub",
        place="Lieu Zorglub",
        due_date=timezone.localdate(),
        organisation=organisation,
        person=person,
    )
    from crmsite.actions import create_api_client

    api_client, _token = create_api_client(
        admin_user,
        name="Client Quetzal",
        scopes=["directory:read"],
        expires_at=timezone.now() + timezone.timedelta(days=30),
    )
    return SimpleNamespace(
        api_client=api_client,
        task=task,
        ticket=ticket,
        other_client=other_client,
        campaign=campaign,
        email_template=email_template,
        sms_template=sms_template,
        label_template=label_template,
        import_job=import_job,
        organisation=organisation,
        person=person,
        position=position,
        interestcentre=centre,
        organisationkind=kind,
        function=function,
        comment=comment,
        search=search,
        basket=basket,
        entry=entry,
        snapshot=snapshot,
        attempt=attempt,
        session=session,
        owner=staff_user,
        staff_group=Group.objects.get(name=STAFF),
    )


def _object_for(name, world):
    """The object whose id fills the URL `name`."""
    namespace = name.split(":")[0]
    for model in DIRECTORY_MODELS:
        if namespace in (
            f"wagtailsnippets_directory_{model}",
            f"wagtailsnippetchoosers_directory_{model}",
            f"bulk directory {model}",
        ):
            return getattr(world, model)
    return {
        "directory_comments": world.comment,
        "lockouts": world.attempt,
        "selections_searches": world.search,
        "selections_baskets": world.basket,
        "directory_imports": world.import_job,
        "wagtailusers_users": world.owner,
        "bulk crmsite user": world.owner,
        "wagtailusers_groups": world.staff_group,
        "wagtailadmin_editing_sessions": world.session,
        "outreach_campaigns": world.campaign,
        "outreach_emailtemplates": world.email_template,
        "outreach_smstemplates": world.sms_template,
        "outreach_labeltemplates": world.label_template,
        "helpdesk": world.ticket,
        "planner_tasks": world.task,
        "planner_task_chooser": world.task,
        "crmsite_api_clients": world.api_client,
        "crmsite_privacy": world.person,
        "bulk planner task": world.task,
    }.get(namespace)


def _fill(name, route, world, hostile=None):
    """The route with each parameter replaced by a real value (or `hostile`)."""
    target = _object_for(name, world)

    def value_for(parameter):
        if hostile is not None:
            return hostile
        values = {
            "target_type": "organisation",
            "entry_pk": world.entry.pk,
            "snapshot_pk": world.snapshot.pk,
            "session_id": world.session.pk,
            "app_label": "directory",
            "model_name": "organisation",
            "object_id": world.organisation.pk,
            "uidb64": "MQ",
            "token": "set-password",
            "user_id": world.owner.pk,
        }
        if parameter in values:
            return str(values[parameter])
        if parameter == "pk" and target is not None:
            return str(target.pk)
        return "1"

    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value_for(m.group(1)), route)
    path = path.replace("^", "").replace("$", "").replace(".*/", "no-such-section/")
    if name.startswith("bulk "):
        real = target.pk if target is not None else 1
        path += f"?id={real if hostile is None else hostile}"
    return "/" + path


def _browser(user=None):
    browser = Client(raise_request_exception=False)
    if user is not None:
        browser.force_login(user)
    return browser


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


REFUSED = {403, 404, 405}


# Who may reach a URL is decided in Python, the same on either database: the
# matrix of roles (some 7,000 requests) runs on the embedded database; the ids
# that are not ids, where PostgreSQL's types differ, run on both.
ROLES_ON_SQLITE_ONLY = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="the roles matrix runs on SQLite (the same Python answers on PostgreSQL)",
)


@ROLES_ON_SQLITE_ONLY
@pytest.mark.parametrize(("name", "route"), list(_cases()))
def test_every_url_answers_each_role_as_stated(
    name, route, world, admin_user, staff_user, other_staff_user, client_user
):
    if route.startswith("^admin/(api|"):
        pytest.skip("the pattern that answers the unused CMS URLs; tried through them")
    url = _fill(name, route, world)
    if resolve(url.split("?")[0]).func is not_used_here:
        expected = GONE
    elif name.startswith("bulk "):
        expected = BULK_EXPECTED.get(tuple(name.split()[1:]))
    else:
        expected = EXPECTED.get(name)
    assert expected is not None, (
        f"{route} ({name}) has no stated expectation: add it to EXPECTED, saying which "
        "roles may reach it"
    )
    roles = [
        ("anonymous", None),
        ("client", client_user),
        ("staff non-owner", other_staff_user),
        ("owner", staff_user),
        ("administrator", admin_user),
    ]
    for role, user in roles:
        browser = _browser(user)
        for method in ("get", "post"):
            response = getattr(browser, method)(url)
            code = response.status_code
            where = f"{method.upper()} {url} as {role}: {code}"
            assert code < 500 or (name == "healthz" and code == 503), where
            body = _body(response)

            if expected == GONE:
                assert code in ({302, 404} if role == "anonymous" else REFUSED), where
                continue
            if expected == API_TOKEN:
                assert code in {401, 404, 405, 415, 422}, where
                assert response["Content-Type"].startswith("application/json"), where
                assert SECRET_CONTACT not in body, where
                continue
            if role == "anonymous":
                if expected == PUBLIC:
                    continue
                assert code == 302, where
                assert response["Location"].startswith("/admin/login/"), where
                assert SECRET_CONTACT not in body and PRIVATE_SELECTION not in body, where
                continue
            if role == "client":
                if expected not in (PUBLIC, SIGNED_IN, HELPDESK):
                    assert code in REFUSED, where
                if expected == HELPDESK and method == "get":
                    assert code == 200, where
                assert SECRET_CONTACT not in body, where
                assert PRIVATE_SELECTION not in body, where
                continue
            if role == "staff non-owner":
                if expected in (ADMIN_ONLY, PRIVATE):
                    assert code in REFUSED, where
                assert PRIVATE_SELECTION not in body, where
                continue
            if role == "administrator":
                if expected == PRIVATE:
                    assert code != 200, where
                assert PRIVATE_SELECTION not in body, where
                continue
            # The owner: a staff member.
            if expected == ADMIN_ONLY:
                assert code in REFUSED, where
            elif method == "get" and name in ("wagtailadmin_logout",):
                continue


HOSTILE_IDS = ("abc", "99999999999999999999", "-1", "0")


@pytest.mark.parametrize(
    ("name", "route"),
    [case for case in _cases() if "<" in case.values[1] or case.values[0].startswith("bulk ")],
)
def test_every_url_refuses_ids_that_are_not_ids_without_a_500(
    name, route, world, admin_user, staff_user
):
    for hostile in HOSTILE_IDS:
        url = _fill(name, route, world, hostile=hostile)
        for role, user in (("owner", staff_user), ("administrator", admin_user)):
            browser = _browser(user)
            for method in ("get", "post"):
                code = getattr(browser, method)(url).status_code
                assert code < 500, f"{method.upper()} {url} as {role}: {code}"
