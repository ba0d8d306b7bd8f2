"""The network drops in the middle of a shift: questionnaires wait on the tablet, survive a
reload served by the service worker, and leave when the network comes back."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from survey.models import Response

from .entry import (
    choose_shift,
    fill_short_hall_questionnaire,
    interviewer,
    log_in_and_start,
    open_survey,
    start_questionnaire,
)
from .helpers import go_offline, go_online, log_in, wait_until_kept_for_offline

pytestmark = pytest.mark.django_db(transaction=True)


def test_questionnaires_entered_offline_wait_on_the_tablet_and_leave_when_the_network_returns(
    tablet_context: Any, tablet: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    user = interviewer(organisation)
    page = tablet
    log_in(page, live_server, user.username)
    choose_shift(page, live_server, survey, survey.hall)
    # The service worker is installed (its static files precached) and controls the page.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    start_questionnaire(page)
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    wait_until_kept_for_offline(
        page,
        f"/saisie/remplir/{survey.hall.pk}/",
        f"/saisie/api/questionnaires/{survey.hall.pk}/",
        "/saisie/api/communes/?departement=16",
    )
    pending = page.locator("[data-queue-count]")
    expect(page.locator("[data-queue-pending]")).to_be_hidden()

    go_offline(tablet_context)
    fill_short_hall_questionnaire(page)
    expect(page.locator("[data-done-status]")).to_have_text(
        "Gardé sur cet appareil : il partira dès le retour du réseau."
    )
    expect(pending).to_have_text("1 questionnaire en attente d'envoi")
    expect(page.locator("[data-queue-offline]")).to_contain_text("Hors ligne")
    page.get_by_role("button", name="Nouveau questionnaire").tap()
    fill_short_hall_questionnaire(page)
    expect(pending).to_have_text("2 questionnaires en attente d'envoi")
    assert not Response.objects.exists()

    # Still offline, the page comes back from the service worker, the queue from IndexedDB.
    reloaded = page.reload()
    assert reloaded is not None
    assert reloaded.from_service_worker
    assert reloaded.ok
    expect(page.locator("[data-editor]")).to_be_visible()
    expect(pending).to_have_text("2 questionnaires en attente d'envoi")
    expect(page.locator("[data-today-count]")).to_have_text("2")  # counted, not yet sent
    assert not Response.objects.exists()

    go_online(tablet_context)
    # At once, or 4 to 6 s later if the first send fails while Chromium brings the network
    # back (seen once in CI; see the next test).
    expect(page.locator("[data-queue-pending]")).to_be_hidden(timeout=9_000)
    assert Response.objects.count() == 2
    assert set(Response.objects.values_list("interviewer", "site")) == {(user.pk, survey.site.pk)}
    expect(page.locator("[data-today-count]")).to_have_text("2")


def test_a_send_that_fails_as_the_network_returns_is_tried_again_within_seconds(
    tablet_context: Any, tablet: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    user = interviewer(organisation)
    page = tablet
    log_in_and_start(page, live_server, survey, user.username)
    go_offline(tablet_context)
    fill_short_hall_questionnaire(page)
    pending = page.locator("[data-queue-pending]")
    expect(pending).to_contain_text("1 questionnaire en attente d'envoi")
    # The first submission once the network is back fails, as when Chromium has not yet
    # restored the network when the page hears it is back (a CI run saw it).
    failed: list[str] = []

    def fail_the_first(route: Any) -> None:
        if failed:
            route.fallback()
        else:
            failed.append(route.request.url)
            route.abort("internetdisconnected")

    tablet_context.route("**/saisie/api/reponses/", fail_the_first)
    go_online(tablet_context)

    # The forced send fails; the next try comes at the first step of the delays (4 to 6 s),
    # not after the longer delays reached offline nor at the next regular look (15 s).
    expect(pending).to_be_hidden(timeout=9_000)
    assert len(failed) == 1
    assert Response.objects.count() == 1


def test_the_entry_page_says_when_it_is_ready_offline_then_a_questionnaire_opens_without_network(
    tablet_context: Any, tablet: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    user = interviewer(organisation)
    page = tablet
    log_in(page, live_server, user.username)  # a fresh profile: nothing kept yet

    choose_shift(page, live_server, survey, survey.hall)
    expect(page.locator("[data-offline-ready]")).to_have_text(
        "Prêt hors ligne : les questionnaires pourront être saisis même si le réseau tombe."
    )
    # The Wi-Fi drops at once: the form opens from the service worker, the questionnaire is
    # entered and waits on the tablet.
    go_offline(tablet_context)
    page.get_by_role("link", name="Nouveau questionnaire").tap()
    expect(page.locator("[data-editor]")).to_be_visible()
    fill_short_hall_questionnaire(page)
    expect(page.locator("[data-queue-count]")).to_have_text("1 questionnaire en attente d'envoi")

    go_online(tablet_context)
    expect(page.locator("[data-queue-pending]")).to_be_hidden(timeout=9_000)
    assert Response.objects.get().interviewer_id == user.pk


def test_the_wifi_drops_as_soon_as_the_shift_is_chosen_and_the_form_still_opens(
    tablet_context: Any, tablet: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    user = interviewer(organisation)
    page = tablet
    log_in(page, live_server, user.username)  # a fresh profile: nothing kept yet

    choose_shift(page, live_server, survey, survey.hall)
    # At 0 s: the shift screen is left only once the form is kept, and says so at once.
    kept = page.evaluate(
        """async () => {
            const data = await caches.open("entry-data");
            const urls = (await data.keys()).map((request) => new URL(request.url).pathname);
            return {
                status: document.querySelector("[data-offline-ready]").textContent,
                urls,
            };
        }"""
    )
    go_offline(tablet_context)
    assert kept["status"] == (
        "Prêt hors ligne : les questionnaires pourront être saisis même si le réseau tombe."
    )
    assert f"/saisie/remplir/{survey.hall.pk}/" in kept["urls"]
    assert f"/saisie/api/questionnaires/{survey.hall.pk}/" in kept["urls"]

    page.get_by_role("link", name="Nouveau questionnaire").tap()
    expect(page.locator("[data-editor]")).to_be_visible()
    fill_short_hall_questionnaire(page)
    expect(page.locator("[data-queue-count]")).to_have_text("1 questionnaire en attente d'envoi")
    assert not Response.objects.exists()

    go_online(tablet_context)
    expect(page.locator("[data-queue-pending]")).to_be_hidden(timeout=9_000)
    assert Response.objects.get().interviewer_id == user.pk


def test_without_network_before_the_form_is_kept_the_entry_page_says_so_instead_of_failing(
    tablet_context: Any, tablet: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    page = tablet
    log_in(page, live_server, interviewer(organisation).username)
    page.goto(f"{live_server.url}/saisie/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # The Wi-Fi drops while the shift is being chosen: nothing of the form could be kept.
    go_offline(tablet_context)
    shift = page.locator("[data-shift-form]")
    shift.locator(f"label[for=shift-site-{survey.site.pk}]").tap()
    shift.locator(f"label[for=shift-questionnaire-{survey.hall.pk}]").tap()
    shift.get_by_role("button", name="Commencer la saisie").tap()
    status = page.locator("[data-offline-ready]")
    expect(status).to_contain_text("Pas encore prêt hors ligne")

    page.get_by_role("link", name="Nouveau questionnaire").tap()
    expect(status).to_be_focused()  # the reason, not the browser's error page
    assert page.url == f"{live_server.url}/saisie/"

    go_online(tablet_context)
    page.get_by_role("link", name="Nouveau questionnaire").tap()
    expect(page.locator("[data-editor]")).to_be_visible()
