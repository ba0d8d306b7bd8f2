"""The remarks and their coding: which answers are remarks, the order the quality manager
codes them in, and coding one with categories of the taxonomy.

A remark is the non-empty answer of a counted (not voided) questionnaire to the free-text
question ``remarques``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext

from survey.models import Answer, Campaign

from ..models import RemarkCode
from .taxonomy import Taxonomy

REMARK_QUESTION = "remarques"


def all_remarks() -> QuerySet[Answer]:
    """Every remark that counts: non-empty, of a questionnaire not voided."""
    return Answer.objects.filter(
        question__code=REMARK_QUESTION, response__voided_at__isnull=True
    ).exclude(text="")


def remark_answers(campaign: Campaign) -> QuerySet[Answer]:
    """The campaign's remarks, in the order the questionnaires were sent."""
    return (
        all_remarks()
        .filter(response__campaign=campaign)
        .order_by("response__submitted_at", "response_id")
    )


def is_coded() -> Exists:
    """Whether the remark (the outer query's answer) has at least one code."""
    return Exists(RemarkCode.objects.filter(answer=OuterRef("pk")))


def remark_queue(campaign: Campaign, *, uncoded_only: bool) -> QuerySet[Answer]:
    remarks = remark_answers(campaign).select_related("response__site")
    return remarks.filter(~is_coded()) if uncoded_only else remarks


def _after(remark: Answer) -> Q:
    sent = remark.response.submitted_at
    return Q(response__submitted_at__gt=sent) | Q(
        response__submitted_at=sent, response_id__gt=remark.response_id
    )


def next_remark(queue: QuerySet[Answer], remark: Answer, *, wrap: bool) -> Answer | None:
    """The remark of ``queue`` after ``remark``; with ``wrap``, the first one other than
    ``remark`` when none follows. 1 or 2 queries."""
    found = queue.filter(_after(remark)).first()
    if found is None and wrap:
        found = queue.exclude(pk=remark.pk).first()
    return found


def previous_remark(queue: QuerySet[Answer], remark: Answer) -> Answer | None:
    sent = remark.response.submitted_at
    before = Q(response__submitted_at__lt=sent) | Q(
        response__submitted_at=sent, response_id__lt=remark.response_id
    )
    return queue.filter(before).last()


def position(queue: QuerySet[Answer], remark: Answer) -> int:
    """The rank of ``remark`` in ``queue`` (1 for the first). 1 query."""
    return queue.exclude(_after(remark)).exclude(pk=remark.pk).count() + 1


def codes_of(remark: Answer) -> set[int]:
    """The categories ``remark`` is coded with. 1 query."""
    return set(RemarkCode.objects.filter(answer=remark).values_list("category_id", flat=True))


@transaction.atomic
def code_remark(answer: Answer, category_ids: Iterable[int], user: User | None) -> set[int]:
    """Make ``category_ids`` the codes of the remark ``answer``, all or nothing; return
    them. An empty list uncodes it. Each category must be an active category of the
    campaign's organisation; the campaign must not be closed."""
    wanted = set(category_ids)
    remark = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("question", "response__campaign")
        .get(pk=answer.pk)
    )
    if remark.question.code != REMARK_QUESTION or not remark.text.strip():
        raise ValidationError(gettext("Cette réponse n'est pas une remarque à coder."))
    if remark.response.voided_at is not None:
        raise ValidationError(
            gettext("Ce questionnaire est annulé : sa remarque ne compte plus et ne se code pas.")
        )
    campaign = remark.response.campaign
    campaign.check_editable()
    taxonomy = Taxonomy.load(campaign.organisation_id)
    for pk in sorted(wanted):
        node = taxonomy.by_pk.get(pk)
        if node is None:
            raise ValidationError(
                gettext("Cette rubrique n'est pas une rubrique de remarques de votre organisation.")
            )
        if not node.active:
            raise ValidationError(
                gettext("La rubrique « %(label)s » est désactivée : choisissez-en une autre.")
                % {"label": node.path_label}
            )
    current = codes_of(remark)
    RemarkCode.objects.filter(answer=remark).exclude(category_id__in=wanted).delete()
    RemarkCode.objects.bulk_create(
        RemarkCode(answer=remark, category_id=pk, coded_by=user) for pk in wanted - current
    )
    return wanted
