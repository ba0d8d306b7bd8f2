"""Honest statistics for published rates: the Wilson interval, the two-proportion test, the
small-base warning, and the colour against the campaign's objective.

Pure functions of counts; nothing here reads the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils.translation import gettext

from common.ratios import Ratio

from .figures import french_number, french_percent

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


def shown_tenths(k: int, n: int) -> Decimal:
    """k/n as a percentage rounded half up to one decimal, as the report and the dashboard
    print it (``french_percent``), computed on integers: 7/10 is exactly 70.0, never
    69.999…, and 1449/2000 (72,45 %) is 72.5 as printed."""
    if n <= 0:
        raise ValueError("no rate for an empty base")
    tenths = (2000 * k + n) // (2 * n)  # round(1000·k/n), halves up, exact
    return Decimal(tenths).scaleb(-1)


def colour(percent: float | None, objective: Decimal | float, band: Decimal | float) -> Colour:
    """The colour of a percentage (a published one, without its base): see ``judge``."""
    if percent is None:
        return Colour.NONE
    shown = Decimal(str(percent)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return judge(shown, objective, band)


def colour_of(k: int, n: int, objective: Decimal | float, band: Decimal | float) -> Colour:
    """The colour of k out of n, on exact values: see ``judge``."""
    return judge(shown_tenths(k, n), objective, band) if n > 0 else Colour.NONE


def judge(shown: Decimal, objective: Decimal | float, band: Decimal | float) -> Colour:
    """The one rule of the colours, on the rate as it is printed (to a tenth), so that
    what the reader sees decides: green at or above the objective; orange from
    ``band`` points below it, that edge included, up to the objective (excluded): "jusqu'à
    5 points en dessous", 70,0 % is orange and 69,9 % red against 75 %; red below.
    ``colour_legend`` says the same in words."""
    objective, band = Decimal(str(objective)), Decimal(str(band))
    if shown >= objective:
        return Colour.GREEN
    if band > 0 and shown >= objective - band:
        return Colour.ORANGE
    return Colour.RED


def _lowest_tenth(limit: Decimal) -> Decimal:
    """The smallest percentage printed to a tenth that is at or above ``limit``."""
    return (limit * 10).to_integral_value(rounding=ROUND_CEILING).scaleb(-1)


def colour_legend(objective: Decimal | float, band: Decimal | float) -> list[tuple[Colour, str]]:
    """The colours' meaning for a campaign, one text per colour, in the words the dashboard,
    the report (its legend and its section 4), the campaign page and docs/indicators.md
    use: "orange : objectif presque atteint, jusqu'à 5 points en dessous (de 70 % à
    74,9 %)". The ranges are those ``judge`` applies, in printed tenths."""
    objective, band = Decimal(str(objective)), Decimal(str(band))
    tenth = Decimal("0.1")
    green = _lowest_tenth(objective)
    values = {
        "objective": french_percent(float(objective)),
        "band": french_number(float(band)),
        "green": french_percent(float(green)),
    }
    legend = [
        (Colour.GREEN, gettext("vert : objectif atteint (%(green)s ou plus)") % values),
    ]
    orange = _lowest_tenth(max(objective - band, Decimal(0))) if band > 0 else green
    if orange < green:
        values["from"] = french_percent(float(orange))
        values["to"] = french_percent(float(green - tenth))
        legend.append(
            (
                Colour.ORANGE,
                gettext(
                    "orange : objectif presque atteint, jusqu'à %(band)s points en dessous "
                    "(de %(from)s à %(to)s)"
                )
                % values,
            )
        )
    if orange > 0:
        values["below"] = french_percent(float(orange - tenth))
        if orange < green:
            text = gettext(
                "rouge : objectif non atteint, plus de %(band)s points en dessous "
                "(%(below)s ou moins)"
            )
        else:
            text = gettext("rouge : objectif non atteint (%(below)s ou moins)")
        legend.append((Colour.RED, text % values))
    return legend


def colour_rule(objective: Decimal | float, band: Decimal | float) -> str:
    """``colour_legend`` in one sentence: its texts joined by semicolons."""
    return " ; ".join(text for _, text in colour_legend(objective, band))


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
        judged = colour_of(k, n, objective, band) if objective is not None else Colour.NONE
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
