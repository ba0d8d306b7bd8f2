"""The audit report's charts, drawn here as SVG text: no browser, no JavaScript, no raster.

Three kinds, the seed's: horizontal bars of favourable rates coloured against the
campaign's objective (green reached, orange within the band, red below; the objective as a
dashed blue France line; last year's values as diamonds), horizontal bars of a question's
distribution (blue France), and columns of questionnaires per week or per day.

Every figure is written in French (« 92,1 % », with a non-breaking space) and every chart
repeats figures printed beside it: the rate and its base are written at the end of each
bar, so the colour is never the only signal. Each chart carries its text alternative: its
title and a summary of every figure it draws (labels in full, rates, counts, last year's,
the objective and whether each rate reaches it), as ``<title>`` and ``<desc>`` and as the
``aria-label`` that the preview gives screen readers and the PDF's ``alt`` (``as_image``:
the ``/Alt`` of its ``Figure`` in the tagged PDF). Deterministic: the same data give the
same bytes (coordinates rounded to a tenth, no generated ids, no clock).
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reports.charts import BLUE_FRANCE, COLOURS
from reports.figures import french_number, french_percent
from reports.stats import Colour

from .typography import french, french_html

WIDTH = 680  # user units; the report's CSS stretches the chart to the text's width
FONT_FAMILY = "Marianne, 'DejaVu Sans', sans-serif"
FONT_SIZE = 11
CHAR_WIDTH = 0.5  # average advance of a character, in ems (for wrapping labels)
TEXT = "#1e1e1e"
MUTED = "#666666"
GRID = "#dddddd"
MARKER_STROKE = "#1e1e1e"


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: a label, a percentage (None: no base), the figures behind it
    ("199/216"), its colour, and last year's percentage if known."""

    label: str
    percent: float | None
    detail: str = ""
    colour: str = BLUE_FRANCE
    previous: float | None = None


# --- the three charts ----------------------------------------------------------------------


def rate_bars(
    bars: Sequence[Bar],
    *,
    objective: float,
    year: int,
    previous_year: int | None = None,
    title: str = "",
    legend: bool = True,
) -> str:
    """Favourable rates against the objective, last year's as diamonds. Without
    ``legend``, the page around the chart gives it (each text drawn costs the PDF)."""
    items: list[tuple[str, str]] = [
        ("swatch:" + COLOURS[Colour.GREEN], "objectif atteint"),
        ("swatch:" + COLOURS[Colour.ORANGE], "objectif presque atteint"),
        ("swatch:" + COLOURS[Colour.RED], "objectif non atteint"),
    ]
    if previous_year is not None and any(bar.previous is not None for bar in bars):
        items.append(("diamond", str(previous_year)))
    return _horizontal(
        bars,
        title=title or str(year),
        objective=objective,
        legend=items if legend else [],
        label_lines=1,
        previous_year=previous_year,
    )


def share_bars(
    bars: Sequence[Bar],
    *,
    year: int,
    previous_year: int | None = None,
    title: str = "",
    legend: bool = True,
) -> str:
    """A question's distribution, last year's shares as diamonds."""
    items: list[tuple[str, str]] = []
    if legend and previous_year is not None and any(bar.previous is not None for bar in bars):
        items = [("swatch:" + BLUE_FRANCE, str(year)), ("diamond", str(previous_year))]
    return _horizontal(
        bars,
        title=title or str(year),
        objective=None,
        legend=items,
        label_lines=2,
        previous_year=previous_year,
    )


def count_columns(rows: Sequence[tuple[str, int]], *, title: str = "") -> str:
    """Questionnaires per week or per day: one column each, its count above it."""
    n = max(len(rows), 1)
    width = min(WIDTH, 40 + 95 * n)
    left, right, top, plot_height = 10, 10, 18, 80
    slot = (width - left - right) / n
    column = min(44.0, slot * 0.55)
    largest = max((count for _, count in rows), default=0) or 1
    label_chars = max(6, int(slot / (FONT_SIZE * CHAR_WIDTH)))
    label_lines = [_wrap(french(label), label_chars, 2) for label, _ in rows]
    lines = max((len(lines) for lines in label_lines), default=1)
    base_line = top + plot_height
    height = base_line + 8 + 13 * lines + 4
    parts = [
        f'<path d="M{left} {base_line}H{_n(width - right)}" stroke="{MUTED}" stroke-width="1"/>'
    ]
    for index, ((_, count), label) in enumerate(zip(rows, label_lines, strict=True)):
        centre = left + slot * index + slot / 2
        bar_height = plot_height * count / largest
        parts.append(
            f'<rect x="{_n(centre - column / 2)}" y="{_n(base_line - bar_height)}" '
            f'width="{_n(column)}" height="{_n(bar_height)}" fill="{BLUE_FRANCE}"/>'
        )
        parts.append(
            _text(
                french_number(count, 0),
                centre,
                base_line - bar_height - 5,
                anchor="middle",
                weight="bold",
            )
        )
        for line_index, line in enumerate(label):
            parts.append(_text(line, centre, base_line + 8 + 11 + 13 * line_index, anchor="middle"))
    summary = [f"{label} : {french_number(count, 0)}" for label, count in rows]
    if len(rows) > 1:
        summary.append(f"total : {french_number(sum(count for _, count in rows), 0)}")
    return _svg(width, height, title, parts, summary)


