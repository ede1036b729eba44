"""The quick directory search: one box, people and organisations together."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..matches import Matches
from ..models import Organisation, Person
from ..search import MAX_QUERY_LENGTH
from .listing import SEARCH_COUNT_CAP, format_count
from .people import primary_positions

RESULTS_PER_KIND = 10


class QuickSearchView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "directory/quick_search.html"
    page_title = _("Directory search")
    header_icon = "search"

    def get_breadcrumbs_items(self):
        # The page's own name after "Home", which alone reads as the home page.
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (
            user.has_perm("directory.view_person") and user.has_perm("directory.view_organisation")
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def results(self, model, query):
        matches = Matches(model.objects.order_by("name_key", "pk"), query, SEARCH_COUNT_CAP)
        index_url = reverse(model.snippet_viewset.get_url_name("list"))
        return {
            "rows": matches.rows(0, RESULTS_PER_KIND),
            "count": matches.count,
            "capped": matches.capped,
            "cap": format_count(matches.cap),
            "more_url": f"{index_url}?{urlencode({'q': query})}",
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = " ".join(self.request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
        context["query"] = query
        if query:
            organisations = self.results(Organisation, query)
            people = self.results(Person, query)
            positions = primary_positions([person.pk for person in people["rows"]])
            for person in people["rows"]:
                person.main_position = positions.get(person.pk)
            context.update(organisations=organisations, people=people)
        return context
