"""A questionnaire sent twice is stored once: a double tap on the send button, and a
submission replayed by the queue after the server stored it but its answer was lost."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from survey.models import Response

from .entry import (
    HALL_SECTIONS,
    SHORT_HALL,
    fill_section,
    interviewer,
    log_in_and_start,
    next_section,
    open_post,
    send,
)

pytestmark = pytest.mark.django_db(transaction=True)

SUBMIT = "**/saisie/api/reponses/"


def fill_up_to_the_send_button(page: Any) -> None:
    for index, answers in enumerate(SHORT_HALL):
        if index:
            next_section(page, HALL_SECTIONS[index])
        fill_section(page, answers)


def is_submission(request: Any) -> bool:
    return request.method == "POST" and request.url.endswith("/saisie/api/reponses/")


def test_a_double_tap_on_the_send_button_stores_one_questionnaire(
    tablet: Any, live_server: Any, organisation: Any
) -> None:
    post = open_post(organisation)
    user = interviewer(organisation)
    page = tablet
    log_in_and_start(page, live_server, post, user.username)
    fill_up_to_the_send_button(page)
    sent: list[str] = []
    page.on("request", lambda request: is_submission(request) and sent.append(request))

    button = page.locator("[data-submit]")
    button.scroll_into_view_if_needed()
    # Count the taps that reach the button, so that the test fails if the second one lands
    # elsewhere (and would prove nothing).
    button.evaluate("node => node.addEventListener('click', () => { node.dataset.taps = Number(node.dataset.taps || 0) + 1; })")
    page.evaluate("window.__clicks = []; document.addEventListener('click', e => window.__clicks.push(e.target.outerHTML.slice(0, 80) + ' hidden-editor=' + document.querySelector('[data-editor]').hidden), true)")
    box = button.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.touchscreen.tap(x, y)
    page.touchscreen.tap(x, y)

    expect(page.locator("[data-done]")).to_be_visible()
    print(page.evaluate("window.__clicks"), page.evaluate("window.scrollY"), box)
    expect(button).to_have_attribute("data-taps", "2")
    expect(page.locator("[data-done-status]")).to_have_text("Envoyé au serveur.")
    expect(page.locator("[data-today-count]")).to_have_text("1")
    assert Response.objects.count() == 1
    uuids = {request.post_data_json["uuid"] for request in sent}
    assert uuids == {str(Response.objects.get().uuid)}


def test_a_submission_replayed_after_its_answer_was_lost_stores_one_questionnaire(
    tablet_context: Any, tablet: Any, live_server: Any, organisation: Any
) -> None:
    post = open_post(organisation)
    user = interviewer(organisation)
    page = tablet
    log_in_and_start(page, live_server, post, user.username)
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
