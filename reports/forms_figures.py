"""Forms of the website's and social networks' monthly figures (a grid, saved all or
nothing), the year a figures page shows, and the number fields the published figures'
form (``reports.forms_published``) shares.

Numbers are typed as people write them in French: "23 603" or "23603", a rate as "65,8".
The forms only validate: ``reports.services.figures`` writes.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.dates import MONTHS
from django.utils.formats import get_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import WebMetric
from .web import MONTH_NUMBERS, MonthlySeries, french_integer, month_label

FIRST_YEAR = 2000
LAST_YEAR = 2100
MAX_INTEGER = 2_147_483_647  # PositiveIntegerField's upper bound on every database
WHITESPACE = re.compile(r"\s+")  # spaces, tabs, U+00A0, U+202F, U+2009…
DIGITS = re.compile(r"\d+")
GROUPED = re.compile(r"\d{1,3}(?: \d{3})+")


# --- fields ----------------------------------------------------------------------------------


class FrenchIntegerField(forms.Field):
    """A whole number, positive or zero, typed with or without thousands separators.

    "23 603" (any kind of space, or the active language's own separator: "23,603" in
    English) and "23603" give 23603; "23 60 3", "23,5" and "-3" are refused.
    """

    widget = forms.TextInput
    default_error_messages = {
        "invalid": _("Saisissez un nombre entier, par exemple 23 603."),
        "negative": _("Saisissez un nombre positif."),
        "too_big": _("Ce nombre est trop grand."),
    }

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"})
        return attrs

    def prepare_value(self, value: Any) -> Any:
        return french_integer(value) if isinstance(value, int) else value

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        text = WHITESPACE.sub(" ", str(value)).strip()
        if not text:
            return None
        separator = str(get_format("THOUSAND_SEPARATOR"))
        if separator and not separator.isspace() and separator != get_format("DECIMAL_SEPARATOR"):
            text = text.replace(separator, " ")
        if text[0] in "-−":
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        if not (DIGITS.fullmatch(text) or GROUPED.fullmatch(text)):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        number = int(text.replace(" ", ""))
        if number > MAX_INTEGER:
            raise forms.ValidationError(self.error_messages["too_big"], code="too_big")
        return number


class RateField(forms.DecimalField):
    """A percentage from 0 to 100, "65,8" or "65,8 %"."""

    def __init__(self, **kwargs: Any) -> None:
        message = _("Le taux est un pourcentage compris entre 0 et 100.")
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("Saisissez un pourcentage, par exemple 65,8."),
                "min_value": message,
                "max_value": message,
                "max_digits": message,
                "max_whole_digits": message,
                "max_decimal_places": _("Deux décimales au plus."),
            },
        )
        super().__init__(
            min_value=Decimal(0),
            max_value=Decimal(100),
            max_digits=5,
            decimal_places=2,
            localize=True,
            **kwargs,
        )

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = WHITESPACE.sub("", value).removesuffix("%")
        return super().to_python(value)


# --- web and social-network monthly figures --------------------------------------------------


def cell_name(metric: str, month: int) -> str:
    return f"{metric}_{month:02d}"


class YearForm(forms.Form):
    """The year a page shows: ``?annee=2016``."""

    annee = forms.IntegerField(
        label=_("Année"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "invalid": _("Saisissez une année, par exemple 2016."),
            "min_value": _("Saisissez une année entre 2000 et 2100."),
            "max_value": _("Saisissez une année entre 2000 et 2100."),
            "required": _("Saisissez une année, par exemple 2016."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["annee"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.form_class = "app-year-form"
        self.helper.layout = Layout(
            Row(
                Column("annee", css_class="fr-col-12 fr-col-md-3"),
                Column(
                    Submit("", gettext("Afficher"), css_class="fr-btn--secondary fr-mt-md-4w"),
                    css_class="fr-col-12 fr-col-md-3",
                ),
            )
        )


class WebFiguresForm(forms.Form):
    """One field per month and metric, named ``<metric>_<month>`` ("site_visits_01").

    Valid only if every cell is: then the view writes the whole year at once
    (``reports.services.figures.save_web_figures``: an emptied cell deletes that month's
    figure); on any error nothing is written.
    """

    def __init__(self, *args: Any, series: MonthlySeries, **kwargs: Any) -> None:
        kwargs["initial"] = {
            cell_name(metric, month): series.value(metric, month)
            for metric in WebMetric
            for month in MONTH_NUMBERS
        }
        super().__init__(*args, **kwargs)
        self.year = series.year
        for month in MONTH_NUMBERS:
            for metric in WebMetric:
                self.fields[cell_name(metric, month)] = FrenchIntegerField(
                    required=False,
                    label=gettext("%(metric)s, %(month)s %(year)s")
                    % {"metric": metric.label, "month": MONTHS[month], "year": self.year},
                )

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The grid: each month's label and its cells, metric by metric."""
        return [
            (month_label(month), [self[cell_name(metric, month)] for metric in WebMetric])
            for month in MONTH_NUMBERS
        ]

    def cell_errors(self) -> list[tuple[forms.BoundField, list[str]]]:
        """The cells in error, in the grid's order, for the summary above it."""
        return [
            (self[name], [str(error) for error in self.errors[name]])
            for name in self.fields
            if name in self.errors
        ]

    def values(self) -> dict[tuple[int, str], int | None]:
        """Every cell's figure by (month, metric), None for an empty one; of a valid form
        (``reports.services.figures.save_web_figures`` writes them)."""
        if not self.is_valid():
            raise ValueError("only a valid grid has values")
        return {
            (month, metric): self.cleaned_data[cell_name(metric, month)]
            for month in MONTH_NUMBERS
            for metric in WebMetric
        }
