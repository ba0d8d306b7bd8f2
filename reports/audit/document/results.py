"""Sections 4.1 to 4.6, the results section by section: each questionnaire section
matched to the report's by title, its choice questions' charts, its scale questions'
favourable rates, the engagements its questions quote, and 4.5's web figures.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reports.charts import COLOURS
from reports.indicators import Indicators, Previous, QuestionResult
from reports.remarks import REMARK_QUESTION
from reports.stats import Colour
from reports.web import MonthlySeries, monthly_series
from survey.models import Campaign, Channel, Engagement, QuestionKind

from .. import svg
from .engagements import quotes_of
from .headings import Heading, Quotes

MONTHS_SHORT = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)
GROUP_COLOUR = "#6a6af4"  # blue France 625: a sum of bars drawn above it
RESULT_KEYS = ("4.1", "4.2", "4.3", "4.4", "4.5", "4.6")


@dataclass(frozen=True)
class ChoiceFigure:
    """A choice question (profile, yes/no, multiple choice, commune): its chart, and the
    answers left out of the base."""

    result: QuestionResult
    title: str
    chart: str
    note: str


@dataclass(frozen=True)
class ResultSection:
    heading: Heading
    quotes: Quotes | None
    figures: tuple[ChoiceFigure, ...]
    scale_questions: tuple[QuestionResult, ...]
    rates_chart: str
    web: MonthlySeries | None = None

    @property
    def has_previous(self) -> bool:
        """Whether the rates chart draws last year's diamonds."""
        return any(result.previous is not None for result in self.scale_questions)

    @property
    def web_months(self) -> list[tuple[str, list[str]]]:
        """The months with at least one figure: label, formatted values (4.5's table)."""
        if self.web is None:
            return []
        return [
            row
            for month, row in enumerate(self.web.rows(), start=1)
            if any(self.web.value(metric, month) is not None for metric in self.web.metrics)
        ]

    @property
    def web_month_labels(self) -> list[str]:
        """The months' abbreviations, as the Imprimerie nationale writes them: janv., févr."""
        months = [
            month
            for month in range(1, 13)
            if self.web is not None
            and any(self.web.value(metric, month) is not None for metric in self.web.metrics)
        ]
        return [MONTHS_SHORT[month - 1] for month in months]

    @property
    def web_metrics(self) -> list[str]:
        return [str(metric.label) for metric in self.web.metrics] if self.web else []

    @property
    def web_table(self) -> list[tuple[str, list[str]]]:
        """The seed's layout: one row per metric, one column per month."""
        months = self.web_months
        return [
            (label, [values[index] for _, values in months])
            for index, label in enumerate(self.web_metrics)
        ]


def _normalised(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).replace("«", "").replace("»", "")
    return " ".join(text.casefold().split())


def result_sections(
    campaign: Campaign,
    indicators: Indicators,
    headings: list[Heading],
    engagements: dict[str, list[Engagement]],
) -> list[ResultSection]:
    """One section per questionnaire section, matched to the report's by title (4.1 to
    4.6); a questionnaire section no title matches takes the next free key."""
    by_key = {h.key: h for h in headings}
    wanted = {_normalised(by_key[key].title): key for key in RESULT_KEYS if key in by_key}
    groups = indicators.sections()
    assigned: dict[str, list[QuestionResult]] = {}
    unmatched: list[tuple[str, list[QuestionResult]]] = []
    for title, results in groups:
        key = wanted.get(_normalised(title))
        if key is not None and key not in assigned:
            assigned[key] = results
        else:
            unmatched.append((title, results))
    for title, results in unmatched:
        free = next((key for key in RESULT_KEYS if key not in assigned), None)
        if free is None:
            break
        assigned[free] = results
        if free not in by_key or not by_key[free].title:
            by_key[free] = Heading(free, title)
    web = monthly_series(campaign.organisation, campaign.year)
    sections = []
    for key in RESULT_KEYS:
        if key not in by_key:
            continue
        results = [r for r in assigned.get(key, []) if r.code != REMARK_QUESTION]
        sections.append(
            _result_section(
                by_key[key],
                results,
                indicators,
                engagements,
                web=web if key == "4.5" and not web.is_empty else None,
            )
        )
    return sections


