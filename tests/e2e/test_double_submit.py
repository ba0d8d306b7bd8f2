"""A questionnaire sent twice is stored once: a double tap on the send button, and a
submission replayed by the queue after the server stored it but its answer was lost."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from survey.models import Response

from .entry import (
    SUBMIT,
    fill_up_to_the_send_button,
    interviewer,
    is_submission,
    log_in_and_start,
    open_survey,
    send,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_double_tap_on_the_send_button_stores_one_questionnaire(
    tablet: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    user = interviewer(organisation)
    page = tablet
    log_in_and_start(page, live_server, survey, user.username)
    fill_up_to_the_send_button(page)
    uuids_sent: list[str] = []

    def note_submission(request: Any) -> None:
        if is_submission(request):
            uuids_sent.append(request.post_data_json["uuid"])

    page.on("request", note_submission)

    button = page.locator("[data-submit]")
    button.scroll_into_view_if_needed()
    # The second tap lands on the button or, if the first one already brought the thank-you
    # screen, on whatever is there: count the taps the page received, so that the test fails
    # if the second one got lost (it would prove nothing).
    page.evaluate(
        """() => document.addEventListener("click", () => {
            document.body.dataset.taps = Number(document.body.dataset.taps || 0) + 1;
        }, true)"""
    )
    box = button.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.touchscreen.tap(x, y)
    page.touchscreen.tap(x, y)

    expect(page.locator("body")).to_have_attribute("data-taps", "2")
    expect(page.locator("[data-done]")).to_be_visible()  # not a new, blank questionnaire
    expect(page.locator("[data-done-status]")).to_have_text("Envoyé au serveur.")
    expect(page.locator("[data-today-count]")).to_have_text("1")
    assert Response.objects.count() == 1
    assert set(uuids_sent) == {str(Response.objects.get().uuid)}


def test_a_submission_replayed_after_its_answer_was_lost_stores_one_questionnaire(
    tablet_context: Any, tablet: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    user = interviewer(organisation)
    page = tablet
    log_in_and_start(page, live_server, survey, user.username)
    fill_up_to_the_send_button(page)

    # The first submission reaches the server, which stores it; its answer never comes back
    # (a timeout on a weak hall Wi-Fi). The tablet must keep the questionnaire and retry.
    first: list[Any] = []

    def lose_the_answer(route: Any) -> None:
        first.append((route.request.post_data_json, route.fetch()))
        route.abort("timedout")

    tablet_context.route(SUBMIT, lose_the_answer, times=1)
    send(page)
    expect(page.locator("[data-done-status]")).to_have_text(
        "Gardé sur cet appareil : il partira dès le retour du réseau."
    )
    expect(page.locator("[data-queue-count]")).to_have_text("1 questionnaire en attente d'envoi")
    [(payload, lost)] = first
    assert lost.status == 201
    stored = Response.objects.get()
    assert str(stored.uuid) == payload["uuid"]

    # Back on the entry page, the queue sends what it holds: the same uuid, which the server
    # recognises (200, created: false) instead of storing a second questionnaire.
    with page.expect_response(lambda response: is_submission(response.request)) as replay:
        page.get_by_role("link", name="Changer de poste").tap()
    assert replay.value.request.post_data_json["uuid"] == payload["uuid"]
    assert (replay.value.status, replay.value.json()["created"]) == (200, False)
    expect(page.locator("[data-queue-pending]")).to_be_hidden()
    assert list(Response.objects.values_list("uuid", flat=True)) == [stored.uuid]
    expect(page.locator(".app-entry__today [data-today-count]")).to_have_text("1")
