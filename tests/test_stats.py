"""Wilson intervals, the two-proportion test, small bases and colours, against values
computed by hand or published in the statistics literature."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports.stats import Colour, Rate, colour, two_proportion_test, wilson_interval


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (8, 10, 49.02, 94.33),  # Newcombe (1998), table I: 0.4902-0.9433
        (0, 10, 0.0, 27.75),  # never below 0 %, and not a zero-width interval
        (10, 10, 72.25, 100.0),
        (81, 263, 25.53, 36.62),  # Newcombe (1998), table I: 0.2553-0.3662
        (15, 148, 6.24, 16.05),  # Newcombe (1998), table I: 0.0624-0.1605
    ],
)
def test_the_wilson_interval_matches_published_values(
    k: int, n: int, low: float, high: float
) -> None:
    got_low, got_high = wilson_interval(k, n)

    assert got_low == pytest.approx(low, abs=0.01)
    assert got_high == pytest.approx(high, abs=0.01)


def test_an_empty_base_has_no_interval() -> None:
    with pytest.raises(ValueError, match="empty base"):
        wilson_interval(0, 0)
    assert Rate.of(0, 0).interval is None
    assert Rate.of(0, 0).percent is None


def test_the_two_proportion_test() -> None:
    # 45/100 against 60/100: pooled p = 0.525, z = -2.124, two-sided p = 0.0337.
    test = two_proportion_test(45, 100, 60, 100)

    assert test is not None
    assert test.z == pytest.approx(-2.124, abs=0.001)
    assert test.p_value == pytest.approx(0.0337, abs=0.0001)
    assert test.significant


def test_a_small_difference_on_small_bases_is_not_significant() -> None:
    # 92,1 % against 98,4 % looks like a fall, but 35/38 against 61/62 is within chance.
    test = two_proportion_test(35, 38, 61, 62)

    assert test is not None
    assert not test.significant


def test_nothing_to_test_without_variance_or_base() -> None:
    assert two_proportion_test(10, 10, 20, 20) is None
    assert two_proportion_test(0, 10, 0, 5) is None
    assert two_proportion_test(1, 0, 1, 2) is None


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        (75.0, Colour.GREEN),
        (74.96, Colour.GREEN),  # published as 75,0 %
        (74.94, Colour.ORANGE),
        (70.0, Colour.ORANGE),
        (69.9, Colour.RED),
        (None, Colour.NONE),
    ],
)
def test_colours_against_the_objective_and_its_band(
    percent: float | None, expected: Colour
) -> None:
    assert colour(percent, Decimal(75), Decimal(5)) == expected


def test_a_base_under_30_is_small() -> None:
    assert Rate.of(20, 29).small
    assert not Rate.of(20, 30).small
    assert not Rate.of(0, 0).small


def test_a_rate_knows_its_colour_and_compares_with_an_earlier_one() -> None:
    now = Rate.of(186, 202, objective=Decimal(75), band=Decimal(5))
    before = Rate.of(205, 208)

    assert now.colour == Colour.GREEN
    assert before.colour == Colour.NONE  # no objective given
    comparison = now.compare(before)
    assert comparison is not None
    assert comparison.significant
