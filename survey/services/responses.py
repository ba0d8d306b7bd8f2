"""Submitting a filled questionnaire: validation that mirrors the skip logic, stored once.

The same validation serves the tablet, the phone, paper entry and file imports, so that a
questionnaire refused on one path is refused on every path, with the same message (French,
or English when the user chose it: the messages are translated when raised).
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
from django.utils.translation import gettext as _

from survey.communes import forget_communes, known_insee_codes
from survey.models import (
    Answer,
    Choice,
    EntryMode,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    Site,
)
from survey.tallies import tally_responses

NON_FIELD = "__all__"


_SPEC_CACHE: dict[tuple[int, int], QuestionnaireSpec] = {}
_SPEC_CACHE_SIZE = 64


def clear_spec_cache() -> None:
    """Forget what this process has cached for submissions: questionnaire specs and
    known commune codes (tests roll back the rows these caches were read from)."""
    _SPEC_CACHE.clear()
    forget_communes()


@dataclass
class QuestionnaireSpec:
    """A questionnaire's questions and choices, read once (2 queries) and reused."""

    questionnaire: Questionnaire
    questions: list[Question]
    by_code: dict[str, Question] = field(init=False)
    choices: dict[int, dict[str, Choice]] = field(init=False)
    choice_codes: dict[int, str] = field(init=False)  # choice pk -> its code

    def __post_init__(self) -> None:
        self.by_code = {q.code: q for q in self.questions}
        self.choices = {q.pk: {c.code: c for c in q.choices.all()} for q in self.questions}
        self.choice_codes = {c.pk: code for cs in self.choices.values() for code, c in cs.items()}

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


def question_label(question: Question) -> str:
    """How a message names a question: "Q12", or its text when it has no number."""
    if question.number:
        return f"Q{question.number}"
    return _("« %(text)s »") % {"text": question.text}


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def build_answers(spec: QuestionnaireSpec, answers: Mapping[str, Any]) -> list[Answer]:
    """Check ``answers`` (question code -> value) against the questionnaire; unsaved rows.

    Raises a ValidationError keyed by question code, with every problem found at once.
    Values: a choice code; a list of choice codes (multiple choice); a text (free text);
    ``{"insee": "16015"}`` or ``{"outside": "Bordeaux"}`` (commune). The rows hold ids
    (``question_id``, ``choice_id``, ``commune_id``), not the related objects: cheaper to
    build and to insert, and all that storing or comparing them needs.
    """
    errors: dict[str, list[str]] = {}
    unknown = sorted(code for code in answers if code not in spec.by_code)
    if unknown:
        errors[NON_FIELD] = [
            _("Question inconnue dans ce questionnaire : %(codes)s.")
            % {"codes": ", ".join(unknown)}
        ]
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
                    _(
                        "%(question)s n'est posée que si la réponse à %(condition)s est : "
                        "%(answers)s. Retirez cette réponse ou corrigez la réponse dont elle "
                        "dépend."
                    )
                    % {
                        "question": question_label(question),
                        "condition": question_label(condition),
                        "answers": ", ".join(question.condition_labels()),
                    }
                ]
            continue
        if _is_blank(value):
            if question.required:
                errors[question.code] = [
                    _("%(question)s : réponse obligatoire.")
                    % {"question": question_label(question)}
                ]
            continue
        try:
            new_rows = _rows_for(spec, question, value, communes)
        except ValidationError as error:
            errors[question.code] = error.messages
            continue
        rows.extend(new_rows)
        given[question.code] = {
            spec.choice_codes[row.choice_id] for row in new_rows if row.choice_id is not None
        }
    if errors:
        raise ValidationError(errors)
    return rows


def _communes_named(spec: QuestionnaireSpec, answers: Mapping[str, Any]) -> set[str]:
    """The known INSEE codes among those ``answers`` names (survey.communes caches them)."""
    codes = {
        str(value["insee"])
        for question in spec.questions
        if question.kind == QuestionKind.COMMUNE
        and isinstance(value := answers.get(question.code), dict)
        and value.get("insee")
    }
    return known_insee_codes(codes)


