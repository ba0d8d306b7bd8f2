"""Hostile payloads on the submission API: a 400 with a French message keyed by field, never
a 500, and nothing stored. Each case is one the attack of issue 13 answered with a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from survey.models import Answer, DeviceQueue, Questionnaire, Response

from .helpers import payload_for

pytestmark = pytest.mark.django_db

SUBMIT = "survey:api_submit"


def post_raw(client: Client, body: str | bytes, url: str = SUBMIT) -> Any:
    return client.post(reverse(url), body, content_type="application/json")


def refused(response: Any, key: str) -> list[str]:
    """The French messages given for ``key``; checks the 400 and that nothing was stored."""
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert key in errors, errors
    assert all(isinstance(message, str) and message for message in errors[key])
    assert Response.objects.count() == 0
    assert Answer.objects.count() == 0
    return errors[key]


# JSON escapes, so that the body itself is plain ASCII: json.loads gives the bad string.
NUL, SURROGATE = "\\u0000", "\\ud800"


@pytest.mark.parametrize("bad", [NUL, SURROGATE, "a" + SURROGATE + "b", "\\udfff"])
@pytest.mark.parametrize(
    ("where", "key"),
    [
        (("answers", "remarques"), "remarques"),
        (("answers", "profil_commune", "outside"), "profil_commune"),
        (("answers", "profil_commune", "insee"), "profil_commune"),
        (("answers", "profil_statut"), "profil_statut"),
        (("device_id",), "device_id"),
        (("mode",), "mode"),
        (("uuid",), "uuid"),
        (("started_at",), "started_at"),
    ],
)
def test_nul_and_lone_surrogates_are_refused_by_field(
    hall: Questionnaire,
    interviewer_client: Client,
    bad: str,
    where: tuple[str, ...],
    key: str,
) -> None:
    payload = payload_for(hall)
    target = payload
    for step in where[:-1]:
        if not isinstance(target.get(step), dict):
            target[step] = {}
        target = target[step]
    target[where[-1]] = "@@"
    body = json.dumps(payload).replace("@@", "Bon" + bad + "accueil")

    messages = refused(post_raw(interviewer_client, body), key)

    assert "Texte refusé" in messages[0]


def test_a_lone_surrogate_in_a_question_code_is_refused(
    hall: Questionnaire,
    interviewer_client: Client,
) -> None:
    body = json.dumps(payload_for(hall)).replace('"answers": {', '"answers": {"x\\ud800": "oui", ')

    refused(post_raw(interviewer_client, body), "answers")


@pytest.mark.parametrize(
    "moment",
    [
        "2024-02-30T10:00:00+01:00",
        "2016-10-10T09:00:00+25:00",
        "2016-10-10T25:00:00+02:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "2016-10-10T09:00:00",
        "10000-01-01T00:00:00Z",
        "demain",
    ],
)
@pytest.mark.parametrize("key", ["started_at", "submitted_at"])
def test_unreadable_or_unrepresentable_moments_are_refused(
    hall: Questionnaire,
    interviewer_client: Client,
    moment: str,
    key: str,
) -> None:
    payload = payload_for(hall, **{key: moment})

    messages = refused(post_raw(interviewer_client, json.dumps(payload)), key)

    assert "Date et heure" in messages[0]


@pytest.mark.parametrize("moment", [12, ["2016-10-10T09:00:00+02:00"], {"at": 1}, True])
def test_a_moment_that_is_not_a_text_is_refused(
    hall: Questionnaire,
    interviewer_client: Client,
    moment: Any,
) -> None:
    payload = payload_for(hall, started_at=moment)

    refused(post_raw(interviewer_client, json.dumps(payload)), "started_at")


@pytest.mark.parametrize("mode", [["tablet"], {"tablet": 1}, 3, True])
def test_a_mode_that_is_not_a_text_is_refused(
    hall: Questionnaire,
    interviewer_client: Client,
    mode: Any,
) -> None:
    payload = payload_for(hall, mode=mode)

    messages = refused(post_raw(interviewer_client, json.dumps(payload)), "mode")

    assert "Mode de saisie" in messages[0]


@pytest.mark.parametrize("device_id", [["tablette"], {"id": "t"}, 12])
def test_a_device_id_that_is_not_a_text_is_refused(
    hall: Questionnaire,
    interviewer_client: Client,
    device_id: Any,
) -> None:
    payload = payload_for(hall, device_id=device_id)

    refused(post_raw(interviewer_client, json.dumps(payload)), "device_id")


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1.5", "true", "[1]", '"²"', '"-1"'])
@pytest.mark.parametrize("key", ["questionnaire", "site"])
def test_a_key_that_is_no_integer_is_refused(
    hall: Questionnaire,
    interviewer_client: Client,
    number: str,
    key: str,
) -> None:
    body = json.dumps(payload_for(hall, **{key: "@@"})).replace('"@@"', number)

    refused(post_raw(interviewer_client, body), key)


@pytest.mark.parametrize("number", [str(2**63), str(10**40), "-1", "0"])
@pytest.mark.parametrize("key", ["questionnaire", "site"])
def test_an_integer_key_no_row_has_is_a_404(
    hall: Questionnaire,
    interviewer_client: Client,
    number: str,
    key: str,
) -> None:
    body = json.dumps(payload_for(hall, **{key: "@@"})).replace('"@@"', number)

    assert post_raw(interviewer_client, body).status_code == 404
    assert Response.objects.count() == 0


def test_a_key_given_as_a_text_of_digits_is_still_read(
    hall: Questionnaire,
    interviewer_client: Client,
) -> None:
    payload = payload_for(hall)
    payload["questionnaire"] = str(payload["questionnaire"])

    assert post_raw(interviewer_client, json.dumps(payload)).status_code == 201


def test_json_nested_too_deep_is_refused_under_its_key(interviewer_client: Client) -> None:
    body = '{"answers": {"remarques": ' + "[" * 40 + "]" * 40 + "}}"

    messages = refused(post_raw(interviewer_client, body), "answers")

    assert "imbriquées" in messages[0]


@pytest.mark.parametrize("depth", [100_000, 1_000])
def test_json_nested_beyond_the_parser_is_refused_as_a_whole(
    interviewer_client: Client, depth: int
) -> None:
    body = '{"answers": ' + "[" * depth + "]" * depth + "}"

    messages = refused(post_raw(interviewer_client, body), "__all__")

    assert "imbriquées" in messages[0]


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe{",
        b'{"uuid": "\xed\xa0\x80"}',
        b'{"a": 1e400',
        b'{"site": NaN}',
        b'{"site": -Infinity}',
        b"9" * 5000,
        b"",
    ],
)
def test_unreadable_bodies_are_refused(interviewer_client: Client, body: bytes) -> None:
    refused(post_raw(interviewer_client, body), "__all__")


# --- the device report, the other JSON endpoint of the entry pages -------------------------

REPORT = "survey:entry_device_report"


@pytest.mark.parametrize(
    "body",
    [
        '{"device_id": "t\\u0000", "pending": 1}',
        '{"device_id": "t\\ud800", "pending": 1}',
        '{"device_id": "t", "pending": 1, "oldest": "x\\ud800"}',
        '{"device_id": "t", "pending": 1e400}',
        '{"device_id": "t", "pending": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ],
)
def test_hostile_device_reports_are_refused(interviewer_client: Client, body: str) -> None:
    response = post_raw(interviewer_client, body, url=REPORT)

    assert response.status_code == 400
    assert response.json()["errors"]
    assert DeviceQueue.objects.count() == 0


def test_a_refusal_is_in_english_when_the_user_chose_english(
    hall: Questionnaire,
    interviewer_client: Client,
) -> None:
    body = json.dumps(payload_for(hall, device_id="@@")).replace("@@", "t\\u0000")
    interviewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    messages = refused(post_raw(interviewer_client, body), "device_id")

    assert messages == ["Text refused: it contains a null character."]
