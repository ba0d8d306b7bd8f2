"""What either path counts in one campaign under one filter (``Counts``), and the few
steps both paths share to shape their grouped rows.

The tallied path (``tallied``) and the raw path (``raw``) return the same ``Counts`` for
the same data: ``source="raw"`` of ``compute`` and ``survey.tallies.check`` compare them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..stats import Rate
from .results import Place

ByDay = dict[str, list[tuple[datetime.date, int]]]  # channel -> [(day, questionnaires)]


@dataclass(frozen=True)
class Counts:
    """What compute() counts in one campaign under one filter."""

    choices: dict[tuple[str, str], int]  # (question code, choice code) -> answers
    answered: dict[str, int]  # question code -> respondents who answered
    bases: dict[str, int]  # question code -> respondents whose answer enters a rate
    arrondissements: list[Place]
    epcis: list[Place]
    outside: Rate  # communes given outside the département
    by_channel: dict[str, int]  # questionnaires
    by_day: ByDay

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


def count_of(counts: Mapping[tuple[str, str], int], code: str, members: list[str]) -> int:
    """The answers of question ``code`` that chose one of ``members`` (a choice, or the
    choices of a group or of a favourable rate)."""
    return sum(counts.get((code, member), 0) for member in members)


def by_day(cells: Iterable[tuple[str, datetime.date, int]]) -> tuple[dict[str, int], ByDay]:
    """Questionnaires per channel, and per channel and day in order, from (channel, day,
    questionnaires) rows."""
    by_channel: dict[str, int] = defaultdict(int)
    days: ByDay = defaultdict(list)
    for channel, day, n in sorted(cells):
        if not n:
            continue
        by_channel[channel] += n
        days[channel].append((day, n))
    return dict(by_channel), dict(days)


def ranked(counts: Mapping[tuple[str, str], int], base: int, prefix: str) -> list[Place]:
    """Places (arrondissements or EPCI) from their counts, the most answered first."""
    return sorted(
        (Place(prefix + code, name, Rate.of(n, base)) for (code, name), n in counts.items()),
        key=lambda place: (-place.rate.k, place.name),
    )
