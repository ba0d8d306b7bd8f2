"""Submitting a filled questionnaire: validation that mirrors the skip logic, stored once.

The same validation serves the tablet, the phone, paper entry and file imports, so that a
questionnaire refused on one path is refused on every path, with the same French message.
"""

from __future__ import annotations

import datetime
import uuid as uuid_module
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch

from survey.models import (
    Answer,
    Choice,
    Commune,
    EntryMode,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    Site,
)

NON_FIELD = "__all__"


_SPEC_CACHE: dict[tuple[int, int], QuestionnaireSpec] = {}
_SPEC_CACHE_SIZE = 64


def clear_spec_cache() -> None:
    _SPEC_CACHE.clear()


@dataclass
class QuestionnaireSpec:
    """A questionnaire's questions and choices, read once (2 queries) and reused."""

    questionnaire: Questionnaire
    questions: list[Question]
    by_code: dict[str, Question] = field(init=False)
    choices: dict[int, dict[str, Choice]] = field(init=False)
    communes: dict[str, Commune | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.by_code = {q.code: q for q in self.questions}
        self.choices = {q.pk: {c.code: c for c in q.choices.all()} for q in self.questions}

    @classmethod
    def cached(cls, questionnaire: Questionnaire) -> QuestionnaireSpec:
        """The spec of this revision of ``questionnaire``, read once per process.

        Any change to a questionnaire's sections, questions or choices bumps its revision
        (CampaignChild), so a cached spec is never stale. Costs 2 queries on a miss.
        """
        key = (questionnaire.pk, questionnaire.revision)
        spec = _SPEC_CACHE.get(key)
        if spec is None:
            spec = cls.load(questionnaire)
            while len(_SPEC_CACHE) >= _SPEC_CACHE_SIZE:
                _SPEC_CACHE.pop(next(iter(_SPEC_CACHE)))
            _SPEC_CACHE[key] = spec
        return spec

    @classmethod
    def load(cls, questionnaire: Questionnaire) -> QuestionnaireSpec:
        questions = list(
            questionnaire.questions.select_related("condition_question")
            .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order")))
            .order_by("order")
        )
        return cls(questionnaire, questions)


@dataclass(frozen=True)
class Submission:
    uuid: uuid_module.UUID
    questionnaire: Questionnaire
    site: Site
    answers: Mapping[str, Any]
    interviewer: Any = None
    mode: str = EntryMode.TABLET
    device_id: str = ""
    started_at: datetime.datetime | None = None
    submitted_at: datetime.datetime | None = None


def _label(question: Question) -> str:
    return f"Q{question.number}" if question.number else f"« {question.text} »"


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def build_answers(spec: QuestionnaireSpec, answers: Mapping[str, Any]) -> list[Answer]:
    """Check ``answers`` (question code -> value) against the questionnaire; unsaved rows.

    Raises a ValidationError keyed by question code, with every problem found at once.
    Values: a choice code; a list of choice codes (multiple choice); a text (free text);
    ``{"insee": "16015"}`` or ``{"outside": "Bordeaux"}`` (commune).
    """
    errors: dict[str, list[str]] = {}
    unknown = sorted(code for code in answers if code not in spec.by_code)
    if unknown:
        errors[NON_FIELD] = [f"Question inconnue dans ce questionnaire : {', '.join(unknown)}."]
    given: dict[str, set[str]] = {}
    rows: list[Answer] = []
    communes = _communes_named(spec, answers)
    for question in spec.questions:
        value = answers.get(question.code)
        asked = question.is_asked(given)
        if not asked:
            if not _is_blank(value):
                condition = question.condition_question
                assert condition is not None
                errors[question.code] = [
                    f"{_label(question)} n'est posée que si la réponse à "
                    f"{_label(condition)} est : {', '.join(question.condition_labels())}. "
                    "Retirez cette réponse ou corrigez la réponse dont elle dépend."
                ]
            continue
        if _is_blank(value):
            if question.required:
                errors[question.code] = [f"{_label(question)} : réponse obligatoire."]
            continue
        try:
            new_rows = _rows_for(spec, question, value, communes)
        except ValidationError as error:
            errors[question.code] = error.messages
            continue
        rows.extend(new_rows)
        given[question.code] = {row.choice.code for row in new_rows if row.choice is not None}
    if errors:
        raise ValidationError(errors)
    return rows


def _communes_named(spec: QuestionnaireSpec, answers: Mapping[str, Any]) -> dict[str, Commune]:
    """The communes ``answers`` name, read through the spec's cache: an import of a
    thousand rows naming the same few communes reads each of them once."""
    codes = {
        str(value["insee"])
        for question in spec.questions
        if question.kind == QuestionKind.COMMUNE
        and isinstance(value := answers.get(question.code), dict)
        and value.get("insee")
    }
    missing = codes - spec.communes.keys()
    if missing:
        found = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=missing)}
        spec.communes.update({code: found.get(code) for code in missing})
    return {code: commune for code in codes if (commune := spec.communes[code]) is not None}


