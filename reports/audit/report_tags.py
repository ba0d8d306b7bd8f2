"""Template filters of the report's templates (built in by ``reports.audit.pdf.engine``)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString, mark_safe

from . import svg

register = template.Library()


@register.filter
def chart(markup: str, as_image: bool) -> SafeString:
    """A chart of ``reports.audit.svg``: inline in the preview, an image in the PDF
    (``reports.audit.svg.as_image``)."""
    return mark_safe(svg.as_image(markup) if as_image else markup)


def french_form(count: object, forms: str) -> str:
    """The singular or the plural of ``forms`` ("singulier,pluriel") for ``count``, by the
    French rule: 0 and 1 take the singular."""
    singular, _, plural = forms.partition(",")
    try:
        several = abs(float(str(count))) >= 2
    except ValueError:
        several = True
    return plural if several else singular


@register.filter
def plural_fr(count: object, forms: str) -> str:
    """``{{ n|plural_fr:"reste,restent" }}``: the word that agrees with ``n`` in French."""
    return french_form(count, forms)


@register.filter
def counted(count: object, forms: str) -> str:
    """``{{ n|counted:"appel,appels" }}``: "0 appel", "1 appel", "2 appels"."""
    return f"{count} {french_form(count, forms)}"


@register.filter
def notes(items: Iterable[str]) -> str:
    """A table cell's notes in one run of text, set apart by semicolons (a line break alone
    reads as one sentence once the cell's lines wrap): "1 sans réponse, délai dépassé ;
    courriel non reçu par la cellule". A note's own final full stop gives way."""
    kept = (str(item).strip().rstrip(".;").rstrip() for item in items)
    return "\u00a0; ".join(item for item in kept if item)
