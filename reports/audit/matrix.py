"""The calculation matrix of the evidence pack (``calculs/matrice-indicateurs-<year>.xlsx``):
every indicator of the report with the application's numerator k and base n, and next to
them the spreadsheet's own count of k and n from the counted questionnaires, so that an
auditor sees both figures side by side and how each is obtained.

Sheets, in order:

- "Notice": how to read the workbook, in French;
- "Indicateurs": one row per indicator: the questionnaires per channel; for each question
  (in the questionnaire's order) its favourable rate if it is a scale, then each choice and
  each group of choices; for the commune question, each arrondissement, each EPCI and the
  communes outside the département. Columns: the question (code, number, text, channels),
  the indicator (``nature``: canal, favorable, choix, regroupement, arrondissement, epci or
  hors_departement; code; label), the application's k and n, the formulas ``excel_k`` and
  ``excel_n`` that count them again from "Réponses", ``concordance`` (oui when both agree),
  the rate with its Wilson 95 % interval, and the comparison figure (year, source, channel,
  k, n, rate, significant change);
- "Réponses": one row per questionnaire counted (not voided), in the order of entry: uuid,
  channel, site, moment of collection, interviewer, then one column per question code
  holding the choice code answered; a multiple-choice question has one column per choice
  (``code:choix``: 1 ticked, 0 not ticked, empty when the question was not answered); the
  commune question holds the INSEE code (``hors:<text>`` for a commune outside the
  département), with two more columns, ``code:arrondissement`` and ``code:epci``, giving
  the commune's arrondissement and EPCI as the application groups them. Beyond Excel's
  1,048,576 rows a sheet, the rows go on in "Réponses (2)", "Réponses (3)"…, and every
  formula adds up its count over those sheets;
- "Communes": each commune answered, with its arrondissement and EPCI (code and name).

The formulas have no cached value: the spreadsheet computes them when it opens the file.

The application's k and n are ``reports.indicators.compute``'s (the report's figures, read
from the tallies); the "Réponses" rows come from the raw answers: a formula that disagrees
shows a tally that does not match the answers.

Cost: ``compute``'s queries, four more, and one per "Réponses" sheet: the answers are
streamed in the order of their questionnaires (``.iterator()``), one "Réponses" row in
memory at a time; at 30,000 questionnaires (1.2 million answers) about 5 s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from reports.indicators import (
    FAVOURABLE,
    Indicators,
    Place,
    Previous,
    QuestionResult,
    Share,
    compute,
)
from reports.stats import Rate
from survey.models import (
    Answer,
    Campaign,
    Choice,
    Commune,
    Polarity,
    Question,
    QuestionKind,
    Response,
)
from survey.services.exchange import OUTSIDE, SEPARATOR
from survey.spreadsheets import format_moment
from survey.workbook import Formula, Sheet

EXCEL_ROWS = 1_048_576  # rows of an Excel sheet, the header's included
RESPONSES = "Réponses"
META_COLUMNS = ["uuid", "canal", "site", "recueilli_le", "enqueteur"]
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
COMMUNE_COLUMNS = [
    "code_insee",
    "commune",
    "arrondissement",
    "nom_arrondissement",
    "epci",
    "nom_epci",
]
SOURCES = {"raw": "réponses brutes", "published": "chiffre publié"}
OUTSIDE_DEPARTEMENT = "hors_departement"
CHUNK = 5_000  # answers fetched at a time


def calculation_matrix(campaign: Campaign, *, sheet_rows: int = EXCEL_ROWS) -> list[Sheet]:
    """The matrix's sheets (see the module); ``sheet_rows`` (the header's included) is
    Excel's limit, smaller in tests."""
    indicators = compute(campaign)
    responses = list(
        Response.objects.filter(campaign=campaign, voided_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "uuid", "channel", "site__name", "started_at", "interviewer__username")
    )
    layout = Layout(indicators, len(responses), sheet_rows)
    answers = _Answers(campaign, layout, responses)
    return [
        Sheet("Notice", ["notice"], [[line] for line in _notice(layout)], [120]),
        Sheet(
            "Indicateurs",
            INDICATOR_COLUMNS,
            _indicator_rows(indicators, layout),
            [26, 7, 50, 10, 15, 26, 30, *[11] * 15],
        ),
        *[
            Sheet(
                title,
                layout.header,
                answers.rows(first, last),
                [37, 7, 18, 26, 14],
                rows_hint=last - first,
            )
            for title, first, last in layout.sheets
        ],
        Sheet("Communes", COMMUNE_COLUMNS, answers.communes(), [11, 30, 14, 30, 12, 50]),
    ]


