"""« Marquer comme faite » and its undo, from the listing, a task's page, a
record's tasks or the dashboard: a POST to `done/<id>/` or `reopen/<id>/`,
back to the page it came from (`next`), with a message whose « Annuler »
button posts the opposite action."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin.messages import render as render_message

from .. import actions
from ..permissions import own_task_or_404
from .tasks import next_or, tab_for


def _undo_form(request, url: str, back: str, label: str) -> str:
    return render_to_string(
        "planner/includes/undo_form.html",
        {"url": url, "next": back, "label": label},
        request=request,
    )


@require_POST
def done(request, pk):
    task = own_task_or_404(request, pk)
    back = next_or(request, reverse("planner_tasks:list"))
    if actions.mark_done(request.user, task):
        undo = _undo_form(request, reverse("planner_tasks:reopen", args=[task.pk]), back, _("Undo"))
        text = _("Task “%(title)s” marked as done.") % {"title": task.title}
        messages.success(request, render_message(text, [], detail=undo))
    else:
        messages.info(request, _("Task “%(title)s” was done already.") % {"title": task.title})
    return redirect(back)


@require_POST
def reopen(request, pk):
    task = own_task_or_404(request, pk)
    default = reverse("planner_tasks:list") + f"?tab={tab_for(task)}"
    back = next_or(request, default)
    if actions.mark_not_done(request.user, task):
        undo = _undo_form(request, reverse("planner_tasks:done", args=[task.pk]), back, _("Undo"))
        text = _("Task “%(title)s” is to do again.") % {"title": task.title}
        messages.success(request, render_message(text, [], detail=undo))
    else:
        messages.info(request, _("Task “%(title)s” was not done.") % {"title": task.title})
    return redirect(back)
