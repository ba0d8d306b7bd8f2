"""What a section's drafter reads: one campaign's figures, the mystery tables and the
comparisons, each read once, when a section first needs it.

Below both the section modules (``organisation``, ``results``, ``calls_emails``,
``remarks_actions``), which type against ``DraftContext``, and ``drafter``, whose
``Drafter`` is a ``DraftContext`` that knows which function drafts which section: the
sections need the figures, not the dispatch, so the imports form a tree.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

from mystery import tables
from reports.figures import french_percent
from reports.indicators import Indicators, QuestionResult
from reports.indicators import compute as compute_indicators
from survey.models import Campaign


class DraftContext:
    """One campaign's figures for its report's drafts; the mystery tables are read once,
    when a section needs them."""

    def __init__(self, campaign: Campaign, indicators: Indicators) -> None:
        self.campaign = campaign
        self.indicators = indicators
        self._by_channel: dict[str, Indicators] = {}

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
