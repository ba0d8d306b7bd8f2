"""Everything the audit report prints, gathered once: ``build(campaign) -> ReportContext``.

The report follows the Charente 2016 report (``shared/seed``): a cover, the table of
contents, 1 introduction, 2 organisation, 3 representativeness (questionnaires per week in
the hall, per day by phone), 4 results section by section (the Qualipref engagements
quoted, the charts, the commentary), 4.7 and 4.8 the mystery tables, 5 the remarks' counts,
6 the improvement actions, and in annex the questionnaires as they were asked.

This package's API is ``build``, ``ReportContext`` (what the templates read)
and ``report_date``; ``blocks`` and ``number_ranges`` (the commentary's
paragraphs, the quoted engagements' numbers) come from ``headings``, the shared building
blocks. One module per part of the report: ``representativeness`` (3), ``results`` (4.1 to
4.6, their charts by ``reports.audit.svg``), ``engagements`` (the quotes of 4, 4.1 to 4.8),
``actions`` (6), ``annex``. Sections 1, 2 and 5 and the mystery tables (4.7, 4.8) need no
module of their own: their commentary is ``reports.audit.drafting.section_texts`` (the
quality manager's edited text, else the draft), the mystery tables ``mystery.tables``, the
remarks ``reports.remarks.counts``; the figures are ``reports.indicators.compute``.

Cost: a fixed number of queries (about forty, most of them the drafts' and the
indicators'), whatever the number of questionnaires, questions, remarks or actions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import dateformat

from mystery.tables import CallTable, EmailTable, call_table, email_table
from reports.charts import COLOURS
from reports.figures import french_percent
from reports.indicators import Filter, Indicators, compute
from reports.remarks import RemarkCounts
from reports.remarks import counts as remark_counts
from reports.stats import Colour, colour_legend
from survey.models import Campaign, Organisation

from ..drafting import SECTIONS, section_texts
from .actions import ActionRow, action_rows
from .annex import Annex, asked_questionnaires, merged_annex
from .engagements import engagements_by_code, quoted_engagements
from .headings import Heading, Quotes, blocks, number_ranges
from .representativeness import Counts, channel_counts
from .results import ResultSection, result_sections

__all__ = ["ReportContext", "blocks", "build", "number_ranges", "report_date"]


@dataclass
class ReportContext:
    """What the templates read: the report's headings, texts, figures, charts and tables."""

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
    questionnaires = asked_questionnaires(campaign)
    engagements = engagements_by_code(questionnaires)
    quoted = quoted_engagements(engagements)
    calls, emails = call_table(campaign), email_table(campaign)
    previous_year = indicators.comparison_year or campaign.year - 1
    actions = action_rows(organisation, campaign.year, previous_year)
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
        counts=channel_counts(indicators, campaign),
        general_quotes=quoted.get("4"),
        results=result_sections(campaign, indicators, headings, engagements),
        calls=calls,
        calls_quotes=quoted.get("4.7"),
        emails=emails,
        emails_quotes=quoted.get("4.8"),
        remarks=remark_counts(campaign),
        actions=[a for a in actions if a.year == campaign.year],
        previous_actions=[a for a in actions if a.year == previous_year],
        previous_actions_year=previous_year,
        annex=merged_annex(questionnaires),
        colours={str(colour): hex_ for colour, hex_ in COLOURS.items()},
    )


def _headings(texts: dict[str, str]) -> list[Heading]:
    titles = {section.key: str(section.title) for section in SECTIONS}
    keys = [section.key for section in SECTIONS]
    return [Heading(key, titles[key], texts.get(key, "")) for key in keys]


def _period(start: datetime.date, end: datetime.date) -> str:
    """du lundi 3 octobre au vendredi 14 octobre 2016."""
    first = dateformat.format(start, "l j F" if start.year == end.year else "l j F Y")
    return f"du {first} au {dateformat.format(end, 'l j F Y')}"
