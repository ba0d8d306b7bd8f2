"""An XLSForm read into a questionnaire of a campaign in preparation (issue 16, part 4).

The file replaces the questionnaire's sections, questions and choices whole: all or
nothing, as the other imports. Only a campaign in preparation takes one, and only a
questionnaire that no response points at: its structure is what answers are read by.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from survey.models import (
    Campaign,
    CampaignStatus,
    Choice,
    Engagement,
    Question,
    Questionnaire,
    Section,
)
from survey.spreadsheets import ImportRefused, RowError

from .xlsform_reader import XLSFormQuestionnaire, read_xlsform


@transaction.atomic
def import_xlsform(*, questionnaire: Questionnaire, source: IO[bytes]) -> Questionnaire:
    """Replace ``questionnaire``'s structure by the file's; ImportRefused (every refused
    thing with its sheet, row and column) or ValidationError (the campaign is not in
    preparation, responses exist) and nothing written."""
    campaign = Campaign.objects.select_for_update().get(pk=questionnaire.campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(
            gettext(
                "Seul le questionnaire d'une campagne en préparation peut être importé : "
                "préparez une nouvelle campagne."
            )
        )
    questionnaire = Questionnaire.objects.select_related("campaign").get(pk=questionnaire.pk)
    if questionnaire.responses.exists():
        raise ValidationError(gettext("Des questionnaires recueillis utilisent ce questionnaire."))
    content = read_xlsform(source)
    engagements = _engagements(content)
    # Questions first, the later ones first: a condition protects the question it reads.
    for question in questionnaire.questions.order_by("-order"):
        question.delete()
    questionnaire.sections.all().delete()
    if content.title:
        questionnaire.title = content.title
    questionnaire.introduction = content.introduction
    questionnaire.save()
    _create(questionnaire, content, engagements)
    questionnaire.refresh_from_db()
    return questionnaire


def _engagements(content: XLSFormQuestionnaire) -> dict[str, Engagement]:
    """The engagements the file cites, by ``framework:number``; ImportRefused for any the
    database does not hold. One query."""
    cited = {ref for _, refs in content.engagements.values() for ref in refs}
    known = {
        f"{engagement.framework.code}:{engagement.number}": engagement
        for engagement in Engagement.objects.select_related("framework")
        if f"{engagement.framework.code}:{engagement.number}" in cited
    }
    errors = [
        RowError(
            line,
            gettext("%(column)s (feuille « %(sheet)s »)")
            % {"column": "qualiprefs::engagements", "sheet": "survey"},
            gettext("Engagements inconnus : %s.") % ", ".join(sorted(set(refs) - known.keys())),
        )
        for line, refs in content.engagements.values()
        if set(refs) - known.keys()
    ]
    if errors:
        raise ImportRefused(sorted(errors, key=lambda error: error.line))
    return known


def _create(
    questionnaire: Questionnaire,
    content: XLSFormQuestionnaire,
    engagements: Mapping[str, Engagement],
) -> None:
    """A handful of queries per question: an import is a one-off."""
    created: dict[str, Question] = {}
    order = 0
    for section_order, section_def in enumerate(content.sections, start=1):
        section = Section.objects.create(
            questionnaire=questionnaire,
            code=section_def.code,
            title=section_def.title,
            order=section_order,
        )
        for question_def in section_def.questions:
            order += 1
            question = Question(
                questionnaire=questionnaire,
                section=section,
                code=question_def.code,
                number=question_def.number,
                order=order,
                text=question_def.text,
                help_text=question_def.help_text,
                kind=question_def.kind,
                required=question_def.required,
                condition_question=(
                    created[question_def.condition_question]
                    if question_def.condition_question
                    else None
                ),
                condition_codes=list(question_def.condition_codes),
                counts_in_satisfaction=question_def.counts_in_satisfaction,
                choice_groups=question_def.choice_groups,
            )
            question.save()
            Choice.objects.bulk_create(
                Choice(
                    question=question,
                    code=c.code,
                    label=c.label,
                    order=i,
                    polarity=c.polarity,
                )
                for i, c in enumerate(question_def.choices, start=1)
            )
            if question_def.engagements:
                question.engagements.set([engagements[ref] for ref in question_def.engagements])
            created[question.code] = question
