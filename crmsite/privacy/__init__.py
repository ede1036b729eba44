"""People's rights over their data (RGPD), across every app of the workspace.

The directory, selections, outreach, helpdesk and planner each hold part of
what the product knows about a person; only `crmsite` may import them all,
so the rights are exercised here:

* `export`: everything about one person, as a ZIP of JSON files and a
  readable French summary (access and portability);
* `erasure`: the person's identifying data replaced or removed everywhere,
  counts and statistics kept true, refusals kept (erasure, objection);
* `dormant`: the people with no sign of life for a period, to review;
* `signals`: an erased person, or a new record with an erased coordinate,
  stays « ne pas contacter » whatever writes it later.

Administrators only (`crmsite.manage_personal_data`); writes go through
`crmsite.actions` (« Personal data rights »).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

PERMISSION = "crmsite.manage_personal_data"
# The name an erased person bears from then on (never translated: it is data).
ERASED_FIRST_NAME = "Personne"
ERASED_LAST_NAME = "effacée"
ERASED_NAME = f"{ERASED_FIRST_NAME} {ERASED_LAST_NAME}"
# The source of the refusals an erasure sets (data, in the workspace's language).
ERASED_SOURCE = "effacement (RGPD)"


def may_manage(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.has_perm(PERMISSION)
    )


def access_personal_data(user) -> None:
    """Raise PermissionDenied unless `user` is an administrator."""
    if not may_manage(user):
        raise PermissionDenied(_("Only administrators manage people's personal data."))
