"""Hostile form posts and query strings: a 400 or the form again with its error, in French;
never a 500, and nothing stored. Each case answered 500 before."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client, RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from mystery.models import MysteryCall, MysteryService
from survey.models import Campaign
from survey.payloads import parse_iso_moment, read_json, text_problem

from .helpers_mystery import call

pytestmark = pytest.mark.django_db


def page_text(response: Any) -> str:
    return response.content.decode()


def test_a_charset_that_smuggles_a_lone_surrogate_into_a_form_is_refused(
    staff_client: Client, open_campaign: Campaign, service: MysteryService
) -> None:
    url = reverse("mystery:call_create", args=[open_campaign.pk])
    # Under unicode_escape, the text \ud800 decodes to a lone surrogate. Django refuses a
    # urlencoded body in any charset but UTF-8; a multipart one is decoded with it.
    data = encode_multipart(BOUNDARY, call(service, observations="Bon\\ud800accueil"))

    response = staff_client.post(
        url, data, content_type=f"{MULTIPART_CONTENT}; charset=unicode_escape"
    )

    assert response.status_code == 400
    assert "UTF-8 attendu" in page_text(response)
    assert MysteryCall.objects.count() == 0


@pytest.mark.parametrize("charset", ["unicode_escape", "utf-7", "latin-1"])
def test_a_query_string_read_in_another_charset_is_refused(charset: str) -> None:
    response = Client().get(
        reverse("login"), {"next": "/+2AA-\\ud800"}, CONTENT_TYPE=f"text/plain; charset={charset}"
    )

    assert response.status_code == 400
    assert "UTF-8 attendu" in page_text(response)


def test_a_form_declared_in_utf8_is_read(
    staff_client: Client, open_campaign: Campaign, service: MysteryService
) -> None:
    url = reverse("mystery:call_create", args=[open_campaign.pk])
    body = urlencode(call(service, observations="Très bon accueil")).encode()

    response = staff_client.post(
        url, body, content_type="application/x-www-form-urlencoded; charset=utf-8"
    )

    assert response.status_code == 302
    assert MysteryCall.objects.get().observations == "Très bon accueil"


def test_nul_in_a_form_field_is_refused_naming_the_field(
    staff_client: Client, open_campaign: Campaign, service: MysteryService
) -> None:
    url = reverse("mystery:call_create", args=[open_campaign.pk])

    response = staff_client.post(url, call(service, number_dialled="05\x0045"))

    assert response.status_code == 400
    assert "caractère nul" in page_text(response)
    assert "number_dialled" in page_text(response)
    assert MysteryCall.objects.count() == 0


def test_nul_in_a_query_string_is_refused(interviewer_client: Client) -> None:
    response = interviewer_client.get(reverse("survey:api_communes"), {"departement": "1\x006"})

    assert response.status_code == 400
    assert "departement" in response.json()["errors"]


def test_nul_in_the_login_is_refused_and_records_no_attempt() -> None:
    from axes.models import AccessAttempt

    response = Client().post(reverse("login"), {"username": "a\x00b", "password": "x"})

    assert response.status_code == 400
    assert AccessAttempt.objects.count() == 0


@pytest.mark.parametrize("raw", ["²", "٣", "9" * 5000, "99999999999999999999999"])
def test_an_organisation_that_is_no_number_is_refused_without_error(
    manager_client: Client, raw: str
) -> None:
    response = manager_client.post(reverse("switch_organisation"), {"organisation": raw})

    assert response.status_code == 302


@pytest.mark.parametrize("raw", ["²", "9" * 5000])
def test_a_year_that_is_no_number_is_ignored_by_the_action_plan(
    manager_client: Client, raw: str
) -> None:
    assert manager_client.get(reverse("audit:actions"), {"annee": raw}).status_code == 200


# --- the helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["\x00", "a\ud800", "\udfff", "\ud83dx"])
def test_texts_that_cannot_be_stored_have_a_french_reason(text: str) -> None:
    assert "Texte refusé" in (text_problem(text) or "")


@pytest.mark.parametrize("text", ["", "Très bon accueil 👍", "\ufffd", "\U0010ffff"])
def test_ordinary_texts_pass(text: str) -> None:
    assert text_problem(text) is None


def test_read_json_keeps_what_is_readable() -> None:
    body = '{"a": [1, 2.5, "é", {"b": null}], "c": true}'.encode()

    assert read_json(body) == {"a": [1, 2.5, "é", {"b": None}], "c": True}


@pytest.mark.parametrize(
    "raw",
    [
        "2016-10-04T10:15:00+02:00",
        "2016-10-04T08:15:00Z",
        "0001-01-01T00:00:00-01:00",
        "9999-12-31T23:59:59+14:00",
    ],
)
def test_a_moment_with_its_zone_is_read(raw: str) -> None:
    assert parse_iso_moment(raw) is not None


@pytest.mark.parametrize(
    "raw",
    [
        None,
        12,
        "2016-10-04T10:15:00",
        "2016-02-30T10:15:00Z",
        "2016-10-04T10:15:00+24:00",
        "0001-01-01T00:00:00+00:01",
        "9999-12-31T23:59:59-00:01",
    ],
)
def test_a_moment_without_zone_or_out_of_range_is_not(raw: Any) -> None:
    assert parse_iso_moment(raw) is None


@pytest.mark.parametrize("raw", ["²", "9" * 5000, "99999999999999999999999"])
def test_a_remark_that_is_no_number_is_a_404(
    manager_client: Client, open_campaign: Campaign, raw: str
) -> None:
    url = reverse("reports:remarks", args=[open_campaign.pk])

    assert manager_client.get(url, {"remarque": raw}).status_code == 404


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "0001-01-01T00:05"])
def test_a_moment_without_a_utc_form_is_refused_by_the_call_form(
    staff_client: Client, open_campaign: Campaign, service: MysteryService, moment: str
) -> None:
    url = reverse("mystery:call_create", args=[open_campaign.pk])

    response = staff_client.post(url, call(service, called_at=moment))

    assert response.status_code == 400  # the form again, with its errors
    assert "Date hors des limites du calendrier." in page_text(response)
    assert MysteryCall.objects.count() == 0
    assert (
        staff_client.get(reverse("mystery:call_list", args=[open_campaign.pk])).status_code == 200
    )


@pytest.mark.parametrize("charset", ["rot13", "base64", "zlib"])
def test_a_charset_that_is_no_text_encoding_is_refused_by_the_server(charset: str) -> None:
    """Django fails while building such a request, before any middleware: this goes through
    the WSGI application gunicorn serves, not the test client."""
    from config.wsgi import application

    environ = RequestFactory()._base_environ(
        PATH_INFO=reverse("login"),
        QUERY_STRING="next=/",
        REQUEST_METHOD="GET",
        CONTENT_TYPE=f"text/plain; charset={charset}",
    )
    statuses: list[str] = []

    body = b"".join(application(environ, lambda status, headers: statuses.append(status)))

    assert statuses == ["400 Bad Request"]
    assert "UTF-8 attendu" in body.decode()
