"""The task chooser that Wagtail makes for every snippet model, narrowed to
the user's own tasks: its listing and search show only them, a chosen id
that is not theirs answers 404, and it creates nothing (tasks are created
by their form, through `planner.actions`)."""

from __future__ import annotations

from django.http import Http404
from wagtail.snippets.views import chooser

from directory.ids import is_record_id, record_id

from ..permissions import own_tasks, require_planner


class OwnTasksChooserMixin:
    def dispatch(self, request, *args, **kwargs):
        require_planner(request)
        return super().dispatch(request, *args, **kwargs)

    def get_object_list(self):
        return own_tasks(self.request.user).order_by("due_date", "due_time", "pk")


class ChooseView(OwnTasksChooserMixin, chooser.ChooseView):
    pass


class ChooseResultsView(OwnTasksChooserMixin, chooser.ChooseResultsView):
    pass


class ChosenView(OwnTasksChooserMixin, chooser.SnippetChosenView):
    def get_object(self, pk):
        number = record_id(str(pk))
        task = own_tasks(self.request.user).filter(pk=number).first() if number else None
        if task is None:
            raise Http404
        return task


class ChosenMultipleView(OwnTasksChooserMixin, chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        if not pks or not all(is_record_id(pk) for pk in pks):
            raise Http404
        return own_tasks(self.request.user).filter(pk__in=[int(pk) for pk in pks])


class NoCreationView(chooser.SnippetCreateView):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


class TaskChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
    create_view_class = NoCreationView
