"""The quality manager's corrections: fix a questionnaire's answers, void it, restore it.

Every write leaves simple-history records under one date, one user and one reason, which
``survey.selectors.response_history`` groups back into one change. A corrected answer is
never updated in place: the old row is deleted (a "-" record holding the value before) and
the new one created (a "+" record holding the value after), so that the history holds both
even for answers first stored by ``bulk_create``, which writes no history.

The indicators' tallies (survey/tallies.py) follow in the same transaction: a correction
writes the difference of the corrected questions' counts, new minus old, in one statement;
voiding and restoring take the questionnaire out and put it back, explicitly, right after
saving ``voided_at``. These two functions are the only writers of ``voided_at`` on a
stored questionnaire (the field is not editable in the admin): a save elsewhere would
leave the tallies behind until ``manage.py rebuild_tallies``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from survey.models import Answer, Response
from survey.tallies import answer_counts, apply, tally_responses

from .responses import NON_FIELD, QuestionnaireSpec, build_answers

REASON = "reason"
# simple-history's history_change_reason column is a CharField(max_length=100).
HISTORY_REASON_LENGTH = 100

AnswerKey = tuple[int, int | None, str | None, str]


def check_correctable(response: Response) -> None:
    """Raise a ValidationError if the answers of ``response`` may not change any more."""
    response.campaign.check_editable()
    if response.voided_at is not None:
        raise ValidationError(
            {NON_FIELD: [_("Ce questionnaire est annulé : rétablissez-le avant de le corriger.")]}
        )


@transaction.atomic
def correct_response(
    response: Response, answers: Mapping[str, Any], *, user: AbstractBaseUser, reason: str
) -> Response:
    """Make the answers of ``response`` those of ``answers``, keeping the history.

    ``answers`` is the whole questionnaire after the correction (question code -> value, in
    the formats of the API), validated by ``build_answers`` exactly like a submission: a
    question left out is an answer removed. Only the rows that differ are deleted and
    created; the others are not touched. Raises a ValidationError keyed by question code
    and stores nothing if the questionnaire is invalid, the campaign closed or the
    response voided.
    """
    reason = _required_reason(reason, _("Indiquez le motif de la correction."))
    response = _locked(response)
    check_correctable(response)
    rows = build_answers(QuestionnaireSpec.load(response.questionnaire), answers)
    before = {_key(answer): answer for answer in response.answers.all()}
    after = {_key(answer): answer for answer in rows}
    corrected = {key[0] for key in before.keys() ^ after.keys()}  # question ids
    old = answer_counts([response.pk], questions=corrected)
    at = timezone.now()
    for key, answer in before.items():
        if key not in after:
            _stamp(answer, user=user, reason=reason, at=at)
            answer.delete()
    added = [answer for key, answer in after.items() if key not in before]
    for answer in added:
        answer.response = response
    if added:
        bulk_create_with_history(
            added,
            Answer,
            default_user=user,
            default_change_reason=_history_reason(reason),
            default_date=at,
        )
    if corrected:
        difference = answer_counts([response.pk], questions=corrected)
        difference.subtract(old)
        apply(difference)
    return response


@transaction.atomic
def void_response(response: Response, *, user: AbstractBaseUser, reason: str) -> Response:
    """Take ``response`` out of every indicator; its answers stay, readable and restorable.
    Its answers leave the tallies in this transaction (one statement)."""
    reason = _required_reason(reason, _("Indiquez le motif de l'annulation."))
    response = _locked(response)
    response.campaign.check_editable()
    if response.voided_at is not None:
        raise ValidationError({NON_FIELD: [_("Ce questionnaire est déjà annulé.")]})
    response.voided_at = timezone.now()
    response.voided_by_id = user.pk
    response.void_reason = reason
    _stamp(response, user=user, reason=reason, at=response.voided_at)
    response.save(update_fields=["voided_at", "voided_by", "void_reason"])
    tally_responses([response.pk], -1)
    return response


@transaction.atomic
def restore_response(response: Response, *, user: AbstractBaseUser, reason: str) -> Response:
    """Bring a voided ``response`` back into the indicators, and its answers back into
    the tallies in this transaction. The void reason stays in the history."""
    reason = _required_reason(reason, _("Indiquez le motif du rétablissement."))
    response = _locked(response)
    response.campaign.check_editable()
    if response.voided_at is None:
        raise ValidationError({NON_FIELD: [_("Ce questionnaire n'est pas annulé.")]})
    response.voided_at = None
    response.voided_by_id = None
    response.void_reason = ""
    _stamp(response, user=user, reason=reason, at=timezone.now())
    response.save(update_fields=["voided_at", "voided_by", "void_reason"])
    tally_responses([response.pk], 1)
    return response


def _locked(response: Response) -> Response:
    """``response`` read again under a row lock, so that two corrections of the same
    questionnaire run one after the other and each sees the other's result."""
    return (
        Response.objects.select_for_update(of=("self",))
        .select_related("campaign", "questionnaire__campaign", "site")
        .get(pk=response.pk)
    )


def _required_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({REASON: [message]})
    return reason


def _key(answer: Answer) -> AnswerKey:
    return (answer.question_id, answer.choice_id, answer.commune_id, answer.text)


def _history_reason(reason: str) -> str:
    return Truncator(reason).chars(HISTORY_REASON_LENGTH)


def _stamp(
    instance: models.Model, *, user: AbstractBaseUser, reason: str, at: datetime.datetime
) -> None:
    """Set what simple-history reads from an instance when it writes its history record;
    outside a request its middleware gives no user, and the date groups one change."""
    vars(instance).update(
        _history_user=user, _change_reason=_history_reason(reason), _history_date=at
    )
