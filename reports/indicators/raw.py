"""The raw path: every count of a campaign under a filter from its answers themselves,
four GROUP BYs.

``compute(..., source="raw")`` counts this way: the tests and ``survey.tallies.check``
compare its figures with the tallied path's (``tallied``), which must give the same.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from survey.models import Answer, Polarity, QuestionKind, Response

from ..stats import Rate
from .counts import ByDay, Counts, by_day, ranked
from .filters import Filter
from .results import Place


def counts(campaign_id: int, flt: Filter) -> Counts:
    """Every count of ``tallied.counts``, from the answers. Four GROUP BYs."""
    arrondissements, epcis, outside = _places(campaign_id, flt)
    answered, bases = _bases(campaign_id, flt)
    by_channel, per_day = _representativeness(campaign_id, flt)
    return Counts(
        _choice_counts(campaign_id, flt),
        answered,
        bases,
        arrondissements,
        epcis,
        outside,
        by_channel,
        per_day,
    )


def _answers(campaign_id: int, flt: Filter) -> QuerySet[Answer]:
    return Answer.objects.filter(
        Q(response__campaign_id=campaign_id) & flt.conditions("response__")
    )


def _choice_counts(campaign_id: int, flt: Filter) -> dict[tuple[str, str], int]:
    """Answers per (question code, choice code). One GROUP BY."""
    rows = (
        _answers(campaign_id, flt)
        .filter(choice__isnull=False)
        .values_list("question__code", "choice__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(question, choice): n for question, choice, n in rows}


def _bases(campaign_id: int, flt: Filter) -> tuple[dict[str, int], dict[str, int]]:
    """Per question code: respondents who answered, and those whose answer enters a rate
    (a multiple-choice answer is one respondent, however many boxes). One GROUP BY."""
    rows = (
        _answers(campaign_id, flt)
        .values("question__code")
        .annotate(
            answered=Count("response", distinct=True),
            base=Count(
                "response",
                distinct=True,
                filter=Q(commune__isnull=False)
                | Q(choice__isnull=False) & ~Q(choice__polarity=Polarity.OUTSIDE)
                | Q(choice__isnull=True, commune__isnull=True) & ~Q(text=""),
            ),
        )
        .order_by()
    )
    answered = {row["question__code"]: row["answered"] for row in rows}
    bases = {row["question__code"]: row["base"] for row in rows}
    return answered, bases


def _representativeness(campaign_id: int, flt: Filter) -> tuple[dict[str, int], ByDay]:
    """Questionnaires per channel and per day of collection (``flt.zone``), from the
    responses. One GROUP BY."""
    rows = (
        Response.objects.filter(Q(campaign_id=campaign_id) & flt.conditions())
        .annotate(day=TruncDate(Coalesce("started_at", "received_at"), tzinfo=flt.zone))
        .values_list("channel", "day")
        .annotate(n=Count("pk"))
        .order_by("channel", "day")
    )
    return by_day(rows)


def _places(campaign_id: int, flt: Filter) -> tuple[list[Place], list[Place], Rate]:
    """The communes answered, by arrondissement and by EPCI; those outside the
    département. One GROUP BY over the commune answers."""
    rows = (
        _answers(campaign_id, flt)
        .filter(question__kind=QuestionKind.COMMUNE)
        .filter(Q(commune__isnull=False) | ~Q(text=""))
        .values_list(
            "commune__arrondissement__code",
            "commune__arrondissement__name",
            "commune__epci__siren",
            "commune__epci__name",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    base = sum(row[4] for row in rows)
    arrondissements: dict[tuple[str, str], int] = defaultdict(int)
    epcis: dict[tuple[str, str], int] = defaultdict(int)
    outside = 0
    for arr_code, arr_name, epci_code, epci_name, n in rows:
        if arr_code is None and epci_code is None:
            outside += n
            continue
        if arr_code is not None:
            arrondissements[(arr_code, arr_name)] += n
        if epci_code is not None:
            epcis[(epci_code, epci_name)] += n
    return (
        ranked(arrondissements, base, "arrondissement_"),
        ranked(epcis, base, "epci_"),
        Rate.of(outside, base),
    )
