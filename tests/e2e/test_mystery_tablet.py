"""An agent logs mystery calls and e-mails on a tablet in portrait (810 × 1080) or on a
phone (390 × 844): every control of the forms is a target of at least 44 × 44 px (WCAG
2.5.5), the choices are the questionnaire's tiles, and the logs and the report's tables
4.7 and 4.8 fit the screen's width, with no sideways scrolling of the page or of a table."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mystery.models import CallOutcome, MysteryCall, MysteryEmail
from survey.models import Campaign, CampaignStatus, Organisation, Role

from ..factories import (
    CampaignFactory,
    EmailThemeFactory,
    MysteryCallFactory,
    MysteryEmailFactory,
    MysteryServiceFactory,
)
from .entry import member
from .helpers import close_and_let_the_server_finish, log_in, new_context, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"width": 810, "height": 1080}
PHONE = {"width": 390, "height": 844}
SCREENS = [pytest.param(TABLET, id="tablette"), pytest.param(PHONE, id="telephone")]

# Every control a finger can reach in the form: a radio button or a checkbox through its
# label (the DSFR hides the input under the drawing of its label), anything else itself.
TOUCH_TARGETS = """(form) => {
  const targets = [];
  for (const control of form.querySelectorAll("input, select, textarea, button, a[href]")) {
    if (control.type === "hidden") continue;
    const choice = control.type === "radio" || control.type === "checkbox";
    const target = choice ? form.querySelector(`label[for="${control.id}"]`) : control;
    if (!target || !target.checkVisibility()) continue;
    const box = target.getBoundingClientRect();
    targets.push({
      name: `${control.name || control.tagName}${choice ? " = " + control.value : ""}`,
      width: Math.round(box.width * 10) / 10,
      height: Math.round(box.height * 10) / 10,
    });
  }
  return targets;
}"""

# The page's own width, and each table's against the box it is laid out in.
WIDTHS = """() => {
  const viewport = document.documentElement.clientWidth;
  const tables = [...document.querySelectorAll("table")].map((table) => {
    const box = table.closest(".fr-table") || table.parentElement;
    const scrollers = [];
    for (let node = table.parentElement; node && node !== box.parentElement; ) {
      scrollers.push(node);
      node = node.parentElement;
    }
    return {
      id: table.id || table.querySelector("caption")?.textContent.trim().slice(0, 40),
      width: table.getBoundingClientRect().width,
      container: box.getBoundingClientRect().width,
      right: table.getBoundingClientRect().right,
      overflowing: scrollers.filter((node) => node.scrollWidth > node.clientWidth + 1).length,
    };
  });
  return { viewport, page: document.documentElement.scrollWidth, tables };
}"""


@pytest.fixture
def campaign(organisation: Organisation) -> Campaign:
    """A campaign with calls and e-mails of every kind, and last year's to compare with."""
    year = timezone.localdate().year
    previous = CampaignFactory(organisation=organisation, year=year - 1)
    campaign = CampaignFactory(organisation=organisation, year=year, status=CampaignStatus.OPEN)
    switchboard = MysteryServiceFactory(
        organisation=organisation, name="Standard de la préfecture", phone_number="05 45 97 61 00"
    )
    foreigners = MysteryServiceFactory(
        organisation=organisation,
        name="Bureau de l'immigration et de l'intégration",
        phone_number="05 45 97 62 37",
    )
    theme = EmailThemeFactory(organisation=organisation, name="Titres de séjour et naturalisation")
    MysteryCallFactory(campaign=previous, service=switchboard)
    MysteryCallFactory(
        campaign=campaign,
        service=switchboard,
        greeting_complete=False,
        greeting_missing=["agent", "service"],
        observations="Attente musicale longue avant le décroché, puis transfert au bon service.",
    )
    MysteryCallFactory(
        campaign=campaign,
        service=foreigners,
        outcome=CallOutcome.SATURATED,
        rings=None,
        greeting_complete=None,
        courteous=None,
        answer_content_ok=None,
        answer_form_ok=None,
    )
    MysteryEmailFactory(
        campaign=campaign,
        theme=theme,
        service=foreigners,
        answered_at=datetime.datetime(2016, 10, 12, 15, 30, tzinfo=datetime.UTC),
        answer_content_ok=True,
        answer_form_ok=False,
        observations="Réponse type sans lien avec la question posée.",
    )
    MysteryEmailFactory(campaign=campaign, theme=theme)
    return campaign


