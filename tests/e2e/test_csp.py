"""No page of any role breaks the Content-Security-Policy: every page of the demo is opened
as its users open it, charts drawn, forms used, the entry pages reloaded offline from the
service worker, and the browser reports no violation (neither a securitypolicyviolation
event nor a console message about the policy)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from mystery.models import MysteryCall
from survey.models import Campaign, Channel, Response

from ..helpers import make_remark
from .entry import (
    HALL_SECTIONS,
    SHORT_HALL,
    Survey,
    choose_shift,
    fill_section,
    next_section,
    send,
    start_questionnaire,
)
from .helpers import (
    close_and_let_the_server_finish,
    go_offline,
    log_in,
    new_context,
    scroll_to_every_chart,
    wait_until_kept_for_offline,
)

pytestmark = pytest.mark.django_db(transaction=True)

PLOTLY_CSS = Path(__file__).resolve().parents[2] / "static" / "vendor" / "plotly" / "plotly.css"

# Installed before any script of every page: a violation is written to the console, where
# the watcher below reads it with the browser's own messages about the policy.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "securitypolicyviolation: " + event.effectiveDirective + " " + event.blockedURI + " at "
      + event.sourceFile + ":" + event.lineNumber
  );
}, true);
"""


class PolicyWatch:
    """A browser profile whose pages report every violation of the policy."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.violations: list[str] = []
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", self._read)

    def signed_in(self, live_server: Any, username: str) -> Any:
        page = self.context.new_page()
        log_in(page, live_server, username, "demo")
        return page

    def assert_none(self) -> None:
        assert self.violations == [], "\n".join(self.violations)

    def _read(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "securitypolicyviolation" in text:
            where = message.page.url if message.page else "?"
            self.violations.append(f"{where}: {text}")


@pytest.fixture
def watched(browser: Any, live_server: Any, db: Any) -> Iterator[PolicyWatch]:
    context = new_context(browser, has_touch=True)
    yield PolicyWatch(context)
    close_and_let_the_server_finish(context)


@pytest.fixture
def demo(db: Any) -> Campaign:
    with override_settings(DEBUG=True):  # the demo is for a DEBUG instance
        call_command("load_demo", stdout=StringIO())
    return Campaign.objects.get(organisation__departement_code="16", year=2016)


def running_today(campaign: Campaign) -> None:
    """The demo's survey period moved around today: the tablet dates its questionnaire and
    the call form its call now, and a moment outside the campaign is refused."""
    today = timezone.localdate()
    week = datetime.timedelta(days=7)
    Campaign.objects.filter(pk=campaign.pk).update(start_date=today - week, end_date=today + week)


def visit(page: Any, url: str, ready: str = "main") -> None:
    # The demo's dashboard (21 charts, 266 questionnaires) takes seconds on a busy machine.
    response = page.goto(url, timeout=30_000)
    assert response is not None, url
    assert response.ok, url
    expect(page.locator(ready).first).to_be_visible()


def hover_every_chart(page: Any) -> None:
    """Hover labels are drawn on hover: plotly writes them then."""
    for chart in page.locator(".js-plotly-plot").all()[:4]:
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        if box:
            page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)


def test_the_login_page_and_a_trainee_entering_online_then_offline(
    watched: PolicyWatch, live_server: Any, demo: Campaign
) -> None:
    running_today(demo)
    page = watched.context.new_page()
    visit(page, f"{live_server.url}/compte/connexion/", "input[name=username]")
    log_in(page, live_server, "stagiaire", "demo")
    survey = Survey(
        campaign=demo,
        site=demo.organisation.sites.order_by("pk").first(),  # type: ignore[arg-type]
        hall=demo.questionnaires.get(channel=Channel.HALL),
        phone=demo.questionnaires.get(channel=Channel.PHONE),
    )
    choose_shift(page, live_server, survey, survey.hall)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    start_questionnaire(page)
    fill_section(page, SHORT_HALL[0])
    page.locator("#q-profil_commune-input").press_sequentially("angou")
    page.get_by_role("option", name="Angoulême").tap()
    expect(page.locator("#q-profil_commune-input")).to_have_value("Angoulême")
    for index in range(1, len(SHORT_HALL)):
        next_section(page, HALL_SECTIONS[index])
        fill_section(page, SHORT_HALL[index])
    before = Response.objects.count()
    send(page)
    expect(page.locator("[data-done-status]")).to_have_text("Envoyé au serveur.")
    assert Response.objects.count() == before + 1
    wait_until_kept_for_offline(page, f"/saisie/remplir/{survey.hall.pk}/")

    # Offline, the form comes back from the service worker with the policy it was kept with.
    go_offline(watched.context)
    reloaded = page.reload()
    assert reloaded is not None
    assert reloaded.from_service_worker
    expect(page.locator("[data-editor]")).to_be_visible()

    watched.assert_none()


def test_an_agent_logs_a_mystery_call(
    watched: PolicyWatch, live_server: Any, demo: Campaign
) -> None:
    running_today(demo)
    page = watched.signed_in(live_server, "agent")
    base = f"{live_server.url}/mystere"
    for path in ("/", f"/{demo.pk}/", f"/{demo.pk}/appels/", f"/{demo.pk}/courriels/"):
        visit(page, base + path)
    visit(page, f"{base}/{demo.pk}/appels/nouveau/", "select[name=service]")
    calls = MysteryCall.objects.count()
    page.select_option("select[name=service]", index=1)
    page.locator("#div_id_outcome").get_by_text("Ligne saturée", exact=True).tap()
    expect(page.locator("#call-criteria")).to_be_hidden()
    page.get_by_role("button", name="Enregistrer", exact=True).tap()
    expect(page.locator(".fr-alert--success")).to_contain_text("Appel enregistré")
    assert MysteryCall.objects.count() == calls + 1

    watched.assert_none()


def test_the_quality_managers_pages_with_their_charts(
    watched: PolicyWatch, live_server: Any, demo: Campaign
) -> None:
    page = watched.signed_in(live_server, "responsable")
    url = live_server.url
    hall = demo.questionnaires.get(channel=Channel.HALL)
    response = Response.objects.filter(campaign=demo).order_by("pk").first()
    assert response is not None
    make_remark(demo, "Pas de chaises dans le hall.")  # the demo's remarks are all coded

    visit(page, f"{url}/tableau-de-bord/campagne/{demo.pk}/")
    scroll_to_every_chart(page)  # drawn as they come near
    hover_every_chart(page)
    visit(page, f"{url}/tableau-de-bord/chiffres/web/")
    scroll_to_every_chart(page)
    hover_every_chart(page)
    visit(page, f"{url}/tableau-de-bord/campagne/{demo.pk}/remarques/", "#remarks-left")
    page.locator("input[name=keys]").press_sequentially("1")
    expect(page.locator("#keys-preview")).not_to_be_empty()
    for path in (
        "/tableau-de-bord/",
        f"/tableau-de-bord/campagne/{demo.pk}/remarques/tableau/",
        "/tableau-de-bord/remarques/rubriques/",
        f"/rapport/campagne/{demo.pk}/apercu/",
        f"/rapport/campagne/{demo.pk}/textes/",
        f"/rapport/campagne/{demo.pk}/fichiers/",
        "/rapport/actions/",
        "/rapport/actions/nouvelle/",
        "/tableau-de-bord/chiffres/publies/",
        "/saisie/campagne/nouvelle/",
        f"/mystere/campagne/{demo.pk}/courriels/nouveau/",
        f"/saisie/campagne/{demo.pk}/",
        f"/saisie/campagne/{demo.pk}/questionnaires-recueillis/",
        f"/saisie/questionnaires-recueillis/{response.pk}/",
        f"/saisie/questionnaires-recueillis/{response.pk}/corriger/",
        f"/saisie/questionnaires/{hall.pk}/",
        f"/saisie/questionnaires/{hall.pk}/import/",
        "/saisie/appareils/",
        f"/mystere/campagne/{demo.pk}/appels/",
        "/mystere/referentiel/",
    ):
        visit(page, url + path, "body")
    visit(page, f"{url}/saisie/papier/{hall.pk}/", "[data-editor]")

    watched.assert_none()


def test_the_administration(watched: PolicyWatch, live_server: Any, demo: Campaign) -> None:
    page = watched.signed_in(live_server, "admin")
    url = f"{live_server.url}/admin"
    for path in (
        "/",
        "/survey/campaign/",
        f"/survey/campaign/{demo.pk}/change/",
        "/survey/question/add/",
        "/auth/user/add/",
    ):
        visit(page, url + path, "#content")

    watched.assert_none()


def test_the_plotly_stylesheet_holds_the_rules_plotly_would_write(page: Any) -> None:
    """static/vendor/plotly/plotly.css stands in for the <style> that plotly writes when it
    loads: after an update of the bundle, it must still say the same."""
    bundle = PLOTLY_CSS.with_name("plotly-basic.min.js").read_text(encoding="utf-8")
    page.set_content("<!DOCTYPE html><html><head></head><body></body></html>")
    page.add_script_tag(content=bundle)
    written = page.evaluate(
        "[...document.getElementById('plotly.js-style-global').sheet.cssRules]"
        ".map((rule) => rule.cssText).reverse()"
    )
    kept = page.evaluate(
        "(css) => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);"
        " return [...sheet.cssRules].map((rule) => rule.cssText); }",
        PLOTLY_CSS.read_text(encoding="utf-8"),
    )

    assert len(written) > 50
    assert kept == written
