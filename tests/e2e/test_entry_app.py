"""The entry pages as an installable web app, as Chromium reads them: the manifest that the
page links resolves, parses without error under the page's policy, and its icons load."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .entry import interviewer, open_survey
from .helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_chromium_reads_the_entry_app_manifest_and_its_icons(
    tablet_context: Any, tablet: Any, live_server: Any, organisation: Any
) -> None:
    open_survey(organisation)
    page = tablet
    log_in(page, live_server, interviewer(organisation).username)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and violations.append(message.text)
        ),
    )
    page.goto(f"{live_server.url}/saisie/")

    href = page.evaluate("() => document.querySelector('link[rel=manifest]').href")
    assert href == f"{live_server.url}/saisie/manifest.webmanifest"
    cdp = tablet_context.new_cdp_session(page)
    read = cdp.send("Page.getAppManifest")
    assert read["url"] == href
    assert read["errors"] == []
    manifest = json.loads(read["data"])
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/saisie/"
    for icon in manifest["icons"]:
        response = page.request.get(f"{live_server.url}{icon['src']}")
        assert response.ok, icon["src"]
        assert response.headers["content-type"] == "image/png"
    # Installable: with its service worker in control of the start page (localhost counts
    # as a secure origin), Chromium finds nothing missing but a profile that is not an
    # incognito one (Playwright's contexts are).
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    installability = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [
        error["errorId"] for error in installability if error["errorId"] != "in-incognito"
    ] == []
    assert violations == []