@pytest.fixture
def manager(organisation: Organisation) -> Any:
    return member(organisation, Role.QUALITY_MANAGER, "responsable")


def open_page(browser: Any, live_server: Any, viewport: dict[str, int]) -> Any:
    context = new_context(browser, viewport=viewport, has_touch=True, is_mobile=True)
    page = context.new_page()
    log_in(page, live_server, "responsable")
    return context, page


def small_targets(page: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    targets = page.locator("#log-form").evaluate(TOUCH_TARGETS)
    return targets, [t for t in targets if t["width"] < 44 or t["height"] < 44]


@pytest.mark.parametrize("viewport", SCREENS)
def test_every_control_of_the_call_form_is_a_large_target(
    browser: Any, live_server: Any, campaign: Campaign, manager: Any, viewport: dict[str, int]
) -> None:
    context, page = open_page(browser, live_server, viewport)
    try:
        call = MysteryCall.objects.get(campaign=campaign, outcome=CallOutcome.REACHED)
        for path in (
            f"/mystere/campagne/{campaign.pk}/appels/nouveau/",
            f"/mystere/appels/{call.pk}/",
        ):
            page.goto(f"{live_server.url}{path}")
            # Every field shows: a call that got through with an incomplete greeting.
            page.locator("#div_id_outcome label").first.tap()
            page.locator("#div_id_greeting_complete label").nth(1).tap()
            targets, small = small_targets(page)
            names = {t["name"] for t in targets}
            assert {"outcome = reached", "greeting_missing = agent", "rings", "service"} <= names
            assert small == [], f"{path} : {len(small)} cibles sur {len(targets)} sous 44 px"
            # The choices are the questionnaire's tiles, in a grid.
            assert page.locator("#log-form .app-choices .app-tile").count() == sum(
                1 for t in targets if " = " in t["name"]
            )
    finally:
        close_and_let_the_server_finish(context)


@pytest.mark.parametrize("viewport", SCREENS)
def test_every_control_of_the_email_form_is_a_large_target(
    browser: Any, live_server: Any, campaign: Campaign, manager: Any, viewport: dict[str, int]
) -> None:
    context, page = open_page(browser, live_server, viewport)
    try:
        email = MysteryEmail.objects.exclude(answered_at=None).get(campaign=campaign)
        for path in (
            f"/mystere/campagne/{campaign.pk}/courriels/nouveau/",
            f"/mystere/courriels/{email.pk}/",
        ):
            page.goto(f"{live_server.url}{path}")
            targets, small = small_targets(page)
            assert {"theme", "answered_at", "answer_form_ok = False"} <= {
                t["name"] for t in targets
            }
            assert small == [], f"{path} : {len(small)} cibles sur {len(targets)} sous 44 px"
    finally:
        close_and_let_the_server_finish(context)


@pytest.mark.parametrize(
    "viewport", [*SCREENS, pytest.param({"width": 1024, "height": 768}, id="tablette-paysage")]
)
def test_the_mystery_tables_fit_the_screen(
    browser: Any, live_server: Any, campaign: Campaign, manager: Any, viewport: dict[str, int]
) -> None:
    context, page = open_page(browser, live_server, viewport)
    try:
        for path, count in (
            (f"/mystere/campagne/{campaign.pk}/appels/", 1),
            (f"/mystere/campagne/{campaign.pk}/courriels/", 1),
            (f"/mystere/campagne/{campaign.pk}/", 3),
        ):
            page.goto(f"{live_server.url}{path}")
            # The DSFR's script lays out the header's menus (the language menu overflows the
            # page until it is collapsed): measure the page as the agent sees it.
            page.wait_for_function("() => document.documentElement.dataset.frJs === 'true'")
            widths = page.evaluate(WIDTHS)
            assert len(widths["tables"]) == count, path
            assert widths["page"] <= widths["viewport"], f"{path} : {widths}"
            for table in widths["tables"]:
                assert table["width"] <= table["container"] + 1, f"{path} : {table}"
                assert table["right"] <= widths["viewport"], f"{path} : {table}"
                assert table["overflowing"] == 0, f"{path} : {table}"
    finally:
        close_and_let_the_server_finish(context)


@pytest.mark.parametrize("viewport", SCREENS)
def test_the_stacked_tables_and_the_tiles_have_no_serious_violation(
    browser: Any, live_server: Any, campaign: Campaign, manager: Any, viewport: dict[str, int]
) -> None:
    context, page = open_page(browser, live_server, viewport)
    try:
        call = MysteryCall.objects.filter(campaign=campaign).first()
        email = MysteryEmail.objects.filter(campaign=campaign).first()
        assert call is not None
        assert email is not None
        for path in (
            f"/mystere/campagne/{campaign.pk}/",
            f"/mystere/campagne/{campaign.pk}/appels/",
            f"/mystere/campagne/{campaign.pk}/courriels/",
            f"/mystere/appels/{call.pk}/",
            f"/mystere/courriels/{email.pk}/",
        ):
            page.goto(f"{live_server.url}{path}")
            violations = serious_violations(page)
            assert violations == [], f"{path}\n" + "\n".join(violations)
        # A call that got through, saved with nothing else: every tile group in error.
        page.goto(f"{live_server.url}/mystere/campagne/{campaign.pk}/appels/nouveau/")
        page.locator("#div_id_outcome label").first.tap()
        page.get_by_role("button", name="Enregistrer", exact=True).tap()
        expect(page.locator("#div_id_courteous.fr-fieldset--error .app-tile").first).to_be_visible()
        violations = serious_violations(page)
        assert violations == [], "\n".join(violations)
    finally:
        close_and_let_the_server_finish(context)


# Every link and button of the page's main content, with its box.
LINK_TARGETS = """() => [...document.querySelectorAll("main a[href], main button")]
  .filter((node) => node.checkVisibility())
  .map((node) => {
    const box = node.getBoundingClientRect();
    return {
      text: node.textContent.trim().replace(/\\s+/g, " ").slice(0, 60),
      width: Math.round(box.width * 10) / 10,
      height: Math.round(box.height * 10) / 10,
    };
  })"""


@pytest.mark.parametrize("viewport", SCREENS)
def test_every_link_and_button_of_the_mystery_pages_is_a_large_target(
    browser: Any, live_server: Any, campaign: Campaign, manager: Any, viewport: dict[str, int]
) -> None:
    """The logs' "Modifier" links, the pages' tabs and their export and import buttons: an
    agent reaches them with a finger too."""
    context, page = open_page(browser, live_server, viewport)
    try:
        for path in (
            f"/mystere/campagne/{campaign.pk}/",
            f"/mystere/campagne/{campaign.pk}/appels/",
            f"/mystere/campagne/{campaign.pk}/courriels/",
        ):
            page.goto(f"{live_server.url}{path}")
            targets = page.evaluate(LINK_TARGETS)
            assert any(t["text"].startswith("Modifier") for t in targets) or path.endswith(
                f"{campaign.pk}/"
            )
            small = [t for t in targets if t["width"] < 44 or t["height"] < 44]
            assert small == [], (
                f"{path} : {len(small)} cibles sur {len(targets)} sous 44 px : {small}"
            )
    finally:
        close_and_let_the_server_finish(context)
