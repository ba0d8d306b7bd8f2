"""Honest statistics for published rates: the Wilson interval, the two-proportion test, the
small-base warning, and the colour against the campaign's objective.

Pure functions of counts; nothing here reads the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .figures import Ratio

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
SMALL_BASE = 30


class Colour(StrEnum):
    GREEN = "green"  # objective reached
    ORANGE = "orange"  # within the campaign's band below it
    RED = "red"  # below that
    NONE = "none"  # no base: no rate to judge


def wilson_interval(k: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of k successes in n trials, as percentages.

    Unlike the textbook p ± z·√(p(1-p)/n), it stays within [0, 100] and is honest near 0 %
    and 100 % and on small bases (Wilson 1927; Brown, Cai & DasGupta 2001).
    """
    if n <= 0:
        raise ValueError("no interval for an empty base")
    if not 0 <= k <= n:
        raise ValueError(f"{k}/{n} is not a proportion")
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


@dataclass(frozen=True)
class TwoProportionTest:
    z: float
    p_value: float

    @property
    def significant(self) -> bool:
        """At the 5 % level, two-sided."""
        return self.p_value < 0.05


def two_proportion_test(k1: int, n1: int, k2: int, n2: int) -> TwoProportionTest | None:
    """The pooled two-proportion z-test of k1/n1 against k2/n2 (two-sided).

    None when it cannot be computed: an empty base, or both rates at 0 % or both at 100 %
    (no variance: nothing to test, and nothing changed).
    """
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (k1 + k2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return None
    z = (k1 / n1 - k2 / n2) / math.sqrt(variance)
    return TwoProportionTest(z, math.erfc(abs(z) / math.sqrt(2)))


def colour(percent: float | None, objective: Decimal | float, band: Decimal | float) -> Colour:
    """Green at or above the objective, orange within ``band`` points below, red below.

    Compared on the rate rounded to one decimal, as it is published: a rate shown as
    "75,0 %" is never painted orange against a 75 % objective.
    """
    if percent is None:
        return Colour.NONE
    shown = round(Decimal(str(percent)), 1)
    objective, band = Decimal(str(objective)), Decimal(str(band))
    if shown >= objective:
        return Colour.GREEN
    if shown >= objective - band:
        return Colour.ORANGE
    return Colour.RED


@dataclass(frozen=True)
class Rate:
    """A published rate: k out of n, with its interval, its size warning and its colour."""

    ratio: Ratio
    colour: Colour = Colour.NONE

    @classmethod
    def of(
        cls,
        k: int,
        n: int,
        *,
        objective: Decimal | float | None = None,
        band: Decimal | float = 0,
    ) -> Rate:
        ratio = Ratio(k, n)
        judged = colour(ratio.percent, objective, band) if objective is not None else Colour.NONE
        return cls(ratio, judged)

    @property
    def k(self) -> int:
        return self.ratio.k

    @property
    def n(self) -> int:
        return self.ratio.n

    @property
    def percent(self) -> float | None:
        return self.ratio.percent

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.k, self.n) if self.n else None

    @property
    def small(self) -> bool:
        """A base under 30: the rate moves a lot with one answer more or less."""
        return 0 < self.n < SMALL_BASE

    def compare(self, earlier: Rate) -> TwoProportionTest | None:
        return two_proportion_test(self.k, self.n, earlier.k, earlier.n)
