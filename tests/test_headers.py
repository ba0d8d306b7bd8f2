"""Response headers: the Content-Security-Policy on every page, Cache-Control on what belongs
to someone, the Permissions-Policy."""

from __future__ import annotations

import gzip
import http.client
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from bench.harness import gunicorn
from config.headers import ResponseHeadersMiddleware
from survey.models import Campaign, Channel, Organisation

from .helpers import open_canonical_campaign

BASE_DIR = Path(__file__).resolve().parent.parent


def directives(response: HttpResponse) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def kept_by_no_cache(response: HttpResponse) -> bool:
    """Neither the browser nor a proxy may store it (the admin's never_cache says more)."""
    values = {value.strip() for value in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= values


@pytest.fixture
def campaign(organisation: Organisation) -> Campaign:
    return open_canonical_campaign(organisation)


# --- Content-Security-Policy ----------------------------------------------------------------


def test_the_login_page_forbids_inline_scripts_and_styles(client: Client) -> None:
    policy = directives(client.get(reverse("login")))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["worker-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    # The DSFR's icons and the report's charts are data: images.
    assert policy["img-src"] == ["'self'", "data:"]


def test_every_page_of_a_quality_manager_carries_the_policy(
    campaign: Campaign, manager_client: Client
) -> None:
    hall = campaign.questionnaires.get(channel=Channel.HALL)
    for url in (
        reverse("reports:campaign_dashboard", args=[campaign.pk]),
        reverse("audit:report_preview", args=[campaign.pk]),
        reverse("survey:entry_paper", args=[hall.pk]),
        reverse("survey:api_questionnaire", args=[hall.pk]),
        reverse("admin:index"),
    ):
        response = manager_client.get(url)
        assert response.status_code == 200, url
        script_src = directives(response)["script-src"]
        assert "'unsafe-inline'" not in script_src, url
        assert "'unsafe-eval'" not in script_src, url


def test_the_report_only_mode_sends_the_same_policy_under_the_other_header() -> None:
    code = (
        "from django.conf import settings;"
        "print(hasattr(settings, 'CONTENT_SECURITY_POLICY'),"
        " settings.CONTENT_SECURITY_POLICY_REPORT_ONLY['DIRECTIVES']['script-src'],"
        " settings.CONTENT_SECURITY_POLICY_REPORT_ONLY['DIRECTIVES']['report-uri'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CSP_REPORT_ONLY": "true",
            "CSP_REPORT_URI": "https://csp.exemple.gouv.fr/rapport",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "[\"'self'\"]", "https://csp.exemple.gouv.fr/rapport"]


# --- Cache-Control ----------------------------------------------------------------------------


def test_pages_the_api_and_exports_of_a_signed_in_user_are_kept_by_no_cache(
    campaign: Campaign, manager_client: Client
) -> None:
    hall = campaign.questionnaires.get(channel=Channel.HALL)
    for url in (
        reverse("home"),
        reverse("survey:entry"),
        reverse("reports:campaign_dashboard", args=[campaign.pk]),
        reverse("survey:api_questionnaire", args=[hall.pk]),
        reverse("survey:api_communes") + "?departement=16",
        reverse("survey:export", args=[hall.pk, "csv"]),
        reverse("survey:export", args=[hall.pk, "xlsx"]),
        reverse("mystery:calls_export", args=[campaign.pk, "csv"]),
        reverse("survey:response_list", args=[campaign.pk]),
        reverse("admin:index"),
    ):
        response = manager_client.get(url)
        assert response.status_code in {200, 302}, url
        assert kept_by_no_cache(response), url


def test_a_redirect_after_a_post_is_not_kept_either(manager_client: Client) -> None:
    response = manager_client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"


def test_a_view_that_chose_its_own_cache_control_keeps_it(client: Client) -> None:
    # The service worker is public and must be re-checked at every update (never_cache).
    response = client.get(reverse("survey:entry_sw"))

    assert response["Cache-Control"] != "private, no-store"
    assert "max-age=0" in response["Cache-Control"]


def test_a_public_response_without_session_gets_no_cache_control_of_ours() -> None:
    def public(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    request = RequestFactory().get("/sante/")
    response = ResponseHeadersMiddleware(public)(request)

    assert "Cache-Control" not in response


def test_a_response_that_varies_on_the_cookie_is_private() -> None:
    def personal(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("ok")
        response["Vary"] = "Accept-Language, Cookie"
        return response

    response = ResponseHeadersMiddleware(personal)(RequestFactory().get("/"))

    assert response["Cache-Control"] == "private, no-store"


def test_the_login_page_keeps_djangos_never_cache(client: Client) -> None:
    response = client.get(reverse("login"))

    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


# --- Permissions-Policy -----------------------------------------------------------------------


@pytest.mark.parametrize("feature", ["camera", "microphone", "geolocation", "payment", "usb"])
def test_no_page_may_use_the_camera_the_microphone_or_the_position(
    feature: str, client: Client, interviewer_client: Client
) -> None:
    for response in (client.get(reverse("login")), interviewer_client.get(reverse("survey:entry"))):
        features = [item.strip() for item in response["Permissions-Policy"].split(",")]
        assert f"{feature}=()" in features


# --- gunicorn -------------------------------------------------------------------------------


def test_gunicorn_does_not_announce_itself(tmp_path: Path) -> None:
    env = {"DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'vide.sqlite3'}"}
    with gunicorn(
        env, workers=1, log=tmp_path / "gunicorn.log", ready_path="/compte/connexion/"
    ) as server:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
        connection.request("GET", "/compte/connexion/")
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        connection.close()

    assert response.status == 200
    assert "gunicorn" not in headers.get("server", "").lower()
    assert "content-security-policy" in headers  # the application's headers do get through


# --- Compression ----------------------------------------------------------------------------


def test_pages_and_the_api_go_out_compressed_to_a_browser_that_accepts_it(
    campaign: Campaign, manager_client: Client
) -> None:
    """The dashboard's HTML weighs about 90 KiB: on a tablet's 4G, that is its first paint
    (bench/lighthouse.py). Django's GZipMiddleware pads each compressed response with
    random bytes (BREACH)."""
    hall = campaign.questionnaires.get(channel=Channel.HALL)
    for url in (
        reverse("reports:campaign_dashboard", args=[campaign.pk]),
        reverse("survey:api_questionnaire", args=[hall.pk]),
        reverse("survey:export", args=[hall.pk, "csv"]),
    ):
        plain = manager_client.get(url)
        packed = manager_client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert "Content-Encoding" not in plain, url
        assert packed["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in packed["Vary"], url
        body = b"".join(packed.streaming_content) if packed.streaming else packed.content
        unpacked = gzip.decompress(body)
        whole = b"".join(plain.streaming_content) if plain.streaming else plain.content
        # The same document (a page's CSRF token and nonce change from one request to the
        # next, not its length); a page of some size at a third of it or less.
        assert len(unpacked) == len(whole), url
        assert unpacked[:200] == whole[:200], url
        if len(whole) > 10_000:
            assert len(body) < len(whole) / 3, url
