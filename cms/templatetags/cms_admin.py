"""Admin template tags of the cms: titles that say where a section belongs."""

from django import template
from wagtail.admin.utils import get_latest_str

register = template.Library()


@register.simple_tag
def review_title(obj) -> str:
    """“Course → Section” for a section (latest draft titles), the usual title otherwise."""
    from cms.models import SectionPage

    title = get_latest_str(obj)
    specific = getattr(obj, "specific_deferred", obj)
    if isinstance(specific, SectionPage):
        parent = specific.get_parent()
        if parent is not None:
            return f"{get_latest_str(parent)} → {title}"
    return title
