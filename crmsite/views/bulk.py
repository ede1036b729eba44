"""Wagtail's bulk actions (`/admin/bulk/<app>/<model>/<action>/?id=…`), guarded.

Wagtail hands the `id` parameters to the database as they are, and shows its
confirmation page to anyone who may open the admin, listing as "not allowed"
the records they may not touch. Here, before Wagtail's dispatcher:

* every `id` must be a record id (`directory.ids`), else 404;
* the user must hold the model's permission for the action (`delete`, or
  `change` for the others), else 403: a staff member does not reach the
  confirmation of deleting interest centres, which only administrators may.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from wagtail.admin.views.bulk_action import index as wagtail_bulk_action

from directory.ids import is_record_id


def bulk_action(request, app_label, model_name, action):
    ids = request.GET.getlist("id")
    if any(value != "all" and not is_record_id(value) for value in ids):
        raise Http404
    permission = "delete" if action == "delete" else "change"
    if not request.user.has_perm(f"{app_label}.{permission}_{model_name}"):
        raise PermissionDenied
    return wagtail_bulk_action(request, app_label, model_name, action)