# --- horizontal bars -----------------------------------------------------------------------

LABEL_WIDTH = 250
PLOT_LEFT = 262
PLOT_WIDTH = 300
BAR_HEIGHT = 14
LINE_HEIGHT = 12.5


def _horizontal(
    bars: Sequence[Bar],
    *,
    title: str,
    objective: float | None,
    legend: Sequence[tuple[str, str]],
    label_lines: int,
    previous_year: int | None = None,
) -> str:
    """Rows of label, bar, diamond and "65,8 % (175/266)". Few text elements: each costs
    the PDF renderer a text layout of its own."""
    row_height = 10 + LINE_HEIGHT * label_lines
    top = 20 if objective is not None else 4
    rows_bottom = top + row_height * len(bars)
    height = rows_bottom + 16 + (22 if legend else 0)
    label_chars = int(LABEL_WIDTH / (FONT_SIZE * CHAR_WIDTH))
    grid = " ".join(f"M{_n(_x(tick))} {top}V{_n(rows_bottom)}" for tick in (25, 50, 75, 100))
    parts: list[str] = [
        f'<path d="{grid}" stroke="{GRID}" stroke-width="1"/>',
        f'<path d="M{PLOT_LEFT} {top}V{_n(rows_bottom)}" stroke="{MUTED}" stroke-width="1"/>',
    ]
    for tick in (0, 50, 100):
        parts.append(
            _text(
                french_percent(tick, 0),
                _x(tick),
                rows_bottom + 11,
                anchor="middle",
                size=8.5,
                fill=MUTED,
            )
        )

    for index, bar in enumerate(bars):
        middle = top + row_height * index + row_height / 2
        lines = _wrap(french(bar.label), label_chars, label_lines)
        first = middle + 4 - LINE_HEIGHT / 2 * (len(lines) - 1)
        for line_index, line in enumerate(lines):
            parts.append(_text(line, 0, first + LINE_HEIGHT * line_index))
        if bar.percent is not None:
            parts.append(
                f'<rect x="{PLOT_LEFT}" y="{_n(middle - BAR_HEIGHT / 2)}" '
                f'width="{_n(_x(bar.percent) - PLOT_LEFT)}" height="{BAR_HEIGHT}" '
                f'fill="{bar.colour}"/>'
            )
        if bar.previous is not None:
            parts.append(_diamond(_x(bar.previous), middle))
        value = french_percent(bar.percent)
        if bar.detail:
            value += f" ({bar.detail})"
        parts.append(_text(value, WIDTH - 2, middle + 4, anchor="end"))

    if objective is not None:
        x = _x(objective)
        parts.append(
            f'<path d="M{_n(x)} {top - 5}V{_n(rows_bottom)}" stroke="{BLUE_FRANCE}" '
            f'stroke-width="2" stroke-dasharray="5 3"/>'
        )
        parts.append(
            _text(
                f"objectif {french_percent(objective)}",
                x,
                top - 8,
                anchor="middle",
                size=9,
                fill=BLUE_FRANCE,
                weight="bold",
            )
        )

    if legend:
        parts.extend(_legend(legend, rows_bottom + 32))
    summary = [_bar_summary(bar, objective is not None, previous_year) for bar in bars]
    if objective is not None:
        summary.insert(0, f"objectif {french_percent(objective)}")
    return _svg(WIDTH, height, title, parts, summary)


# What each colour of a rate bar says (reports.stats.Colour), for the text alternative.
STANDING = {
    COLOURS[Colour.GREEN]: "objectif atteint",
    COLOURS[Colour.ORANGE]: "objectif presque atteint",
    COLOURS[Colour.RED]: "objectif non atteint",
}