def _rows_for(
    spec: QuestionnaireSpec, question: Question, value: Any, communes: set[str]
) -> list[Answer]:
    kind = question.kind
    if kind == QuestionKind.FREE_TEXT:
        if not isinstance(value, str):
            raise ValidationError(_("Un texte est attendu."))
        return [Answer(question_id=question.pk, text=value.strip())]
    if kind == QuestionKind.COMMUNE:
        return [_commune_row(question, value, communes)]
    choices = spec.choices[question.pk]
    codes = value if kind == QuestionKind.MULTIPLE else [value]
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        raise ValidationError(
            _("Réponse illisible : une liste de choix est attendu.")
            if kind == QuestionKind.MULTIPLE
            else _("Réponse illisible : un choix est attendu.")
        )
    if len(set(codes)) != len(codes):
        raise ValidationError(_("Le même choix est donné deux fois."))
    foreign = [code for code in codes if code not in choices]
    if foreign:
        raise ValidationError(
            _("« %(given)s » n'est pas un choix de %(question)s. Choix possibles : %(choices)s.")
            % {
                "given": ", ".join(foreign),
                "question": question_label(question),
                "choices": ", ".join(choices),
            }
        )
    return [Answer(question_id=question.pk, choice_id=choices[code].pk) for code in codes]


def _commune_row(question: Question, value: Any, communes: set[str]) -> Answer:
    if isinstance(value, dict) and value.get("insee"):
        code = str(value["insee"])
        if code not in communes:
            raise ValidationError(
                _(
                    "Commune inconnue (code INSEE %(code)s). Choisissez-la dans la liste, "
                    "ou saisissez-la comme commune hors du département."
                )
                % {"code": value["insee"]}
            )
        return Answer(question_id=question.pk, commune_id=code)  # the code is its key
    outside = value.get("outside") if isinstance(value, dict) else None
    if isinstance(outside, str) and outside.strip():
        return Answer(question_id=question.pk, text=outside.strip())
    raise ValidationError(_("Commune illisible : choisissez-la dans la liste."))


def _stored(submission: Submission) -> Response | None:
    """The response already stored under this uuid, if any. Costs 1 query."""
    existing = Response.objects.filter(uuid=submission.uuid).first()
    if existing is not None and existing.questionnaire_id != submission.questionnaire.pk:
        raise ValidationError(
            {NON_FIELD: [_("Cet identifiant est déjà pris par un autre questionnaire.")]}
        )
    return existing


def submit_response(
    submission: Submission, *, spec: QuestionnaireSpec | None = None
) -> tuple[Response, bool]:
    """Store ``submission`` once; return (response, created).

    A second submission of the same uuid (double tap, retry, offline replay, a concurrent
    request) returns the stored response and creates nothing: the unique index on ``uuid``
    decides, not a check made before the insert. Nothing is read before: a new
    questionnaire (nearly every request) costs its INSERTs alone. Only when it cannot be
    stored, because its uuid is taken (IntegrityError) or because it no longer passes the
    checks (campaign closed, questionnaire changed since the first attempt was stored), is
    the uuid looked up: a replay gets the stored response whatever its payload, and a uuid
    of another questionnaire is refused.
    """
    try:
        return _insert(submission, spec), True
    except ValidationError:
        existing = _stored(submission)
        if existing is None:
            raise
    except IntegrityError:
        existing = _stored(submission)
        if existing is None:
            # Not the uuid: a commune deleted since this process checked it, most likely.
            forget_communes()
            raise
    return existing, False


def _insert(submission: Submission, spec: QuestionnaireSpec | None) -> Response:
    """Check ``submission`` and write it in one transaction (a savepoint inside another),
    so that a failed INSERT leaves the connection usable. Costs 4 queries (Response, its
    history record, the answers in one INSERT on PostgreSQL, the indicators' tallies in
    one INSERT … SELECT … ON CONFLICT: survey/tallies.py) and the transaction."""
    if submission.site.organisation_id != submission.questionnaire.campaign.organisation_id:
        raise ValidationError(
            {"site": [_("Ce site n'appartient pas à l'organisation de la campagne.")]}
        )
    submission.questionnaire.campaign.check_response_moments(
        started_at=submission.started_at, submitted_at=submission.submitted_at
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
    with transaction.atomic():
        response.save()
        for row in rows:
            row.response_id = response.pk
        Answer.objects.bulk_create(rows)
        tally_responses([response.pk])
    return response
