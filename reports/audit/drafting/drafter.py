"""The drafter of one campaign's report: the figures every section reads, and which
function drafts which section."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cached_property

from mystery import tables
from reports.figures import french_percent
from reports.indicators import Indicators, QuestionResult
from reports.indicators import compute as compute_indicators
from survey.models import Campaign

from ..typography import french
from .calls_emails import mystery_calls, mystery_emails
from .organisation import introduction, organisation, representativeness
from .remarks_actions import action_plan, users_remarks
from .results import preamble, result_section
from .sections import KEYS, section

# The sections with a writer of their own; the others (4.1 to 4.6) are results sections.
_WRITERS: dict[str, Callable[[Drafter], list[str]]] = {
    "1": introduction,
    "2": organisation,
    "3": representativeness,
    "4": preamble,
    "4.7": mystery_calls,
    "4.8": mystery_emails,
    "5": users_remarks,
    "6": action_plan,
}


class Drafter:
    """Drafts the sections of one campaign's report from its indicators; the mystery
    tables, the remark counts and the actions are read once, when a section needs them."""

    def __init__(self, campaign: Campaign, indicators: Indicators) -> None:
        self.campaign = campaign
        self.indicators = indicators
        self._by_channel: dict[str, Indicators] = {}

    def draft(self, key: str) -> str:
        section(key)  # KeyError for an unknown key
        writer = _WRITERS.get(key)
        paragraphs = writer(self) if writer is not None else result_section(self, key)
        return french("\n\n".join(p for p in paragraphs if p))

    def drafts(self) -> dict[str, str]:
        return {key: self.draft(key) for key in KEYS}

    # --- shared reads -----------------------------------------------------------------------

    @cached_property
    def calls(self) -> tables.CallTable:
        return tables.call_table(self.campaign)

    @cached_property
    def emails(self) -> tables.EmailTable:
        return tables.email_table(self.campaign)

    @cached_property
    def mystery_comparison(self) -> tables.Comparison | None:
        return tables.comparison(self.campaign, self.calls, self.emails)

    @property
    def objective(self) -> str:
        return french_percent(float(self.campaign.objective))

    def question(self, code: str, indicators: Indicators | None = None) -> QuestionResult | None:
        questions = (indicators or self.indicators).questions
        return questions.get(code)

    def channel_indicators(self, channel: str) -> Indicators:
        """The same indicators narrowed to one channel (computed once, when a comparison
        figure was published for that channel only)."""
        if channel not in self._by_channel:
            flt = replace(self.indicators.filter, channel=channel)
            self._by_channel[channel] = compute_indicators(self.campaign, flt)
        return self._by_channel[channel]
