"""``compute``: every figure of a campaign under a filter, from counts read one way or the
other (``tallied`` by default, ``raw`` on demand), shaped into one ``QuestionResult`` per
question code, each with its figure in the comparison year (``comparison``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

from survey.models import SCALE_KINDS, Campaign, Polarity, QuestionKind

from ..stats import Rate
from . import raw, tallied
from .comparison import Comparison, comparison_year, published_figures
from .counts import Counts, count_of
from .filters import Filter
from .results import FAVOURABLE, Indicators, QuestionResult, Share, group_label
from .structure import ChoiceIds, Structure, read_structure

Counted = Literal["tallies", "raw"]  # where compute() reads the counts


def compute(
    campaign: Campaign, flt: Filter | None = None, *, source: Counted = "tallies"
) -> Indicators:
    """Every indicator of ``campaign`` under ``flt``, whatever the size, from the
    tallies: three queries without a comparison year, at most five with one, and two more
    when the questionnaires changed since this process last read them. ``source="raw"``
    counts the answers instead (same figures, four GROUP BYs in place of each tallies'
    query: three more queries, six with a comparison campaign)."""
    flt = replace(flt or Filter(), zone=campaign.zone)  # days in the organisation's zone
    year, previous_id = comparison_year(campaign)
    published = published_figures(campaign, year)
    structure = read_structure(campaign.pk, previous_id)
    now = _counts(campaign.pk, flt, source, structure.choice_ids)
    # A comparison is like for like: last year's raw answers under the same filter,
    # or, without a site, week or interviewer filter only, the published figures.
    across = flt.across_years
    before = None
    if previous_id is not None and across is not None:
        before = _counts(previous_id, across, source, structure.choice_ids)
    against = Comparison(flt, year, published, before)
    builder = _Builder(campaign, structure, now, against)
    communes = {
        code: tuple(meta["channels"])
        for code, meta in structure.questions.items()
        if meta["kind"] == QuestionKind.COMMUNE
    }
    arrondissements, epcis = against.places(now.arrondissements, now.epcis, communes)
    questions = {code: builder.question(code, meta) for code, meta in structure.questions.items()}
    return Indicators(
        campaign=campaign,
        filter=flt,
        total=now.total,
        by_channel=now.by_channel,
        by_day=now.by_day,
        questions=questions,
        arrondissements=arrondissements,
        epcis=epcis,
        outside_departement=now.outside,
        comparison_year=year,
        previous_by_channel=against.by_channel(),
        not_comparable=against.not_comparable(),
    )


def _counts(campaign_id: int, flt: Filter, source: Counted, choice_ids: ChoiceIds) -> Counts:
    if source == "raw":
        return raw.counts(campaign_id, flt)
    return tallied.counts(campaign_id, flt, choice_ids)


class _Builder:
    """Turns the grouped counts into one ``QuestionResult`` per question code."""

    def __init__(
        self, campaign: Campaign, structure: Structure, now: Counts, comparison: Comparison
    ) -> None:
        self.objective, self.band = campaign.objective, campaign.orange_band
        self.choices = structure.choices
        self.counts, self.answered, self.bases = now.choices, now.answered, now.bases
        self.comparison = comparison

    def question(self, code: str, meta: Mapping[str, Any]) -> QuestionResult:
        base, answered = self.bases.get(code, 0), self.answered.get(code, 0)
        choices = self.choices.get(code, [])
        shares = [
            self._share(code, meta, choice, label, polarity, [choice], base, answered)
            for choice, label, polarity in choices
        ]
        labels = {choice: label for choice, label, _ in choices}
        shares += [
            self._share(
                code,
                meta,
                group,
                group_label(group, [labels.get(m, m) for m in members]),
                Polarity.NEUTRAL,
                members,
                base,
                answered,
            )
            for group, members in meta["groups"].items()
        ]
        favourable = previous = None
        if meta["kind"] in SCALE_KINDS:
            members = [c for c, _, polarity in choices if polarity == Polarity.FAVOURABLE]
            favourable = Rate.of(
                count_of(self.counts, code, members),
                base,
                objective=self.objective,
                band=self.band,
            )
            previous = self.comparison.previous(
                code, tuple(meta["channels"]), FAVOURABLE, members, favourable
            )
        return QuestionResult(
            code=code,
            number=meta["number"],
            text=meta["text"],
            kind=meta["kind"],
            section=meta["section"],
            channels=tuple(meta["channels"]),
            answered=answered,
            base=base,
            shares=tuple(shares),
            favourable=favourable,
            previous=previous,
            groups={name: tuple(members) for name, members in meta["groups"].items()},
        )

    def _share(
        self,
        code: str,
        meta: Mapping[str, Any],
        share_code: str,
        label: str,
        polarity: str,
        members: list[str],
        base: int,
        answered: int,
    ) -> Share:
        """A choice's share of the base; "sans réponse" and "non concerné", outside the
        base, are shown as shares of everyone who answered."""
        n = answered if polarity == Polarity.OUTSIDE else base
        rate = Rate.of(min(count_of(self.counts, code, members), n), n)
        asked_in = tuple(meta["channels"])
        previous = self.comparison.previous(code, asked_in, share_code, members, rate)
        return Share(share_code, label, polarity, rate, previous)
