"""Everything the audit report prints, gathered once: ``build(campaign) -> ReportContext``.

The report follows the Charente 2016 report (``shared/seed``): a cover, the table of
contents, 1 introduction, 2 organisation, 3 representativeness (questionnaires per week in
the hall, per day by phone), 4 results section by section (the Qualipref engagements
quoted, the charts, the commentary), 4.7 and 4.8 the mystery tables, 5 the remarks' counts,
6 the improvement actions, and in annex the questionnaires as they were asked.

The commentary of each section is ``reports.audit.drafting.section_texts`` (the quality manager's
edited text, else the draft). The figures are ``reports.indicators.compute``; the mystery
tables ``mystery.tables``; the remarks ``reports.remarks.counts``.

Cost: a fixed number of queries (about forty, most of them the drafts' and the
indicators'), whatever the number of questionnaires, questions, remarks or actions.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import dateformat

from mystery.tables import CallTable, EmailTable, call_table, email_table
from reports.charts import COLOURS
from reports.figures import french_percent
from reports.indicators import Filter, Indicators, Previous, QuestionResult, compute
from reports.remarks import REMARK_QUESTION, RemarkCounts
from reports.remarks import counts as remark_counts
from reports.stats import Colour, colour_legend
from reports.web import MonthlySeries, monthly_series
from survey import moments
from survey.models import (
    Campaign,
    Channel,
    Choice,
    Engagement,
    Organisation,
    Question,
    QuestionKind,
    Questionnaire,
)

from . import svg
from .drafting import SECTIONS, section_texts
from .models import ActionStatus, ImprovementAction

PARIS = moments.PARIS  # the default zone; a report counts in its organisation's
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

# The engagements a report quotes where no question carries them: the yearly survey itself
# (head of section 4) and the mystery tests (4.7, 4.8), by framework code. The quality
# manager edits the engagements' texts; which numbers the tests measure is the framework's.
QUOTED_ENGAGEMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "qualipref-2": {
        "4": ("3.2",),
        "4.7": ("1", "2", "3", "8", "9"),
        "4.8": ("13", "14", "15"),
    },
}


# --- what the templates read ---------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A paragraph of commentary, or a list (its lines that start with "- "); ``lead``:
    a line that starts with "► " (the seed's bold lead of an improvement action)."""

    text: str = ""
    items: tuple[str, ...] = ()
    lead: bool = False

    @property
    def is_list(self) -> bool:
        return bool(self.items)


LEADS = ("► ", "➤ ", "▶ ")  # glyphs the Marianne font lacks: the stylesheet draws an arrow


def blocks(text: str) -> list[Block]:
    """The commentary's plain text as paragraphs and lists: paragraphs are separated by a
    blank line; in a paragraph, lines that start with "- " (or "• ") are list items, a
    line that starts with "► " is a lead of its own."""
    found: list[Block] = []
    for paragraph in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        prose: list[str] = []
        items: list[str] = []
        for line in lines:
            if line[:2] in LEADS:
                if prose:
                    found.append(Block(" ".join(prose)))
                    prose = []
                if items:
                    found.append(Block(items=tuple(items)))
                    items = []
                found.append(Block(line[2:].strip(), lead=True))
            elif line[:2] in {"- ", "• "}:
                if prose:
                    found.append(Block(" ".join(prose)))
                    prose = []
                items.append(line[2:].strip())
            else:
                if items:
                    found.append(Block(items=tuple(items)))
                    items = []
                prose.append(line)
        if prose:
            found.append(Block(" ".join(prose)))
        if items:
            found.append(Block(items=tuple(items)))
    return found


@dataclass(frozen=True)
class Quote:
    number: str
    text: str


@dataclass(frozen=True)
class Quotes:
    """The engagements quoted at the head of a section, as the seed does: "Engagements 1
    à 3 et 5 à 7 du référentiel de qualité Qualipref 2.0 :", then each text in italics."""

    framework: str
    engagements: tuple[Quote, ...]

    @property
    def lead(self) -> str:
        numbers = [quote.number for quote in self.engagements]
        word = "Engagements" if len(numbers) > 1 else "Engagement"
        return f"{word} {number_ranges(numbers)} du référentiel de qualité {self.framework} :"