def _bar_summary(bar: Bar, against_objective: bool, previous_year: int | None) -> str:
    """ "Q19 … : 92,1 % (199/216), objectif atteint, 2015 : 98,4 %", the label in full."""
    if bar.percent is None:
        return f"{bar.label} : aucune réponse comptée"
    text = f"{bar.label} : {french_percent(bar.percent)}"
    if bar.detail:
        text += f" ({bar.detail})"
    if against_objective and bar.colour in STANDING:
        text += f", {STANDING[bar.colour]}"
    if bar.previous is not None:
        text += f", {previous_year or 'année précédente'} : {french_percent(bar.previous)}"
    return text


def _legend(items: Sequence[tuple[str, str]], baseline: float) -> list[str]:
    parts: list[str] = []
    x = float(PLOT_LEFT if len(items) < 3 else 0)
    for kind, label in items:
        if kind.startswith("swatch:"):
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(baseline - 9)}" width="12" height="10" '
                f'fill="{kind.removeprefix("swatch:")}"/>'
            )
        elif kind == "diamond":
            parts.append(_diamond(x + 6, baseline - 4))
        parts.append(_text(label, x + 17, baseline, size=9))
        x += 17 + len(label) * 9 * CHAR_WIDTH + 14
    return parts


# --- pieces --------------------------------------------------------------------------------


def _x(percent: float) -> float:
    return PLOT_LEFT + PLOT_WIDTH * max(0.0, min(100.0, percent)) / 100


def _diamond(x: float, y: float, size: float = 5.5) -> str:
    corners = ((x, y - size), (x + size, y), (x, y + size), (x - size, y))
    points = " ".join(f"{_n(cx)},{_n(cy)}" for cx, cy in corners)
    return (
        f'<polygon points="{points}" fill="#ffffff" stroke="{MARKER_STROKE}" stroke-width="1.5"/>'
    )


def _text(
    content: str,
    x: float,
    y: float,
    *,
    anchor: str = "start",
    size: float = FONT_SIZE,
    fill: str = TEXT,
    weight: str = "normal",
) -> str:
    attributes = f'x="{_n(x)}" y="{_n(y)}"'
    if anchor != "start":
        attributes += f' text-anchor="{anchor}"'
    if size != FONT_SIZE:
        attributes += f' font-size="{_n(size)}"'
    if fill != TEXT:
        attributes += f' fill="{fill}"'
    if weight != "normal":
        attributes += f' font-weight="{weight}"'
    return f"<text {attributes}>{html.escape(content, quote=False)}</text>"


def _svg(
    width: float, height: float, title: str, parts: Sequence[str], summary: Sequence[str] = ()
) -> str:
    name = french(title)
    description = french(" ; ".join(summary) + ".") if summary else ""
    description = description[:1].upper() + description[1:]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{html.escape(alternative(name, description), quote=True)}" '
        f'width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{FONT_FAMILY}" '
        f'font-size="{FONT_SIZE}" fill="{TEXT}">'
        f"<title>{html.escape(name, quote=False)}</title>"
        + (f"<desc>{html.escape(description, quote=False)}</desc>" if description else "")
        + "".join(parts)
        + "</svg>"
    )


def alternative(title: str, description: str) -> str:
    """A chart's text alternative: its title, then the summary of its figures."""
    if not title or not description:
        return title or description
    joint = " " if title.rstrip()[-1:] in ".?!:" else ". "
    return title.rstrip() + joint + description


_LABEL = re.compile(r'aria-label="([^"]*)"')


def as_image(chart: str) -> str:
    """``chart``, markup of this module, as an ``<img>`` of a ``data:`` URL, its text in
    French typography. The PDF takes its charts so: WeasyPrint reads an image with its XML
    parser and gives its nodes no CSS, where an inline ``<svg>``'s nodes (about 600 in the
    demo report) go through the HTML parser and the cascade like the text's."""
    label = _LABEL.search(chart)
    data = base64.b64encode(str(french_html(chart)).encode()).decode("ascii")
    alt = label.group(1) if label else ""
    return f'<img class="chart" alt="{alt}" src="data:image/svg+xml;base64,{data}">'


def _n(value: float) -> str:
    """A coordinate, to a tenth: "12", "12.5" (never "-0")."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    """``text`` on at most ``max_lines`` lines of about ``width`` characters, the last one
    cut with an ellipsis if need be. Non-breaking spaces hold words together."""
    words = text.split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        kept = lines[: max_lines - 1]
        rest = " ".join(lines[max_lines - 1 :])
        kept.append(rest[: max(1, width - 1)].rstrip() + "…")
        lines = kept
    return [line if len(line) <= width + 8 else line[: width - 1] + "…" for line in lines]
