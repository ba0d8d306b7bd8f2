"""The wording the drafts share: quotes, lists, dates, places, and the honest comparison of
a figure with the comparison year's ("contre 80,7 % en 2015", a rise or a fall only when
significant, a small base named)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import dateformat
from django.utils.translation import get_language, gettext, ngettext, pgettext

from common.ratios import Ratio
from reports.figures import NBSP, french_number, french_percent
from reports.indicators import Previous, QuestionResult
from reports.stats import Colour, Rate, two_proportion_test

# --- words ---------------------------------------------------------------------------------------


def quoted(text: str) -> str:
    return f"«{NBSP}{text}{NBSP}»"


def enumeration(items: Sequence[str]) -> str:
    """a, b et c."""
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(items)s et %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def question_label(result: QuestionResult) -> str:
    """question n°11 « L'agent … badge »."""
    text = result.text.strip().rstrip("?").rstrip()
    if result.number:
        return gettext("question n°%(number)s %(text)s") % {
            "number": result.number,
            "text": quoted(text),
        }
    return quoted(text)


_VOWELS = "aeiouyàâäéèêëîïôöùûüœh"


def of_name(name: str) -> str:
    """d'Angoulême, de Cognac."""
    if name[:1].lower() in _VOWELS:
        return pgettext("elision", "d'%(name)s") % {"name": name}
    return gettext("de %(name)s") % {"name": name}


def of_epci(name: str) -> str:
    """de la CA du Grand Angoulême (a communauté), else de « name »."""
    if name.split(" ", 1)[0] in {"CA", "CC", "CU"} or name.lower().startswith("communauté"):
        return gettext("de la %(name)s") % {"name": name}
    if name.lower().startswith("métropole"):
        return gettext("de la %(name)s") % {"name": name}
    return of_name(name)


# --- dates ---------------------------------------------------------------------------------------


def day_month(day: datetime.date, with_year: bool = False) -> str:
    """3 octobre, 1er juillet, lundi 3 octobre 2016 (with_year)."""
    number = str(day.day)
    if day.day == 1 and (get_language() or "fr").startswith("fr"):
        number = "1er"
    month = dateformat.format(day, "F")
    text = f"{number} {month}"
    return f"{text} {day.year}" if with_year else text


def weekday_date(day: datetime.date, with_year: bool = False) -> str:
    return f"{dateformat.format(day, 'l')} {day_month(day, with_year)}"


# --- sentences and comparisons ---------------------------------------------------------------


def versus(now: float | None, previous: Previous | None) -> str:
    """ "contre 80,7 % en 2015", with the direction only when the test says it is
    significant. Empty without a comparison."""
    if previous is None or previous.percent is None or now is None:
        return ""
    before = previous.percent
    text = gettext("contre %(before)s en %(year)s") % {
        "before": french_percent(before),
        "year": previous.year,
    }
    if previous.rate is not None and previous.rate.small:
        text += " " + _on_answers(previous.rate.n)
    if previous.significant is True and round(now - before, 1) != 0:
        text += ", " + _significant_change(now, before)
    elif previous.significant is False:
        text += " " + gettext("(écart non significatif)")
    return text


def _significant_change(now: float, before: float) -> str:
    points = abs(now - before)
    values = {"points": french_number(points)}
    if now > before:
        return (
            ngettext(
                "soit une hausse significative de %(points)s point",
                "soit une hausse significative de %(points)s points",
                1 if points < 2 else 2,
            )
            % values
        )
    return (
        ngettext(
            "soit une baisse significative de %(points)s point",
            "soit une baisse significative de %(points)s points",
            1 if points < 2 else 2,
        )
        % values
    )


def _on_answers(n: int) -> str:
    return ngettext("(sur %(n)d réponse)", "(sur %(n)d réponses)", n) % {"n": n}


def small_base(rate: Rate) -> str:
    """ "ce taux ne porte que sur 21 réponses" for a base under 30; else empty."""
    if not rate.small:
        return ""
    return ngettext(
        "ce taux ne porte que sur %(n)d réponse",
        "ce taux ne porte que sur %(n)d réponses",
        rate.n,
    ) % {"n": rate.n}


def sentence(main: str, *clauses: str) -> str:
    """``main`` then its non-empty clauses, separated by semicolons, and a full stop."""
    text = "\u00a0; ".join([main, *(c for c in clauses if c)])
    return text[:1].upper() + text[1:] + "."


def against_objective(rate: Rate, objective: str) -> str:
    """ "l'objectif de 75 % est atteint", presque atteint or n'est pas atteint, by the rate's
    colour; empty for a rate without colour."""
    values = {"objective": objective}
    if rate.colour == Colour.GREEN:
        return gettext("l'objectif de %(objective)s est atteint") % values
    if rate.colour == Colour.ORANGE:
        return gettext("l'objectif de %(objective)s est presque atteint") % values
    if rate.colour == Colour.RED:
        return gettext("l'objectif de %(objective)s n'est pas atteint") % values
    return ""


def out_of(ratio: Ratio) -> str:
    return gettext("%(k)d sur %(n)d") % {"k": ratio.k, "n": ratio.n}


def ratio_versus(now: Ratio, before: Ratio, year: int) -> str:
    text = gettext("contre %(k)d sur %(n)d en %(year)s") % {
        "k": before.k,
        "n": before.n,
        "year": year,
    }
    if now.percent is None or before.percent is None:
        return text
    test = two_proportion_test(now.k, now.n, before.k, before.n)
    if test is not None and test.significant and round(now.percent - before.percent, 1) != 0:
        text += ", " + _significant_change(now.percent, before.percent)
    elif test is not None:
        text += " " + gettext("(écart non significatif)")
    return text
