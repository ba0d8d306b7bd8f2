"""The questionnaires' structure as ``compute`` reads it: each question code once (with
the channels that ask it), each code's choices in order, and the choice ids the tallies
name their answers with.

Read once per process for each revision of the questionnaires, and kept: the structure
changes rarely, the figures at every request.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from survey.models import Choice, Question, QuestionKind, Questionnaire

ChoiceIds = dict[int, tuple[str, str]]  # choice id -> (its code, its polarity)


@dataclass(frozen=True)
class Structure:
    """What compute() reads of the questionnaires: ``_questions`` and ``_choices``."""

    questions: dict[str, dict[str, Any]]
    choices: dict[str, list[tuple[str, str, str]]]
    choice_ids: ChoiceIds


_STRUCTURES: dict[tuple[Any, ...], Structure] = {}
_STRUCTURES_SIZE = 32


def clear_structure_cache() -> None:
    """Forget the questionnaires' structures read by this process (tests roll back the
    rows they were read from, and SQLite may then give their ids to others)."""
    _STRUCTURES.clear()


def read_structure(campaign_id: int, previous_id: int | None) -> Structure:
    """The questions and choices of ``campaign`` (and the choice ids of ``previous``),
    read once per process for each revision of their questionnaires: every change to a
    section, question or choice bumps its questionnaire's revision (``CampaignChild``), so
    the structure kept is never stale. One query when it is kept, three otherwise."""
    campaigns = [pk for pk in (campaign_id, previous_id) if pk is not None]
    revisions = tuple(
        Questionnaire.objects.filter(campaign_id__in=campaigns)
        .order_by("pk")
        .values_list("campaign_id", "pk", "revision")
    )
    key = (campaign_id, previous_id, revisions)
    structure = _STRUCTURES.get(key)
    if structure is None:
        choices, choice_ids = _choices(campaign_id, previous_id)
        structure = Structure(_questions(campaign_id), choices, choice_ids)
        while len(_STRUCTURES) >= _STRUCTURES_SIZE:
            _STRUCTURES.pop(next(iter(_STRUCTURES)))
        _STRUCTURES[key] = structure
    return structure


def _questions(campaign_id: int) -> dict[str, dict[str, Any]]:
    """Each question code once (hall first), with the channels that ask it. One query."""
    rows = (
        Question.objects.filter(questionnaire__campaign_id=campaign_id)
        .exclude(kind=QuestionKind.FREE_TEXT)
        .values(
            "code",
            "number",
            "text",
            "kind",
            "choice_groups",
            "section__title",
            "questionnaire__channel",
        )
        .order_by("questionnaire__channel", "order")
    )
    questions: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = questions.setdefault(
            row["code"],
            {
                "number": row["number"],
                "text": row["text"],
                "kind": row["kind"],
                "groups": row["choice_groups"] or {},
                "section": row["section__title"],
                "channels": [],
            },
        )
        entry["channels"].append(row["questionnaire__channel"])
    return questions


def _choices(
    campaign_id: int, previous_id: int | None = None
) -> tuple[dict[str, list[tuple[str, str, str]]], ChoiceIds]:
    """(code, label, polarity) of each question code's choices, in order; and the code and
    polarity of every choice of ``campaign`` and ``previous`` by id, as the tallies name
    them. One query."""
    rows = (
        Choice.objects.filter(
            question__questionnaire__campaign_id__in=[
                pk for pk in (campaign_id, previous_id) if pk is not None
            ]
        )
        .values_list(
            "pk",
            "question__questionnaire__campaign_id",
            "question__code",
            "code",
            "label",
            "polarity",
        )
        .order_by("question__questionnaire__channel", "question__order", "order")
    )
    choices: dict[str, dict[str, tuple[str, str, str]]] = defaultdict(dict)
    ids: ChoiceIds = {}
    for pk, owner, question, code, label, polarity in rows:
        ids[pk] = (code, polarity)
        if owner == campaign_id:
            choices[question].setdefault(code, (code, label, polarity))
    return {question: list(by_code.values()) for question, by_code in choices.items()}, ids
