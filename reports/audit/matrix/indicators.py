"""The matrix's "Indicateurs" rows: each indicator of the report, the application's k
and n next to the formulas that count them again from the "Réponses" sheets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from reports.indicators import FAVOURABLE, Indicators, Place, Previous, QuestionResult, Share
from reports.stats import Rate
from survey.models import Polarity
from survey.workbook import Formula

from .layout import Layout, choice_shares

INDICATOR_COLUMNS = [
    "code_question",
    "numero",
    "question",
    "canaux",
    "nature",
    "indicateur",
    "libelle",
    "numerateur_k",
    "base_n",
    "excel_k",
    "excel_n",
    "concordance",
    "taux_pct",
    "ic95_bas_pct",
    "ic95_haut_pct",
    "comparaison_annee",
    "comparaison_source",
    "comparaison_canal",
    "comparaison_k",
    "comparaison_n",
    "comparaison_taux_pct",
    "ecart_significatif",
]
SOURCES = {"raw": "réponses brutes", "published": "chiffre publié"}
OUTSIDE_DEPARTEMENT = "hors_departement"


def _members(result: QuestionResult, index: int, share: Share) -> tuple[str, ...]:
    """The choices a share counts: itself, or the group's."""
    if index < len(result.shares) - len(result.groups):
        return (share.code,)
    return tuple(result.groups[share.code])


@dataclass(frozen=True)
class _Figure:
    nature: str  # canal, favorable, choix, regroupement, arrondissement, epci…
    head: list[Any]  # code, number, text, channels
    indicator: str
    label: str
    rate: Rate
    previous: Previous | None
    k: str  # formulas, without "="
    n: str


def _figures(indicators: Indicators, layout: Layout) -> Iterator[_Figure]:
    total = layout.filled(0)
    for channel, count in sorted(indicators.by_channel.items()):
        yield _Figure(
            "canal",
            ["", "", _("Questionnaires comptés"), channel],
            f"canal_{channel}",
            _("Questionnaires du canal %(channel)s") % {"channel": channel},
            Rate.of(count, indicators.total),
            None,
            layout.count(1, [channel]),
            total,
        )
    for code, result in indicators.questions.items():
        head = [code, result.number, result.text, ",".join(result.channels)]
        if code in layout.single:
            yield from _single(head, result, layout, layout.single[code])
        elif code in layout.multiple:
            yield from _multiple(head, result, layout, layout.multiple[code])
    if layout.communes:
        yield from _places(indicators, layout)


def _single(
    head: list[Any], result: QuestionResult, layout: Layout, column: int
) -> Iterator[_Figure]:
    choices = choice_shares(result)
    base = layout.count(column, [c.code for c in choices if c.polarity != Polarity.OUTSIDE])
    answered = layout.filled(column)
    if result.favourable is not None:
        favourable = [c.code for c in choices if c.polarity == Polarity.FAVOURABLE]
        yield _Figure(
            "favorable",
            head,
            FAVOURABLE,
            "favorable",
            result.favourable,
            result.previous,
            layout.count(column, favourable),
            base,
        )
    for index, share in enumerate(result.shares):
        n = answered if share.polarity == Polarity.OUTSIDE else base
        members = _members(result, index, share)
        k = layout.count(column, members)
        if index >= len(choices):  # a group: capped at its base, as the application does
            k = f"MIN({k},{n})"
        nature = "choix" if index < len(choices) else "regroupement"
        yield _Figure(nature, head, share.code, share.label, share.rate, share.previous, k, n)


def _multiple(
    head: list[Any], result: QuestionResult, layout: Layout, columns: dict[str, int]
) -> Iterator[_Figure]:
    choices = choice_shares(result)
    inside = [columns[c.code] for c in choices if c.polarity != Polarity.OUTSIDE]
    base = layout.any_ticked(inside)
    answered = layout.numbers(next(iter(columns.values()))) if columns else "0"
    for index, share in enumerate(result.shares):
        n = answered if share.polarity == Polarity.OUTSIDE else base
        members = _members(result, index, share)
        k = "+".join(layout.total(columns[m]) for m in members if m in columns) or "0"
        if index >= len(choices):  # a group: capped at its base, as the application does
            k = f"MIN({k},{n})"
        nature = "choix" if index < len(choices) else "regroupement"
        yield _Figure(nature, head, share.code, share.label, share.rate, share.previous, k, n)


def _places(indicators: Indicators, layout: Layout) -> Iterator[_Figure]:
    """The communes by arrondissement, by EPCI, and outside the département: the
    application counts them over every commune question together, and so do the formulas."""
    codes = list(layout.communes)
    first = indicators.questions[codes[0]]
    head = [",".join(codes), first.number, first.text, ",".join(first.channels)]
    n = "+".join(layout.filled(layout.communes[code][0]) for code in codes)

    def place(entry: Place, which: int, nature: str) -> _Figure:
        value = entry.code.removeprefix(f"{nature}_")
        k = "+".join(layout.count(layout.communes[code][which], [value]) for code in codes)
        return _Figure(nature, head, entry.code, entry.name, entry.rate, entry.previous, k, n)

    for entry in indicators.arrondissements:
        yield place(entry, 1, "arrondissement")
    for entry in indicators.epcis:
        yield place(entry, 2, "epci")
    yield _Figure(
        OUTSIDE_DEPARTEMENT,
        head,
        OUTSIDE_DEPARTEMENT,
        _("Communes hors du département"),
        indicators.outside_departement,
        None,
        "+".join(layout.outside(layout.communes[code]) for code in codes),
        n,
    )


def indicator_rows(indicators: Indicators, layout: Layout) -> Iterator[list[Any]]:
    k, n, excel_k, excel_n = (
        get_column_letter(INDICATOR_COLUMNS.index(title) + 1)
        for title in ("numerateur_k", "base_n", "excel_k", "excel_n")
    )
    for line, figure in enumerate(_figures(indicators, layout), start=2):
        low, high = figure.rate.interval or (None, None)
        same = f"{excel_k}{line}={k}{line},{excel_n}{line}={n}{line}"
        yield [
            *figure.head,
            figure.nature,
            figure.indicator,
            figure.label,
            figure.rate.k,
            figure.rate.n,
            Formula(figure.k),
            Formula(figure.n),
            Formula(f'IF(AND({same}),"oui","NON")'),
            _percent(figure.rate.percent),
            _percent(low),
            _percent(high),
            *_previous_cells(figure.previous),
        ]


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _previous_cells(previous: Previous | None) -> list[Any]:
    if previous is None:
        return [None] * 7
    significant = previous.significant
    return [
        previous.year,
        SOURCES.get(previous.source, previous.source),
        previous.channel,
        previous.rate.k if previous.rate is not None else None,
        previous.rate.n if previous.rate is not None else None,
        _percent(previous.percent),
        "" if significant is None else ("oui" if significant else "non"),
    ]