def number_ranges(numbers: Sequence[str]) -> str:
    """["1", "2", "3", "5", "6", "7"] → "1 à 3 et 5 à 7"; ["8", "9"] → "8 et 9";
    numbers that are not integers ("3.2") stand alone."""
    pieces: list[str] = []
    run: list[int] = []

    def close() -> None:
        if len(run) >= 3:
            pieces.append(f"{run[0]} à {run[-1]}")
        else:
            pieces.extend(str(n) for n in run)
        run.clear()

    for number in numbers:
        if number.isdigit():
            value = int(number)
            if run and value != run[-1] + 1:
                close()
            run.append(value)
        else:
            close()
            pieces.append(number)  # "3.2" names a sub-engagement: not a decimal
    close()
    if len(pieces) <= 1:
        return "".join(pieces)
    return ", ".join(pieces[:-1]) + " et " + pieces[-1]


@dataclass(frozen=True)
class Heading:
    key: str
    title: str
    text: str = ""

    @property
    def level(self) -> int:
        return self.key.count(".") + 1

    @property
    def anchor(self) -> str:
        return "section-" + self.key.replace(".", "-")

    @property
    def number(self) -> str:
        """As the seed prints it: "1.", "4.1"."""
        return f"{self.key}." if self.level == 1 else self.key

    @property
    def blocks(self) -> list[Block]:
        return blocks(self.text)


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


@dataclass(frozen=True)
class Counts:
    """Questionnaires of one channel, per week (hall) or per day (phone)."""

    channel: str
    caption: str
    unit: str  # the first column's header: "Semaine", "Jour"
    total: int
    previous: int | None
    rows: tuple[tuple[str, int], ...]
    chart: str


@dataclass(frozen=True)
class ActionRow:
    title: str
    description: str
    owner: str
    due_date: datetime.date | None
    status: str
    status_label: str
    year: int

    @property
    def done(self) -> bool:
        return self.status == ActionStatus.DONE


@dataclass(frozen=True)
class AnnexChoice:
    label: str
    only: str = ""  # the questionnaire that alone offers it, when they differ


@dataclass(frozen=True)
class AnnexQuestion:
    number: str
    text: str
    kind: str
    choices: tuple[AnnexChoice, ...]
    condition: str
    only: str = ""  # the questionnaire that alone asks it
    other_text: str = ""  # the other questionnaire's wording, when it differs


@dataclass(frozen=True)
class AnnexSection:
    title: str
    questions: tuple[AnnexQuestion, ...]


@dataclass(frozen=True)
class AnnexQuestionnaire:
    channel: str
    label: str
    title: str
    introduction: str


@dataclass(frozen=True)
class Annex:
    """The questionnaires as they were asked, merged: each question once, with what only
    one of them asks or offers marked (the phone questionnaire repeats the hall's, with
    "non concerné" for those who did not come)."""

    questionnaires: tuple[AnnexQuestionnaire, ...]
    sections: tuple[AnnexSection, ...]


@dataclass
class ReportContext:
    campaign: Campaign
    organisation: Organisation
    title: str
    subtitle: str
    report_date: datetime.date
    period: str
    indicators: Indicators
    texts: dict[str, str]
    headings: list[Heading]  # every section, in order (the table of contents)
    counts: list[Counts]
    general_quotes: Quotes | None
    results: list[ResultSection]
    calls: CallTable
    calls_quotes: Quotes | None
    emails: EmailTable
    emails_quotes: Quotes | None
    remarks: RemarkCounts
    actions: list[ActionRow]
    previous_actions: list[ActionRow]
    previous_actions_year: int
    annex: Annex
    colours: dict[str, str] = field(default_factory=dict)

    def heading(self, key: str) -> Heading:
        for heading in self.headings:
            if heading.key == key:
                return heading
        raise KeyError(key)

    # The templates cannot look up "4.7": each section outside 4.1–4.6 by name.
    @property
    def introduction(self) -> Heading:
        return self.heading("1")

    @property
    def organisation_section(self) -> Heading:
        return self.heading("2")

    @property
    def representativeness(self) -> Heading:
        return self.heading("3")

    @property
    def results_section(self) -> Heading:
        return self.heading("4")

    @property
    def calls_section(self) -> Heading:
        return self.heading("4.7")

    @property
    def emails_section(self) -> Heading:
        return self.heading("4.8")

    @property
    def remarks_section(self) -> Heading:
        return self.heading("5")

    @property
    def actions_section(self) -> Heading:
        return self.heading("6")

    @property
    def year(self) -> int:
        return self.campaign.year

    @property
    def comparison_year(self) -> int | None:
        return self.indicators.comparison_year

    @property
    def objective(self) -> str:
        return french_percent(float(self.campaign.objective))

    @property
    def colour_legend(self) -> list[tuple[Colour, str]]:
        return colour_legend(self.campaign.objective, self.campaign.orange_band)