def _rows_for(
    spec: QuestionnaireSpec, question: Question, value: Any, communes: dict[str, Commune]
) -> list[Answer]:
    kind = question.kind
    if kind == QuestionKind.FREE_TEXT:
        if not isinstance(value, str):
            raise ValidationError("Un texte est attendu.")
        return [Answer(question=question, text=value.strip())]
    if kind == QuestionKind.COMMUNE:
        return [_commune_row(question, value, communes)]
    choices = spec.choices[question.pk]
    codes = value if kind == QuestionKind.MULTIPLE else [value]
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        expected = "une liste de choix" if kind == QuestionKind.MULTIPLE else "un choix"
        raise ValidationError(f"Réponse illisible : {expected} est attendu.")
    if len(set(codes)) != len(codes):
        raise ValidationError("Le même choix est donné deux fois.")
    foreign = [code for code in codes if code not in choices]
    if foreign:
        raise ValidationError(
            f"« {', '.join(foreign)} » n'est pas un choix de {_label(question)}. "
            f"Choix possibles : {', '.join(choices)}."
        )
    return [Answer(question=question, choice=choices[code]) for code in codes]


def _commune_row(question: Question, value: Any, communes: dict[str, Commune]) -> Answer:
    if isinstance(value, dict) and value.get("insee"):
        commune = communes.get(str(value["insee"]))
        if commune is None:
            raise ValidationError(
                f"Commune inconnue (code INSEE {value['insee']}). Choisissez-la dans la liste, "
                "ou saisissez-la comme commune hors du département."
            )
        return Answer(question=question, commune=commune)
    outside = value.get("outside") if isinstance(value, dict) else None
    if isinstance(outside, str) and outside.strip():
        return Answer(question=question, text=outside.strip())
    raise ValidationError("Commune illisible : choisissez-la dans la liste.")


def _replay(submission: Submission) -> Response | None:
    existing = Response.objects.filter(uuid=submission.uuid).first()
    if existing is not None and existing.questionnaire_id != submission.questionnaire.pk:
        raise ValidationError(
            {NON_FIELD: ["Cet identifiant est déjà pris par un autre questionnaire."]}
        )
    return existing


def submit_response(
    submission: Submission, *, spec: QuestionnaireSpec | None = None
) -> tuple[Response, bool]:
    """Store ``submission`` once; return (response, created).

    A second submission of the same uuid (double tap, retry, offline replay, a concurrent
    request) returns the stored response and creates nothing: the unique index on ``uuid``
    decides, not a check made before the insert.
    """
    existing = _replay(submission)
    if existing is not None:
        return existing, False
    if submission.site.organisation_id != submission.questionnaire.campaign.organisation_id:
        raise ValidationError(
            {"site": ["Ce site n'appartient pas à l'organisation de la campagne."]}
        )
    started, submitted = submission.started_at, submission.submitted_at
    if started is not None and submitted is not None and started > submitted:
        raise ValidationError(
            {NON_FIELD: ["L'heure de début du questionnaire est postérieure à son envoi."]}
        )
    spec = spec or QuestionnaireSpec.cached(submission.questionnaire)
    rows = build_answers(spec, submission.answers)
    response = Response(
        uuid=submission.uuid,
        questionnaire=submission.questionnaire,
        site=submission.site,
        interviewer=submission.interviewer,
        mode=submission.mode,
        device_id=submission.device_id[:64],
        started_at=submission.started_at,
    )
    if submission.submitted_at is not None:
        response.submitted_at = submission.submitted_at
    try:
        with transaction.atomic():
            response.save()
            for row in rows:
                row.response = response
            Answer.objects.bulk_create(rows)
    except IntegrityError:
        existing = _replay(submission)
        if existing is None:
            raise
        return existing, False
    return response, True
