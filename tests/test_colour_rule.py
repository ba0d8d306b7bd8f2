"""One rule for the colours of a rate against the campaign's objective (issue 14, point 2).

Orange means "jusqu'à 5 points en dessous": from the objective minus the band, that edge
included, up to the objective. The rule is applied on the rate as it is printed (to a
tenth, halves up), computed on the exact counts: 7/10 is 70,0 %, orange; 699/1000 is
69,9 %, red; 3/4 is 75,0 %, green. Every place that decides or says the colour follows
``reports.stats``: the dashboard's cell, the report's sentence, the legend's words.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from reports.audit.drafting.phrasing import against_objective
from reports.charts import COLOURS
from reports.figures import french_percent
from reports.stats import Colour, Rate, colour, colour_legend, colour_of, shown_tenths
from reports.templatetags.reports_tags import rate_cell

CASES = [
    # k, n, objective, band, printed, colour
    (3, 4, "75", "5", "75", Colour.GREEN),
    (7, 10, "75", "5", "70", Colour.ORANGE),
    (699, 1000, "75", "5", "69,9", Colour.RED),
    (1399, 2000, "75", "5", "70", Colour.ORANGE),  # 69,95 % is printed 70 %
    (1498, 2000, "75", "5", "74,9", Colour.ORANGE),
    # 72,45 % is printed 72,5 %: it reaches an objective of 72,5 % ...
    (1449, 2000, "72.5", "5", "72,5", Colour.GREEN),
    # ... and is on the orange side of the edge of 77,5 % − 5 points.
    (1449, 2000, "77.5", "5", "72,5", Colour.ORANGE),
    (7, 10, "75", "0", "70", Colour.RED),  # no band, no orange
]


@pytest.mark.parametrize(("k", "n", "objective", "band", "printed", "expected"), CASES)
def test_every_place_that_decides_the_colour_agrees(
    k: int, n: int, objective: str, band: str, printed: str, expected: Colour
) -> None:
    rate = Rate.of(k, n, objective=Decimal(objective), band=Decimal(band))

    assert rate.colour == expected
    assert colour_of(k, n, Decimal(objective), Decimal(band)) == expected
    # a percentage published without its base, as printed, gets the same colour
    assert colour(float(printed.replace(",", ".")), Decimal(objective), Decimal(band)) == expected
    # what the reader sees: the figure printed and its colour
    assert french_percent(rate.percent) == f"{printed}\u00a0%"
    assert f'class="rate rate--{expected}">{printed}\u00a0%</span>' in rate_cell(rate)
    assert COLOURS[rate.colour]  # the charts of the dashboard and the PDF paint it
    words = {
        Colour.GREEN: "est atteint",
        Colour.ORANGE: "est presque atteint",
        Colour.RED: "n'est pas atteint",
    }
    assert against_objective(rate, "75 %").endswith(words[expected])


def test_the_printed_tenth_is_computed_on_exact_counts() -> None:
    assert shown_tenths(7, 10) == Decimal("70.0")
    assert shown_tenths(2, 3) == Decimal("66.7")
    assert shown_tenths(1449, 2000) == Decimal("72.5")  # a half goes up, as printed
    for n in range(1, 250):
        for k in range(n + 1):
            exact = (Decimal(100 * k) / Decimal(n)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            assert shown_tenths(k, n) == exact
            # and the figure printed is that tenth: the colour follows what is read
            assert french_percent(Rate.of(k, n).percent) == french_percent(float(exact))


def test_the_legend_says_the_rule_with_its_edges() -> None:
    legend = dict(colour_legend(Decimal(75), Decimal(5)))

    assert legend == {
        Colour.GREEN: "vert : objectif atteint (75\u00a0% ou plus)",
        Colour.ORANGE: "orange : objectif presque atteint, jusqu'à 5 points en dessous "
        "(de 70\u00a0% à 74,9\u00a0%)",
        Colour.RED: "rouge : objectif non atteint, plus de 5 points en dessous "
        "(69,9\u00a0% ou moins)",
    }
    assert Colour.ORANGE not in dict(colour_legend(Decimal(75), Decimal(0)))


TENTH = re.compile(r"(\d+(?:,\d)?)\u00a0%")


@pytest.mark.parametrize(("objective", "band"), [("75", "5"), ("72.25", "2.5"), ("80", "3")])
def test_the_legend_s_ranges_are_those_the_rule_applies(objective: str, band: str) -> None:
    """The figures the legend names are where the rule changes colour."""
    legend = dict(colour_legend(Decimal(objective), Decimal(band)))

    def judged(text: str, step: str = "0") -> Colour:
        value = Decimal(text.replace(",", ".")) + Decimal(step)
        return colour(float(value), Decimal(objective), Decimal(band))

    (green,) = TENTH.findall(legend[Colour.GREEN])
    low, high = TENTH.findall(legend[Colour.ORANGE])
    (red,) = TENTH.findall(legend[Colour.RED])
    assert (judged(green), judged(green, "-0.1")) == (Colour.GREEN, Colour.ORANGE)
    assert (judged(high), judged(high, "0.1")) == (Colour.ORANGE, Colour.GREEN)
    assert (judged(low), judged(low, "-0.1")) == (Colour.ORANGE, Colour.RED)
    assert (judged(red), judged(red, "0.1")) == (Colour.RED, Colour.ORANGE)
