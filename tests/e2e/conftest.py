"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, never a
downloaded browser). Where no Chromium exists, every test here is skipped with the reason.

The pages run under their Content-Security-Policy, which refuses eval: give
page.wait_for_function a function ("() => ..."), never a bare expression, which Playwright
compiles inside the page when it polls."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (fixtures, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

TABLET = {"width": 810, "height": 1080}
SMALL_TABLET = {"width": 600, "height": 960}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = None
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        reason = f"pas de Chromium à {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "le paquet Python playwright n'est pas installé"
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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


# The contexts ask for the live server and the database first, so that they are closed
# before the database is flushed.
@pytest.fixture
def context(browser: Any, live_server: Any, db: Any) -> Iterator[Any]:
    context = new_context(browser)
    yield context
    close_and_let_the_server_finish(context)


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture
def tablet_context(browser: Any, live_server: Any, db: Any) -> Iterator[Any]:
    """A touch screen, as in the hall: the tests tap (locator.tap) where people tap."""
    context = new_context(browser, has_touch=True)
    yield context
    close_and_let_the_server_finish(context)


@pytest.fixture
def tablet(tablet_context: Any) -> Any:
    return tablet_context.new_page()


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
