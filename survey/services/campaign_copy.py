"""Copying a campaign: next year's draft with the same questionnaires, in bulk inserts."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext

from survey.models import Campaign, Choice, Question, Questionnaire, Section


@transaction.atomic
def duplicate_campaign(
    source: Campaign,
    *,
    year: int,
    title: str,
    start_date: datetime.date,
    end_date: datetime.date,
) -> Campaign:
    """A new draft campaign of the same organisation with copies of ``source``'s questionnaires.

    Same question codes, numbers and order, so that next year's indicators compare with
    this year's. ``source`` is only read: it may be closed. Costs about 25 queries on
    PostgreSQL, half of them full_clean()'s, whatever the number of questions; SQLite
    splits the larger inserts into a few batches.
    """
    if Campaign.objects.filter(organisation_id=source.organisation_id, year=year).exists():
        raise ValidationError(
            gettext("%(organisation)s a déjà une campagne %(year)s.")
            % {"organisation": capfirst(source.organisation.in_sentence), "year": year},
            code="campaign_exists",
        )
    copy = Campaign(
        organisation_id=source.organisation_id,
        year=year,
        title=title,
        start_date=start_date,
        end_date=end_date,
        objective=source.objective,
        orange_band=source.orange_band,
        late_entry_grace_days=source.late_entry_grace_days,
    )
    copy.full_clean()
    copy.save()

    # bulk_create bypasses save() and so Question.clean(): this relies on the source being
    # valid (each of its questions passed clean() when saved) and on the copy keeping every
    # relation inside the same copied questionnaire, condition codes with the choices they
    # name. A new draft campaign cannot be closed, so the CampaignClosed check is moot too.
    questionnaires = list(source.questionnaires.order_by("pk"))
    copies = Questionnaire.objects.bulk_create(
        Questionnaire(campaign=copy, channel=q.channel, title=q.title, introduction=q.introduction)
        for q in questionnaires
    )
    questionnaire_ids = _id_map(questionnaires, copies)

    sections = list(Section.objects.filter(questionnaire__campaign=source).order_by("pk"))
    section_copies = Section.objects.bulk_create(
        Section(
            questionnaire_id=questionnaire_ids[s.questionnaire_id],
            code=s.code,
            title=s.title,
            order=s.order,
        )
        for s in sections
    )
    section_ids = _id_map(sections, section_copies)

    questions = list(Question.objects.filter(questionnaire__campaign=source).order_by("pk"))
    question_copies = Question.objects.bulk_create(
        Question(
            questionnaire_id=questionnaire_ids[q.questionnaire_id],
            section_id=section_ids[q.section_id],
            code=q.code,
            number=q.number,
            order=q.order,
            text=q.text,
            help_text=q.help_text,
            kind=q.kind,
            required=q.required,
            condition_codes=list(q.condition_codes),
            counts_in_satisfaction=q.counts_in_satisfaction,
            choice_groups=dict(q.choice_groups),
        )
        for q in questions
    )
    question_ids = _id_map(questions, question_copies)
    # A condition names another question of the same questionnaire: its copy only has a
    # primary key once every question is inserted.
    conditioned = []
    for original, question_copy in zip(questions, question_copies, strict=True):
        if original.condition_question_id is not None:
            question_copy.condition_question_id = question_ids[original.condition_question_id]
            conditioned.append(question_copy)
    Question.objects.bulk_update(conditioned, ["condition_question"])

    Choice.objects.bulk_create(
        Choice(
            question_id=question_ids[c.question_id],
            code=c.code,
            label=c.label,
            order=c.order,
            polarity=c.polarity,
        )
        for c in Choice.objects.filter(question__questionnaire__campaign=source).order_by("pk")
    )
    link = Question.engagements.through
    link.objects.bulk_create(
        link(question_id=question_ids[row.question_id], engagement_id=row.engagement_id)
        for row in link.objects.filter(question__questionnaire__campaign=source).order_by("pk")
    )
    return copy


def _id_map(originals: Sequence[Any], copies: Sequence[Any]) -> dict[int, int]:
    return {o.pk: c.pk for o, c in zip(originals, copies, strict=True)}
