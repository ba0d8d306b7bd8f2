"""What several browser tests do the same way: cut the tablet's network and give it back,
scroll the dashboard until every chart is drawn, file a survey that fills every chart.
Driving the entry pages as an interviewer does: tests/e2e/entry.py."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from playwright.sync_api import expect

from reports.models import WebFigure
from survey.models import Organisation

from ..helpers import Survey

TABLET = {"width": 810, "height": 1080}
SMALL_TABLET = {"width": 600, "height": 960}

# Requests that only the server can answer: the questionnaire and communes JSON (which the
# service worker then serves from its cache), the submissions and the device reports.
SERVER_ONLY = re.compile(r"/saisie/(api|appareils)/")


def go_offline(context: Any) -> None:
    # set_offline() cuts the page and, in Chromium with this Playwright, the service
    # worker's own fetches too (its navigation fetch fails with ERR_INTERNET_DISCONNECTED,
    # then it answers from its cache). Older Playwright versions let the worker's fetches
    # through: the route below aborts whatever would still reach the server, so that the
    # test cannot pass by talking to it. It does not touch the worker's cache.
    context.set_offline(True)
    context.route(SERVER_ONLY, lambda route: route.abort("internetdisconnected"))


def go_online(context: Any) -> None:
    context.unroute(SERVER_ONLY)
    context.set_offline(False)


def wait_until_kept_for_offline(page: Any, *paths: str) -> None:
    """Until the service worker's data cache holds these pages and JSON (it stores them
    after answering, in the background)."""
    page.wait_for_function(
        """async (paths) => {
            const cache = await caches.open("entry-data");
            const kept = (await cache.keys()).map((request) => {
                const url = new URL(request.url);
                return url.pathname + url.search;
            });
            return paths.every((path) => kept.includes(path));
        }""",
        arg=list(paths),
        polling=100,
    )


CHARTS = "[data-chart], [data-series-chart]"


def scroll_to_every_chart(page: Any) -> int:
    """Scroll to each chart in turn and wait until it is drawn; how many there are."""
    charts = page.locator(CHARTS)
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        expect(chart.locator("svg.main-svg").first).to_be_attached()
    return int(charts.count())


def filed_survey(organisation: Organisation) -> Survey:
    """A campaign with hall and phone questionnaires, every question answered (some twenty
    charts), and a month of website figures (the series chart under the dashboard)."""
    survey = Survey(organisation)
    for value in ("satisfaisant", "peu_satisfaisant", "tres_satisfaisant"):
        survey.file(hall_satisfaction_globale=value)
    survey.file(survey.phone)
    WebFigure.objects.create(
        organisation=organisation, year=2016, month=1, metric="site_visits", value=23603
    )
    return survey


def new_context(browser: Any, **options: Any) -> Any:
    """A fresh profile (no service worker, IndexedDB or localStorage left by another test)."""
    context = browser.new_context(
        **{"viewport": TABLET, "locale": "fr-FR", "timezone_id": "Europe/Paris", **options}
    )
    context.set_default_timeout(10_000)
    return context


def close_and_let_the_server_finish(context: Any, timeout: float = 10.0) -> None:
    """Close the browser context, then wait until the live server has answered every
    request it had accepted: the entry pages keep working in the background (the service
    worker fills its cache, the queue reports to the server), and a view still running when
    the test database is flushed makes the flush fail ("database table is locked")."""
    context.close()
    deadline = time.monotonic() + timeout
    # The live server's handler threads are socketserver's (one per connection); they end
    # when the browser has closed its connections and the last response is written.
    while time.monotonic() < deadline and any(
        "process_request_thread" in thread.name for thread in threading.enumerate()
    ):
        time.sleep(0.02)


def log_in(page: Any, live_server: Any, username: str, password: str = "secret") -> None:
    page.goto(f"{live_server.url}/compte/connexion/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/compte/connexion/" not in url)


def serious_violations(page: Any) -> list[str]:
    """axe-core (shipped inside axe-playwright-python, no CDN): serious or critical only."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} élément(s) : "
        + ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def wait_until_queue_empty(page: Any) -> None:
    """Wait until the device's send queue (IndexedDB) holds nothing: a questionnaire leaves
    it only once the server answered 200 or 201, so every one is stored by then. Waiting
    for the pending panel to be hidden is not enough on a page just loaded: the panel is
    hidden until the queue has been read."""
    page.wait_for_function(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("qualiprefs-saisie");
            open.onerror = () => resolve(false);
            open.onsuccess = () => {
                const db = open.result;
                const count = db.transaction("queue").objectStore("queue").count();
                count.onsuccess = () => { db.close(); resolve(count.result === 0); };
                count.onerror = () => { db.close(); resolve(false); };
            };
        })"""
    )
