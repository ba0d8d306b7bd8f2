"""JSON endpoints of the entry pages: questionnaire definition, communes, submission.

They answer the tablet's script, including replays from its offline queue; errors are
JSON with messages keyed by question code, in the user's language (French by default).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import access
from .models import Choice, Commune, EntryMode, Questionnaire, Site
from .payloads import (
    UnreadablePayload,
    beyond_the_calendar,
    parse_iso_moment,
    read_json,
    whole_number,
)
from .services.responses import NON_FIELD, Submission, submit_response

# The modes a client may declare; file imports have their own path.
ENTRY_MODES = frozenset({EntryMode.TABLET, EntryMode.PHONE, EntryMode.PAPER})


def _error(status: int, errors: dict[str, list[str]]) -> JsonResponse:
    return JsonResponse(
        {"errors": errors}, status=status, json_dumps_params={"ensure_ascii": False}
    )


@access.role_required(access.ENTRY)
@require_GET
def questionnaire_definition(request: HttpRequest, pk: int) -> JsonResponse:
    """The questionnaire as the form script needs it. Costs 4 queries."""
    questionnaire = access.get_scoped_or_404(
        Questionnaire.objects.select_related("campaign"), request.user, access.ENTRY, pk=pk
    )
    sections = questionnaire.sections.order_by("order").prefetch_related(
        Prefetch(
            "questions",
            queryset=questionnaire.questions.select_related("condition_question")
            .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order")))
            .order_by("order"),
        )
    )
    campaign = questionnaire.campaign
    data = {
        "id": questionnaire.pk,
        "title": questionnaire.title,
        "introduction": questionnaire.introduction,
        "channel": questionnaire.channel,
        "campaign": {
            "id": campaign.pk,
            "title": campaign.title,
            "status": campaign.status,
            "departement": campaign.organisation.departement_code,
        },
        "sections": [
            {
                "code": section.code,
                "title": section.title,
                "questions": [_question(q) for q in section.questions.all()],
            }
            for section in sections
        ],
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _question(question: Any) -> dict[str, Any]:
    condition = question.condition_question
    return {
        "code": question.code,
        "number": question.number,
        "text": question.text,
        "help_text": question.help_text,
        "kind": question.kind,
        "required": question.required,
        "condition": (
            {"question": condition.code, "codes": list(question.condition_codes)}
            if condition is not None
            else None
        ),
        "choices": [
            {"code": c.code, "label": c.label, "polarity": c.polarity}
            for c in question.choices.all()
        ],
    }


@access.role_required(access.ENTRY)
@require_GET
def communes(request: HttpRequest) -> JsonResponse:
    """Every commune of a département (the organisation's by default), for a client-side,
    accent-insensitive autocomplete that keeps working offline."""
    organisation = access.work_organisation(request, access.ENTRY)
    departement = request.GET.get("departement") or (
        organisation.departement_code if organisation else ""
    )
    rows = Commune.objects.filter(departement_code=departement).values_list(
        "insee_code", "name", "search_name"
    )
    return JsonResponse(
        {
            "departement": departement,
            "communes": [{"insee": c, "name": n, "search": s} for c, n, s in rows],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _parse_time(payload: dict[str, Any], key: str) -> datetime.datetime | None:
    raw = payload.get(key)
    if raw in (None, ""):
        return None
    parsed = parse_iso_moment(raw)
    if parsed is None:
        if beyond_the_calendar(raw):
            message = _("Date et heure hors des limites du calendrier : %(value)s.")
        else:
            message = _("Date et heure illisibles : %(value)s (format ISO 8601 avec fuseau).")
        raise ValidationError({key: [message % {"value": repr(raw)[:80]}]})
    return parsed


# The machine code of a submission declared by another account than the session's: the
# tablet's queue keeps such a questionnaire for the account that entered it.
OTHER_INTERVIEWER = "other_interviewer"


def _other_interviewer(request: HttpRequest, payload: dict[str, Any]) -> JsonResponse | None:
    """A 409, before anything is read or stored, when the payload declares an interviewer
    (the account it was entered under, ``interviewer``: a username) other than the
    session's user: on a shared tablet, a questionnaire queued by one trainee must never be
    credited to the next one who logs in. A payload that declares none (an older script)
    is the session user's, as before."""
    declared = payload.get("interviewer")
    if declared is None:
        return None
    session_user = request.user.get_username()
    if declared == session_user:
        return None
    # Echoed in the answer: only a plausible username (no NUL, no lone surrogate).
    if not isinstance(declared, str) or not 0 < len(declared) <= 150 or not declared.isprintable():
        return _error(
            400, {"interviewer": [_("Le compte déclaré doit être un nom d'utilisateur.")]}
        )
    return JsonResponse(
        {
            "code": OTHER_INTERVIEWER,
            "interviewer": declared,
            "session_user": session_user,
            "errors": {
                NON_FIELD: [
                    _(
                        "Ce questionnaire a été saisi sous le compte %(declared)s, mais la "
                        "session ouverte est celle de %(user)s : il n'est pas enregistré. Il "
                        "partira quand %(declared)s se reconnectera sur cet appareil."
                    )
                    % {"declared": declared, "user": session_user}
                ]
            },
        },
        status=409,
        json_dumps_params={"ensure_ascii": False},
    )


def _pk(payload: dict[str, Any], key: str) -> int:
    """A primary key from JSON: an integer, or a text of digits (older clients sent one)."""
    value = payload.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = whole_number(value) if isinstance(value, str) else None
    if number is not None:
        return number
    raise ValidationError({key: [_("Identifiant manquant ou illisible : un entier est attendu.")]})


def _text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({key: [_("Un texte est attendu.")]})
    return value


@dataclass(frozen=True)
class _Payload:
    """A submission's fields, read and typed; the rows they name are not looked up yet."""

    uuid: uuid.UUID
    questionnaire: int
    site: int
    mode: str
    answers: dict[str, Any]
    device_id: str
    started_at: datetime.datetime | None
    submitted_at: datetime.datetime | None


def _read_object(body: bytes) -> dict[str, Any]:
    """The JSON object in ``body``; a ValidationError keyed by field if it is unreadable."""
    try:
        payload = read_json(body)
    except UnreadablePayload as error:
        raise ValidationError({_field(error.path): [error.message]}) from None
    if not isinstance(payload, dict):
        raise ValidationError({NON_FIELD: [_("Requête illisible : un objet JSON est attendu.")]})
    return payload


def _read_payload(payload: dict[str, Any]) -> _Payload:
    """The submission's fields, typed; a ValidationError keyed by field if any is unreadable."""
    try:
        client_uuid = uuid.UUID(str(payload.get("uuid", "")))
    except ValueError:
        raise ValidationError(
            {"uuid": [_("Identifiant de questionnaire manquant ou illisible.")]}
        ) from None
    mode = payload.get("mode") or EntryMode.TABLET
    if not isinstance(mode, str) or mode not in ENTRY_MODES:
        raise ValidationError(
            {"mode": [_("Mode de saisie inconnu : %(mode)s.") % {"mode": repr(mode)[:80]}]}
        )
    answers = payload.get("answers")
    if not isinstance(answers, dict):
        raise ValidationError({"answers": [_("Les réponses doivent être un objet JSON.")]})
    return _Payload(
        uuid=client_uuid,
        questionnaire=_pk(payload, "questionnaire"),
        site=_pk(payload, "site"),
        mode=mode,
        answers=answers,
        device_id=_text(payload, "device_id"),
        started_at=_parse_time(payload, "started_at"),
        submitted_at=_parse_time(payload, "submitted_at"),
    )


def _field(path: tuple[str | int, ...]) -> str:
    """The error key of a faulty value at ``path``: the question's code within the answers,
    else the payload's key."""
    if len(path) > 1 and path[0] == "answers" and isinstance(path[1], str):
        return path[1]
    return str(path[0]) if path else NON_FIELD


@access.role_required(access.ENTRY)
@require_POST
def submit(request: HttpRequest) -> JsonResponse:
    """Store one questionnaire. 201 when created, 200 when this uuid was already stored."""
    try:
        payload = _read_object(request.body)
    except ValidationError as error:
        return _error(400, error.message_dict)
    # Before any other check: a questionnaire of another account waits for it, whatever else.
    if refused := _other_interviewer(request, payload):
        return refused
    try:
        fields = _read_payload(payload)
    except ValidationError as error:
        return _error(400, error.message_dict)
    questionnaire = access.get_scoped_or_404(
        # The organisation comes along: its time zone dates the entry window (Campaign.zone).
        Questionnaire.objects.select_related("campaign__organisation"),
        request.user,
        access.ENTRY,
        pk=fields.questionnaire,
    )
    # The questionnaire is already known to be the user's: its organisation's sites are.
    site = get_object_or_404(
        Site, pk=fields.site, organisation_id=questionnaire.campaign.organisation_id
    )
    if refusal := _mode_refusal(request.user, questionnaire, fields.mode):
        return refusal
    try:
        response, created = submit_response(
            Submission(
                uuid=fields.uuid,
                questionnaire=questionnaire,
                site=site,
                answers=fields.answers,
                interviewer=request.user,
                mode=fields.mode,
                device_id=fields.device_id,
                started_at=fields.started_at,
                submitted_at=fields.submitted_at,
            )
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD: error.messages}
        return _error(400, errors)
    return JsonResponse(
        {"uuid": str(response.uuid), "id": response.pk, "created": created},
        status=201 if created else 200,
    )


def _mode_refusal(
    user: access.AnyUser, questionnaire: Questionnaire, mode: str
) -> JsonResponse | None:
    """Paper re-entry is the quality manager's, as its page is (``entry_paper``): a 400
    for anyone else, nothing stored. A 400, not a 403: the tablet's queue keeps a 400 as
    "à corriger" with its message, where a 403 would ask the trainee to log in again."""
    if mode != EntryMode.PAPER or access.holds_role(
        user, questionnaire.campaign.organisation_id, access.MANAGEMENT
    ):
        return None
    message = _("La ressaisie des questionnaires papier est réservée au responsable qualité.")
    return _error(400, {"mode": [message]})
