"""Template filters of the report's templates (built in by ``audit.pdf.engine``)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from . import svg

register = template.Library()


@register.filter
def chart(markup: str, as_image: bool) -> SafeString:
    """A chart of ``audit.svg``: inline in the preview, an image in the PDF
    (``audit.svg.as_image``)."""
    return mark_safe(svg.as_image(markup) if as_image else markup)
