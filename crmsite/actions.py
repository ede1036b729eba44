"""Writes of the workspace's own objects: the API clients.

An API client is an application of the agency (the equipment-rental site…)
allowed to call the private API (`crmsite.api`). Administrators create it
with a name, scopes and an expiry; its token is shown once, then only a
keyed digest is kept (Wagtail's `APIToken`). The token belongs to the
client's service account, which has exactly the permissions of its scopes,
no password, no e-mail and no group: it cannot sign in to the workspace,
and everything it writes is in the audit log under the client's name.
Renewing gives a new token and revokes the old one at once; revoking stops
every request from the next one.
"""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import APIToken

from .models import SERVICE_ACCOUNT_PREFIX, ApiClient, ApiScope, User

CREATE_ACTION = "crmsite.api_client.create"
EDIT_ACTION = "crmsite.api_client.edit"
RENEW_ACTION = "crmsite.api_client.renew"
REVOKE_ACTION = "crmsite.api_client.revoke"

MAX_LIFETIME = datetime.timedelta(days=3 * 366)

# What each scope lets the service account do, through the directory's actions.
SCOPE_PERMISSIONS = {
    ApiScope.READ_DIRECTORY: [
        "directory.view_organisation",
        "directory.view_person",
        "directory.view_position",
        "directory.view_activity",
        "directory.view_activitykind",
    ],
    ApiScope.WRITE_ACTIVITY: [
        "directory.add_activity",
        "directory.change_activity",
        "directory.view_activity",
    ],
    ApiScope.WRITE_DIRECTORY: [
        "directory.add_organisation",
        "directory.change_organisation",
        "directory.add_person",
        "directory.change_person",
        "directory.add_position",
        "directory.change_position",
    ],
}


def _access(actor, action: str) -> None:
    if not (actor and actor.is_active and actor.has_perm(f"crmsite.{action}_apiclient")):
        raise PermissionDenied(_("Only administrators manage API clients."))


def _clean(client: ApiClient | None, name: str, scopes, expires_at) -> tuple[str, list, object]:
    errors = {}
    name = " ".join(str(name or "").split())
    if not name:
        errors["name"] = _("Give the client a name.")
    elif len(name) > 100:
        errors["name"] = _("A name has at most 100 characters.")
    elif (
        ApiClient.objects.filter(name__iexact=name).exclude(pk=getattr(client, "pk", None)).exists()
    ):
        errors["name"] = _("An API client with this name already exists.")
    valid = set(ApiScope.values)
    scopes = [scope for scope in ApiScope.values if scope in set(scopes or [])]
    if not scopes or set(scopes) - valid:
        errors["scopes"] = _("Choose at least one scope.")
    now = timezone.now()
    if not isinstance(expires_at, datetime.datetime):
        errors["expires_at"] = _("Give an expiry date.")
    elif expires_at <= now:
        errors["expires_at"] = _("The expiry must be in the future.")
    elif expires_at > now + MAX_LIFETIME:
        errors["expires_at"] = _("A token lasts at most three years: renew it then.")
    if errors:
        raise ValidationError(errors)
    return name, scopes, expires_at


def _grant(user: User, scopes) -> None:
    keys = {key for scope in scopes for key in SCOPE_PERMISSIONS[scope]}
    wanted = [
        permission
        for permission in Permission.objects.select_related("content_type")
        if f"{permission.content_type.app_label}.{permission.codename}" in keys
    ]
    user.user_permissions.set(wanted)


def _new_token(client: ApiClient) -> str:
    token, plaintext = APIToken.create_token(user=client.user, name=client.name[:255])
    client.token = token
    return plaintext