# --- where each answer goes --------------------------------------------------------------------


class Layout:
    """The columns of a "Réponses" row, the sheets they are spread over, and the ranges a
    formula counts."""

    def __init__(self, indicators: Indicators, responses: int, sheet_rows: int) -> None:
        self.header = list(META_COLUMNS)
        self.single: dict[str, int] = {}  # question code -> its column
        self.multiple: dict[str, dict[str, int]] = {}  # question code -> choice -> column
        self.communes: dict[str, tuple[int, int, int]] = {}  # commune, arrondissement, EPCI
        for code, result in indicators.questions.items():
            if result.kind == QuestionKind.COMMUNE:
                self.communes[code] = (
                    self._add(code),
                    self._add(f"{code}:arrondissement"),
                    self._add(f"{code}:epci"),
                )
            elif result.kind == QuestionKind.MULTIPLE:
                self.multiple[code] = {
                    c.code: self._add(f"{code}:{c.code}") for c in _choices(result)
                }
            else:
                self.single[code] = self._add(code)
        per_sheet = sheet_rows - 1
        count = max(1, -(-responses // per_sheet))
        self.sheets = [
            (
                RESPONSES if index == 0 else f"{RESPONSES} ({index + 1})",
                index * per_sheet,
                min(responses, (index + 1) * per_sheet),
            )
            for index in range(count)
        ]

    def _add(self, title: str) -> int:
        self.header.append(title)
        return len(self.header) - 1

    def ranges(self, column: int) -> list[str]:
        """The column's data cells on every "Réponses" sheet: 'Réponses'!$F$2:$F$267."""
        letter = get_column_letter(column + 1)
        return [
            f"'{title}'!${letter}$2:${letter}${max(2, last - first + 1)}"
            for title, first, last in self.sheets
        ]

    def count(self, column: int, values: Iterable[str]) -> str:
        """The rows whose cell is one of ``values``."""
        parts = [
            f'COUNTIF({cells},"{_criterion(value)}")'
            for value in values
            for cells in self.ranges(column)
        ]
        return "+".join(parts) or "0"

    def filled(self, column: int) -> str:
        return "+".join(f"COUNTA({cells})" for cells in self.ranges(column))

    def total(self, column: int) -> str:
        return "+".join(f"SUM({cells})" for cells in self.ranges(column))

    def numbers(self, column: int) -> str:
        return "+".join(f"COUNT({cells})" for cells in self.ranges(column))

    def any_ticked(self, columns: Sequence[int]) -> str:
        """The rows where at least one of ``columns`` holds 1."""
        if not columns:
            return "0"
        by_sheet = zip(*(self.ranges(column) for column in columns), strict=True)
        return "+".join(f"SUMPRODUCT(--(({'+'.join(cells)})>0))" for cells in by_sheet)

    def outside(self, columns: tuple[int, int, int]) -> str:
        """The communes answered that belong to neither an arrondissement nor an EPCI."""
        by_sheet = zip(*(self.ranges(column) for column in columns), strict=True)
        return "+".join(
            f'SUMPRODUCT(({commune}<>"")*({arrondissement}="")*({epci}=""))'
            for commune, arrondissement, epci in by_sheet
        )


def _criterion(value: str) -> str:
    """``value`` as a COUNTIF criterion matching that exact text: wildcards escaped, an
    operator at the start made part of the text, quotes doubled."""
    text = value.replace("~", "~~").replace("*", "~*").replace("?", "~?")
    if text[:1] in ("=", "<", ">"):
        text = "=" + text
    return text.replace('"', '""')


def _choices(result: QuestionResult) -> list[Share]:
    """The question's choices: its shares but the groups, which come last (a group may
    bear the name of a choice)."""
    return list(result.shares[: len(result.shares) - len(result.groups)])


def _members(result: QuestionResult, index: int, share: Share) -> tuple[str, ...]:
    """The choices a share counts: itself, or the group's."""
    if index < len(result.shares) - len(result.groups):
        return (share.code,)
    return tuple(result.groups[share.code])


# --- the answers, one row per questionnaire ----------------------------------------------------


class _Answers:
    """The "Réponses" rows, merged from the questionnaires and their answers, both in the
    order of entry, and the "Communes" rows. Two queries here (the questions' and choices'
    codes, the communes answered), one per "Réponses" sheet."""

    def __init__(self, campaign: Campaign, layout: Layout, responses: list[Any]) -> None:
        self.layout, self.responses = layout, responses
        self.questions = dict(
            Question.objects.filter(questionnaire__campaign=campaign)
            .exclude(kind=QuestionKind.FREE_TEXT)
            .values_list("pk", "code")
        )
        self.choices = dict(
            Choice.objects.filter(question_id__in=list(self.questions)).values_list("pk", "code")
        )
        self.places = {
            row[0]: row
            for row in Commune.objects.filter(
                answers__question_id__in=list(self.questions),
                answers__response__campaign=campaign,
                answers__response__voided_at__isnull=True,
            )
            .distinct()
            .order_by("insee_code")
            .values_list(
                "insee_code",
                "name",
                "arrondissement_id",
                "arrondissement__name",
                "epci_id",
                "epci__name",
            )
        }

    def rows(self, first: int, last: int) -> Iterator[list[Any]]:
        """The questionnaires ``first`` to ``last`` (excluded): one row in memory at a time,
        the answers read ``CHUNK`` at a time (a voided questionnaire's are passed over)."""
        chosen = self.responses[first:last]
        if not chosen:
            return
        answers = (
            Answer.objects.filter(
                question_id__in=list(self.questions),
                response_id__gte=chosen[0][0],
                response_id__lte=chosen[-1][0],
            )
            .order_by("response_id")
            .values_list("response_id", "question_id", "choice_id", "commune_id", "text")
            .iterator(chunk_size=CHUNK)
        )
        width = len(self.layout.header)
        pending = next(answers, None)
        for pk, uuid, channel, site, started_at, interviewer in chosen:
            row: list[Any] = [str(uuid), channel, site, format_moment(started_at), interviewer]
            row += [None] * (width - len(row))
            while pending is not None and pending[0] <= pk:
                if pending[0] == pk:
                    self._place(row, *pending[1:])
                pending = next(answers, None)
            yield row

    def _place(
        self, row: list[Any], question: int, choice: int | None, commune: str | None, text: str
    ) -> None:
        layout, code = self.layout, self.questions[question]
        if code in layout.single and choice is not None:
            single, answered = layout.single[code], self.choices[choice]
            row[single] = answered if row[single] is None else f"{row[single]}{SEPARATOR}{answered}"
        elif code in layout.multiple and choice is not None:
            boxes = layout.multiple[code]
            if row[next(iter(boxes.values()))] is None:  # the question's first box
                for box in boxes.values():
                    row[box] = 0
            ticked = boxes.get(self.choices[choice])
            if ticked is not None:
                row[ticked] = 1
        elif code in layout.communes and (commune is not None or text):
            given, arrondissement, epci = layout.communes[code]
            if commune is not None:
                place = self.places[commune]
                row[given], row[arrondissement], row[epci] = commune, place[2], place[4]
            else:
                row[given] = OUTSIDE + text

    def communes(self) -> Iterator[list[Any]]:
        for place in self.places.values():
            yield list(place)


# --- the indicators ----------------------------------------------------------------------------


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
    choices = _choices(result)
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
    choices = _choices(result)
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


def _indicator_rows(indicators: Indicators, layout: Layout) -> Iterator[list[Any]]:
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


def _notice(layout: Layout) -> list[str]:
    sheets = ", ".join(f"« {title} »" for title, _first, _last in layout.sheets)
    return [
        "Matrice de calcul des indicateurs du rapport.",
        "",
        "« Indicateurs » : une ligne par indicateur. numerateur_k et base_n sont les chiffres "
        "de l'application (ceux du rapport) ; excel_k et excel_n les recomptent par des "
        f"formules (NB.SI, NBVAL, SOMME, SOMMEPROD) sur {sheets} ; concordance vaut « oui » "
        "quand les deux s'accordent. Le taux est k / n, avec son intervalle de confiance à "
        "95 % (Wilson).",
        f"{sheets} : une ligne par questionnaire compté (les questionnaires annulés en sont "
        "exclus), une colonne par question : le code du choix répondu. Question à choix "
        "multiple : une colonne par choix (1 coché, 0 non coché, vide si la question n'a pas "
        "de réponse). Commune : le code INSEE (hors: suivi du texte saisi pour une commune "
        "hors du département), son arrondissement et son EPCI.",
        "Bases : un choix « hors base » (sans réponse, non concerné) est rapporté à tous les "
        "répondants de la question ; les autres choix et le taux favorable à ceux dont la "
        "réponse entre dans la base. Une commune est rapportée à toutes les communes "
        "données.",
        "« Communes » : chaque commune répondue, avec son arrondissement et son EPCI.",
        "Une feuille Excel compte au plus 1 048 576 lignes : au-delà, les questionnaires "
        "continuent sur « Réponses (2) », « Réponses (3) »… "
        "et les formules additionnent les feuilles.",
        "Les formules sont calculées par le tableur à l'ouverture du fichier.",
    ]
