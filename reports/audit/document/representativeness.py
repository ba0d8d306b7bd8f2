"""Section 3, the survey's representativeness: the questionnaires of each channel per
week (hall) or per day (phone), with their charts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import dateformat

from reports.indicators import Indicators
from survey.models import Campaign, Channel

from .. import svg


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


def channel_counts(indicators: Indicators, campaign: Campaign) -> list[Counts]:
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