def create_api_client(actor, *, name, scopes, expires_at) -> tuple[ApiClient, str]:
    """A new client and its token (the plaintext, shown once)."""
    _access(actor, "add")
    name, scopes, expires_at = _clean(None, name, scopes, expires_at)
    with transaction.atomic():
        username = f"{SERVICE_ACCOUNT_PREFIX}{uuid.uuid4().hex[:20]}"
        user = User(username=username, first_name=name[:150])
        user.set_unusable_password()
        user.save()
        client = ApiClient(
            name=name, scopes=scopes, expires_at=expires_at, user=user, created_by=actor
        )
        client.user = user
        client.save()
        plaintext = _new_token(client)
        client.save(update_fields=["token"])
        _grant(user, scopes)
        log(client, CREATE_ACTION, user=actor, data={"scopes": scopes})
    return client, plaintext


def update_api_client(actor, client: ApiClient, *, name, scopes, expires_at) -> ApiClient:
    _access(actor, "change")
    name, scopes, expires_at = _clean(client, name, scopes, expires_at)
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        before = {"scopes": client.scopes, "expires_at": client.expires_at.isoformat()}
        client.name, client.scopes, client.expires_at = name, scopes, expires_at
        client.save()
        User._base_manager.filter(pk=client.user_id).update(first_name=name[:150])
        _grant(client.user, scopes)
        log(
            client,
            EDIT_ACTION,
            user=actor,
            data={"before": before, "scopes": scopes, "expires_at": expires_at.isoformat()},
        )
    return client


def renew_api_client(actor, client: ApiClient, *, expires_at=None) -> str:
    """A new token (returned, shown once); the old one stops working at once."""
    _access(actor, "change")
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if expires_at is not None or client.is_expired():
            expires_at = expires_at or timezone.now() + datetime.timedelta(days=365)
            _name, _scopes, client.expires_at = _clean(
                client, client.name, client.scopes, expires_at
            )
        if client.token_id:
            APIToken.objects.filter(pk=client.token_id, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
        plaintext = _new_token(client)
        client.revoked_at = None
        client.save()
        log(client, RENEW_ACTION, user=actor)
    return plaintext


def revoke_api_client(actor, client: ApiClient) -> None:
    """Every request with its token is refused from now on."""
    _access(actor, "change")
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is not None:
            return
        now = timezone.now()
        client.revoked_at = now
        client.save(update_fields=["revoked_at"])
        if client.token_id:
            APIToken.objects.filter(pk=client.token_id, revoked_at__isnull=True).update(
                revoked_at=now
            )
        log(client, REVOKE_ACTION, user=actor)


# Personal data rights ---------------------------------------------------------------
# Export, erasure and the review of dormant contacts (`crmsite.privacy`):
# administrators only, each write logged.

PRIVACY_EXPORT_ACTION = "crmsite.privacy.export"
PRIVACY_KEEP_ACTION = "crmsite.privacy.keep"


def export_person_data(actor, person) -> bytes:
    """The ZIP of everything about `person` (logged: who exported it, when)."""
    from .privacy import access_personal_data
    from .privacy.export import export_zip

    access_personal_data(actor)
    data = export_zip(person)
    log(person, PRIVACY_EXPORT_ACTION, user=actor)
    return data


def erase_person(actor, person, confirmation: str) -> dict:
    """Erase `person` for good once `confirmation` is their name (`crmsite.privacy.erasure`)."""
    from .privacy import access_personal_data
    from .privacy.erasure import erase

    access_personal_data(actor)
    return erase(actor, person, confirmation)


def keep_dormant(actor, person, reason: str):
    """Keep a dormant contact, for a reason: it leaves the dormant list until
    the period has passed again."""
    from .models import DormantReview
    from .models_privacy import MAX_REASON
    from .privacy import access_personal_data
    from .privacy.erasure import is_erased

    access_personal_data(actor)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why this contact is kept.")}, code="required")
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("A reason has at most %(max)d characters.") % {"max": MAX_REASON}},
            code="max_length",
        )
    if person.is_trashed or is_erased(person):
        raise ValidationError(_("This person is in the trash or erased: there is nothing to keep."))
    with transaction.atomic():
        review = DormantReview.objects.create(person=person, reason=reason, kept_by=actor)
        log(person, PRIVACY_KEEP_ACTION, user=actor, data={"reason": reason})
    return review
