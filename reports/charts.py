"""Plotly figures of the dashboard, built here as plain data (traces and layout) and drawn
in the browser by ``static/reports/charts.js`` with the plotly.js served from static, as
each chart comes near the viewport. Every figure passes plotly's own schema
(tests/test_chart_schema.py).

Colours are the DSFR's: green for an objective reached, orange within the band, red below,
blue France for the objective line. Every chart has a table beside it in the page; the
charts repeat the tables for the eye and are hidden from screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext

from .figures import french_number
from .indicators import Indicators, QuestionResult, Share
from .stats import Colour

COLOURS = {
    Colour.GREEN: "#18753c",
    Colour.ORANGE: "#b34000",
    Colour.RED: "#ce0500",
    Colour.NONE: "#666666",
}
BLUE_FRANCE = "#000091"
PREVIOUS = "#929292"
FONT = {"family": "Marianne, arial, sans-serif", "size": 13}

Figure = dict[str, Any]


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    return {
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 10, "b": 40},
        "font": FONT,
        "separators": ", ",  # decimal comma, space between thousands
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.15},
        "xaxis": {"range": [0, 100], "ticksuffix": " %", "fixedrange": True},
        "yaxis": {"automargin": True, "autorange": "reversed", "fixedrange": True},
        **extra,
    }


def label(result: QuestionResult) -> str:
    prefix = f"Q{result.number} " if result.number else ""
    text = result.text if len(result.text) <= 60 else result.text[:57] + "…"
    return prefix + text


def rates_chart(
    results: Sequence[QuestionResult], indicators: Indicators, links: Sequence[str]
) -> Figure:
    """Favourable rates as coloured bars with their 95 % interval, last year as markers,
    the objective as a line. A bar's click opens the answers behind it (``links``)."""
    campaign = indicators.campaign
    rated = [(r, link) for r, link in zip(results, links, strict=True) if r.favourable]
    labels = [label(r) for r, _ in rated]
    percents, low, high, colours, texts = [], [], [], [], []
    for result, _ in rated:
        rate = result.favourable
        assert rate is not None
        percent = rate.percent
        interval = rate.interval
        percents.append(percent)
        low.append(percent - interval[0] if percent is not None and interval else 0)
        high.append(interval[1] - percent if percent is not None and interval else 0)
        colours.append(COLOURS[rate.colour])
        texts.append(
            f"{french_number(percent)} % ({rate.k}/{rate.n})" if percent is not None else "—"
        )
    traces: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "name": str(campaign.year),
            "x": percents,
            "y": labels,
            "marker": {"color": colours},
            "error_x": {
                "type": "data",
                "symmetric": False,
                "array": high,
                "arrayminus": low,
                "color": "#3a3a3a",
                "thickness": 1,
            },
            "text": texts,
            "textposition": "inside",
            "insidetextanchor": "start",
            "hovertemplate": "%{y}<br>%{text}<extra></extra>",
            "customdata": [link for _, link in rated],
        }
    ]
    previous = [(r.previous.percent if r.previous else None) for r, _ in rated]
    if any(p is not None for p in previous):
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": str(indicators.comparison_year),
                "x": previous,
                "y": labels,
                "marker": {"symbol": "diamond", "size": 11, "color": PREVIOUS},
                "hovertemplate": "%{y}<br>%{x:.1f} %<extra>"
                + str(indicators.comparison_year)
                + "</extra>",
            }
        )
    objective = float(campaign.objective)
    return {
        "data": traces,
        "layout": _layout(
            60 + 34 * len(rated),
            shapes=[
                {
                    "type": "line",
                    "x0": objective,
                    "x1": objective,
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": BLUE_FRANCE, "width": 2, "dash": "dash"},
                }
            ],
            annotations=[
                {
                    "x": objective,
                    "yref": "paper",
                    "y": 1,
                    "yanchor": "bottom",
                    "text": gettext("objectif %(objective)s %%")
                    % {"objective": french_number(objective)},
                    "showarrow": False,
                    "font": {"color": BLUE_FRANCE},
                }
            ],
            margin={"l": 10, "r": 20, "t": 24, "b": 40},
        ),
    }


def shares_chart(shares: Sequence[Share], year: int, comparison_year: int | None) -> Figure:
    """A question's distribution: one bar per choice, last year as markers."""
    labels = [share.label for share in shares]
    traces: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "name": str(year),
            "x": [share.rate.percent for share in shares],
            "y": labels,
            "marker": {"color": BLUE_FRANCE},
            "text": [f"{share.rate.k}/{share.rate.n}" for share in shares],
            "textposition": "auto",
            "hovertemplate": "%{y}<br>%{x:.1f} % (%{text})<extra></extra>",
        }
    ]
    previous = [share.previous.percent if share.previous else None for share in shares]
    if comparison_year is not None and any(p is not None for p in previous):
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": str(comparison_year),
                "x": previous,
                "y": labels,
                "marker": {"symbol": "diamond", "size": 11, "color": PREVIOUS},
                "hovertemplate": "%{y}<br>%{x:.1f} %<extra>" + str(comparison_year) + "</extra>",
            }
        )
    return {"data": traces, "layout": _layout(60 + 30 * len(shares))}


def counts_chart(rows: Sequence[tuple[str, int]], name: str) -> Figure:
    """Questionnaires per week or per day."""
    return {
        "data": [
            {
                "type": "bar",
                "name": name,
                "x": [row[0] for row in rows],
                "y": [row[1] for row in rows],
                "marker": {"color": BLUE_FRANCE},
                "text": [row[1] for row in rows],
                "textposition": "auto",
                "hovertemplate": "%{x} : %{y}<extra></extra>",
            }
        ],
        "layout": {
            "height": 260,
            "margin": {"l": 40, "r": 10, "t": 10, "b": 60},
            "font": FONT,
            "separators": ", ",
            "showlegend": False,
            "xaxis": {"type": "category", "fixedrange": True},
            "yaxis": {"fixedrange": True, "rangemode": "tozero"},
        },
    }