# --- building it -------------------------------------------------------------------------------


def report_date(campaign: Campaign) -> datetime.date:
    """The date the report bears (and its PDF's metadata): the closing day in the
    organisation's zone (``Campaign.zone``), or else the last day of the survey. Never
    today: the same data give the same file."""
    if campaign.closed_at is not None:
        return campaign.closed_at.astimezone(campaign.zone).date()
    return campaign.end_date


def build(campaign: Campaign) -> ReportContext:
    """Everything the report prints. A fixed number of queries."""
    organisation = campaign.organisation
    indicators = compute(campaign, Filter())
    texts = section_texts(campaign, indicators)
    headings = _headings(texts)
    questionnaires = _questionnaires(campaign)
    engagements = _engagements_by_code(questionnaires)
    quoted = _quoted_engagements(engagements)
    calls, emails = call_table(campaign), email_table(campaign)
    previous_year = indicators.comparison_year or campaign.year - 1
    actions = _actions(organisation, campaign.year, previous_year)
    return ReportContext(
        campaign=campaign,
        organisation=organisation,
        title=campaign.title,
        subtitle="Présentation et analyse des résultats",
        report_date=report_date(campaign),
        period=_period(campaign.start_date, campaign.end_date),
        indicators=indicators,
        texts=texts,
        headings=headings,
        counts=_counts(indicators, campaign),
        general_quotes=quoted.get("4"),
        results=_results(campaign, indicators, headings, engagements),
        calls=calls,
        calls_quotes=quoted.get("4.7"),
        emails=emails,
        emails_quotes=quoted.get("4.8"),
        remarks=remark_counts(campaign),
        actions=[a for a in actions if a.year == campaign.year],
        previous_actions=[a for a in actions if a.year == previous_year],
        previous_actions_year=previous_year,
        annex=_annex(questionnaires),
        colours={str(colour): hex_ for colour, hex_ in COLOURS.items()},
    )


def _normalised(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).replace("«", "").replace("»", "")
    return " ".join(text.casefold().split())


def _headings(texts: dict[str, str]) -> list[Heading]:
    titles = {section.key: str(section.title) for section in SECTIONS}
    keys = [section.key for section in SECTIONS]
    return [Heading(key, titles[key], texts.get(key, "")) for key in keys]


def _period(start: datetime.date, end: datetime.date) -> str:
    """du lundi 3 octobre au vendredi 14 octobre 2016."""
    first = dateformat.format(start, "l j F" if start.year == end.year else "l j F Y")
    return f"du {first} au {dateformat.format(end, 'l j F Y')}"


def _day(day: datetime.date) -> str:
    return dateformat.format(day, "j F")


def _week(monday: datetime.date, campaign: Campaign) -> str:
    """The seed's "3 au 7 octobre": the working days of the week within the campaign."""
    start = max(monday, campaign.start_date)
    end = min(monday + datetime.timedelta(days=4), campaign.end_date)
    if end <= start:
        return _day(start)
    if start.month == end.month:
        return f"{start.day} au {_day(end)}"
    return f"{_day(start)} au {_day(end)}"


