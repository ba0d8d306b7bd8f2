"""Template filters of the report's templates (built in by ``audit.pdf.engine``)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString, mark_safe

from . import svg

register = template.Library()


@register.filter
def chart(markup: str, as_image: bool) -> SafeString:
    """A chart of ``audit.svg``: inline in the preview, an image in the PDF
    (``audit.svg.as_image``)."""
    return mark_safe(svg.as_image(markup) if as_image else markup)


@register.filter
def notes(items: Iterable[str]) -> str:
    """A table cell's notes in one run of text, set apart by semicolons (a line break alone
    reads as one sentence once the cell's lines wrap): "1 sans réponse, délai dépassé ;
    courriel non reçu par la cellule". A note's own final full stop gives way."""
    kept = (str(item).strip().rstrip(".;").rstrip() for item in items)
    return "\u00a0; ".join(item for item in kept if item)
