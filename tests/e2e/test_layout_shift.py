"""Nothing moves under the reader's eyes once a page shows (Lighthouse's "Cumulative Layout
Shift"): the browser's own layout-shift entries, summed as Lighthouse does (shifts right
after an input do not count), stay under 0.1, the "good" threshold, on a phone's screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from survey.models import Organisation, Role

from .entry import choose_shift, interviewer, member, open_survey
from .helpers import close_and_let_the_server_finish, filed_survey, log_in, new_context

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 412, "height": 823}  # Lighthouse's mobile screen (Moto G Power)
GOOD = 0.1

# Every layout shift since the navigation (the observer replays the buffered ones), after
# the page settled: the sum of those without recent input, and what moved.
LAYOUT_SHIFTS = """async (settle) => {
  const entries = await new Promise((resolve) => {
    const seen = [];
    const observer = new PerformanceObserver((list) => seen.push(...list.getEntries()));
    observer.observe({ type: "layout-shift", buffered: true });
    setTimeout(() => { observer.disconnect(); resolve(seen); }, settle);
  });
  const counted = entries.filter((entry) => !entry.hadRecentInput);
  const describe = (node) => node && node.nodeType === 1
    ? `${node.tagName.toLowerCase()}.${[...node.classList].join(".")}`
    : String(node && node.nodeName);
  return {
    total: counted.reduce((sum, entry) => sum + entry.value, 0),
    moved: counted.map((entry) => ({
      value: entry.value,
      sources: (entry.sources || []).map((source) => describe(source.node)),
    })),
  };
}"""


def layout_shifts(page: Any, settle: int = 1500) -> dict[str, Any]:
    page.wait_for_load_state("load")
    return dict(page.evaluate(LAYOUT_SHIFTS, settle))


@pytest.fixture
def phone(browser: Any, live_server: Any, db: Any) -> Any:
    context = new_context(browser, viewport=PHONE, has_touch=True, is_mobile=True)
    yield context.new_page()
    close_and_let_the_server_finish(context)


def slow_down(page: Any) -> None:
    """A slow mobile network and a slow processor, as Lighthouse's mobile profile simulates:
    the page paints before its scripts and fonts arrive, which is when a page built by its
    scripts moves (on the loopback, everything comes before the first paint)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 150,
            "downloadThroughput": 1.6 * 1024 * 1024 / 8,
            "uploadThroughput": 750 * 1024 / 8,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.set_default_timeout(30_000)


def test_the_shift_picker_does_not_move_when_its_script_shows_the_form(
    phone: Any, live_server: Any, organisation: Organisation
) -> None:
    open_survey(organisation)
    log_in(phone, live_server, interviewer(organisation).username)

    slow_down(phone)
    phone.goto(f"{live_server.url}/saisie/")

    expect(phone.locator("[data-shift-form]")).to_be_visible()
    shifts = layout_shifts(phone)
    assert shifts["total"] < GOOD, shifts


def test_the_shift_summary_of_a_returning_interviewer_does_not_move_either(
    phone: Any, live_server: Any, organisation: Organisation
) -> None:
    survey = open_survey(organisation)
    log_in(phone, live_server, interviewer(organisation).username)
    choose_shift(phone, live_server, survey, survey.hall)
    expect(phone.locator("[data-offline-ready]")).to_have_attribute("data-state", "ready")

    slow_down(phone)
    phone.reload()

    expect(phone.locator("[data-shift-summary]")).to_be_visible()
    expect(phone.locator("[data-shift-form]")).to_be_hidden()
    shifts = layout_shifts(phone)
    assert shifts["total"] < GOOD, shifts


def test_the_dashboard_does_not_move_as_it_loads(
    phone: Any, live_server: Any, organisation: Organisation
) -> None:
    survey = filed_survey(organisation)
    member(organisation, Role.QUALITY_MANAGER, "responsable")
    log_in(phone, live_server, "responsable")

    slow_down(phone)
    phone.goto(f"{live_server.url}/tableau-de-bord/campagne/{survey.campaign.pk}/")

    shifts = layout_shifts(phone, settle=2500)
    assert shifts["total"] < GOOD, shifts
