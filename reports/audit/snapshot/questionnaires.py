"""The questionnaires as they were asked (sections, questions, choices, engagements) and
the quality frameworks their questions quote.
"""

from __future__ import annotations

from typing import Any

from survey.models import Campaign, Choice, Engagement, Framework, Question, Questionnaire, Section

from .values import rows_of


def questionnaires_of(campaign: Campaign, *, with_engagements: bool) -> list[dict[str, Any]]:
    """Each questionnaire with its sections, questions and choices. Four or five queries."""
    questionnaires = rows_of(
        Questionnaire.objects.filter(campaign=campaign),
        "pk",
        "channel",
        "title",
        "introduction",
        "revision",
    )
    ids = [q["pk"] for q in questionnaires]
    sections = rows_of(
        Section.objects.filter(questionnaire_id__in=ids),
        "pk",
        "questionnaire_id",
        "code",
        "title",
        "order",
    )
    questions = rows_of(
        Question.objects.filter(questionnaire_id__in=ids),
        "pk",
        "questionnaire_id",
        "section_id",
        "code",
        "number",
        "order",
        "text",
        "help_text",
        "kind",
        "required",
        "condition_question_id",
        "condition_codes",
        "counts_in_satisfaction",
        "choice_groups",
    )
    choices = rows_of(
        Choice.objects.filter(question__questionnaire_id__in=ids),
        "pk",
        "question_id",
        "code",
        "label",
        "order",
        "polarity",
    )
    engagements: dict[int, list[int]] = {}
    if with_engagements:
        through = Question.engagements.through.objects.filter(
            question_id__in=[q["pk"] for q in questions]
        )
        for question_id, engagement_id in through.order_by(
            "question_id", "engagement_id"
        ).values_list("question_id", "engagement_id"):
            engagements.setdefault(question_id, []).append(engagement_id)
    by_question: dict[int, list[dict[str, Any]]] = {}
    for choice in choices:
        by_question.setdefault(choice.pop("question_id"), []).append(choice)
    for question in questions:
        question["choices"] = by_question.get(question["pk"], [])
        if with_engagements:
            question["engagements"] = engagements.get(question["pk"], [])
    for questionnaire in questionnaires:
        pk = questionnaire["pk"]
        questionnaire["sections"] = [
            {k: v for k, v in s.items() if k != "questionnaire_id"}
            for s in sections
            if s["questionnaire_id"] == pk
        ]
        questionnaire["questions"] = [
            {k: v for k, v in q.items() if k != "questionnaire_id"}
            for q in questions
            if q["questionnaire_id"] == pk
        ]
    return questionnaires


def frameworks_of(campaign: Campaign) -> list[dict[str, Any]]:
    """The frameworks the campaign's questions quote, with every engagement of them (the
    report quotes some that no question carries). Two queries."""
    ids = sorted(
        set(
            Engagement.objects.filter(questions__questionnaire__campaign=campaign).values_list(
                "framework_id", flat=True
            )
        )
    )
    frameworks = rows_of(Framework.objects.filter(pk__in=ids), "pk", "code", "name", "year")
    engagements = rows_of(
        Engagement.objects.filter(framework_id__in=ids),
        "pk",
        "framework_id",
        "number",
        "text",
        "order",
    )
    for framework in frameworks:
        framework["engagements"] = [
            {k: v for k, v in e.items() if k != "framework_id"}
            for e in engagements
            if e["framework_id"] == framework["pk"]
        ]
    return frameworks
