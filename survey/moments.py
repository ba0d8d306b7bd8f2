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
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

PARIS = ZoneInfo("Europe/Paris")


def clock_skew() -> datetime.timedelta:
    """How far ahead of the server's clock a device's clock may be."""
    return datetime.timedelta(minutes=getattr(settings, "ENTRY_CLOCK_SKEW_MINUTES", 5))


def latest_accepted(now: datetime.datetime | None = None) -> datetime.datetime:
    """The latest moment accepted from a device: now, plus the clock skew."""
    return (now or timezone.now()) + clock_skew()


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day``, Paris time."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=PARIS)


def paris(value: datetime.datetime | None) -> datetime.datetime | None:
    """``value`` in Paris time; None if it is None or cannot be expressed in Python's range."""
    if value is None:
        return None
    try:
        return timezone.localtime(value, PARIS) if timezone.is_aware(value) else value
    except (OverflowError, ValueError):
        return None


def label(value: datetime.datetime | None) -> str:
    """``value`` as a person reads it, Paris time, to the minute; never raises."""
    if value is None:
        return ""
    shown = paris(value)
    return _shown(shown) if shown is not None else gettext("date invalide")


def check_within(
    field: str,
    value: datetime.datetime | None,
    window: tuple[datetime.datetime, datetime.datetime],
    *,
    what: str,
    now: datetime.datetime | None = None,
) -> None:
    """Raise a ValidationError on ``field`` unless ``value`` lies in ``window`` (start
    included, end excluded) and is not later than now plus the clock skew.

    ``what`` names the moment in the message ("Le début du questionnaire", …). The message
    gives the range allowed, in Paris time; comparing never converts ``value``, so that a
    moment beyond Python's range once converted is refused rather than crashing.
    """
    if value is None:
        return
    start, end = window
    latest = latest_accepted(now)
    if start <= value < end and value <= latest:
        return
    last = min(end - datetime.timedelta(minutes=1), latest)
    if value > latest and value >= start and value < end:
        message = gettext(
            "%(what)s (%(value)s) est dans le futur : l'heure de Paris est %(now)s. "
            "Vérifiez l'horloge de l'appareil."
        ) % {"what": what, "value": _given(value), "now": label(latest - clock_skew())}
    elif last < start:
        message = gettext(
            "%(what)s (%(value)s) ne peut pas être accepté : la période permise commence "
            "le %(start)s (heure de Paris), plus tard qu'aujourd'hui."
        ) % {"what": what, "value": _given(value), "start": label(start)}
    else:
        message = gettext(
            "%(what)s (%(value)s) est hors de la période permise : du %(start)s au "
            "%(end)s, heure de Paris."
        ) % {"what": what, "value": _given(value), "start": label(start), "end": label(last)}
    raise ValidationError({field: [message]}, code="moment_out_of_range")


def _given(value: datetime.datetime) -> str:
    """The moment as given: Paris time when it can be, else as written (ISO 8601)."""
    shown = paris(value)
    return _shown(shown) if shown is not None else value.isoformat()


def _shown(value: datetime.datetime) -> str:
    """dd/mm/yyyy hh:mm, the year on four digits even before 1000 (strftime gives "1")."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d} {value.hour:02d}:{value.minute:02d}"
