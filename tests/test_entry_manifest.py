"""The entry pages as an installable web app: the manifest a tablet installs them from,
and its icons."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db


def manifest(client: Client) -> dict[str, Any]:
    response = client.get(reverse("survey:entry_manifest"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    return json.loads(response.content)


def test_the_manifest_is_served_to_a_browser_without_a_session() -> None:
    # Browsers fetch a manifest without cookies: it must not send them to the login page.
    data = manifest(Client())

    assert data["name"]
    assert data["short_name"]
    assert len(data["short_name"]) <= 15  # what a home screen shows under the icon
    assert data["start_url"] == reverse("survey:entry")
    assert data["scope"] == reverse("survey:entry")
    assert data["start_url"].startswith(data["scope"])
    assert data["display"] == "standalone"
    assert data["theme_color"].startswith("#")


def test_the_manifest_names_png_icons_of_192_and_512_pixels_also_maskable() -> None:
    icons = manifest(Client())["icons"]

    declared = {(icon["sizes"], icon.get("purpose", "any")) for icon in icons}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= declared
    for icon in icons:
        assert icon["type"] == "image/png"
        assert icon["src"].startswith("/static/")
        found = finders.find(icon["src"].removeprefix("/static/"))
        assert found, f"{icon['src']} n'existe pas"
        with Image.open(found) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"], icon["src"]
            if icon.get("purpose") == "maskable":
                # A maskable icon fills its square: no transparent corner for the mask to show.
                assert image.convert("RGBA").getpixel((0, 0))[3] == 255


def test_the_manifest_is_allowed_by_the_content_security_policy(
    interviewer_client: Client,
) -> None:
    policy = interviewer_client.get(reverse("survey:entry"))["Content-Security-Policy"]

    assert "manifest-src 'self'" in [part.strip() for part in policy.split(";")]


def test_the_entry_page_and_the_form_link_the_manifest_and_the_theme_colour(
    interviewer_client: Client,
) -> None:
    html = interviewer_client.get(reverse("survey:entry")).content.decode()

    assert f'<link rel="manifest" href="{reverse("survey:entry_manifest")}">' in html
    assert '<meta name="theme-color" content="#000091">' in html
    assert html.count('rel="manifest"') == 1
