"""Reads of the quality manager's response pages: a questionnaire's answers and its history.

The history is simple-history's: ``HistoricalResponse`` for the questionnaire's own fields
(voiding, restoring) and ``HistoricalAnswer`` for its answers, which only corrections write
(``survey.services.corrections``). Records of one date, user and reason are one change.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survey.models import Answer, Question, QuestionKind, Response, Section
from survey.services.responses import QuestionnaireSpec

# The fields of a response that a change may touch, in the order a change lists them;
# campaign and channel follow the questionnaire, the uuid never changes.
RESPONSE_FIELDS = [
    "questionnaire",
    "site",
    "mode",
    "interviewer",
    "device_id",
    "started_at",
    "submitted_at",
    "voided_at",
    "voided_by",
    "void_reason",
]


# --- answers ------------------------------------------------------------------------------


def current_answers(response: Response) -> list[Answer]:
    """The answers of ``response`` with their choice and commune. Costs one query."""
    return list(response.answers.select_related("choice", "commune").order_by("choice__order"))


def answer_label(answer: Any, question: Question) -> str:
    """What an answer (or a historical record of one) reads as: a choice's label, a commune."""
    if answer.choice_id is not None:
        choice = answer.choice
        return choice.label if choice is not None else gettext("(choix supprimé)")
    if answer.commune_id is not None:
        return str(answer.commune) if answer.commune is not None else str(answer.commune_id)
    if question.kind == QuestionKind.COMMUNE:
        return gettext("%(name)s (hors du département)") % {"name": answer.text}
    return str(answer.text)


def answer_values(spec: QuestionnaireSpec, answers: list[Answer]) -> dict[str, Any]:
    """``answers`` as question code -> value, in the formats ``build_answers`` reads."""
    by_question = _by_question(answers)
    values: dict[str, Any] = {}
    for question in spec.questions:
        rows = by_question.get(question.pk)
        if not rows:
            continue
        if question.kind == QuestionKind.MULTIPLE:
            values[question.code] = [row.choice.code for row in rows if row.choice is not None]
        elif question.has_choices:
            choice = rows[0].choice
            values[question.code] = choice.code if choice is not None else ""
        elif question.kind == QuestionKind.COMMUNE:
            row = rows[0]
            values[question.code] = (
                {"insee": row.commune_id} if row.commune_id else {"outside": row.text}
            )
        else:
            values[question.code] = rows[0].text
    return values


@dataclass(frozen=True)
class QuestionAnswer:
    question: Question
    labels: list[str]
    asked: bool


@dataclass(frozen=True)
class SectionAnswers:
    section: Section
    answers: list[QuestionAnswer]


def answers_by_section(spec: QuestionnaireSpec, answers: list[Answer]) -> list[SectionAnswers]:
    """Every question of the questionnaire, by section, with its answer and whether the skip
    logic asked it. Costs one query (the sections)."""
    sections = Section.objects.filter(questionnaire=spec.questionnaire).order_by("order")
    by_section: dict[int, list[QuestionAnswer]] = {section.pk: [] for section in sections}
    by_question = _by_question(answers)
    given: dict[str, set[str]] = {}
    for question in spec.questions:
        rows = by_question.get(question.pk, [])
        asked = question.is_asked(given)
        given[question.code] = {row.choice.code for row in rows if row.choice is not None}
        by_section.setdefault(question.section_id, []).append(
            QuestionAnswer(question, [answer_label(row, question) for row in rows], asked)
        )
    return [
        SectionAnswers(section, by_section[section.pk])
        for section in sections
        if by_section[section.pk]
    ]


def _by_question(answers: list[Answer]) -> dict[int, list[Answer]]:
    grouped: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        grouped[answer.question_id].append(answer)
    return grouped


# --- history ------------------------------------------------------------------------------


class ChangeKind(models.TextChoices):
    RECEIVED = "received", _("Réception du questionnaire")
    CORRECTED = "corrected", _("Correction des réponses")
    VOIDED = "voided", _("Annulation")
    RESTORED = "restored", _("Rétablissement")
    EDITED = "edited", _("Modification")
    ERASED = "erased", _("Effacement des textes libres")


@dataclass(frozen=True)
class ValueChange:
    """One question (or field) of a change: its label, and its values before and after."""

    label: str
    before: list[str]
    after: list[str]


