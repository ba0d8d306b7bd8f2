"""The first screen of a questionnaire shows its first question, on a phone and on a
tablet held in portrait: the trainee starts without scrolling past the header."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .entry import choose_shift, interviewer, open_survey, start_questionnaire
from .helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 810, "height": 1080}


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
@pytest.mark.parametrize("channel", ["hall", "phone"])
def test_the_first_question_and_its_first_answer_are_on_the_first_screen(
    tablet: Any, live_server: Any, organisation: Any, viewport: dict[str, int], channel: str
) -> None:
    survey = open_survey(organisation)
    page = tablet
    page.set_viewport_size(viewport)
    log_in(page, live_server, interviewer(organisation).username)
    choose_shift(page, live_server, survey, getattr(survey, channel))
    start_questionnaire(page)

    first = page.locator(".app-section:not([hidden]) .app-question:not([hidden])").first
    expect(first).to_be_visible()
    question = first.locator(".app-question__text")
    answer = first.locator(".app-tile label").first
    assert page.evaluate("() => window.scrollY") == 0
    # The buttons "Suivant"… stick to the bottom of the screen: what they cover is not seen.
    actions = page.locator(".app-form__actions").bounding_box()
    assert actions is not None
    seen = min(viewport["height"], actions["y"])
    for part in (question, answer):
        box = part.bounding_box()
        assert box is not None
        assert box["y"] >= 0
        assert box["y"] + box["height"] <= seen, (
            f"{part}: bas à {box['y'] + box['height']:.0f} px, écran visible jusqu'à "
            f"{seen:.0f} px sur {viewport['height']}"
        )
        assert box["x"] + box["width"] <= viewport["width"]
    # What was folded away is one tap away: the introduction opens from its summary.
    intro = page.locator("[data-intro]")
    if not intro.evaluate("(node) => node.open"):
        intro.locator("summary").tap()
    expect(intro.locator(".fr-callout__text")).to_be_visible()
