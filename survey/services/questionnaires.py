"""Questionnaires as data: create a campaign's questionnaires from a definition.

A definition is the JSON of ``fixtures/questionnaires/`` (its "notes" describe the format).
It is checked whole before anything is written, so that a bad file yields one French
message per mistake and an untouched database. Checking it is
``survey.services.questionnaire_definitions``; loading a framework,
``survey.services.frameworks``; copying a campaign's questionnaires,
``survey.services.campaign_copy``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from survey.models import (
    Campaign,
    Choice,
    Engagement,
    Framework,
    Question,
    Questionnaire,
    Section,
)

from .questionnaire_definitions import QuestionnaireDef, parse_definition


@transaction.atomic
def load_questionnaires(campaign: Campaign, definition: Mapping[str, Any]) -> list[Questionnaire]:
    """Create the definition's questionnaires in ``campaign``; all or nothing.

    Idempotent per channel: a questionnaire already there with the same question codes,
    in the same order, is left as it is (answers may point at it); one that differs is an
    error, never silently rebuilt. A closed campaign raises CampaignClosed.
    """
    # Locking the campaign row keeps a concurrent close() from slipping in between the
    # check and the writes (SQLite ignores the lock; it serialises writers anyway).
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign.check_editable()
    framework_code, definitions = parse_definition(definition)
    engagements = _resolve_engagements(framework_code, definitions)

    existing = {q.channel: q for q in campaign.questionnaires.all()}
    errors = []
    for questionnaire_def in definitions:
        current = existing.get(questionnaire_def.channel)
        if current is None:
            continue
        codes = list(current.questions.order_by("order").values_list("code", flat=True))
        if codes != questionnaire_def.question_codes:
            errors.append(_difference_message(campaign, current, codes, questionnaire_def))
    if errors:
        raise ValidationError(errors)

    return [
        existing.get(d.channel) or _create_questionnaire(campaign, d, engagements)
        for d in definitions
    ]


def _resolve_engagements(
    framework_code: str | None, definitions: Sequence[QuestionnaireDef]
) -> dict[str, Engagement]:
    """The framework's engagements by number; ValidationError for any the definition cites
    that the database does not hold. Costs two queries at most."""
    cited = {
        (d.channel, q.code): q.engagements
        for d in definitions
        for s in d.sections
        for q in s.questions
        if q.engagements
    }
    if not cited:
        return {}
    if framework_code is None:
        raise ValidationError(
            "La définition cite des engagements sans indiquer son référentiel (« framework »)."
        )
    framework = Framework.objects.filter(code=framework_code).first()
    if framework is None:
        raise ValidationError(
            f"Référentiel inconnu : « {framework_code} ». Chargez-le d'abord "
            "(fixtures/frameworks/)."
        )
    engagements = {e.number: e for e in framework.engagements.all()}
    errors = [
        f"Questionnaire « {channel} », question « {code} » : engagement(s) inconnu(s) dans "
        f"{framework.name} : {', '.join(sorted(set(numbers) - engagements.keys()))}."
        for (channel, code), numbers in cited.items()
        if set(numbers) - engagements.keys()
    ]
    if errors:
        raise ValidationError(errors)
    return engagements


def _difference_message(
    campaign: Campaign, current: Questionnaire, codes: list[str], wanted: QuestionnaireDef
) -> str:
    extra = sorted(set(codes) - set(wanted.question_codes))
    missing = sorted(set(wanted.question_codes) - set(codes))
    details = []
    if missing:
        details.append(f"absentes de la campagne : {', '.join(missing)}")
    if extra:
        details.append(f"absentes de la définition : {', '.join(extra)}")
    if not details:
        details.append("mêmes questions dans un autre ordre")
    return (
        f"La campagne « {campaign} » a déjà un questionnaire « {current.channel} » différent "
        f"de la définition ({' ; '.join(details)}). Il n'a pas été modifié."
    )


def _create_questionnaire(
    campaign: Campaign, definition: QuestionnaireDef, engagements: Mapping[str, Engagement]
) -> Questionnaire:
    """Costs a handful of queries per question: fine for a one-off setup."""
    questionnaire = Questionnaire.objects.create(
        campaign=campaign,
        channel=definition.channel,
        title=definition.title,
        introduction=definition.introduction,
    )
    created: dict[str, Question] = {}
    order = 0
    for section_order, section_def in enumerate(definition.sections, start=1):
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
            # save() runs clean(), which reads the condition question's choices: they were
            # created with it, just before.
            question.save()
            Choice.objects.bulk_create(
                Choice(question=question, code=c.code, label=c.label, order=i, polarity=c.polarity)
                for i, c in enumerate(question_def.choices, start=1)
            )
            if question_def.engagements:
                question.engagements.set([engagements[n] for n in question_def.engagements])
            created[question.code] = question
    return questionnaire
