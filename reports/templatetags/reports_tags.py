"""Template helpers of the dashboard: French percentages, dictionary lookups, charts, the
cells of a rate and of its comparison."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from reports.figures import french_percent
from reports.indicators import Filter, Previous, Share
from reports.models import FigureChannel
from reports.stats import Rate
from reports.stats import colour_rule as _colour_rule

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """65.83 → « 65,8 % », with a non-breaking space; None → an em dash."""
    return french_percent(value)


@register.simple_tag
def colour_rule(campaign: Any) -> str:
    """What the colours mean for ``campaign``, in the words of ``reports.stats.colour_legend``."""
    return _colour_rule(campaign.objective, campaign.orange_band)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping|get:key``: a dictionary entry, None when absent."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def add_class(field: BoundField, css_class: str) -> SafeString:
    return field.as_widget(attrs={"class": css_class})


@register.simple_tag
def chart(figure: dict[str, Any], element_id: str) -> SafeString:
    """A plotly figure's data for ``static/reports/charts.js``, and the box it draws in.

    The chart repeats a table of the page: screen readers skip it (aria-hidden)."""
    data_id = f"{element_id}-data"
    return format_html(
        '<div class="dashboard-chart" data-chart="{}" aria-hidden="true"></div>{}',
        data_id,
        json_script(figure, data_id),
    )


# The dashboard's cells, rendered here rather than by included templates: a page holds some
# hundreds of them, and an {% include %} per cell cost most of its rendering time.


def _small_base() -> SafeString:
    """The badge of a rate whose base is under 30 answers, with why it matters."""
    return format_html(
        ' <span class="fr-badge fr-badge--sm fr-badge--warning" title="{}">{}</span>',
        gettext("Moins de 30 réponses : le taux varie beaucoup d’une réponse à l’autre."),
        gettext("petite base"),
    )


@register.simple_tag
def rate_cell(rate: Rate | None) -> SafeString:
    """A favourable rate in its colour, marked when its base is small; — without base."""
    if rate is None or not rate.n:
        return SafeString("—")
    cell = format_html(
        '<span class="rate rate--{}">{}</span>', str(rate.colour), french_percent(rate.percent)
    )
    if rate.small:
        cell += _small_base()
    return cell


@register.simple_tag
def previous_cell(previous: Previous | None, flt: Filter | None = None) -> SafeString:
    """The comparison year's figure: where it comes from when published (and for which
    channel, when not the one shown), and whether the change is significant."""
    if previous is None:
        return SafeString("—")
    cell = format_html("{}", french_percent(previous.percent))
    if previous.source == "published":
        shown = flt.channel if flt is not None else None
        if previous.channel != FigureChannel.ALL and previous.channel != shown:
            channel = (
                gettext("accueil physique")
                if previous.channel == FigureChannel.HALL
                else gettext("téléphone")
            )
            source = format_html("{}, {}", gettext("publié"), channel)
        else:
            source = format_html("{}", gettext("publié"))
        cell += format_html(' <span class="fr-text--xs">({})</span>', source)
    if previous.significant is None:
        return cell
    if previous.significant:
        return cell + format_html(
            ' <span class="fr-badge fr-badge--sm fr-badge--info">{}</span>',
            gettext("écart significatif"),
        )
    return cell + format_html(
        ' <span class="fr-text--xs">{}</span>', gettext("écart non significatif")
    )


@register.simple_tag
def share_rows(shares: list[tuple[Share, str]], flt: Filter | None = None) -> SafeString:
    """The rows of a distribution's table: each share linked to its answers, its part, its
    count out of the base, its comparison."""
    small = _small_base()
    rows = []
    for share, link in shares:
        part = format_html("{}", french_percent(share.rate.percent))
        if share.rate.small:
            part += small
        rows.append(
            format_html(
                '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}/{}</td><td>{}</td></tr>',
                link,
                share.label,
                part,
                share.rate.k,
                share.rate.n,
                previous_cell(share.previous, flt),
            )
        )
    return SafeString("".join(rows))