def _counts(indicators: Indicators, campaign: Campaign) -> list[Counts]:
    counts: list[Counts] = []
    previous = indicators.previous_by_channel
    hall = indicators.by_week(Channel.HALL)
    if hall:
        rows = tuple((_week(monday, campaign), n) for monday, n in hall)
        counts.append(
            Counts(
                Channel.HALL,
                "Répartition des questionnaires complétés dans le hall d'accueil",
                "Semaine",
                indicators.by_channel.get(Channel.HALL, 0),
                previous[Channel.HALL][0] if Channel.HALL in previous else None,
                rows,
                svg.count_columns(rows, title="Questionnaires recueillis par semaine"),
            )
        )
    phone = indicators.by_day.get(Channel.PHONE, [])
    if phone:
        rows = tuple((_day(day), n) for day, n in phone)
        counts.append(
            Counts(
                Channel.PHONE,
                "Répartition des questionnaires complétés téléphoniquement",
                "Jour",
                indicators.by_channel.get(Channel.PHONE, 0),
                previous[Channel.PHONE][0] if Channel.PHONE in previous else None,
                rows,
                svg.count_columns(rows, title="Questionnaires recueillis par jour"),
            )
        )
    return counts


# --- 4.1 to 4.6 ------------------------------------------------------------------------------


def _results(
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
        quotes=_quotes(sorted(quoted.values(), key=lambda e: (e.order, e.number))),
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


# --- engagements -------------------------------------------------------------------------------


def _engagements_by_code(questionnaires: list[Questionnaire]) -> dict[str, list[Engagement]]:
    """Each question code's engagements, over both questionnaires (prefetched)."""
    found: dict[str, dict[int, Engagement]] = {}
    for questionnaire in questionnaires:
        for question in questionnaire.questions.all():
            for engagement in question.engagements.all():
                found.setdefault(question.code, {})[engagement.pk] = engagement
    return {
        code: sorted(by_pk.values(), key=lambda e: (e.order, e.number))
        for code, by_pk in found.items()
    }


def _quotes(engagements: Sequence[Engagement]) -> Quotes | None:
    if not engagements:
        return None
    framework = engagements[0].framework
    return Quotes(
        framework.name,
        tuple(Quote(e.number, e.text) for e in engagements if e.framework_id == framework.pk),
    )


def _quoted_engagements(by_code: dict[str, list[Engagement]]) -> dict[str, Quotes]:
    """The engagements of section 4's head and of the mystery tests, in the framework the
    campaign's questions refer to. One query."""
    frameworks: dict[int, int] = {}
    for engagements in by_code.values():
        for engagement in engagements:
            frameworks[engagement.framework_id] = frameworks.get(engagement.framework_id, 0) + 1
    if not frameworks:
        return {}
    framework_id = max(sorted(frameworks), key=lambda pk: frameworks[pk])
    every = list(
        Engagement.objects.filter(framework_id=framework_id)
        .select_related("framework")
        .order_by("order", "number")
    )
    if not every:
        return {}
    numbers = QUOTED_ENGAGEMENTS.get(every[0].framework.code, {})
    quoted = {}
    for key, wanted in numbers.items():
        chosen = [e for e in every if e.number in wanted]
        found = _quotes(chosen)
        if found is not None:
            quoted[key] = found
    return quoted


# --- actions ---------------------------------------------------------------------------------


def _actions(organisation: Organisation, year: int, previous_year: int) -> list[ActionRow]:
    """This year's actions and last year's, with their state. One query."""
    actions = ImprovementAction.objects.filter(
        organisation=organisation, year__in=[year, previous_year]
    ).order_by("-year", "order", "pk")
    return [
        ActionRow(
            title=action.title,
            description=action.description.strip(),
            owner=action.owner,
            due_date=action.due_date,
            status=action.status,
            status_label=str(ActionStatus(action.status).label),
            year=action.year,
        )
        for action in actions
    ]


# --- the annex -------------------------------------------------------------------------------


KIND_NOTES = {
    QuestionKind.SINGLE: "une réponse",
    QuestionKind.MULTIPLE: "plusieurs réponses possibles",
    QuestionKind.SATISFACTION: "échelle de satisfaction",
    QuestionKind.AGREEMENT: "échelle d'accord",
    QuestionKind.YES_NO: "oui / non",
    QuestionKind.FREE_TEXT: "réponse libre",
    QuestionKind.COMMUNE: "commune",
}


def _questionnaires(campaign: Campaign) -> list[Questionnaire]:
    """The campaign's questionnaires with their sections, questions, choices and
    engagements. Five queries."""
    questions = Question.objects.order_by("order").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("order")),
        Prefetch("engagements", queryset=Engagement.objects.select_related("framework")),
    )
    return list(
        Questionnaire.objects.filter(campaign=campaign)
        .order_by("channel")
        .prefetch_related("sections", Prefetch("questions", queryset=questions))
    )


