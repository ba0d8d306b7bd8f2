"""A questionnaire is credited to the account it was entered under: on a shared tablet, the
queue of one trainee must never be stored under the next trainee's session."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from survey.api import OTHER_INTERVIEWER
from survey.models import Organisation, Questionnaire, Response, Role

from .helpers import client_for, payload_for, post

pytestmark = pytest.mark.django_db


def username(client: Client) -> str:
    return client.user.get_username()  # type: ignore[attr-defined, no-any-return]


def test_a_questionnaire_declared_by_the_session_user_is_stored_under_that_user(
    hall: Questionnaire, interviewer_client: Client
) -> None:
    response = post(interviewer_client, payload_for(hall, interviewer=username(interviewer_client)))

    assert response.status_code == 201
    assert Response.objects.get().interviewer == interviewer_client.user  # type: ignore[attr-defined]


def test_a_questionnaire_declared_by_another_account_is_refused_and_not_stored(
    hall: Questionnaire, interviewer_client: Client, organisation: Organisation
) -> None:
    entered_by = client_for(Role.INTERVIEWER, organisation)
    payload = payload_for(hall, interviewer=username(entered_by))

    refused = post(interviewer_client, payload)

    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == OTHER_INTERVIEWER
    assert (body["interviewer"], body["session_user"]) == (
        username(entered_by),
        username(interviewer_client),
    )
    message = body["errors"]["__all__"][0]
    assert f"saisi sous le compte {username(entered_by)}" in message
    assert "n'est pas enregistré" in message
    assert not Response.objects.exists()

    # Its owner sends it later, under the same uuid: stored once, credited to them.
    assert post(entered_by, payload).status_code == 201
    assert Response.objects.get().interviewer == entered_by.user  # type: ignore[attr-defined]


def test_a_replay_of_a_stored_questionnaire_under_another_session_is_refused_too(
    hall: Questionnaire, interviewer_client: Client, organisation: Organisation
) -> None:
    entered_by = client_for(Role.INTERVIEWER, organisation)
    payload = payload_for(hall, interviewer=username(entered_by))
    assert post(entered_by, payload).status_code == 201

    assert post(interviewer_client, payload).status_code == 409
    assert Response.objects.get().interviewer == entered_by.user  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "declared", ["", 42, ["stagiaire"], {"a": 1}, "x\x00y", "\ud800", "a" * 151]
)
def test_an_unreadable_declared_interviewer_is_a_french_400(
    hall: Questionnaire, interviewer_client: Client, declared: Any
) -> None:
    response = post(interviewer_client, payload_for(hall, interviewer=declared))

    assert response.status_code == 400
    # A NUL or a lone surrogate is refused by the JSON reader itself, with its own reason.
    (message,) = response.json()["errors"]["interviewer"]
    assert message == "Le compte déclaré doit être un nom d'utilisateur." or (
        isinstance(declared, str) and message.startswith("Texte refusé")
    )
    assert not Response.objects.exists()


def test_a_payload_without_a_declared_interviewer_is_the_session_users(
    hall: Questionnaire, interviewer_client: Client
) -> None:
    # What a script from before this rule sends: credited to the session, as it always was.
    payload = payload_for(hall)
    assert "interviewer" not in payload

    assert post(interviewer_client, payload).status_code == 201
    assert Response.objects.get().interviewer == interviewer_client.user  # type: ignore[attr-defined]
