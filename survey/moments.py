"""Moments that may belong to a campaign, and moments shown whatever they hold.

Writing: every entry path (the submission API, hence tablet, phone and paper entry; the
responses import; the mystery forms and import) asks the campaign which moments it
accepts (``Campaign.entry_window``, ``Campaign.mystery_window``) and refuses the others
with ``check_within``, whose message gives the allowed range in Paris time. Nothing in the
future beyond ``ENTRY_CLOCK_SKEW_MINUTES`` (a setting) is accepted: a tablet's clock may be
a few minutes ahead, not more.

Reading: a moment already stored may still be out of Python's range once converted (the
database accepts years up to 294276 and BC dates; a value such as 9999-12-31T23:59:59-14:00
parses but overflows in UTC). ``paris`` and ``label`` never raise: such a moment reads as
"date invalide". Aware datetimes compare safely whatever their offsets (Python compares
their difference, never converting either), which the checks rely on.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

# --- the one source of time zones -------------------------------------------------------
#
# A moment becomes a day or an hour in the zone of the organisation it belongs to
# (``Organisation.time_zone``): a prefecture overseas counts its collection days, its
# e-mail deadlines and its report's dates on its own clock. Paris is only the default
# (every mainland département, and moments of no organisation).

PARIS_NAME = "Europe/Paris"
PARIS = ZoneInfo(PARIS_NAME)

# Overseas départements (INSEE code) and their zones; any other code lives on Paris time.
DEPARTEMENT_ZONES: Mapping[str, str] = MappingProxyType(
    {
        "971": "America/Guadeloupe",  # UTC-4
        "972": "America/Martinique",  # UTC-4
        "973": "America/Cayenne",  # Guyane, UTC-3
        "974": "Indian/Reunion",  # UTC+4
        "976": "Indian/Mayotte",  # UTC+3
    }
)


class Zoned(Protocol):
    """Anything that names its time zone (an Organisation)."""

    time_zone: str


def zone_name_for_departement(code: str) -> str:
    """The zone name of a département code: its own overseas, else Paris."""
    return DEPARTEMENT_ZONES.get(code.strip().upper(), PARIS_NAME)


def zone_of(organisation: Zoned | None) -> ZoneInfo:
    """The zone in which an organisation's moments become days and hours (Paris for none,
    or for a zone name the system does not know)."""
    name = getattr(organisation, "time_zone", "") or PARIS_NAME
    try:
        return ZoneInfo(name)
    except (ValueError, LookupError):  # ZoneInfoNotFoundError is a KeyError
        return PARIS


def clock_skew() -> datetime.timedelta:
    """How far ahead of the server's clock a device's clock may be."""
    return datetime.timedelta(minutes=getattr(settings, "ENTRY_CLOCK_SKEW_MINUTES", 5))


def latest_accepted(now: datetime.datetime | None = None) -> datetime.datetime:
    """The latest moment accepted from a device: now, plus the clock skew."""
    return (now or timezone.now()) + clock_skew()


def day_start(day: datetime.date, zone: ZoneInfo = PARIS) -> datetime.datetime:
    """Midnight at the start of ``day`` in ``zone`` (Paris by default)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone)


def local(value: datetime.datetime | None, zone: ZoneInfo = PARIS) -> datetime.datetime | None:
    """``value`` in ``zone``; None if it is None or cannot be expressed in Python's range."""
    if value is None:
        return None
    try:
        return timezone.localtime(value, zone) if timezone.is_aware(value) else value
    except (OverflowError, ValueError):
        return None


def local_date(value: datetime.datetime, zone: ZoneInfo = PARIS) -> datetime.date:
    """The day of an aware moment in ``zone`` (the day it was where it happened)."""
    return timezone.localtime(value, zone).date()


def paris(value: datetime.datetime | None) -> datetime.datetime | None:
    """``value`` in Paris time; None if it is None or cannot be expressed in Python's range."""
    return local(value, PARIS)


def label(value: datetime.datetime | None, zone: ZoneInfo = PARIS) -> str:
    """``value`` as a person reads it, in ``zone`` (Paris by default), to the minute;
    never raises."""
    if value is None:
        return ""
    shown = None if is_invalid(value) else local(value, zone)
    return _shown(shown) if shown is not None else invalid_label()


def invalid_label() -> str:
    """What a page or a file shows for a moment beyond what can be read."""
    return gettext("date invalide")


