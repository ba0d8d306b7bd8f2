"""Template helpers of the dashboard: French percentages, dictionary lookups, charts."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString

from reports.figures import french_percent

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """65.83 → « 65,8 % », with a non-breaking space; None → an em dash."""
    return french_percent(value)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping|get:key``: a dictionary entry, None when absent."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def add_class(field: BoundField, css_class: str) -> SafeString:
    return field.as_widget(attrs={"class": css_class})


@register.simple_tag
def chart(figure: dict[str, Any], element_id: str) -> SafeString:
    """A plotly figure's data for ``static/reports/dashboard.js``, and the box it draws in.

    The chart repeats a table of the page: screen readers skip it (aria-hidden)."""
    data_id = f"{element_id}-data"
    return format_html(
        '<div class="dashboard-chart" data-chart="{}" aria-hidden="true"></div>{}',
        data_id,
        json_script(figure, data_id),
    )
