"""Working-day arithmetic for mystery e-mails ("answered within 5 working days").

Working days run Monday to Friday, minus the French public holidays (Code du travail,
L3133-1) of the organisation's département: Alsace-Moselle and the overseas départements
keep days of their own. The day a message is sent never counts, and datetimes are read
in the organisation's time zone (``survey.moments.zone_of``: Paris, or an overseas
département's own) before their date is taken.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Protocol
from zoneinfo import ZoneInfo

from django.utils import timezone
from holidays.countries.france import France

from survey import moments

# Département code → subdivision of holidays.France (other départements: none).
_SUBDIVISIONS: Mapping[str, str] = MappingProxyType(
    {
        "57": "57",  # Moselle
        "67": "6AE",  # Bas-Rhin
        "68": "6AE",  # Haut-Rhin
        "971": "971",  # Guadeloupe
        "972": "972",  # Martinique
        "973": "973",  # Guyane
        "974": "974",  # La Réunion
        "976": "976",  # Mayotte
    }
)


def subdivision_for(departement_code: str) -> str | None:
    """The holidays.France subdivision of a département code, or None for mainland rules."""
    return _SUBDIVISIONS.get(departement_code.strip().upper())


@lru_cache(maxsize=256)
def _holidays(subdivision: str | None, year: int) -> Mapping[date, str]:
    """Public holidays of one year, with their French names."""
    calendar = France(years=year, subdiv=subdivision, language="fr")
    return MappingProxyType(dict(calendar.items()))


@lru_cache(maxsize=256)
def _weekday_holidays(subdivision: str | None, year: int) -> tuple[date, ...]:
    """The holidays of one year falling Monday to Friday, sorted."""
    return tuple(sorted(day for day in _holidays(subdivision, year) if day.weekday() < 5))


def _weekdays_through(day: date) -> int:
    """Weekdays from 0001-01-01 (a Monday) to `day`, inclusive."""
    weeks, rest = divmod(day.toordinal(), 7)
    return 5 * weeks + min(rest, 5)


def _add_weekdays(start: date, n: int) -> date:
    """The n-th weekday after `start` (n >= 1)."""
    if start.weekday() > 4:  # Weekdays after a weekend day are those after its Friday.
        start -= timedelta(days=start.weekday() - 4)
    weeks, rest = divmod(n, 5)
    day = start + timedelta(weeks=weeks)
    return day + timedelta(days=rest + 2 if day.weekday() + rest > 4 else rest)


def local_date(moment: datetime, zone: ZoneInfo = moments.PARIS) -> date:
    """The date of an aware datetime in ``zone`` (Paris by default)."""
    return moments.local_date(moment, zone)


class Prefecture(Protocol):
    """What a calendar needs of an organisation."""

    departement_code: str
    time_zone: str


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days of one département; `subdivision` is a holidays.France subdivision,
    `zone` the time zone in which moments become days."""

    subdivision: str | None = None
    zone: ZoneInfo = moments.PARIS

    def __post_init__(self) -> None:
        if self.subdivision is not None and self.subdivision not in France.subdivisions:
            raise ValueError(f"Unknown subdivision of France: {self.subdivision!r}")

    @classmethod
    def for_departement(cls, code: str) -> WorkingCalendar:
        """The calendar of a département code ("16", "2A", "57", "974"…), on its clock."""
        return cls(subdivision_for(code), ZoneInfo(moments.zone_name_for_departement(code)))

    @classmethod
    def for_organisation(cls, organisation: Prefecture) -> WorkingCalendar:
        """The calendar of an organisation: its département's holidays, its time zone."""
        return cls(subdivision_for(organisation.departement_code), moments.zone_of(organisation))

    def holiday_name(self, day: date) -> str | None:
        """The French name of the public holiday on `day`, if any."""
        return _holidays(self.subdivision, day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, and not a public holiday."""
        return day.weekday() < 5 and day not in _holidays(self.subdivision, day.year)

    def _holidays_between(self, start: date, end: date) -> int:
        """Weekday holidays d with start < d <= end."""
        count = 0
        for year in range(start.year, end.year + 1):
            days = _weekday_holidays(self.subdivision, year)
            count += bisect.bisect_right(days, end) - bisect.bisect_right(days, start)
        return count

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (0 if end <= start)."""
        if end <= start:
            return 0
        weekdays = _weekdays_through(end) - _weekdays_through(start)
        return weekdays - self._holidays_between(start, end)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (`start` never counts; n = 0 gives `start`)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day, missing = start, n
        while missing:
            target = _add_weekdays(day, missing)
            # Holidays skipped on the way must be made up after `target`.
            day, missing = target, self._holidays_between(day, target)
        return day

    def deadline(self, sent_at: datetime, n: int) -> date:
        """The last date on which an answer to a message sent at `sent_at` is in time."""
        return self.add_working_days(local_date(sent_at, self.zone), n)

    def answered_within(
        self,
        sent_at: datetime,
        answered_at: datetime | None,
        n: int,
        *,
        today: date | None = None,
    ) -> bool | None:
        """Whether the answer came within n working days; None while still waiting."""
        limit = self.deadline(sent_at, n)
        if answered_at is not None:
            return local_date(answered_at, self.zone) <= limit
        if (today or timezone.localdate(timezone=self.zone)) > limit:
            return False
        return None

    def delay(self, sent_at: datetime, answered_at: datetime | None) -> int | None:
        """Working days taken to answer (0 on the day of sending); None if unanswered."""
        if answered_at is None:
            return None
        return self.working_days_between(
            local_date(sent_at, self.zone), local_date(answered_at, self.zone)
        )