def check_within(
    field: str,
    value: datetime.datetime | None,
    window: tuple[datetime.datetime, datetime.datetime],
    *,
    what: str,
    now: datetime.datetime | None = None,
    zone: ZoneInfo = PARIS,
) -> None:
    """Raise a ValidationError on ``field`` unless ``value`` lies in ``window`` (start
    included, end excluded) and is not later than now plus the clock skew.

    ``what`` names the moment in the message ("Le début du questionnaire", …). The message
    gives the range allowed in ``zone``, the organisation's (Paris by default); comparing
    never converts ``value``, so that a moment beyond Python's range once converted is
    refused rather than crashing.
    """
    if value is None:
        return
    start, end = window
    latest = latest_accepted(now)
    if start <= value < end and value <= latest:
        return
    last = min(end - datetime.timedelta(minutes=1), latest)
    paris_time = zone.key == PARIS_NAME
    values = {"what": what, "value": _given(value, zone), "zone": zone.key}
    if value > latest and value >= start and value < end:
        values["now"] = label(latest - clock_skew(), zone)
        message = (
            gettext(
                "%(what)s (%(value)s) est dans le futur : l'heure de Paris est %(now)s. "
                "Vérifiez l'horloge de l'appareil."
            )
            if paris_time
            else gettext(
                "%(what)s (%(value)s) est dans le futur : l'heure locale (%(zone)s) est "
                "%(now)s. Vérifiez l'horloge de l'appareil."
            )
        )
    elif last < start:
        values["start"] = label(start, zone)
        message = (
            gettext(
                "%(what)s (%(value)s) : la période permise commence le %(start)s (heure de "
                "Paris), plus tard qu'aujourd'hui."
            )
            if paris_time
            else gettext(
                "%(what)s (%(value)s) : la période permise commence le %(start)s (heure "
                "locale, %(zone)s), plus tard qu'aujourd'hui."
            )
        )
    else:
        values |= {"start": label(start, zone), "end": label(last, zone)}
        message = (
            gettext(
                "%(what)s (%(value)s) est hors de la période permise : du %(start)s au "
                "%(end)s, heure de Paris."
            )
            if paris_time
            else gettext(
                "%(what)s (%(value)s) est hors de la période permise : du %(start)s au "
                "%(end)s, heure locale (%(zone)s)."
            )
        )
    raise ValidationError({field: [message % values]}, code="moment_out_of_range")


def _given(value: datetime.datetime, zone: ZoneInfo = PARIS) -> str:
    """The moment as given: in ``zone`` when it can be, else as written (ISO 8601)."""
    shown = local(value, zone)
    return _shown(shown) if shown is not None else value.isoformat()


