"""The Qualipref engagements quoted at the head of section 4, of each results section
(the engagements of its questions) and of the mystery tests (4.7, 4.8).
"""

from __future__ import annotations

from collections.abc import Sequence

from survey.models import Engagement, Questionnaire

from .headings import Quote, Quotes

# The engagements a report quotes where no question carries them: the yearly survey itself
# (head of section 4) and the mystery tests (4.7, 4.8), by framework code. The quality
# manager edits the engagements' texts; which numbers the tests measure is the framework's.
QUOTED_ENGAGEMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "qualipref-2": {
        "4": ("3.2",),
        "4.7": ("1", "2", "3", "8", "9"),
        "4.8": ("13", "14", "15"),
    },
}


def engagements_by_code(questionnaires: list[Questionnaire]) -> dict[str, list[Engagement]]:
    """Each question code's engagements, over both questionnaires (prefetched)."""
    found: dict[str, dict[int, Engagement]] = {}
    for questionnaire in questionnaires:
        for question in questionnaire.questions.all():
            for engagement in question.engagements.all():
                found.setdefault(question.code, {})[engagement.pk] = engagement
    return {
        code: sorted(by_pk.values(), key=lambda e: (e.order, e.number))
        for code, by_pk in found.items()
    }


def quotes_of(engagements: Sequence[Engagement]) -> Quotes | None:
    if not engagements:
        return None
    framework = engagements[0].framework
    return Quotes(
        framework.name,
        tuple(Quote(e.number, e.text) for e in engagements if e.framework_id == framework.pk),
    )


def quoted_engagements(by_code: dict[str, list[Engagement]]) -> dict[str, Quotes]:
    """The engagements of section 4's head and of the mystery tests, in the framework the
    campaign's questions refer to. One query."""
    frameworks: dict[int, int] = {}
    for engagements in by_code.values():
        for engagement in engagements:
            frameworks[engagement.framework_id] = frameworks.get(engagement.framework_id, 0) + 1
    if not frameworks:
        return {}
    framework_id = max(sorted(frameworks), key=lambda pk: frameworks[pk])
    every = list(
        Engagement.objects.filter(framework_id=framework_id)
        .select_related("framework")
        .order_by("order", "number")
    )
    if not every:
        return {}
    numbers = QUOTED_ENGAGEMENTS.get(every[0].framework.code, {})
    quoted = {}
    for key, wanted in numbers.items():
        chosen = [e for e in every if e.number in wanted]
        found = quotes_of(chosen)
        if found is not None:
            quoted[key] = found
    return quoted