def _annex(questionnaires: list[Questionnaire]) -> Annex:
    """Both questionnaires in one listing: sections by code, questions by code, in the
    hall's order (a question the phone alone asks comes at its own rank)."""
    rank: dict[str, int] = {Channel.HALL: 0, Channel.PHONE: 1}
    ordered = sorted(questionnaires, key=lambda q: (rank.get(q.channel, 9), q.channel))
    several = len(ordered) > 1
    labels = {q.channel: str(Channel(q.channel).label) for q in ordered}
    sections: dict[str, tuple[tuple[int, int], str]] = {}  # code -> sort key, title
    asked: dict[str, dict[str, Question]] = {}  # question code -> channel -> question
    keys: dict[str, tuple[int, int, int]] = {}  # question code -> sort key
    section_of: dict[str, str] = {}
    by_pk: dict[int, Question] = {}
    for index, questionnaire in enumerate(ordered):
        own_sections = {section.pk: section for section in questionnaire.sections.all()}
        for section in own_sections.values():
            sections.setdefault(section.code, ((section.order, index), section.title))
        for question in questionnaire.questions.all():
            by_pk[question.pk] = question
            asked.setdefault(question.code, {})[questionnaire.channel] = question
            section = own_sections[question.section_id]
            keys.setdefault(question.code, (section.order, question.order, index))
            section_of.setdefault(question.code, section.code)
    rows: dict[str, list[tuple[tuple[int, int, int], AnnexQuestion]]] = {}
    for code, versions in asked.items():
        channels = list(versions)
        first = versions[channels[0]]
        only = labels[channels[0]] if several and len(channels) == 1 else ""
        other = versions[channels[1]] if len(channels) > 1 else None
        rows.setdefault(section_of[code], []).append(
            (
                keys[code],
                AnnexQuestion(
                    number=first.number,
                    text=first.text,
                    kind=KIND_NOTES.get(QuestionKind(first.kind), first.kind),
                    choices=_annex_choices(versions, labels),
                    condition=_condition(first, by_pk),
                    only=only,
                    other_text=other.text if other is not None and other.text != first.text else "",
                ),
            )
        )
    listed = []
    for code, (_, title) in sorted(sections.items(), key=lambda item: item[1][0]):
        questions = [question for _, question in sorted(rows.get(code, []), key=lambda r: r[0])]
        if questions:
            listed.append(AnnexSection(title, tuple(questions)))
    return Annex(
        questionnaires=tuple(
            AnnexQuestionnaire(q.channel, labels[q.channel], q.title, q.introduction)
            for q in ordered
        ),
        sections=tuple(listed),
    )


def _annex_choices(
    versions: dict[str, Question], labels: dict[str, str]
) -> tuple[AnnexChoice, ...]:
    """The choices of every version of a question, each once, in order; a choice only one
    version offers names it."""
    offered: dict[str, tuple[str, list[str]]] = {}  # code -> label, channels
    for channel, question in versions.items():
        for choice in question.choices.all():
            offered.setdefault(choice.code, (choice.label, []))[1].append(channel)
    everyone = len(versions)
    return tuple(
        AnnexChoice(label, labels[channels[0]] if len(channels) < everyone else "")
        for label, channels in offered.values()
    )


def _condition(question: Question, by_pk: dict[int, Question]) -> str:
    """ "Posée si « Avez-vous appelé … » : Oui." from the prefetched questions."""
    if question.condition_question_id is None:
        return ""
    condition = by_pk.get(question.condition_question_id)
    if condition is None:
        return ""
    wanted = set(question.condition_codes or [])
    labels = [c.label for c in condition.choices.all() if c.code in wanted]
    target = f"Q{condition.number}" if condition.number else f"« {condition.text} »"
    return f"Posée si {target} : {' ou '.join(labels)}."
