"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, never a
downloaded browser). Where no Chromium exists, every test here is skipped with the reason.

The pages run under their Content-Security-Policy, which refuses eval: give
page.wait_for_function a function ("() => ..."), never a bare expression, which Playwright
compiles inside the page when it polls."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from .helpers import close_and_let_the_server_finish, new_context

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
