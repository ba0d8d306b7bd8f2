"""The objective summary of a results section: the favourable rates of its scale questions
that have no sentence of their own, how many reach the objective, which do not, which
changed significantly, which rest on a small base."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext, ngettext

from reports.figures import french_percent
from reports.indicators import QuestionResult
from reports.stats import Colour
from survey.models import SCALE_KINDS, QuestionKind

from .phrasing import against_objective, question_label, sentence
from .wordings import WORDED


def scale_summary(questions: list[QuestionResult], objective: str) -> list[str]:
    """The summary of ``questions``, a results section's; ``objective`` as printed (75 %)."""
    results = [
        r
        for r in questions
        if r.kind in SCALE_KINDS
        and r.kind != QuestionKind.YES_NO
        and r.code not in WORDED
        and r.favourable is not None
        and r.favourable.n
    ]
    if not results:
        return []
    paragraphs = []
    reached = [r for r in results if _colour(r) == Colour.GREEN]
    almost = [r for r in results if _colour(r) == Colour.ORANGE]
    missed = [r for r in results if _colour(r) == Colour.RED]
    values = {"k": len(reached), "n": len(results), "objective": objective}
    if len(results) == 1:
        head = gettext("%(question)s : %(rate)s de réponses favorables") % {
            "question": question_label(results[0]),
            "rate": french_percent(_percent(results[0])),
        }
        only = results[0].favourable
        head = sentence(head, against_objective(only, objective) if only is not None else "")
    elif len(reached) == len(results):
        head = (
            gettext(
                "Les %(n)d autres questions de la section atteignent toutes l'objectif de "
                "%(objective)s de réponses favorables."
            )
            % values
        )
    elif not reached:
        head = (
            gettext(
                "Aucune des %(n)d autres questions de la section n'atteint l'objectif de "
                "%(objective)s de réponses favorables."
            )
            % values
        )
    else:
        head = (
            ngettext(
                "Sur les %(n)d autres questions de la section, %(k)d atteint l'objectif de "
                "%(objective)s de réponses favorables.",
                "Sur les %(n)d autres questions de la section, %(k)d atteignent l'objectif de "
                "%(objective)s de réponses favorables.",
                len(reached),
            )
            % values
        )
    paragraphs.append(head)
    if len(results) > 1:
        if almost:
            paragraphs.append(
                sentence(gettext("objectif presque atteint : %(list)s") % _listing(almost))
            )
        if missed:
            paragraphs.append(
                sentence(gettext("objectif non atteint : %(list)s") % _listing(missed))
            )
    rises = [r for r in results if _change(r) > 0]
    falls = [r for r in results if _change(r) < 0]
    if rises:
        paragraphs.append(
            sentence(
                gettext("en hausse significative par rapport à %(year)s : %(list)s")
                % {"year": _year(rises), **_listing(rises, with_previous=True)}
            )
        )
    if falls:
        paragraphs.append(
            sentence(
                gettext("en baisse significative par rapport à %(year)s : %(list)s")
                % {"year": _year(falls), **_listing(falls, with_previous=True)}
            )
        )
    small = [r for r in results if r.favourable is not None and r.favourable.small]
    if small:
        items = [
            ngettext(
                "%(question)s (%(rate)s, sur %(n)d réponse)",
                "%(question)s (%(rate)s, sur %(n)d réponses)",
                r.favourable.n if r.favourable is not None else 0,
            )
            % {
                "question": question_label(r),
                "rate": french_percent(_percent(r)),
                "n": r.favourable.n if r.favourable is not None else 0,
            }
            for r in small
        ]
        paragraphs.append(
            sentence(
                ngettext(
                    "ce taux repose sur moins de 30 réponses et se lit avec prudence : %(list)s",
                    "ces taux reposent sur moins de 30 réponses et se lisent avec "
                    "prudence : %(list)s",
                    len(small),
                )
                % {"list": ", ".join(items)}
            )
        )
    return paragraphs


def _colour(result: QuestionResult) -> Colour:
    return result.favourable.colour if result.favourable is not None else Colour.NONE


def _percent(result: QuestionResult) -> float | None:
    return result.favourable.percent if result.favourable is not None else None


def _change(result: QuestionResult) -> int:
    """+1 for a significant rise of the favourable rate, -1 for a significant fall."""
    previous, now = result.previous, _percent(result)
    if previous is None or previous.significant is not True or now is None:
        return 0
    if previous.percent is None or round(now - previous.percent, 1) == 0:
        return 0
    return 1 if now > previous.percent else -1


def _year(results: Iterable[QuestionResult]) -> int:
    return next(r.previous.year for r in results if r.previous is not None)


def _listing(results: list[QuestionResult], *, with_previous: bool = False) -> dict[str, str]:
    items = []
    for result in results:
        rate = french_percent(_percent(result))
        if with_previous and result.previous is not None:
            rate = gettext("%(now)s contre %(before)s") % {
                "now": rate,
                "before": french_percent(result.previous.percent),
            }
        items.append(f"{question_label(result)} ({rate})")
    return {"list": ", ".join(items)}
