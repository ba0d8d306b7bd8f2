"""Which questionnaires a figure counts: the channel, the site, the week, the interviewer.

A ``Filter`` speaks to both ways of counting: as conditions on ``Response`` for the raw
path (``raw``), as an SQL condition on the tallies' cells for the tallied path
(``tallied``); and it says what a comparison with another year may keep of it
(``comparison``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils.translation import gettext

from survey import moments
from survey.models import AnswerTally

PARIS = moments.PARIS  # only the default: a Filter counts days in its organisation's zone


@dataclass(frozen=True)
class Filter:
    """Which questionnaires a figure counts. Empty: every counted one of the campaign."""

    channel: str | None = None  # "hall", "phone"; None: both
    site_id: int | None = None
    week: datetime.date | None = None  # any day of the week (Monday to Sunday, in ``zone``)
    interviewer_id: int | None = None
    zone: ZoneInfo = PARIS  # of the campaign's organisation, set by compute()

    @property
    def monday(self) -> datetime.date | None:
        return self.week - datetime.timedelta(days=self.week.weekday()) if self.week else None

    def conditions(self, prefix: str = "") -> Q:
        """The filter as conditions on Response, reached through ``prefix`` ("response__")."""
        q = Q(**{f"{prefix}voided_at__isnull": True})
        if self.channel:
            q &= Q(**{f"{prefix}channel": self.channel})
        if self.site_id:
            q &= Q(**{f"{prefix}site_id": self.site_id})
        if self.interviewer_id:
            q &= Q(**{f"{prefix}interviewer_id": self.interviewer_id})
        if self.monday:
            start = datetime.datetime.combine(self.monday, datetime.time(), tzinfo=self.zone)
            end = start + datetime.timedelta(days=7)
            q &= Q(**{f"{prefix}started_at__gte": start, f"{prefix}started_at__lt": end})
        return q

    @property
    def summarised(self) -> bool:
        """Whether the channels' summary tallies answer this filter (no site, week or
        interviewer)."""
        return not (self.site_id or self.interviewer_id or self.monday)

    def tally_where(
        self, connection: BaseDatabaseWrapper, *, by_day: bool = False
    ) -> tuple[str, list[Any]]:
        """The filter as an SQL condition on AnswerTally ``t`` (which holds counted
        questionnaires only), on one grain: the channels' summary cells when they answer
        the filter and the days are not wanted (``by_day``), else the detailed cells; the
        week keeps the days of questionnaires whose start is known."""
        # The constant inlined, not a parameter: the planner then sees that the summary's
        # partial index (``answer_tally_summary``) serves the query.
        summary = int(AnswerTally.SUMMARY)
        grain = "=" if self.summarised and not by_day else "<>"
        conditions = [f"t.site_id {grain} {summary}"]
        params: list[Any] = []
        if self.channel:
            conditions.append("t.channel = %s")
            params.append(self.channel)
        if self.site_id:
            conditions.append("t.site_id = %s")
            params.append(self.site_id)
        if self.interviewer_id:
            conditions.append("t.interviewer_id = %s")
            params.append(self.interviewer_id)
        if self.monday:
            end = self.monday + datetime.timedelta(days=7)
            conditions.append("t.dated = %s AND t.day >= %s AND t.day < %s")
            adapt = connection.ops.adapt_datefield_value
            params += [True, adapt(self.monday), adapt(end)]
        return " AND ".join(conditions), params

    @property
    def across_years(self) -> Filter | None:
        """The same filter in another campaign, for a like-for-like comparison: the
        channel, the site and the interviewer are the same from one year to the next
        (the organisation's sites, the same accounts), so last year's raw answers can be
        counted under them. A week cannot: the weeks of two campaigns are other dates
        (other holidays, another moment of the year's rush), and the first week of one
        is not the first of the other. None: no comparison."""
        if self.monday:
            return None
        return Filter(
            channel=self.channel,
            site_id=self.site_id,
            interviewer_id=self.interviewer_id,
            zone=self.zone,
        )

    @property
    def matches_published(self) -> bool:
        """Whether figures published for the whole organisation (or one channel) compare
        with this filter's: only without a site, a week or an interviewer."""
        return self.summarised

    def not_comparable(self) -> str:
        """Why the comparison year's figures are not shown under this filter, or "" when
        they are (as counted last year under the same filter when its raw answers
        exist)."""
        if self.monday:
            return gettext(
                "Pas de comparaison avec l'année précédente pour une semaine : les semaines "
                "d'une autre campagne tombent à d'autres dates."
            )
        return ""
