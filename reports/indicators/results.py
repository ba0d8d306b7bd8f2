"""What ``compute`` returns: the figures of a campaign under a filter, each with the same
figure in the comparison year when there is one.

Plain values: the dashboard (reports/views.py, reports/charts.py), the audit report
(reports/audit/) and the evidence workbook read them; nothing here queries the database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from django.utils.translation import gettext

from survey.models import Campaign, Polarity

from ..models import FigureChannel
from ..stats import Rate, TwoProportionTest
from .filters import Filter

FAVOURABLE = "favourable"  # the pseudo choice code of a scale question's favourable rate
Source = Literal["raw", "published"]


@dataclass(frozen=True)
class Previous:
    """The same figure in the comparison year, and whether the change is significant."""

    year: int
    source: Source
    rate: Rate | None  # None when only a percentage was published
    published_percent: float | None = None
    test: TwoProportionTest | None = None
    channel: str = FigureChannel.ALL  # a published figure may cover one channel only

    @property
    def percent(self) -> float | None:
        return self.rate.percent if self.rate is not None else self.published_percent

    @property
    def significant(self) -> bool | None:
        """None when no test is possible (a rate published without its base)."""
        return self.test.significant if self.test is not None else None


@dataclass(frozen=True)
class Share:
    """One choice (or group of choices) of a question: who chose it, out of the base."""

    code: str
    label: str
    polarity: str
    rate: Rate
    previous: Previous | None = None

    @property
    def count(self) -> int:
        return self.rate.k


def group_label(name: str, member_labels: list[str]) -> str:
    """How a group of choices is printed: a group of one choice is that choice
    ("Véhicule personnel"); a group of several, a sub-total of the parts above it, says so
    with its name from the questionnaires' file ("titres_de_circulation" → "dont titres
    de circulation"). Never its code."""
    if len(member_labels) == 1:
        return member_labels[0]
    return gettext("dont %(group)s") % {"group": name.replace("_", " ")}


@dataclass(frozen=True)
class Distribution:
    """A distribution as printed: parts that add up to the base (over 100 % for a
    multiple choice: each respondent may tick several), sub-totals of some of them, and
    the answers outside the base, named."""

    base: int
    parts: tuple[Share, ...]
    subtotals: tuple[Share, ...] = ()
    outside: tuple[Share, ...] = ()


@dataclass(frozen=True)
class QuestionResult:
    code: str
    number: str
    text: str
    kind: str
    section: str
    channels: tuple[str, ...]
    answered: int  # respondents who answered, "sans réponse" and "non concerné" included
    base: int  # respondents whose answer enters a rate
    shares: tuple[Share, ...] = ()  # every choice in order, then the groups
    favourable: Rate | None = None  # scale questions
    previous: Previous | None = None  # of the favourable rate
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # name -> choice codes

    def share(self, code: str) -> Rate:
        return self._share(code).rate

    def distribution(self) -> Distribution:
        """The shares as the dashboard and the report show them: the choices in the base
        (the parts), the groups of several choices ("dont titres de circulation", sub-totals
        of some parts), the choices outside the base. A group of one choice repeats it: it
        is left out, and the comparison year's figure published for it goes to its
        choice."""
        count = len(self.shares) - len(self.groups)  # the groups come after the choices
        choices, groups = self.shares[:count], self.shares[count:]
        single = {
            self.groups[share.code][0]: share.previous
            for share in groups
            if len(self.groups.get(share.code, ())) == 1 and share.previous is not None
        }
        parts = tuple(
            replace(share, previous=share.previous or single.get(share.code))
            for share in choices
            if share.polarity != Polarity.OUTSIDE
        )
        return Distribution(
            base=self.base,
            parts=parts,
            subtotals=tuple(s for s in groups if len(self.groups.get(s.code, ())) > 1),
            outside=tuple(s for s in choices if s.polarity == Polarity.OUTSIDE),
        )

    def share_previous(self, code: str) -> Previous | None:
        return self._share(code).previous

    def _share(self, code: str) -> Share:
        for share in self.shares:
            if share.code == code:
                return share
        raise KeyError(f"{self.code} has no choice or group {code!r}")


@dataclass(frozen=True)
class Place:
    """Communes grouped by arrondissement or by EPCI. ``code`` is how a published figure
    names it: arrondissement_161, epci_200071827."""

    code: str
    name: str
    rate: Rate
    previous: Previous | None = None


@dataclass
class Indicators:
    campaign: Campaign
    filter: Filter
    total: int
    by_channel: dict[str, int]
    by_day: dict[str, list[tuple[datetime.date, int]]]
    questions: dict[str, QuestionResult]
    arrondissements: list[Place]
    epcis: list[Place]
    outside_departement: Rate
    comparison_year: int | None = None
    previous_by_channel: dict[str, tuple[int, Source]] = field(default_factory=dict)
    not_comparable: str = ""  # why the comparison year is not shown under the filter

    def question(self, code: str) -> QuestionResult:
        try:
            return self.questions[code]
        except KeyError:
            raise KeyError(
                gettext("Aucune question de code « %(code)s » dans cette campagne.")
                % {"code": code}
            ) from None

    def with_remainder(self, places: list[Place]) -> list[Place]:
        """``places`` (the arrondissements or the EPCI) then what completes them to the
        base, named: the communes outside the département, and those of the département
        that belong to none of ``places`` (a commune of no EPCI). Their counts add up to
        the base, the communes given."""
        if not places and not self.outside_departement.n:
            return []
        base = self.outside_departement.n
        rest = base - sum(p.rate.k for p in places) - self.outside_departement.k
        named = [Place("outside", gettext("Hors du département"), self.outside_departement)]
        if rest > 0:
            unattached = gettext("Commune du département sans rattachement")
            named.append(Place("unattached", unattached, Rate.of(rest, base)))
        return places + [p for p in named if p.rate.k]

    def by_week(self, channel: str) -> list[tuple[datetime.date, int]]:
        """Questionnaires per week (Monday), in order."""
        weeks: dict[datetime.date, int] = defaultdict(int)
        for day, n in self.by_day.get(channel, []):
            weeks[day - datetime.timedelta(days=day.weekday())] += n
        return sorted(weeks.items())

    def sections(self) -> list[tuple[str, list[QuestionResult]]]:
        grouped: dict[str, list[QuestionResult]] = {}
        for result in self.questions.values():
            grouped.setdefault(result.section, []).append(result)
        return list(grouped.items())

    @property
    def previous_total(self) -> int | None:
        if not self.previous_by_channel:
            return None
        return sum(n for n, _ in self.previous_by_channel.values())