def _result_section(
    heading: Heading,
    results: list[QuestionResult],
    indicators: Indicators,
    engagements: dict[str, list[Engagement]],
    *,
    web: MonthlySeries | None,
) -> ResultSection:
    year, previous_year = indicators.campaign.year, indicators.comparison_year
    figures: list[ChoiceFigure] = []
    scales: list[QuestionResult] = []
    for result in results:
        if result.kind in (QuestionKind.SATISFACTION, QuestionKind.AGREEMENT):
            scales.append(result)
        elif result.kind == QuestionKind.COMMUNE:
            figures.extend(_commune_figures(result, indicators))
        elif result.base or result.answered:
            figures.append(_choice_figure(result, year, previous_year))
    rates_chart = ""
    if scales:
        bars = [
            svg.Bar(
                label=_question_label(r),
                percent=r.favourable.percent if r.favourable else None,
                detail=f"{r.favourable.k}/{r.favourable.n}" if r.favourable else "",
                colour=COLOURS[r.favourable.colour] if r.favourable else COLOURS[Colour.NONE],
                previous=r.previous.percent if r.previous else None,
            )
            for r in scales
        ]
        rates_chart = svg.rate_bars(
            bars,
            objective=float(indicators.campaign.objective),
            year=year,
            previous_year=previous_year,
            title=f"Taux de réponses favorables — {heading.title}",
            legend=False,  # the page gives it
        )
    quoted: dict[str, Engagement] = {}
    for result in results:
        for engagement in engagements.get(result.code, []):
            quoted.setdefault(f"{engagement.framework_id}-{engagement.number}", engagement)
    return ResultSection(
        heading=heading,
        quotes=quotes_of(sorted(quoted.values(), key=lambda e: (e.order, e.number))),
        figures=tuple(figures),
        scale_questions=tuple(scales),
        rates_chart=rates_chart,
        web=web,
    )


def _question_label(result: QuestionResult) -> str:
    return f"Q{result.number} {result.text}" if result.number else result.text


def _question_title(result: QuestionResult) -> str:
    """ "À la question n°1 : vous êtes ?", the seed's lead of a chart."""
    text = result.text[:1].lower() + result.text[1:] if result.text[1:2].islower() else result.text
    channel = ""
    if len(result.channels) == 1:
        channel = (
            " (questionnaire téléphonique)"
            if result.channels[0] == Channel.PHONE
            else " (questionnaire de l'accueil physique)"
        )
    if result.number:
        return f"À la question n°{result.number} : {text}{channel}"
    return f"{result.text}{channel}"


def _choice_figure(result: QuestionResult, year: int, previous_year: int | None) -> ChoiceFigure:
    """The distribution of a choice question: its choices in the base, then the groups
    the report publishes. A group of one choice repeats it: it is left out, and last
    year's figure published for it goes to its choice."""
    distribution = result.distribution()
    bars = [
        svg.Bar(
            label=share.label,
            percent=share.rate.percent,
            detail=str(share.rate.k),  # the base, common to all, is in the note
            previous=_percent(share.previous),
        )
        for share in distribution.parts
    ]
    bars += [
        svg.Bar(
            label=share.label,
            percent=share.rate.percent,
            detail=str(share.rate.k),  # the base, common to all, is in the note
            colour=GROUP_COLOUR,
            previous=_percent(share.previous),
        )
        for share in distribution.subtotals
    ]
    outside = distribution.outside
    note = _base_note(result.base, [(s.label, s.count) for s in outside if s.count])
    if result.kind == QuestionKind.MULTIPLE:
        note += " Plusieurs réponses possibles : le total dépasse 100 %."
    return ChoiceFigure(
        result=result,
        title=_question_title(result),
        chart=svg.share_bars(
            bars, year=year, previous_year=previous_year, title=result.text, legend=False
        ),
        note=note + _previous_note(bars, previous_year),
    )


def _percent(previous: Previous | None) -> float | None:
    return previous.percent if previous is not None else None


def _previous_note(bars: Sequence[svg.Bar], previous_year: int | None) -> str:
    if previous_year is None or all(bar.previous is None for bar in bars):
        return ""
    return f" Losange : {previous_year}."


def _base_note(base: int, outside: Iterable[tuple[str, int]]) -> str:
    """ "Base : 217 répondants (effectifs entre parenthèses) ; hors base : …"."""
    note = f"Base : {base} répondant{'s' if base > 1 else ''} (effectifs entre parenthèses)"
    left_out = [f"{label.lower()} : {count}" for label, count in outside]
    if left_out:
        note += " ; hors base : " + ", ".join(left_out)
    return note + "."


def _commune_figures(result: QuestionResult, indicators: Indicators) -> list[ChoiceFigure]:
    """The commune, by arrondissement and by EPCI (the seed's 69,7 % and 47,7 %)."""
    year, previous_year = indicators.campaign.year, indicators.comparison_year
    figures = []
    for places, what in (
        (indicators.arrondissements, "par arrondissement"),
        (indicators.epcis, "par intercommunalité (EPCI)"),
    ):
        if not places:
            continue
        bars = [
            svg.Bar(
                label=place.name,
                percent=place.rate.percent,
                detail=str(place.rate.k),
                previous=place.previous.percent if place.previous else None,
            )
            for place in indicators.with_remainder(places)
        ]
        base = places[0].rate.n
        figures.append(
            ChoiceFigure(
                result=result,
                title=f"{_question_title(result)} — {what}",
                chart=svg.share_bars(
                    bars,
                    year=year,
                    previous_year=previous_year,
                    title=f"{result.text} {what}",
                    legend=False,
                ),
                note=_base_note(base, []) + _previous_note(bars, previous_year),
            )
        )
    return figures
