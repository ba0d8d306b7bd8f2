"""The website's and social networks' monthly figures: the series a page shows, their French
typography, and the demo's nine months of 2016 (``fixtures/web/charente_2016.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.dates import MONTHS
from django.utils.text import capfirst
from django.utils.translation import gettext

from survey.models import Organisation

from .figures import NBSP
from .models import WebFigure, WebMetric

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "web" / "charente_2016.json"
MONTH_NUMBERS = range(1, 13)


def french_integer(value: int | None) -> str:
    """``23603`` → ``"23 603"`` with a non-breaking space; None → an em dash."""
    if value is None:
        return "—"
    return f"{value:,}".replace(",", NBSP).replace("-", "−")


def month_label(month: int) -> str:
    """``1`` → ``"Janvier"`` in the active language."""
    return str(capfirst(MONTHS[month]))


@dataclass(frozen=True)
class MonthlySeries:
    """One organisation's figures of one year: for each metric, twelve values or None."""

    year: int
    values: dict[str, list[int | None]]

    @property
    def metrics(self) -> list[WebMetric]:
        return list(WebMetric)

    @property
    def is_empty(self) -> bool:
        return all(value is None for values in self.values.values() for value in values)

    def value(self, metric: str, month: int) -> int | None:
        return self.values[metric][month - 1]

    def rows(self) -> list[tuple[str, list[str]]]:
        """The table's rows: each month's label and its formatted values, metric by metric."""
        return [
            (
                month_label(month),
                [french_integer(self.value(metric, month)) for metric in self.metrics],
            )
            for month in MONTH_NUMBERS
        ]

    def totals(self) -> list[str]:
        """Each metric's total over the months entered (all counts: they add up)."""
        totals = []
        for metric in self.metrics:
            entered = [value for value in self.values[metric] if value is not None]
            totals.append(french_integer(sum(entered)) if entered else french_integer(None))
        return totals

    def chart(self) -> dict[str, Any]:
        """What ``static/reports/charts.js`` draws: one panel per metric, months along x."""
        return {
            "kind": "lines",
            "multiples": True,
            "filename": f"site-internet-reseaux-sociaux-{self.year}",
            "texts": {"Download plot as a PNG": gettext("Télécharger le graphique (PNG)")},
            "categories": [month_label(month) for month in MONTH_NUMBERS],
            "series": [
                {"name": str(metric.label), "values": self.values[metric]}
                for metric in self.metrics
            ],
        }


def monthly_series(organisation: Organisation, year: int) -> MonthlySeries:
    """The organisation's figures of ``year``, in one query."""
    values: dict[str, list[int | None]] = {metric: [None] * 12 for metric in WebMetric}
    rows = WebFigure.objects.filter(organisation=organisation, year=year).values_list(
        "month", "metric", "value"
    )
    for month, metric, value in rows:
        if metric in values:
            values[metric][month - 1] = value
    return MonthlySeries(year=year, values=values)


def years_entered(organisation: Organisation) -> list[int]:
    """The years for which the organisation has figures, most recent first."""
    return list(
        WebFigure.objects.filter(organisation=organisation)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def load_demo_web_figures(organisation: Organisation, *, path: Path | None = None) -> int:
    """Create the demo's monthly figures for ``organisation``; return how many were created.

    Idempotent: when the organisation already has figures for the file's year, nothing is
    created (the quality manager's own entries, or a previous run, are left as they are).
    """
    data = json.loads((path or DEMO_FILE).read_text(encoding="utf-8"))
    year = int(data["year"])
    figures = [
        WebFigure(
            organisation=organisation,
            year=year,
            month=int(entry["month"]),
            metric=WebMetric(metric),
            value=int(entry[metric]),
        )
        for entry in data["months"]
        for metric in WebMetric
        if entry.get(metric) is not None
    ]
    with transaction.atomic():
        if WebFigure.objects.filter(organisation=organisation, year=year).exists():
            return 0
        for figure in figures:
            figure.full_clean(validate_unique=False, validate_constraints=False)
        WebFigure.objects.bulk_create(figures)
    return len(figures)
