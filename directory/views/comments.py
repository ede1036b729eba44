"""Comments on organisations and people: add, edit and delete one's own.

Every change goes through `directory.actions`, which writes it to the
record's audit log (its history).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import actions
from ..forms import CommentForm
from ..models import Comment, Organisation, Person
from .phrased import header_title

TARGETS = {"organisation": Organisation, "person": Person}


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
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        actions.add_comment(request.user, target, form.cleaned_data["body"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, _("The comment was not added: %(error)s") % {"error": message})
        return redirect(record_url(target))
    messages.success(request, _("Comment added."))
    return redirect(record_url(target))


class CommentMixin(WagtailAdminTemplateMixin):
    header_icon = "comment"

    def get_header_title(self):
        return header_title(self.get_page_title(), self.get_page_subtitle())

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

    def get_initial(self):
        return {"body": self.comment.body}

    def form_valid(self, form):
        try:
            comment = actions.edit_comment(
                self.request.user, self.comment, form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
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
        actions.delete_comment(request.user, self.comment)
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