def _shown(value: datetime.datetime) -> str:
    """dd/mm/yyyy hh:mm, the year on four digits even before 1000 (strftime gives "1")."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d} {value.hour:02d}:{value.minute:02d}"


# --- reading whatever the database holds --------------------------------------------------

# Every moment read is brought within these bounds: far enough from Python's limits that
# converting to Paris time, or adding a deadline of a few months, cannot overflow.
FLOOR = datetime.datetime(2, 1, 1, tzinfo=datetime.UTC)
CEILING = datetime.datetime(9998, 12, 31, tzinfo=datetime.UTC)


def is_invalid(value: datetime.datetime | None) -> bool:
    """Whether ``value`` is a moment the database held beyond what can be read (brought
    to FLOOR or CEILING on reading), or one so far away that it can only be an error."""
    return value is not None and not FLOOR < value < CEILING


def clamp(value: datetime.datetime, *, naive: bool = False) -> datetime.datetime:
    """``value`` brought within [FLOOR, CEILING]; naive (UTC) if asked or given naive."""
    floor, ceiling = FLOOR, CEILING
    if naive or value.tzinfo is None:
        floor, ceiling = floor.replace(tzinfo=None), ceiling.replace(tzinfo=None)
        value = value.replace(tzinfo=None) if value.tzinfo is None else _naive_utc(value)
    return min(max(value, floor), ceiling)


def _naive_utc(value: datetime.datetime) -> datetime.datetime:
    try:
        return value.astimezone(datetime.UTC).replace(tzinfo=None)
    except OverflowError:
        return (FLOOR if value.year < 2 else CEILING).replace(tzinfo=None)


def _beyond(text: str, *, naive: bool) -> datetime.datetime:
    """The bound for a moment Python cannot hold, from its text: before year 1 ("BC", a
    minus sign, year 0) gives FLOOR, anything else (years past 9999, infinity) CEILING."""
    text = text.strip().lower()
    early = text.endswith("bc") or text.startswith(("-", "0000"))
    bound = FLOOR if early else CEILING
    return bound.replace(tzinfo=None) if naive else bound


def install_safe_readers() -> None:
    """Make the database drivers read any stored moment without raising.

    SQLite: the converters that the sqlite3 module applies to ``datetime`` and ``date``
    columns (Django registers its own at import; these replace them). PostgreSQL: psycopg2
    type casters for timestamptz, timestamp and date, which raise on a year beyond 9999 or
    before 1. A moment out of bounds reads as FLOOR or CEILING, which pages show as "date
    invalide" (``label``); called once, from SurveyConfig.ready.
    """
    import sqlite3

    from django.utils.dateparse import parse_date, parse_datetime

    def sqlite_moment(raw: bytes) -> datetime.datetime:
        text = raw.decode(errors="replace")
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
        return clamp(parsed, naive=True) if parsed else _beyond(text, naive=True)

    def sqlite_day(raw: bytes) -> datetime.date:
        text = raw.decode(errors="replace")
        try:
            parsed = parse_date(text)
        except ValueError:
            parsed = None
        return parsed or _beyond_day(text)  # a day Python holds is kept as it is

    for name in ("datetime", "timestamp"):
        sqlite3.register_converter(name, sqlite_moment)
    sqlite3.register_converter("date", sqlite_day)

    try:
        import psycopg2
        import psycopg2.extensions as pg
    except ImportError:  # pragma: no cover (installed wherever PostgreSQL is used)
        return

    def caster(base: Any, *, naive: bool, day: bool = False) -> Any:
        def cast(value: str | None, cursor: Any) -> Any:
            if value is None:
                return None
            try:
                parsed = base(value, cursor)
            except (ValueError, OverflowError, psycopg2.DataError):
                return _beyond_day(value) if day else _beyond(value, naive=naive)
            if day:  # a day Python holds is kept as it is (AnswerTally.SUMMARY_DAY is 1-1-1)
                return parsed
            return clamp(parsed, naive=naive)

        return cast

    for oid, base, naive, day in (
        (1184, pg.PYDATETIMETZ, False, False),
        (1114, pg.PYDATETIME, True, False),
        (1082, pg.PYDATE, True, True),
    ):
        pg.register_type(pg.new_type((oid,), f"SAFE_{oid}", caster(base, naive=naive, day=day)))


def _beyond_day(text: str) -> datetime.date:
    return _beyond(text, naive=True).date()


def departement_zone_sql(code_sql: str) -> str:
    """SQL naming the zone of the département code that ``code_sql`` gives, as
    ``zone_name_for_departement`` does (the codes and names are constants of this module,
    inlined). It reads the département, not ``Organisation.time_zone`` (derived from it on
    saving), so that the migrations that build the tallies run before that column exists."""
    cases = " ".join(f"WHEN '{code}' THEN '{zone}'" for code, zone in DEPARTEMENT_ZONES.items())
    return f"(CASE {code_sql} {cases} ELSE '{PARIS_NAME}' END)"


def local_day_sql(
    connection: Any, sql: str, params: list[Any], zone_sql: str
) -> tuple[str, list[Any]]:
    """SQL of the day of the moment ``sql`` in the zone that the SQL expression
    ``zone_sql`` names (a column or subquery giving "Europe/Paris", "Indian/Reunion"…):
    Django's ``datetime_cast_date_sql`` with the zone read from the database rather than
    given as a parameter, so that one query counts each row on its organisation's clock."""
    if connection.vendor == "postgresql":
        return f"(({sql}) AT TIME ZONE {zone_sql})::date", list(params)
    # SQLite: Django's own function, with the connection's zone (UTC) as second zone.
    return f"django_datetime_cast_date({sql}, {zone_sql}, %s)", [
        *params,
        connection.timezone_name,
    ]


def clamped_sql(connection: Any, sql: str) -> tuple[str, list[Any]]:
    """SQL of the moment ``sql`` brought within [FLOOR, CEILING], for the queries that
    compute on stored moments in the database (a collection day in Paris time).

    PostgreSQL compares timestamps exactly (infinity included). SQLite holds text: a
    moment is kept if it reads as a year of four digits within the bounds, else it goes to
    FLOOR when it sorts before it (year 0, a minus sign) and to CEILING otherwise (a year
    of five digits, text that is no date).
    """
    floor = connection.ops.adapt_datetimefield_value(FLOOR)
    ceiling = connection.ops.adapt_datetimefield_value(CEILING)
    if connection.vendor == "postgresql":
        return (
            f"(CASE WHEN {sql} < %s THEN %s WHEN {sql} > %s THEN %s ELSE {sql} END)",
            [floor, floor, ceiling, ceiling],
        )
    return (
        f"(CASE WHEN {sql} IS NULL THEN NULL "
        f"WHEN substr({sql}, 5, 1) = '-' AND {sql} >= %s AND {sql} <= %s THEN {sql} "
        f"WHEN {sql} < %s THEN %s ELSE %s END)",
        [floor, ceiling, floor, floor, ceiling],
    )
