from django import template

from ..phrases import referenced

register = template.Library()


@register.simple_tag
def referenced_phrase(model_opts, count):
    """ "Cette organisation est référencée 2 fois.", or "" for a model without phrases."""
    model = getattr(model_opts, "model", None)
    return referenced(model, count or 0) if model is not None else ""
