"""The erasure of the free texts that may hold personal data, past each organisation's
retention (``Organisation.remarks_retention_months``, counted from the questionnaire's
receipt): the free-text remarks and the names of communes outside the département.

Only the text goes. The answer row stays, with its question, its codes (the remarks'
coding, ``reports.RemarkCode``) and its place in the tallies: the text becomes
``ERASED``, never empty, because the tallies tell an empty text from a given one
(``survey.tallies``: ``t`` and ``e``), and the counts must not move. Each erased answer
gets a simple-history record ("~", with the reason), and the texts that its earlier history
records held are erased too: a history that kept them would keep the data.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from simple_history.utils import bulk_update_with_history

from survey.models import Answer, Organisation, QuestionKind

ERASED = "[effacé]"
BATCH = 1000


@dataclass(frozen=True)
class Erasure:
    """What is (or would be) erased for one organisation."""

    organisation: Organisation
    before: datetime.datetime  # questionnaires received before this moment
    remarks: int
    communes: int

    @property
    def total(self) -> int:
        return self.remarks + self.communes


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """``moment`` moved back ``months`` calendar months (the 31st becomes the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    following = datetime.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (following - datetime.timedelta(days=1)).day
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last_day))


def reason(organisation: Organisation) -> str:
    """The history's reason (at most 100 characters, simple-history's column)."""
    return (
        f"Conservation de {organisation.remarks_retention_months} mois dépassée : "
        "texte libre effacé"
    )


def _expired(organisation: Organisation, before: datetime.datetime) -> Q:
    return (
        Q(
            response__campaign__organisation=organisation,
            response__received_at__lt=before,
            choice__isnull=True,
        )
        & ~Q(text="")
        & ~Q(text=ERASED)
    )


def erasures(
    now: datetime.datetime, organisations: Iterable[Organisation] | None = None
) -> list[Erasure]:
    """What each organisation has past its retention at ``now``. One query per organisation."""
    found = []
    if organisations is None:
        organisations = Organisation.objects.order_by("name")
    for organisation in organisations:
        before = months_before(now, organisation.remarks_retention_months)
        counts = Answer.objects.filter(_expired(organisation, before)).aggregate(
            communes=Count("pk", filter=Q(question__kind=QuestionKind.COMMUNE)),
            total=Count("pk"),
        )
        found.append(
            Erasure(
                organisation,
                before,
                remarks=counts["total"] - counts["communes"],
                communes=counts["communes"],
            )
        )
    return found


def erase(erasure: Erasure, *, now: datetime.datetime) -> int:
    """Erase the texts ``erasure`` counted (and any that came past the limit since), in
    batches of ``BATCH`` answers, each batch in one transaction. Returns how many."""
    erased = 0
    expired = Answer.objects.filter(_expired(erasure.organisation, erasure.before))
    while True:
        with transaction.atomic():
            answers = list(expired.order_by("pk").select_for_update(of=("self",))[:BATCH])
            if not answers:
                return erased
            for answer in answers:
                answer.text = ERASED
            bulk_update_with_history(
                answers,
                Answer,
                ["text"],
                default_change_reason=reason(erasure.organisation),
                default_date=now,
            )
            Answer.history.filter(id__in=[answer.pk for answer in answers]).exclude(text="").update(
                text=ERASED
            )
        erased += len(answers)
