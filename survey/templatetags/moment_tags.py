"""``{{ value|moment }}``: a stored moment in Paris time, "date invalide" for one beyond
what can be shown (survey.moments), so that a page never fails on what a row holds."""

from __future__ import annotations

import datetime

from django import template
from django.utils.formats import date_format

from survey import moments

register = template.Library()


@register.filter
def moment(value: datetime.datetime | None, format_name: str = "SHORT_DATETIME_FORMAT") -> str:
    if value is None or value == "":
        return ""
    shown = None if moments.is_invalid(value) else moments.paris(value)
    if shown is None:
        return moments.invalid_label()
    return date_format(shown, format_name)
