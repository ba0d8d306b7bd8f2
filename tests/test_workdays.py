"""Working days for mystery e-mails: holidays, local time, deadlines and delays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from mystery.workdays import WorkingCalendar, local_date, subdivision_for

PARIS = ZoneInfo("Europe/Paris")
MAINLAND = WorkingCalendar.for_departement("16")


def paris(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("code", "subdivision"),
    [
        ("16", None),
        ("33", None),
        ("2A", None),
        ("2b", None),
        ("57", "57"),
        ("67", "6AE"),
        ("68", "6AE"),
        (" 68 ", "6AE"),
        ("971", "971"),
        ("972", "972"),
        ("973", "973"),
        ("974", "974"),
        ("975", None),
        ("976", "976"),
    ],
)
def test_subdivision_for(code: str, subdivision: str | None) -> None:
    assert subdivision_for(code) == subdivision
    assert WorkingCalendar.for_departement(code).subdivision == subdivision


def test_unknown_subdivision_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown subdivision"):
        WorkingCalendar("67")


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2016, 1, 1), "Jour de l'an"),
        (date(2016, 3, 28), "Lundi de Pâques"),
        (date(2016, 5, 5), "Ascension"),
        (date(2016, 5, 16), "Lundi de Pentecôte"),
        (date(2016, 7, 14), "Fête nationale"),
        (date(2016, 8, 15), "Assomption"),
        (date(2016, 11, 1), "Toussaint"),
        (date(2016, 11, 11), "Armistice"),
        (date(2024, 5, 1), "Fête du Travail"),
        (date(2024, 5, 8), "Fête de la Victoire"),
        (date(2024, 5, 9), "Ascension"),
        (date(2024, 12, 25), "Noël"),
    ],
)
def test_mainland_holidays_have_french_names(day: date, name: str) -> None:
    assert day.weekday() < 5
    assert MAINLAND.holiday_name(day) == name
    assert not MAINLAND.is_working_day(day)


def test_ordinary_days() -> None:
    assert MAINLAND.is_working_day(date(2016, 10, 3))  # Monday
    assert MAINLAND.holiday_name(date(2016, 10, 3)) is None
    assert not MAINLAND.is_working_day(date(2016, 10, 8))  # Saturday
    assert not MAINLAND.is_working_day(date(2016, 10, 9))  # Sunday
    assert MAINLAND.holiday_name(date(2016, 10, 8)) is None


@pytest.mark.parametrize(
    ("sent", "deadline"),
    [
        # Seed case of the campaign: Monday → Monday.
        (date(2016, 10, 3), date(2016, 10, 10)),
        # Ascension, Thursday 5 May 2016.
        (date(2016, 5, 4), date(2016, 5, 12)),
        # Whit Monday, 16 May 2016.
        (date(2016, 5, 13), date(2016, 5, 23)),
        # 14 July 2016, a Thursday.
        (date(2016, 7, 13), date(2016, 7, 21)),
        # 15 August 2016 (Monday) and 2017 (Tuesday).
        (date(2016, 8, 12), date(2016, 8, 22)),
        (date(2017, 8, 14), date(2017, 8, 22)),
        # 1 May, 8 May and Ascension (9 May) in the same stretch of 2024.
        (date(2024, 4, 30), date(2024, 5, 10)),
        # Toussaint (Tuesday 1 November 2016), then Armistice (Friday 11 November).
        (date(2016, 10, 28), date(2016, 11, 7)),
        (date(2016, 11, 7), date(2016, 11, 15)),
        # From a weekend day.
        (date(2016, 10, 8), date(2016, 10, 14)),
        (date(2016, 10, 9), date(2016, 10, 14)),
    ],
)
def test_fifth_working_day(sent: date, deadline: date) -> None:
    assert MAINLAND.add_working_days(sent, 5) == deadline
    assert MAINLAND.working_days_between(sent, deadline) == 5
    assert MAINLAND.working_days_between(sent, deadline - timedelta(days=1)) == 4


def test_add_working_days_edges() -> None:
    saturday = date(2016, 10, 8)
    assert MAINLAND.add_working_days(saturday, 0) == saturday
    assert MAINLAND.add_working_days(saturday, 1) == date(2016, 10, 10)
    assert MAINLAND.add_working_days(date(2016, 10, 7), 1) == date(2016, 10, 10)  # Friday
    # Over the Toussaint bridge: Monday 31 October, then Wednesday 2 November.
    assert MAINLAND.add_working_days(date(2016, 10, 28), 1) == date(2016, 10, 31)
    assert MAINLAND.add_working_days(date(2016, 10, 28), 2) == date(2016, 11, 2)
    with pytest.raises(ValueError, match="n must be"):
        MAINLAND.add_working_days(saturday, -1)


def test_working_days_between_edges() -> None:
    monday = date(2016, 10, 3)
    assert MAINLAND.working_days_between(monday, monday) == 0
    assert MAINLAND.working_days_between(monday, date(2016, 9, 30)) == 0
    assert MAINLAND.working_days_between(date(2016, 10, 7), date(2016, 10, 9)) == 0  # weekend
    assert MAINLAND.working_days_between(date(2016, 10, 7), date(2016, 10, 10)) == 1
    # 1, 8 and 9 May 2024 leave 5 working days out of 8 weekdays.
    assert MAINLAND.working_days_between(date(2024, 4, 30), date(2024, 5, 10)) == 5


def test_long_spans() -> None:
    # 2016: 261 weekdays, 8 of them holidays; 1 January (a Friday) does not count.
    assert MAINLAND.working_days_between(date(2016, 1, 1), date(2016, 12, 31)) == 253
    start, end = date(2014, 6, 15), date(2019, 2, 3)
    count = sum(
        MAINLAND.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
    )
    assert MAINLAND.working_days_between(start, end) == count
    assert MAINLAND.add_working_days(start, count) == date(2019, 2, 1)  # last Friday


@pytest.mark.parametrize("code", ["57", "67", "68"])
def test_alsace_moselle(code: str) -> None:
    calendar = WorkingCalendar.for_departement(code)
    good_friday, st_stephen = date(2016, 3, 25), date(2016, 12, 26)
    assert MAINLAND.is_working_day(good_friday)
    assert not calendar.is_working_day(good_friday)
    assert calendar.holiday_name(good_friday) == "Vendredi saint"
    assert MAINLAND.is_working_day(st_stephen)
    assert not calendar.is_working_day(st_stephen)
    assert calendar.holiday_name(st_stephen) == "Saint-Étienne"
    # Thursday 24 March 2016: Friday is day 1 in Charente; Easter Monday follows.
    assert MAINLAND.add_working_days(date(2016, 3, 24), 1) == good_friday
    assert calendar.add_working_days(date(2016, 3, 24), 1) == date(2016, 3, 29)
    # Friday 23 December 2016.
    assert MAINLAND.add_working_days(date(2016, 12, 23), 1) == st_stephen
    assert calendar.add_working_days(date(2016, 12, 23), 1) == date(2016, 12, 27)
    assert calendar.working_days_between(date(2016, 12, 23), date(2016, 12, 30)) == 4
    assert MAINLAND.working_days_between(date(2016, 12, 23), date(2016, 12, 30)) == 5


@pytest.mark.parametrize(
    ("code", "day"),
    [
        ("971", date(2016, 5, 27)),  # Guadeloupe, Friday
        ("973", date(2016, 6, 10)),  # Guyane, Friday
        ("974", date(2016, 12, 20)),  # La Réunion, Tuesday
        ("976", date(2016, 4, 27)),  # Mayotte, Wednesday
    ],
)
def test_overseas_abolition_of_slavery(code: str, day: date) -> None:
    calendar = WorkingCalendar.for_departement(code)
    assert MAINLAND.is_working_day(day)
    assert not calendar.is_working_day(day)
    assert calendar.holiday_name(day) == "Abolition de l'esclavage"
    assert calendar.add_working_days(day - timedelta(days=1), 1) != day


@pytest.mark.parametrize(
    "sent_at",
    [
        paris(2016, 10, 7, 18, 0),  # Friday 18:00
        paris(2016, 10, 7, 23, 30),  # Friday 23:30
        datetime(2016, 10, 7, 21, 30, tzinfo=UTC),  # the same, in UTC
        datetime(2016, 10, 7, 22, 30, tzinfo=UTC),  # Saturday 00:30 in Paris
        paris(2016, 10, 8, 0, 30),
    ],
)
def test_friday_evening_send(sent_at: datetime) -> None:
    assert MAINLAND.deadline(sent_at, 1) == date(2016, 10, 10)  # Monday
    assert MAINLAND.deadline(sent_at, 5) == date(2016, 10, 14)
    assert MAINLAND.delay(sent_at, paris(2016, 10, 10, 9, 0)) == 1


def test_local_date_is_read_in_paris() -> None:
    assert local_date(datetime(2016, 10, 7, 21, 30, tzinfo=UTC)) == date(2016, 10, 7)  # Friday
    assert local_date(datetime(2016, 10, 7, 22, 30, tzinfo=UTC)) == date(2016, 10, 8)  # Saturday
    assert local_date(datetime(2017, 1, 6, 22, 59, tzinfo=UTC)) == date(2017, 1, 6)  # winter
    assert local_date(datetime(2017, 1, 6, 23, 0, tzinfo=UTC)) == date(2017, 1, 7)
    # Thursday 22:30 UTC is already Friday in Paris: day 1 is Monday, not Friday.
    assert MAINLAND.deadline(datetime(2016, 10, 6, 22, 30, tzinfo=UTC), 1) == date(2016, 10, 10)
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2016, 10, 7, 12, 0))  # noqa: DTZ001


def test_answer_on_the_day_of_sending() -> None:
    sent_at, answered_at = paris(2016, 10, 3, 9, 0), paris(2016, 10, 3, 16, 45)
    assert MAINLAND.delay(sent_at, answered_at) == 0
    assert MAINLAND.answered_within(sent_at, answered_at, 5) is True
    assert MAINLAND.answered_within(sent_at, answered_at, 0) is True


@pytest.mark.parametrize(
    ("answered_at", "within", "delay"),
    [
        (paris(2016, 10, 7, 12, 0), True, 4),
        (paris(2016, 10, 8, 12, 0), True, 4),  # Saturday
        (paris(2016, 10, 10, 23, 59), True, 5),
        (datetime(2016, 10, 10, 21, 59, tzinfo=UTC), True, 5),
        (datetime(2016, 10, 10, 22, 0, tzinfo=UTC), False, 6),  # Tuesday 00:00 in Paris
        (paris(2016, 10, 11, 8, 0), False, 6),
    ],
)
def test_seed_case_answers(answered_at: datetime, within: bool, delay: int) -> None:
    sent_at = paris(2016, 10, 3, 9, 30)  # Monday
    assert MAINLAND.deadline(sent_at, 5) == date(2016, 10, 10)
    assert MAINLAND.answered_within(sent_at, answered_at, 5) is within
    assert MAINLAND.delay(sent_at, answered_at) == delay


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2016, 10, 3), None),
        (date(2016, 10, 7), None),
        (date(2016, 10, 10), None),  # the deadline itself: still waiting
        (date(2016, 10, 11), False),
        (date(2017, 1, 1), False),
    ],
)
def test_answer_never_received(today: date, expected: bool | None) -> None:
    sent_at = paris(2016, 10, 3, 9, 30)
    assert MAINLAND.answered_within(sent_at, None, 5, today=today) is expected
    assert MAINLAND.delay(sent_at, None) is None


def test_answer_never_received_defaults_to_local_today() -> None:
    assert MAINLAND.answered_within(paris(2016, 10, 3), None, 5) is False
    assert MAINLAND.answered_within(timezone.now(), None, 5) is None