@dataclass
class Change:
    at: datetime.datetime
    user: Any
    reason: str
    kind: ChangeKind
    values: list[ValueChange] = field(default_factory=list)


EventKey = tuple[datetime.datetime, int | None, str]
# An answer as the history replays it: its question, its label, its rank among choices.
Entry = tuple[Question, str, int]


def response_history(response: Response) -> list[Change]:
    """Who changed what in ``response``, when and why, oldest first, with the values before
    and after (labels, not codes). Costs 3 queries whatever the length of the history."""
    records = list(
        response.history.select_related(
            "history_user", "questionnaire", "site", "interviewer", "voided_by"
        ).order_by("history_date", "history_id")
    )
    answer_records = list(
        Answer.history.filter(response_id=response.pk)
        .select_related("history_user", "question", "choice", "commune")
        .order_by("history_date", "history_id")
    )
    current = list(response.answers.select_related("question", "choice", "commune"))

    changes: dict[EventKey, Change] = {}

    def change_of(record: Any, kind: ChangeKind) -> Change:
        key = _event_key(record)
        if key not in changes:
            changes[key] = Change(
                at=record.history_date,
                user=record.history_user,
                reason=record.history_change_reason or "",
                kind=kind,
            )
        return changes[key]

    previous = None
    for record in records:
        if record.history_type == "+":
            change_of(record, ChangeKind.RECEIVED)
        elif record.history_type == "~" and previous is not None:
            values = _field_changes(previous, record)
            if values:
                change_of(record, _kind(previous, record)).values.extend(values)
        previous = record

    # Replay the corrections backwards from today's answers: undoing each one gives the
    # answers before it, so no answer has to be stored twice.
    by_event: dict[EventKey, list[Any]] = defaultdict(list)
    for record in answer_records:
        by_event[_event_key(record)].append(record)
    state: dict[int, Entry] = {answer.pk: _entry(answer, answer.question) for answer in current}
    for key in reversed(list(by_event)):
        event_records = by_event[key]
        if all(record.history_type == "~" for record in event_records):
            # Only an erasure updates an answer in place (survey.services.retention): the
            # text it held is gone from the history too, and the reason says why.
            change_of(event_records[0], ChangeKind.ERASED)
            continue
        before = dict(state)
        for record in event_records:
            if record.history_type == "+":
                before.pop(record.id, None)
            elif record.history_type == "-":
                before[record.id] = _entry(record, record.question)
        questions = sorted(
            {record.question_id: record.question for record in event_records}.values(),
            key=lambda question: question.order,
        )
        change_of(event_records[0], ChangeKind.CORRECTED).values.extend(
            ValueChange(str(question), _labels(before, question), _labels(state, question))
            for question in questions
        )
        state = before
    return sorted(changes.values(), key=lambda change: change.at)


def _event_key(record: Any) -> EventKey:
    return (record.history_date, record.history_user_id, record.history_change_reason or "")


def _entry(answer: Any, question: Question) -> Entry:
    choice = answer.choice if answer.choice_id is not None else None
    return (question, answer_label(answer, question), choice.order if choice is not None else 0)


def _labels(state: dict[int, Entry], question: Question) -> list[str]:
    entries = sorted(
        (entry for entry in state.values() if entry[0].pk == question.pk), key=lambda e: e[2]
    )
    return [label for _question, label, _order in entries]


def _kind(previous: Any, record: Any) -> ChangeKind:
    if previous.voided_at is None and record.voided_at is not None:
        return ChangeKind.VOIDED
    if previous.voided_at is not None and record.voided_at is None:
        return ChangeKind.RESTORED
    return ChangeKind.EDITED


def _field_changes(previous: Any, record: Any) -> list[ValueChange]:
    values = []
    for name in RESPONSE_FIELDS:
        model_field = _response_field(name)
        if getattr(previous, model_field.attname) == getattr(record, model_field.attname):
            continue
        before, after = _display(previous, name), _display(record, name)
        values.append(
            ValueChange(
                str(model_field.verbose_name),
                [before] if before else [],
                [after] if after else [],
            )
        )
    return values


def _display(record: Any, name: str) -> str:
    """A field of a historical response as a person reads it. The related objects are
    already loaded by ``select_related``."""
    model_field = _response_field(name)
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return ""
    if model_field.is_relation:
        related = getattr(record, name)
        return str(related) if related is not None else str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return str(value)


def _response_field(name: str) -> models.Field[Any, Any]:
    model_field = Response._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    return model_field
