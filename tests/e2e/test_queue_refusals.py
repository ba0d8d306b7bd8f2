"""The queue tells the truth when the server will not take a questionnaire: a refusal (4xx)
is shown with its reason and can be saved to a file or deleted, never thanked for; a server
that keeps failing (5xx) is named, with the time of the next try, and said out loud when it
keeps failing."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from survey.models import Response

from .entry import (
    SUBMIT,
    fill_short_hall_questionnaire,
    fill_up_to_the_send_button,
    is_submission,
    send,
    started_by_an_interviewer,
)

pytestmark = pytest.mark.django_db(transaction=True)


def queued_uuids(page: Any) -> list[str]:
    return page.evaluate(  # type: ignore[no-any-return]
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("qualiprefs-saisie");
            open.onsuccess = () => {
                const all = open.result.transaction("queue").objectStore("queue").getAllKeys();
                all.onsuccess = () => resolve(all.result);
                all.onerror = () => reject(all.error);
            };
        })"""
    )


def test_a_questionnaire_refused_because_the_campaign_closed_shows_why_and_can_be_saved_or_deleted(
    tablet: Any, live_server: Any, organisation: Any
) -> None:
    page = tablet
    survey = started_by_an_interviewer(page, live_server, organisation)
    fill_up_to_the_send_button(page)
    survey.campaign.close()  # meanwhile, the quality manager closed the campaign

    send(page)

    done = page.locator("[data-done]")
    expect(done.get_by_role("heading")).to_have_accessible_name(
        "Le serveur a refusé ce questionnaire"
    )
    expect(done.get_by_text("Merci, le questionnaire est enregistré.")).to_be_hidden()
    reasons = done.locator("[data-refused-reasons]")
    expect(reasons).to_contain_text("clôturée")
    # Nothing in it can be fixed in the form (whose page is gone with the campaign).
    expect(done.get_by_role("link", name="Corriger")).to_have_count(0)
    [uuid] = queued_uuids(page)

    with page.expect_download() as saved:
        done.get_by_role("button", name="Enregistrer dans un fichier").tap()
    path = saved.value.path()
    assert path is not None
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    assert data["format"] == "qualiprefs-questionnaires-en-attente"
    [item] = data["items"]
    assert item["payload"]["uuid"] == uuid
    assert item["status"] == "invalid"
    assert "clôturée" in json.dumps(item["errors"], ensure_ascii=False)

    # The entry page lists it with the same reason; deleting asks first.
    page.get_by_role("link", name="Changer de poste").tap()
    refused = page.locator(f"[data-refused='{uuid}']")
    expect(refused).to_contain_text("clôturée")
    expect(page.locator("[data-queue-invalid-count]")).to_have_text("1 questionnaire à corriger")
    page.once("dialog", lambda dialog: dialog.dismiss())
    refused.get_by_role("button", name="Supprimer ce questionnaire refusé").tap()
    expect(refused).to_be_visible()
    assert queued_uuids(page) == [uuid]

    page.once("dialog", lambda dialog: dialog.accept())
    refused.get_by_role("button", name="Supprimer ce questionnaire refusé").tap()
    expect(page.locator("[data-queue-invalid]")).to_be_hidden()
    assert queued_uuids(page) == []
    assert not Response.objects.exists()


def test_a_server_that_answers_500_is_named_with_the_next_try_and_said_out_loud_when_it_persists(
    tablet_context: Any, tablet: Any, live_server: Any, organisation: Any
) -> None:
    page = tablet
    started_by_an_interviewer(page, live_server, organisation)
    failures: list[str] = []

    def fail(route: Any) -> None:
        failures.append(route.request.post_data_json["uuid"])
        route.fulfill(status=500, content_type="text/html", body="<h1>Server Error (500)</h1>")

    tablet_context.route(SUBMIT, fail)
    fill_short_hall_questionnaire(page)

    next_try = r"nouvel essai automatique à \d{1,2}:\d{2}"
    expect(page.locator("[data-done-status]")).to_have_text(
        re.compile(
            rf"^Gardé sur cet appareil : le serveur ne répond pas \(erreur 500\), {next_try}\.$"
        )
    )
    expect(page.locator("[data-done-status]")).not_to_contain_text("retour du réseau")
    expect(page.locator("[data-queue-detail]")).to_have_text(
        re.compile(rf"Le serveur ne répond pas \(erreur 500\) : {next_try}\.")
    )
    expect(page.locator("[data-queue-stuck]")).to_be_hidden()

    # It keeps failing: the entry page sends at once (unless the form page, still leaving,
    # holds the queue's lock), the automatic retry comes within seconds, and "Envoyer
    # maintenant" sends once more: whatever their order on a slow machine, three failures.
    page.get_by_role("link", name="Changer de poste").tap()
    expect(page.locator("[data-queue-detail]")).to_contain_text("erreur 500")
    for _ in range(3):
        if len(failures) >= 3:
            break
        with page.expect_request_finished(is_submission):
            page.get_by_role("button", name="Envoyer maintenant").tap()
    assert len(failures) >= 3
    assert set(failures) == {failures[0]}  # one questionnaire, sent again and again
    stuck = page.locator("[data-queue-stuck]")
    expect(stuck).to_contain_text("Le serveur échoue sur 1 questionnaire depuis le")
    expect(stuck).to_contain_text("(erreur 500)")
    expect(stuck).to_contain_text("prévenez la ou le responsable qualité")
    assert not Response.objects.exists()

    # The server is repaired: the next send stores it and the alarm goes. That send is the
    # button's, or the automatic retry's when it comes first (4 to 6 s after the last
    # failure, on a slow machine before the tap): the button then leaves with the
    # questionnaire, so it is pressed by script, which does nothing once the queue is empty.
    tablet_context.unroute(SUBMIT)
    page.evaluate("() => document.querySelector('[data-queue-send]')?.click()")
    expect(page.locator("[data-queue-pending]")).to_be_hidden()
    expect(stuck).to_be_hidden()
    assert Response.objects.count() == 1


def test_a_refusal_without_a_readable_body_is_kept_with_its_status_across_a_reload(
    tablet_context: Any, tablet: Any, live_server: Any, organisation: Any
) -> None:
    page = tablet
    started_by_an_interviewer(page, live_server, organisation)
    # A proxy in front of the application refuses the body (413, an HTML page).
    tablet_context.route(
        SUBMIT,
        lambda route: route.fulfill(status=413, content_type="text/html", body="<h1>413</h1>"),
    )
    fill_short_hall_questionnaire(page)

    message = "Le serveur a refusé ce questionnaire (erreur 413)."
    expect(page.locator("[data-done] [data-refused-reasons]")).to_have_text(message)
    [uuid] = queued_uuids(page)

    page.reload()  # never dropped: still there, still refused, never sent again on its own
    refused = page.locator(f"[data-refused='{uuid}']")
    expect(refused).to_contain_text(message)
    expect(page.locator("[data-queue-invalid-count]")).to_have_text("1 questionnaire à corriger")
    assert queued_uuids(page) == [uuid]
    assert not Response.objects.exists()
