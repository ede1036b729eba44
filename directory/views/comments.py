"""Comments on organisations and people: add, edit and delete one's own.

Every change is written to the record's audit log (its history).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from ..forms import CommentForm
from ..models import Comment, Organisation, Person

TARGETS = {"organisation": Organisation, "person": Person}
LOG_SNIPPET = 200


def record_url(target) -> str:
    return reverse(target.snippet_viewset.get_url_name("inspect"), args=(target.pk,)) + (
        "#record-comments"
    )


@require_POST
def add_comment(request, target_type, pk):
    if not request.user.has_perm("directory.add_comment"):
        raise PermissionDenied
    model = TARGETS.get(target_type)
    if model is None:
        raise Http404
    target = get_object_or_404(model, pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(
                    request, _("The comment was not added: %(error)s") % {"error": error}
                )
        return redirect(record_url(target))
    with transaction.atomic():
        comment = form.save(commit=False)
        setattr(comment, target_type, target)
        comment.author = request.user
        comment.save()
        log(target, "directory.comment.add", user=request.user, data=comment_data(comment))
    messages.success(request, _("Comment added."))
    return redirect(record_url(target))


def comment_data(comment) -> dict:
    return {"comment": {"id": comment.pk, "text": comment.body[:LOG_SNIPPET]}}


class CommentMixin(WagtailAdminTemplateMixin):
    header_icon = "comment"
    permission_check = "can_edit"

    def dispatch(self, request, *args, **kwargs):
        self.comment = get_object_or_404(
            Comment.objects.select_related("organisation", "person"), pk=kwargs["pk"]
        )
        if not getattr(self.comment, self.permission_check)(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.comment.target)

    def get_breadcrumbs_items(self):
        target = self.comment.target
        return self.breadcrumbs_items + [
            {
                "url": reverse(target.snippet_viewset.get_url_name("list")),
                "label": str(target._meta.verbose_name_plural).capitalize(),
            },
            {"url": record_url(target), "label": str(target)},
            {"url": "", "label": self.get_page_title()},
        ]


class EditCommentView(CommentMixin, FormView):
    page_title = gettext_lazy("Edit the comment")
    template_name = "directory/comments/edit.html"
    form_class = CommentForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.comment}

    def form_valid(self, form):
        with transaction.atomic():
            comment = form.save()
            log(
                comment.target,
                "directory.comment.edit",
                user=self.request.user,
                data=comment_data(comment),
            )
        messages.success(self.request, _("Comment updated."))
        return redirect(record_url(comment.target))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cancel_url": record_url(self.comment.target)}


class DeleteCommentView(CommentMixin, TemplateView):
    page_title = gettext_lazy("Delete the comment")
    template_name = "directory/comments/delete.html"
    permission_check = "can_delete"

    def post(self, request, *args, **kwargs):
        target = self.comment.target
        with transaction.atomic():
            log(
                target,
                "directory.comment.delete",
                user=request.user,
                data=comment_data(self.comment),
            )
            self.comment.delete()
        messages.success(request, _("Comment deleted."))
        return redirect(record_url(target))

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "comment": self.comment,
            "cancel_url": record_url(self.comment.target),
        }


app_name = "directory_comments"
urlpatterns = [
    path("<str:target_type>/<int:pk>/add/", add_comment, name="add"),
    path("<int:pk>/edit/", EditCommentView.as_view(), name="edit"),
    path("<int:pk>/delete/", DeleteCommentView.as_view(), name="delete"),
]
